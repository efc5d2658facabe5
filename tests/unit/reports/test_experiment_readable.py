"""Readable numbers in the experiment report (reports/experiment/readable.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd

from experiments.stats import summarize
from reports.experiment import readable
from reports.experiment.report import render_report


def test_values_and_differences_carry_the_catalogues_units():
    assert readable.value("mean_wait_h", 12.345) == "12.35 h"
    assert readable.value("first_time_fix_rate", 0.8123) == "81.2%"
    assert readable.diff("first_time_fix_rate", -0.031) == "-3.1 pts"
    assert readable.diff("mean_wait_h", -2.5) == "−2.50 h"
    assert readable.value("not_a_kpi", 1234.5678) == "1235"
    assert readable.value("mean_wait_h", math.nan) == "n/a"


def test_a_shares_interval_stays_within_0_and_100_percent():
    assert readable.clip("first_time_fix_rate", -0.1, 1.16) == (0.0, 1.0)
    assert readable.interval("first_time_fix_rate", -0.1, 0.5) == "0.0% to 50.0%"
    assert readable.clip("mean_wait_h", -3.0, 5.0) == (-3.0, 5.0)
    low, high = readable.clip("first_time_fix_rate", np.array([-0.2, 0.1]), np.array([0.5, 1.2]))
    assert list(low) == [0.0, 0.1] and list(high) == [0.5, 1.0]


def test_a_relative_change_against_a_baseline_near_zero_is_not_printed():
    assert readable.relative(0.123) == "+12.3%"
    assert readable.relative(119.61) == "n/a (baseline near 0)"
    assert readable.relative(math.nan, 0.0) == "n/a (baseline near 0)"


def test_few_replications_are_warned_about():
    assert readable.replication_warning(5) == ""
    two = readable.replication_warning(2)
    assert two.startswith("Only 2 replications: each 95 % interval is ±12.7 standard errors")
    assert "One replication" in readable.replication_warning(1)


def test_a_trade_off_is_stated():
    answers = [SimpleNamespace(kpi="mean_wait_h", best="vans"),
               SimpleNamespace(kpi="service_cost_total", best="now"),
               SimpleNamespace(kpi="p90_wait_h", best="vans")]
    text = readable.trade_off(answers, lambda k: k)
    assert text == ("Trade-off: no variant is best on every headline KPI — best is vans on "
                    "mean_wait_h, p90_wait_h; now on service_cost_total.")
    assert readable.trade_off(answers[:1], str) == ""


def test_the_report_warns_and_states_the_trade_off(tmp_path):
    rows = [{"variant": v, "replication": r, "mean_wait_h": w + r, "service_cost_total": c + r}
            for r in range(2) for v, w, c in (("now", 10.0, 100.0), ("vans", 5.0, 150.0))]
    html = render_report(summarize(pd.DataFrame(rows), "now"), tmp_path / "r.html", title="t",
                         baseline="now", headline={"mean_wait_h": "lower",
                                                   "service_cost_total": "lower"},
                         inputs={"variants": {"now": [], "vans": ["x=1", "y=2"]}}).read_text()
    assert 'id="replication-warning">Only 2 replications' in html
    assert "Trade-off: no variant is best on every headline KPI" in html
    assert '<td class="pre">now: (none)\nvans: x=1, y=2</td>' in html


def test_an_outcome_never_reached_is_said_in_words(tmp_path):
    rows = [{"variant": v, "replication": r,
             "ota_days_to_95pct_installed": (30.0 + r) if v == "big_bang" else
             (math.nan if v == "staged" or r < 2 else 50.0)}
            for r in range(3) for v in ("big_bang", "staged", "slow")]
    summary = summarize(pd.DataFrame(rows), "big_bang")
    notes = readable.undefined_notes(summary, ["ota_days_to_95pct_installed"], 3, lambda k: "T95")
    assert notes == ["T95: staged never reached it in 3 of 3 replications (no mean, no "
                     "comparison).",
                     "T95: slow never reached it in 2 of 3 replications; its mean covers the "
                     "other 1 only, so compare with care."]
    html = render_report(summary, tmp_path / "r.html", title="t", baseline="big_bang",
                         headline={"ota_days_to_95pct_installed": "lower"}, inputs={}).read_text()
    assert "staged never reached it in 3 of 3 replications" in html

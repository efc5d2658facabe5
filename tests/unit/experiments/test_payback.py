"""Payback of a lever that costs money, from paired replications (experiments/payback.py)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from experiments.payback import payback_rows
from experiments.stats import summarize


def grid(spend: dict[str, float], profit: dict[str, float], reps: int = 4) -> pd.DataFrame:
    """KPI rows per variant and replication; replication noise is shared (CRN)."""
    rows = []
    noise = np.linspace(-500.0, 500.0, reps)
    for v in spend:
        for r in range(reps):
            rows.append({"variant": v, "replication": r, "horizon_days": 365.25,
                         "academy_spend_per_month": spend[v],
                         "service_profit_per_month": profit[v] + noise[r]})
    return pd.DataFrame(rows)


def test_payback_is_the_spend_over_the_monthly_gain_before_it():
    # the academy spends 10 000 CNY/month; profit after that spend rises by 5 000/month, so the
    # gain before the spend is 15 000/month; over 12 months it spent 120 000: 8 months.
    kpis = grid({"base": 0.0, "academy": 10_000.0, "free": 0.0},
                {"base": 100_000.0, "academy": 105_000.0, "free": 90_000.0})
    rows = payback_rows(summarize(kpis, "base"), "base")
    assert [r["variant"] for r in rows] == ["academy"]     # no extra spend: no payback row
    r = rows[0]
    assert r["extra_spend_per_month"] == pytest.approx(10_000.0)
    assert r["gain_per_month"] == pytest.approx(15_000.0)
    assert r["spend_over_run"] == pytest.approx(120_000.0)
    assert r["payback_months"] == pytest.approx(8.0)


def test_a_lever_that_earns_nothing_never_pays_back():
    kpis = grid({"base": 0.0, "academy": 10_000.0}, {"base": 100_000.0, "academy": 85_000.0})
    (r,) = payback_rows(summarize(kpis, "base"), "base")
    assert r["gain_per_month"] == pytest.approx(-5_000.0)
    assert math.isnan(r["payback_months"])


def test_no_economics_kpis_no_rows():
    kpis = grid({"base": 0.0, "academy": 1.0}, {"base": 0.0, "academy": 0.0})
    assert payback_rows(summarize(kpis.drop(columns=["academy_spend_per_month"]), "base"),
                        "base") == []


def test_the_experiment_report_shows_the_payback(tmp_path):
    from reports.experiment.report import render_report

    kpis = grid({"base": 0.0, "academy": 10_000.0}, {"base": 100_000.0, "academy": 105_000.0})
    out = render_report(summarize(kpis, "base"), tmp_path / "r.html", title="t", baseline="base",
                        headline={"service_profit_per_month": "higher"}, inputs={})
    html = out.read_text(encoding="utf-8")
    section = html[html.index('<section id="payback">'):]
    section = section[:section.index("</section>")]
    assert "<td>academy</td>" in section and "<td>base</td>" not in section
    for cell in ("10,000", "15,000", "120,000", "8.0"):
        assert f'<td class="num">{cell}</td>' in section

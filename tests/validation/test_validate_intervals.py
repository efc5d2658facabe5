"""``fleetsim-validate``'s statistics checks: interval coverage and paired (CRN) intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from experiments.validate import intervals
from sim.fleet import twin_params


@pytest.fixture(scope="module")
def body_params():
    return twin_params(sim.load_config([]))["body"]


def test_the_exact_mean_is_the_constant_hazards():
    # 0.012 damages per vehicle-year (configs/body), 2 000 vehicles, 2 years.
    assert intervals.exact_mean(0.012) == pytest.approx(2000 * (1 - np.exp(-0.012 * 730 / 365.25)))
    assert intervals.exact_mean(0.012) == pytest.approx(47.3965, abs=1e-4)


def test_the_95_percent_intervals_cover_the_true_mean(body_params):
    check = intervals.coverage_check(body_params)
    assert check.detail["experiments"] >= 200
    assert 0.93 <= check.figure <= 0.97 and check.passed
    # The sub-model is unbiased: the mean of 10 000 replications is within 3 SE of the truth.
    se = np.sqrt(47.4) / np.sqrt(10_000)
    assert abs(check.detail["mean_of_means"] - check.detail["true_mean"]) < 3 * se


def test_90_percent_intervals_or_a_wrong_truth_fail(body_params):
    narrow = intervals.coverage_check(body_params, confidence=0.90)
    assert narrow.figure == pytest.approx(0.90, abs=0.02) and not narrow.passed
    shifted = intervals.coverage_check(body_params, true_mean=47.3965 * 1.1)
    assert shifted.figure < 0.8 and not shifted.passed


def _table(baseline: np.ndarray, variant: np.ndarray) -> pd.DataFrame:
    reps = np.arange(baseline.size)
    return pd.concat([pd.DataFrame({"variant": "baseline", "replication": reps, "k": baseline}),
                      pd.DataFrame({"variant": "v", "replication": reps, "k": variant})])


def test_correlated_replications_give_narrower_paired_intervals():
    base = np.arange(10.0)
    check = intervals.crn_check(_table(base, base + 1.0 + 0.1 * np.sin(base)), kpis=("k",))
    assert check.figure < 0.1 and check.passed


def test_anti_correlated_replications_fail():
    # Pairs that move in opposite directions: the paired interval is the wider one.
    base = np.arange(10.0)
    check = intervals.crn_check(_table(base, base[::-1] + 1.0), kpis=("k",))
    (row,) = check.detail["rows"]
    assert row["correlation"] == pytest.approx(-1.0)
    assert check.figure > 1.0 and not check.passed


@pytest.mark.slow  # ~8 s; fleetsim-validate runs 20 replications
def test_the_default_scenario_pairs_narrower_under_crn():
    check = intervals.crn_check(intervals.crn_table(replications=8))
    assert check.passed, check.detail["rows"]
    assert {r["kpi"] for r in check.detail["rows"]} == set(intervals.CRN_KPIS)

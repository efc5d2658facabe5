"""Experiment statistics: t intervals, paired differences, NaN handling, the answer."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from experiments.stats import SUMMARY_COLUMNS, answers, summarize, t_interval


def test_t_interval_matches_the_textbook_formula():
    iv = t_interval([1.0, 2.0, 3.0, 4.0])
    sd = math.sqrt(5 / 3)  # sample variance of 1..4 = 1.6667
    half = 3.182446305284263 * sd / 2.0  # t(0.975, 3) * sd / sqrt(4)
    assert iv.n == 4 and iv.mean == pytest.approx(2.5)
    assert iv.sd == pytest.approx(sd)
    assert (iv.low, iv.high) == pytest.approx((2.5 - half, 2.5 + half))
    assert iv.p_value == pytest.approx(stats.ttest_1samp([1, 2, 3, 4], 0.0).pvalue)


def test_t_interval_leaves_nan_out_and_counts_the_rest():
    iv = t_interval([np.nan, 2.0, 4.0, np.nan])
    assert iv.n == 2 and iv.mean == 3.0
    assert iv.sd == pytest.approx(math.sqrt(2))
    half = stats.t.ppf(0.975, 1) * math.sqrt(2) / math.sqrt(2)
    assert iv.high - iv.mean == pytest.approx(half)
    one = t_interval([np.nan, 5.0])
    assert (one.n, one.mean) == (1, 5.0) and math.isnan(one.sd) and math.isnan(one.low)
    none = t_interval([np.nan])
    assert none.n == 0 and math.isnan(none.mean)


def test_zero_spread_gives_a_point_interval():
    same = t_interval([0.0, 0.0, 0.0])
    assert (same.low, same.high, same.p_value) == (0.0, 0.0, 1.0)
    shifted = t_interval([2.0, 2.0, 2.0])
    assert (shifted.low, shifted.high, shifted.p_value) == (2.0, 2.0, 0.0)


def _table() -> pd.DataFrame:
    # base: noise per replication; better = base - 1 exactly except a small wobble;
    # worse: base + 0.1 +- 1 (not distinguishable); nan_kpi undefined in replication 0.
    base = np.array([10.0, 12.0, 9.0, 11.0, 13.0])
    wobble = np.array([0.05, -0.05, 0.0, 0.02, -0.02])
    rows = []
    for name, values in {"base": base, "better": base - 1 + wobble,
                         "worse": base + np.array([1.1, -0.9, 1.1, -0.9, 0.1])}.items():
        for r, v in enumerate(values):
            rows.append({"variant": name, "replication": r, "seed": 100 + r, "wall_s": 0.1,
                         "cost": v, "nan_kpi": np.nan if r == 0 else v * 2})
    return pd.DataFrame(rows)


def test_summary_values_per_variant_and_paired_differences():
    s = summarize(_table(), "base")
    assert list(s.columns) == list(SUMMARY_COLUMNS)
    assert set(s["kpi"]) == {"cost", "nan_kpi"}  # wall_s, seed are bookkeeping
    row = s[(s.variant == "better") & (s.kpi == "cost")].iloc[0]
    t = _table()
    better = t[t.variant == "better"]["cost"].to_numpy()
    base = t[t.variant == "base"]["cost"].to_numpy()
    assert row["n"] == 5 and row["mean"] == pytest.approx(better.mean())
    assert row["sd"] == pytest.approx(better.std(ddof=1))
    d = better - base
    assert row["diff_mean"] == pytest.approx(d.mean()) and row["diff_n"] == 5
    half = stats.t.ppf(0.975, 4) * d.std(ddof=1) / math.sqrt(5)
    assert row["diff_ci_low"] == pytest.approx(d.mean() - half)
    assert row["diff_rel"] == pytest.approx(d.mean() / base.mean())
    assert bool(row["diff_distinguishable"])
    # The unpaired intervals overlap: only pairing shows the difference.
    b = s[(s.variant == "base") & (s.kpi == "cost")].iloc[0]
    assert row["ci_high"] > b["ci_low"]
    worse = s[(s.variant == "worse") & (s.kpi == "cost")].iloc[0]
    assert worse["diff_mean"] == pytest.approx(0.1)
    assert not bool(worse["diff_distinguishable"])
    assert worse["diff_ci_low"] < 0 < worse["diff_ci_high"]
    assert bool(b["is_baseline"]) and math.isnan(b["diff_mean"]) and b["diff_n"] == 0


def test_summary_is_nan_safe_and_reports_n():
    s = summarize(_table(), "base")
    row = s[(s.variant == "better") & (s.kpi == "nan_kpi")].iloc[0]
    assert row["n"] == 4 and row["diff_n"] == 4
    t = _table()
    vals = t[(t.variant == "better") & (t.replication > 0)]["nan_kpi"]
    assert row["mean"] == pytest.approx(vals.mean())


def test_summary_rejects_an_unknown_baseline():
    with pytest.raises(ValueError, match="baseline 'nope'"):
        summarize(_table(), "nope")


def test_answers_pick_the_best_variant_in_the_better_direction():
    s = summarize(_table(), "base")
    low, high = answers(s, {"cost": "lower", "nan_kpi": "higher", "absent": "lower"}, "base")
    assert (low.kpi, low.best, low.other) == ("cost", "better", "better")
    assert low.diff_mean == pytest.approx(-1.0, abs=0.01) and low.distinguishable
    assert "better" in low.sentence() and "distinguishable from zero" in low.sentence()
    # Over replications 1-4 (0 is NaN) worse is 0.6 below base in sum: the baseline wins.
    assert (high.kpi, high.best, high.other, high.diff_n) == ("nan_kpi", "base", "worse", 4)
    assert high.diff_mean == pytest.approx(-0.3)


def test_answer_when_the_baseline_wins_names_the_runner_up():
    s2 = summarize(_table(), "better")
    (a,) = answers(s2, {"cost": "lower"}, "better")
    assert a.best == "better" and a.other == "base"
    assert a.diff_mean == pytest.approx(1.0, abs=0.01)
    assert a.sentence().startswith("cost (lower is better): baseline better is best")


def test_a_tie_with_the_baseline_is_not_a_win():
    t = _table()
    t.loc[t.variant == "worse", "cost"] = t.loc[t.variant == "base", "cost"].to_numpy()
    s = summarize(t[t.variant != "better"], "base")
    (a,) = answers(s, {"cost": "lower"}, "base")
    assert a.best == "base" and a.diff_mean == 0.0 and not a.distinguishable


def test_a_single_variant_answer_gives_its_interval():
    t = _table()
    s = summarize(t[t.variant == "base"], "base")
    (a,) = answers(s, {"cost": "lower"}, "base")
    iv = t_interval(t[t.variant == "base"]["cost"])
    assert a.best_ci == pytest.approx((iv.low, iv.high)) and a.best_n == 5
    assert a.sentence() == (f"cost (lower is better): base 11 (95% CI {iv.low:.4g} to "
                            f"{iv.high:.4g}, n=5; only variant)")

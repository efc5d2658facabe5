"""Experiment statistics: t confidence intervals per variant, paired differences.

Paired differences use common random numbers: replication ``r`` of every variant
runs on the same seed, so ``variant[r] - baseline[r]`` removes the noise the two
share. Intervals and p-values are scipy's one-sample t test (``scipy.stats.ttest_1samp``;
on the differences it is the paired test). Everything is NaN-safe: a KPI undefined in
some replications (a rate over no jobs) is summarised over the others and ``n`` says how
many.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from experiments.store import META_COLUMNS

CONFIDENCE = 0.95
SUMMARY_COLUMNS = (
    "variant", "kpi", "is_baseline", "n", "mean", "sd", "ci_low", "ci_high",
    "diff_n", "diff_mean", "diff_sd", "diff_ci_low", "diff_ci_high", "diff_p_value",
    "diff_rel", "diff_distinguishable",
)


@dataclass(frozen=True)
class Interval:
    """Mean of a sample with its t confidence interval (NaN where undefined)."""

    n: int
    mean: float
    sd: float
    low: float
    high: float
    p_value: float  # two-sided, of the hypothesis "mean = 0"


def t_interval(values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """Mean, sample sd and the two-sided t interval of the finite ``values``.

    NaN values are left out (``n`` counts the rest). With one value the sd and
    interval are NaN; with zero spread the interval is the mean itself.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    n = int(x.size)
    if n == 0:
        return Interval(0, math.nan, math.nan, math.nan, math.nan, math.nan)
    mean = float(x.mean())
    if n == 1:
        return Interval(1, mean, math.nan, math.nan, math.nan, math.nan)
    sd = float(x.std(ddof=1))
    if sd == 0:   # scipy's t statistic is undefined here: the interval is the mean itself
        return Interval(n, mean, 0.0, mean, mean, 1.0 if mean == 0 else 0.0)
    with warnings.catch_warnings():
        # Replications equal to many digits (a KPI the variants barely move) make scipy warn
        # of precision loss; the interval is then about the mean itself, which is right.
        warnings.simplefilter("ignore", RuntimeWarning)
        test = stats.ttest_1samp(x, 0.0)
        ci = test.confidence_interval(confidence)
    return Interval(n, mean, sd, float(ci.low), float(ci.high), float(test.pvalue))


def kpi_columns(kpis: pd.DataFrame) -> list[str]:
    """The KPI columns of a task table (everything but the bookkeeping columns)."""
    return [c for c in kpis.columns
            if c not in META_COLUMNS and pd.api.types.is_numeric_dtype(kpis[c])]


def summarize(kpis: pd.DataFrame, baseline: str, variants: Sequence[str] | None = None,
              columns: Sequence[str] | None = None,
              confidence: float = CONFIDENCE) -> pd.DataFrame:
    """Per variant and KPI: mean, sd, n, t interval; paired difference to the baseline.

    Args:
        kpis: one row per task with ``variant``, ``replication`` and KPI columns.
        baseline: the variant the others are compared with.
        variants: order of the variants in the output (default: order of appearance).
        columns: KPIs to summarise (default: every numeric non-bookkeeping column).
        confidence: two-sided level of the intervals.

    Returns:
        Long table with :data:`SUMMARY_COLUMNS`; ``diff_*`` are ``variant - baseline``
        over replications where both are defined (NaN on the baseline's own rows);
        ``diff_rel`` is ``diff_mean`` over the baseline mean of the same replications;
        ``diff_distinguishable`` is True when the paired interval excludes zero.
    """
    variants = list(variants) if variants is not None else list(dict.fromkeys(kpis["variant"]))
    columns = list(columns) if columns is not None else kpi_columns(kpis)
    if baseline not in variants:
        raise ValueError(f"baseline {baseline!r} is not one of the variants {variants}")
    wide = {c: kpis.pivot(index="replication", columns="variant", values=c).astype(float)
            for c in columns}
    rows = []
    for v in variants:
        for c in columns:
            table = wide[c]
            own = table[v] if v in table else pd.Series(dtype=float)
            iv = t_interval(own.to_numpy(dtype=float), confidence)
            row = {"variant": v, "kpi": c, "is_baseline": v == baseline, "n": iv.n,
                   "mean": iv.mean, "sd": iv.sd, "ci_low": iv.low, "ci_high": iv.high}
            row.update(_paired(table, v, baseline, confidence))
            rows.append(row)
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return out.astype({"n": "int64", "diff_n": "int64", "is_baseline": bool,
                       "diff_distinguishable": bool})


def _paired(table: pd.DataFrame, v: str, baseline: str, confidence: float) -> dict:
    empty = {"diff_n": 0, "diff_mean": math.nan, "diff_sd": math.nan, "diff_ci_low": math.nan,
             "diff_ci_high": math.nan, "diff_p_value": math.nan, "diff_rel": math.nan,
             "diff_distinguishable": False}
    if v == baseline or v not in table or baseline not in table:
        return empty
    a = table[v].to_numpy(dtype=float)
    b = table[baseline].to_numpy(dtype=float)
    both = np.isfinite(a) & np.isfinite(b)
    iv = t_interval(a[both] - b[both], confidence)
    if iv.n == 0:
        return empty
    base_mean = float(b[both].mean())
    rel = iv.mean / base_mean if base_mean != 0 else math.nan
    distinct = bool(iv.low > 0 or iv.high < 0) if math.isfinite(iv.low) else False
    return {"diff_n": iv.n, "diff_mean": iv.mean, "diff_sd": iv.sd, "diff_ci_low": iv.low,
            "diff_ci_high": iv.high, "diff_p_value": iv.p_value, "diff_rel": rel,
            "diff_distinguishable": distinct}


@dataclass(frozen=True)
class Answer:
    """Which variant is best on one headline KPI, and by how much vs the baseline.

    ``diff_*`` compare ``best`` with the baseline (paired); when the baseline is
    itself best they compare the runner-up with it, so the table says by how
    much the baseline wins.
    """

    kpi: str
    direction: str
    best: str
    best_mean: float
    baseline: str
    baseline_mean: float
    other: str
    diff_mean: float
    diff_ci_low: float
    diff_ci_high: float
    diff_rel: float
    diff_n: int
    distinguishable: bool
    best_ci: tuple[float, float] = (math.nan, math.nan)
    best_n: int = 0

    def sentence(self) -> str:
        """The answer in one line of plain text."""
        head = f"{self.kpi} ({self.direction} is better): "
        if not math.isfinite(self.best_mean):
            return head + "no variant has a value"
        ci = (f"paired 95% CI {_g(self.diff_ci_low)} to {_g(self.diff_ci_high)}, "
              f"n={self.diff_n}") if math.isfinite(self.diff_ci_low) else f"n={self.diff_n}"
        verdict = ("distinguishable from zero" if self.distinguishable
                   else "not distinguishable from zero")
        rel = f" ({self.diff_rel:+.1%})" if math.isfinite(self.diff_rel) else ""
        if self.best == self.baseline:
            if self.other == self.baseline:
                return head + (f"{self.best} {_g(self.best_mean)} (95% CI "
                               f"{_g(self.best_ci[0])} to {_g(self.best_ci[1])}, "
                               f"n={self.best_n}; only variant)")
            return (head + f"baseline {self.best} is best at {_g(self.best_mean)}; "
                    f"next {self.other} differs by {_g(self.diff_mean, sign=True)}{rel} "
                    f"({ci}; {verdict})")
        return (head + f"{self.best} {_g(self.best_mean)} vs baseline {self.baseline} "
                f"{_g(self.baseline_mean)}: {_g(self.diff_mean, sign=True)}{rel} "
                f"({ci}; {verdict})")


def _g(x: float, sign: bool = False) -> str:
    if not math.isfinite(x):
        return "n/a"
    text = f"{x:+.4g}" if sign else f"{x:.4g}"
    return text


def answers(summary: pd.DataFrame, headline: Mapping[str, str], baseline: str) -> list[Answer]:
    """The best variant per headline KPI (by mean, in its better direction).

    KPIs missing from ``summary`` are skipped.
    """
    out = []
    for kpi, direction in headline.items():
        rows = summary[summary["kpi"] == kpi]
        if rows.empty:
            continue
        ranked = rows[np.isfinite(rows["mean"].to_numpy(dtype=float))]
        ranked = ranked.sort_values("mean", ascending=direction == "lower", kind="stable")
        base = rows[rows["variant"] == baseline].iloc[0]
        if ranked.empty:
            out.append(Answer(kpi, direction, "", math.nan, baseline, float(base["mean"]),
                              baseline, math.nan, math.nan, math.nan, math.nan, 0, False))
            continue
        best = ranked.iloc[0]
        if best["mean"] == base["mean"]:  # a tie with the baseline is no improvement
            best = base
        if best["variant"] == baseline:
            others = ranked[ranked["variant"] != baseline]
            cmp = others.iloc[0] if len(others) else best
        else:
            cmp = best
        out.append(Answer(
            kpi, direction, str(best["variant"]), float(best["mean"]), baseline,
            float(base["mean"]), str(cmp["variant"]), float(cmp["diff_mean"]),
            float(cmp["diff_ci_low"]), float(cmp["diff_ci_high"]), float(cmp["diff_rel"]),
            int(cmp["diff_n"]), bool(cmp["diff_distinguishable"]),
            (float(best["ci_low"]), float(best["ci_high"])), int(best["n"])))
    return out

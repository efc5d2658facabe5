"""Exact confidence intervals for counts, so small runs are not over-read."""

from __future__ import annotations

from scipy import stats


def poisson_ci(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Return the exact (Garwood) confidence interval of a Poisson count.

    Args:
        count: Observed number of events (non-negative).
        confidence: Two-sided confidence level.

    Returns:
        ``(low, high)`` bounds for the expected count.
    """
    alpha = 1.0 - confidence
    k = round(count)
    low = 0.0 if k == 0 else float(stats.chi2.ppf(alpha / 2, 2 * k) / 2)
    high = float(stats.chi2.ppf(1 - alpha / 2, 2 * k + 2) / 2)
    return low, high


def binomial_ci(successes: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Return the exact (Clopper-Pearson) confidence interval of a proportion.

    Args:
        successes: Number of successes.
        trials: Number of trials (positive).
        confidence: Two-sided confidence level.

    Returns:
        ``(low, high)`` bounds of the proportion, within 0..1.
    """
    ci = stats.binomtest(round(successes), round(trials)).proportion_ci(confidence, "exact")
    return float(ci.low), float(ci.high)

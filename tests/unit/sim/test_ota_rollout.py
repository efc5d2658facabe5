"""Campaign duration per rollout policy against the duration derived from the config.

A vehicle released on day r downloads on connected days (k = ceil(size /
speed) of them, each day connected with probability p: the k-th falls on
day r + X, X negative binomial), is then postponed by its owner with
probability p_d for ceil(Exp(mean)) days, and installs on the first night
it is parked (probability q each night: geometric). The installed share on
day d is the sum over waves of (wave share) x P(X + D + G <= d - start).
Wave starts follow the gates: the first day >= start + min_days on which
the reported success share, F(d - start - report_delay), reaches the
threshold, plus soak_days. The exponential rate is followed in expectation.

Tolerance 1 day: with 50 000 vehicles the sampling sd of the installed
share is ~0.1 point while a day adds ~0.5 point near 95 % (the tail of
owner deferrals), so sampling alone rarely moves the day; what can shift it
by a day is a gate or rate step met a day earlier / later by chance (the
first wave has 50 vehicles).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.ota.sandbox import SyntheticFleet, ota_config, run

N = 50_000
HORIZON = 120
RELEASE = "fix_2026_12"
QUIET = {  # no failures: the timing is the campaign's, not the retries'
    "stuck_download_prob_per_attempt": 0.0, "insufficient_storage_prob_per_attempt": 0.0,
    "ecu_comm_error_prob_per_attempt": 0.0, "brick_prob_per_install": 0.0,
    "ab_rollback_prob": 0.0, f"releases.{RELEASE}.size_mb": 3000.0,
    f"releases.{RELEASE}.defect_prob_by_hw_config": {}, "rollout.gates.timeout_days": 0,
}


def delay_pmf(cfg, parked_prob: float, length: int = HORIZON) -> np.ndarray:
    """P(install night - release day = x), x = 0 .. length - 1, from the config alone."""
    rel = cfg.releases[RELEASE]
    p, k = cfg.connectivity_prob_per_day, math.ceil(rel.size_mb / cfg.download_mb_per_day)
    x = np.arange(length)
    download = np.array([math.comb(i, k - 1) * p**k * (1 - p) ** (i - k + 1) if i >= k - 1
                         else 0.0 for i in x])
    defer = np.zeros(length)
    pd = cfg.deferral_prob if rel.optional else 0.0
    defer[0] = 1 - pd
    m = cfg.deferral_days_mean
    defer[1:] += pd * (np.exp(-(x[1:] - 1) / m) - np.exp(-x[1:] / m))
    night = parked_prob * (1 - parked_prob) ** x
    return np.convolve(np.convolve(download, defer)[:length], night)[:length]


def expected_95_day_waves(cfg, cdf: np.ndarray, sizes: list[float], min_days: list[int]) -> int:
    g = cfg.rollout.gates
    delay = cfg.report_delay_days
    start, starts = cfg.releases[RELEASE].release_day, []
    for i in range(len(sizes)):
        starts.append(start)
        d = start + min_days[i]
        while d - start - delay < 0 or cdf[d - start - delay] < g.success_threshold_frac:
            d += 1
        start = d + g.soak_days
    share = np.array(sizes) / sum(sizes)
    days = np.arange(HORIZON)
    installed = sum(s * np.where(days >= t, cdf[np.clip(days - t, 0, None)], 0.0)
                    for s, t in zip(share, starts, strict=True))
    return int(np.argmax(installed >= 0.95))


def expected_95_day_rate(cfg, pmf: np.ndarray) -> int:
    e = cfg.rollout.exponential
    delay, r0 = cfg.report_delay_days, cfg.releases[RELEASE].release_day
    released = np.zeros(HORIZON)
    installs = np.zeros(HORIZON)
    total, carry = 0.0, 0.0
    for d in range(r0, HORIZON):
        succeeded = installs[: max(0, d - delay + 1)].sum()
        rate = min(e.base_rate_per_day * e.increment_factor
                   ** (succeeded // e.increase_after_succeeded), e.max_rate_per_day)
        carry += rate
        k = min(int(carry), N - total)
        carry -= int(carry)
        released[d], total = k, total + k
        installs[d:] += k * pmf[: HORIZON - d]
    return int(np.argmax(np.cumsum(installs) >= 0.95 * N))


def observed_95_day(outcomes) -> int:
    return next(o.day for o in outcomes if RELEASE in o.counts
                and o.counts[RELEASE].installed >= 0.95 * o.counts[RELEASE].targeted)


@pytest.mark.parametrize("preset", ["big_bang", "staged", "hawkbit_default", "mender_phased",
                                    "aws_abort"])
def test_a_healthy_release_reaches_95_percent_when_the_config_says(preset):
    cfg = ota_config(rollout=preset, overrides=QUIET)
    fleet = SyntheticFleet(n=N)
    _, outcomes = run(cfg, fleet, HORIZON)
    pmf = delay_pmf(cfg, fleet.parked_night_prob)
    cdf = np.cumsum(pmf)
    rollout = cfg.rollout
    if rollout.policy == "exponential":
        expected = expected_95_day_rate(cfg, pmf)
    elif rollout.policy == "big_bang":
        expected = expected_95_day_waves(cfg, cdf, [1.0], [0])
    else:
        sizes = [w.size for w in rollout.waves[:-1]]
        sizes.append(1.0 - sum(sizes))                     # the last wave takes the rest
        expected = expected_95_day_waves(cfg, cdf, sizes, [w.min_days for w in rollout.waves])
    assert abs(observed_95_day(outcomes) - expected) <= 1, (preset, expected)


def test_the_policies_rank_as_their_configs_imply():
    """Big bang first; the seed's staged waves (1 + 3 + 7 days before the last) last."""
    days = {}
    for preset in ("big_bang", "hawkbit_default", "staged"):
        _, outcomes = run(ota_config(rollout=preset, overrides=QUIET), SyntheticFleet(n=N),
                          HORIZON)
        days[preset] = observed_95_day(outcomes)
    assert days["big_bang"] <= days["hawkbit_default"] < days["staged"]
    assert days["staged"] - days["big_bang"] >= 1 + 3 + 7

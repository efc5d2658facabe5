"""Statistical gates (issue 15): interval and SPRT verdicts, matured samples, containment."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta as beta_dist
from scipy.stats import binom

from sim.ota.evidence import BAD, GOOD, UNDECIDED, beta_bounds, sprt_llr, verdicts, wilson_bounds
from sim.ota.monitor import ServerView
from sim.ota.sandbox import SyntheticFleet, ota_config, run

RELEASE = "fix_2026_12"
R = f"releases.{RELEASE}"
Z95 = 1.6448536269514722


# ------------------------------------------------------------------ bounds
def test_wilson_bounds_match_the_closed_form():
    n = np.array([10, 100, 1000, 37])
    k = np.array([0, 5, 50, 37])
    lo, hi = wilson_bounds(k, n, 0.95)
    # k = 0: the upper bound is z^2 / (n + z^2); k = n: the lower bound is n / (n + z^2)
    assert hi[0] == pytest.approx(Z95**2 / (10 + Z95**2))
    assert lo[3] == pytest.approx(37 / (37 + Z95**2))
    p, z2 = 0.05, Z95**2
    centre = (p + z2 / 200) / (1 + z2 / 100)
    half = Z95 * np.sqrt(p * (1 - p) / 100 + z2 / 40_000) / (1 + z2 / 100)
    assert (lo[1], hi[1]) == pytest.approx((centre - half, centre + half))
    assert lo[2] < 0.05 < hi[2] and hi[2] - lo[2] < hi[1] - lo[1]   # narrower with more data
    assert wilson_bounds(np.array([0]), np.array([0]), 0.95) == (0.0, 1.0)


def test_beta_bounds_are_the_jeffreys_posterior_quantiles():
    lo, hi = beta_bounds(np.array([3]), np.array([40]), 0.9)
    assert lo[0] == pytest.approx(beta_dist.ppf(0.1, 3.5, 37.5))
    assert hi[0] == pytest.approx(beta_dist.ppf(0.9, 3.5, 37.5))


@pytest.mark.parametrize("bounds", [wilson_bounds, beta_bounds])
def test_the_upper_bound_covers_the_true_rate_about_as_often_as_promised(bounds):
    rng = np.random.default_rng(5)
    p, n = 0.05, 400
    k = rng.binomial(n, p, 20_000)
    _, hi = bounds(k, np.full(k.shape, n), 0.95)
    assert 0.93 < (hi >= p).mean() < 0.98


def test_sprt_log_likelihood_ratio():
    llr = sprt_llr(np.array([2]), np.array([30]), 0.01, 0.05)
    assert llr[0] == pytest.approx(2 * np.log(5) + 28 * np.log(0.95 / 0.99))


# ---------------------------------------------------------------- verdicts
def test_verdicts_follow_the_bounds():
    k, n = np.array([0, 30, 1, 10]), np.array([200, 300, 40, 400])
    lo, hi = wilson_bounds(k, n, 0.95)
    v = verdicts("wilson", k, n, 0.01, 0.05, 0.95)
    assert list(v) == [GOOD, BAD, UNDECIDED, BAD]
    assert hi[0] < 0.05 and lo[1] > 0.01 and lo[2] < 0.01 and hi[2] > 0.05
    # 10 in 400 (2.5 %) is both shown above p0 and below p1: inside the indifference zone,
    # the pause wins (it is the safe side)
    assert lo[3] > 0.01 and hi[3] < 0.05
    with pytest.raises(ValueError, match="error_test='rate'"):
        verdicts("rate", k, n, 0.01, 0.05, 0.95)


def _sequential(test: str, p: float, n_max: int, runs: int, seed: int) -> np.ndarray:
    """First verdict of each of ``runs`` sequences of Bernoulli(p) results, looked at after each."""
    rng = np.random.default_rng(seed)
    k = np.cumsum(rng.random((runs, n_max)) < p, axis=1)
    n = np.broadcast_to(np.arange(1, n_max + 1), k.shape)
    v = verdicts(test, k, n, 0.01, 0.05, 0.95)
    decided = v != UNDECIDED
    first = np.argmax(decided, axis=1)
    return np.where(decided.any(axis=1), v[np.arange(runs), first], UNDECIDED)


def test_sprt_error_probabilities_stay_near_alpha_and_beta():
    at_p0 = _sequential("sprt", 0.01, 3000, 2000, 1)
    at_p1 = _sequential("sprt", 0.05, 3000, 2000, 2)
    # Wald: P(BAD | p0) <= ~alpha / (1 - beta), P(GOOD | p1) <= ~beta / (1 - alpha)
    assert (at_p0 == BAD).mean() < 0.07 and (at_p0 == GOOD).mean() > 0.9
    assert (at_p1 == GOOD).mean() < 0.07 and (at_p1 == BAD).mean() > 0.9


def test_a_defect_far_above_the_threshold_is_called_bad_on_a_small_sample():
    at_30 = _sequential("sprt", 0.3, 40, 2000, 3)
    assert (at_30 == BAD).mean() > 0.99
    # the probability of 3 errors in 20 at the background rate of 0.3 %: what a false pause costs
    assert binom.sf(2, 20, 0.003) < 1e-3


# ---------------------------------------------------------- matured sample
def test_a_success_counts_in_part_until_it_has_matured():
    hw = np.array([0, 0, 0, 1, 1])
    view = ServerView(5, hw, 2, "after_reboot", 0)
    view.receive(10, [("booted", np.array([0, 1, 3])), ("failed", np.array([4]))])
    view.receive(13, [("booted", np.array([2])), ("fault", np.array([1]))])
    k, n = view.matured(14, 8)
    # hw 0: vehicle 0 watched 4/8 days, vehicle 2 1/8, vehicle 1 an error (its fault)
    assert list(k) == [1, 1]
    assert n[0] == pytest.approx(1 + 4 / 8 + 1 / 8) and n[1] == pytest.approx(1 + 4 / 8)
    k, n = view.matured(30, 8)
    assert list(n) == [3, 2]
    assert list(view.matured(14, 0)[1]) == [3, 2]


# ------------------------------------------------------------- containment
FLEET = {"hw_shares": {"hw4": 0.6, "hw3": 0.4},
         "cohort_shares": {"employee": 0.001, "early_adopter": 0.01, "regular": 0.989}}


def exposed(preset: str, defect: float, n: int = 20_000, days: int = 150) -> int:
    cfg = ota_config(rollout=preset, overrides={
        f"{R}.defect_prob_by_hw_config": {"hw3": defect, "hw4": defect}})
    ota, _ = run(cfg, SyntheticFleet(n=n, **FLEET), days)
    return int((ota.installed_day(RELEASE) >= 0).sum())


@pytest.mark.parametrize("preset", ["staged", "staged_wilson", "staged_beta"])
def test_a_defect_at_the_threshold_is_contained_by_a_statistical_gate(preset):
    """Issue 15's acceptance: a 5 % defect exposes <= 20 % of what big bang exposes."""
    big_bang = exposed("big_bang", 0.05)
    assert big_bang > 0.99 * 20_000
    assert exposed(preset, 0.05) <= 0.2 * big_bang


def test_the_raw_rate_gate_does_not_contain_a_defect_at_its_threshold():
    """The mechanism the issue measured at 50 000 vehicles: the running rate creeps up to 5 %
    from below while the waves advance (at 20 000 it trips by chance on this seed)."""
    assert exposed("staged_rate", 0.05, n=50_000) > 0.8 * exposed("big_bang", 0.05, n=50_000)
    assert exposed("staged", 0.05, n=50_000) <= 0.02 * exposed("big_bang", 0.05, n=50_000)


def test_a_healthy_release_is_not_held_back_by_a_statistical_gate():
    assert exposed("staged", 0.0) == exposed("big_bang", 0.0)

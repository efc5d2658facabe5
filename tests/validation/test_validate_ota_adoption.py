"""``fleetsim-validate``'s OTA adoption check: the analytic schedule, the band, pass and fail."""

from __future__ import annotations

import math

import numpy as np
import pytest

from experiments.validate import ota_adoption
from experiments.validate.ota_schedule import (
    FleetShares,
    _deferral_pmf,
    analytic_adoption,
    install_delay_pmf,
    wave_starts,
)
from sim.ota.sandbox import SyntheticFleet, ota_config

RELEASE = ota_adoption.RELEASE


def _cfg(policy: str = "staged", **overrides):
    return ota_config(rollout=policy, overrides={**ota_adoption.CLEAN, **overrides})


def test_install_delay_of_an_always_connected_parked_fleet_without_failures():
    cfg = _cfg(**{"stuck_download_prob_per_attempt": 0.0,
                  "insufficient_storage_prob_per_attempt": 0.0,
                  "ecu_comm_error_prob_per_attempt": 0.0, "deferral_prob": 0.0,
                  "brick_prob_per_install": 0.0, "ab_rollback_prob": 0.0,
                  "connectivity_prob_per_day": 1.0})
    pmf = install_delay_pmf(cfg, cfg.releases[RELEASE], parked_night_prob=1.0, days=5)
    assert pmf.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    # connected 80 % of days, parked 90 % of nights: day 0 = both, then geometric tails
    cfg.connectivity_prob_per_day = 0.8
    pmf = install_delay_pmf(cfg, cfg.releases[RELEASE], parked_night_prob=0.9, days=200)
    assert pmf[0] == pytest.approx(0.8 * 0.9)
    mean = float((np.arange(200) * pmf).sum())
    assert mean == pytest.approx(0.2 / 0.8 + 0.1 / 0.9, rel=1e-9)   # two geometric waits
    # a download of three connected days (size 3 x speed): never before day 2
    cfg.releases[RELEASE].size_mb = 3 * cfg.download_mb_per_day
    pmf = install_delay_pmf(cfg, cfg.releases[RELEASE], parked_night_prob=1.0, days=200)
    assert pmf[:2].sum() == 0.0 and pmf[2] == pytest.approx(0.8 ** 3)


def test_deferral_is_the_ceiling_of_an_exponential_for_a_share_of_owners():
    cfg = _cfg()
    pmf = _deferral_pmf(cfg, cfg.releases[RELEASE], 2000)
    p, mean = cfg.deferral_prob, cfg.deferral_days_mean
    assert pmf.sum() == pytest.approx(1.0)
    assert pmf[0] == pytest.approx(1 - p)
    # E[ceil(X)] for X ~ Exp(mean) is 1 / (1 - exp(-1 / mean))
    assert float((np.arange(2000) * pmf).sum()) == pytest.approx(p / (1 - math.exp(-1 / mean)))
    cfg.releases[RELEASE].optional = False
    assert _deferral_pmf(cfg, cfg.releases[RELEASE], 5).tolist() == [1, 0, 0, 0, 0]


def test_staged_wave_starts_follow_min_days_and_soak():
    # staged.yaml: min_days 1 / 3 / 7, soak 7; each gate's 50 % is met by min_days
    # (a reported share of 56 % after one night): 30, 30 + 1 + 7, + 3 + 7, + 7 + 7.
    cfg = _cfg()
    fleet = FleetShares.of(SyntheticFleet(n=50_000))
    waves, uncertain = wave_starts(cfg, cfg.releases[RELEASE], fleet, 150)
    assert [d for d, _ in waves] == [30, 38, 48, 62]
    assert [round(s) for _, s in waves] == [50, 500, 5000, 44_450]
    assert uncertain == 1   # 50 employee cars at 56 % vs 50 %
    # a success threshold no night reaches before day 2 moves every later wave
    cfg.rollout.gates.success_threshold_frac = 0.9
    later, _ = wave_starts(cfg, cfg.releases[RELEASE], fleet, 150)
    assert all(b[0] > a[0] for a, b in zip(waves[1:], later[1:], strict=True))


def test_analytic_adoption_ends_at_the_share_that_boots():
    cfg = _cfg("big_bang")
    curve, schedule = analytic_adoption(cfg, RELEASE, FleetShares.of(SyntheticFleet()), 400)
    assert schedule["wave_starts"] == [[30, 10_000.0]]
    assert curve[29] == 0.0
    assert curve[-1] == pytest.approx(1 - cfg.brick_prob_per_install - cfg.ab_rollback_prob,
                                      abs=1e-9)


def test_simulated_adoption_meets_the_schedule_on_a_small_fleet():
    curves = ota_adoption.adoption_curves(("staged", "aws_abort", "mender_phased"),
                                          vehicles=20_000)
    check = ota_adoption.adoption_check(curves, vehicles=20_000)
    assert check.passed, check.detail
    rows = curves["staged"]["rows"]
    assert [r["level"] for r in rows] == [0.5, 0.9, 0.99]
    assert rows[0]["simulated_days"] >= 32   # the last wave starts on day 62 (release + 32)


def test_a_schedule_the_simulation_does_not_follow_fails():
    curves = ota_adoption.adoption_curves(("staged", "staged_rate"), vehicles=10_000)
    swapped = {"staged": dict(curves["staged"], rows=[
        dict(a, simulated_days=b["simulated_days"])
        for a, b in zip(curves["staged"]["rows"], curves["staged_rate"]["rows"], strict=True)])}
    check = ota_adoption.adoption_check(swapped, vehicles=10_000)
    assert not check.passed and check.figure > 5   # the raw-rate waves are ~3 weeks earlier


def test_the_dossier_draws_the_adoption_overlay():
    from reports.validate.figures import figure

    check = ota_adoption.adoption_check(ota_adoption.adoption_curves(("big_bang",),
                                                                     vehicles=5_000), 5_000)
    assert check.plot["kind"] == "adoption" and len(check.plot["x"]) > 30
    assert figure(check.to_dict()).startswith("iVBOR")

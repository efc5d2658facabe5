"""The vehicles' install state machine: downloads, windows, failure modes, retries, defects."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ota import FAILURE_MODES, OtaContext
from sim.ota.installs import STATES
from sim.ota.sandbox import SyntheticFleet, ota_config

RELEASE = "fix_2026_12"
R = f"releases.{RELEASE}"
DAY0 = 2
CLEAN = {
    "stuck_download_prob_per_attempt": 0.0, "insufficient_storage_prob_per_attempt": 0.0,
    "ecu_comm_error_prob_per_attempt": 0.0, "brick_prob_per_install": 0.0,
    "ab_rollback_prob": 0.0, f"{R}.defect_prob_by_hw_config": {}, f"{R}.optional": False,
    f"{R}.release_day": DAY0, "connectivity_prob_per_day": 1.0,
}


def campaigns(n: int = 300, **overrides):
    cfg = ota_config(rollout="big_bang", overrides={**CLEAN, **overrides})
    fleet = SyntheticFleet(n=n)
    return fleet, fleet.campaigns(cfg)


def night(n: int, parked: bool = True, soc: float = 0.8, aux12v: float = 1.0) -> OtaContext:
    return OtaContext(np.full(n, parked), np.full(n, soc, np.float32),
                      np.full(n, aux12v, np.float32))


def steps(ota, days, ctx):
    return [ota.step(day, ctx(day) if callable(ctx) else ctx) for day in days]


def events(outcomes, field: str) -> list[np.ndarray]:
    return [getattr(o.events[RELEASE], field) for o in outcomes if RELEASE in o.events]


def test_a_download_resumes_over_connected_days_then_installs_that_night():
    n = 300
    _, ota = campaigns(n, **{f"{R}.size_mb": 5000.0, "download_mb_per_day": 2000.0})
    outs = steps(ota, range(DAY0 + 4), night(n))
    installed = ota.installed_day(RELEASE)
    assert (installed == DAY0 + 2).all()           # ceil(5000 / 2000) = 3 connected days
    assert [o.counts[RELEASE].downloading for o in outs[DAY0:]] == [n, n, 0, 0]
    assert outs[DAY0 + 2].counts[RELEASE].installed == n


def test_no_connection_no_download_and_no_window_no_install():
    n = 200
    _, ota = campaigns(n, connectivity_prob_per_day=0.0)
    steps(ota, range(10), night(n))
    assert (ota.install_state(RELEASE) == STATES.index("queued")).all()
    _, ota = campaigns(n)
    outs = steps(ota, range(10), night(n, parked=False))
    assert outs[-1].counts[RELEASE].ready == n and outs[-1].counts[RELEASE].installed == 0


def test_a_weak_12v_battery_waits_without_an_attempt_and_low_charge_is_a_failed_attempt():
    n = 200
    _, ota = campaigns(n)
    outs = steps(ota, range(10), night(n, aux12v=0.01))
    assert sum(len(v) for v in events(outs, "install_failed")) == 0
    assert outs[-1].counts[RELEASE].ready == n
    # a low charge fails the attempt once; the car then waits to be charged (nobody answers
    # here) instead of burning its retries (test_ota_failure_table: the charge and retry)
    _, ota = campaigns(n, max_retries=2, charge_request_response_prob_per_day=0.0)
    outs = steps(ota, range(10), night(n, soc=0.1))
    failed = np.concatenate(events(outs, "install_failed"))
    modes = np.concatenate(events(outs, "install_failed_mode"))
    assert len(failed) == n and set(modes) == {FAILURE_MODES.index("low_battery")}
    assert sum(len(v) for v in events(outs, "dealer_flash")) == 0
    assert outs[-1].counts[RELEASE].ready == n


@pytest.mark.parametrize("mode", ["stuck_download", "insufficient_storage", "ecu_comm_error"])
def test_each_failure_mode_is_retried_then_sent_to_the_dealer(mode):
    n, retries = 100, 2
    key = {"stuck_download": "stuck_download_prob_per_attempt",
           "insufficient_storage": "insufficient_storage_prob_per_attempt",
           "ecu_comm_error": "ecu_comm_error_prob_per_attempt"}[mode]
    _, ota = campaigns(n, **{key: 1.0, "max_retries": retries})
    outs = steps(ota, range(DAY0 + 12), night(n))
    failed = np.concatenate(events(outs, "install_failed"))
    assert np.bincount(failed, minlength=n).tolist() == [retries + 1] * n
    assert set(np.concatenate(events(outs, "install_failed_mode"))) == {FAILURE_MODES.index(mode)}
    assert np.bincount(np.concatenate(events(outs, "retry")), minlength=n).tolist() == [2] * n
    dealer = np.concatenate(events(outs, "dealer_flash"))
    assert sorted(dealer.tolist()) == list(range(n))
    last = outs[-1].counts[RELEASE]
    assert last.failed == n and last.installed == 0 and last.reported_failed == n
    if mode != "ecu_comm_error":   # the download never completed
        assert last.ready == 0
    # the flash job is done: installed from that day, and the server hears of it
    ota.on_dealer_flashed(dealer[:40], RELEASE)
    assert (ota.installed_day(RELEASE)[dealer[:40]] == DAY0 + 11).all()
    nxt = ota.step(DAY0 + 12, night(n))
    assert nxt.counts[RELEASE].installed == 40 and nxt.counts[RELEASE].reported_succeeded == 40


def test_a_boot_failure_rolls_back_and_is_reported_as_a_failure():
    n = 200
    _, ota = campaigns(n, ab_rollback_prob=1.0)
    outs = steps(ota, range(DAY0 + 3), night(n))
    assert sorted(np.concatenate(events(outs, "rolled_back")).tolist()) == list(range(n))
    assert sum(len(v) for v in events(outs, "installed")) == 0
    last = outs[-1].counts[RELEASE]
    assert last.rolled_back == n and last.reported_failed == n and last.reported_succeeded == 0


def test_the_latent_defect_hits_its_hw_config_after_the_onset_delay():
    fleet, ota = campaigns(2000, **{f"{R}.defect_prob_by_hw_config": {"hw3": 1.0},
                                    f"{R}.defect_effect": "no_start",
                                    f"{R}.defect_onset_days_mean": 0.0})
    outs = steps(ota, range(DAY0 + 2), night(2000))
    hit = np.concatenate(events(outs, "defect_no_start"))
    hw3 = np.flatnonzero(fleet.attrs["hw_config"] == fleet.attrs["hw_config_names"].index("hw3"))
    assert sorted(hit.tolist()) == hw3.tolist()
    assert sum(len(v) for v in events(outs, "defect_fault")) == 0
    assert (ota.installed_day(RELEASE)[hit] == DAY0).all()


def test_owners_postpone_an_optional_release_by_the_deferral_delay():
    n = 3000
    _, ota = campaigns(n, **{f"{R}.optional": True, "deferral_prob": 1.0,
                             "deferral_days_mean": 5.0})
    outs = steps(ota, range(DAY0 + 60), night(n))
    delay = ota.installed_day(RELEASE) - DAY0     # ready on the release day, parked every night
    assert delay.min() >= 1
    mean_ceil_exp = 1 / (1 - np.exp(-1 / 5.0))     # mean of ceil(Exp(mean 5 days))
    assert delay.mean() == pytest.approx(mean_ceil_exp, rel=0.05)
    assert outs[DAY0].counts[RELEASE].deferred == n


def test_the_install_state_view_is_read_only():
    _, ota = campaigns(10)
    with pytest.raises(ValueError):
        ota.installed_day(RELEASE)[0] = 3
    with pytest.raises(ValueError):
        ota.install_state(RELEASE)[0] = 3

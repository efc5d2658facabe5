"""Campaign gates: defect exposure per policy, minimum sample, abort, timeouts, per-cohort pause."""

from __future__ import annotations

import re

import numpy as np
import pytest

from sim.ota import ACTIONS
from sim.ota.installs import CANCELLED, DOWNLOADING, QUEUED, READY, STATES, WAITING
from sim.ota.sandbox import SyntheticFleet, ota_config, run

RELEASE = "fix_2026_12"
R = f"releases.{RELEASE}"
CLEAN = {  # only the failure a test switches on
    "stuck_download_prob_per_attempt": 0.0, "insufficient_storage_prob_per_attempt": 0.0,
    "ecu_comm_error_prob_per_attempt": 0.0, "brick_prob_per_install": 0.0,
    "ab_rollback_prob": 0.0, f"{R}.defect_prob_by_hw_config": {}, f"{R}.optional": False,
    f"{R}.release_day": 5,
    "operator.enabled": False,   # the gates alone (the operator: test_ota_operator.py)
}
SLOW_RATE = {"rollout.policy": "exponential", "rollout.exponential.increment_factor": 1.0}


def cfg_for(preset: str, **overrides):
    return ota_config(rollout=preset, overrides={**CLEAN, **overrides})


def decisions(outcomes, action: str | None = None):
    return [d for o in outcomes for d in o.decisions if action is None or d.action == action]


def first_day(outcomes, action: str) -> int:
    return decisions(outcomes, action)[0].day


def series(outcomes, field: str) -> dict[int, int]:
    return {o.day: getattr(o.counts[RELEASE], field) for o in outcomes if RELEASE in o.counts}


def event_days(outcomes, field: str) -> np.ndarray:
    """Per day, how many vehicles had event ``field``."""
    out = np.zeros(len(outcomes), np.int64)
    for o in outcomes:
        if RELEASE in o.events:
            out[o.day] = len(getattr(o.events[RELEASE], field))
    return out


# ------------------------------------------------------------------ exposure
DEFECT = {f"{R}.defect_prob_by_hw_config": {"hw3": 0.3}, f"{R}.defect_onset_days_mean": 1.0}


@pytest.mark.parametrize("per_cohort", [True, False])
def test_a_defect_reaches_far_fewer_vehicles_under_staged_than_big_bang(per_cohort):
    fleet = SyntheticFleet(n=20_000)
    exposed, stops = {}, {}
    for preset in ("staged", "big_bang"):
        cfg = cfg_for(preset, **DEFECT, **{"rollout.gates.per_cohort_pause": per_cohort})
        _, outcomes = run(cfg, fleet, 120)
        exposed[preset] = int(event_days(outcomes, "defect_fault").sum())
        stops[preset] = [d.action for d in decisions(outcomes)
                         if d.action in ("paused", "aborted", "cohort_paused")]
    # big bang: ~0.3 of the ~6 000 hw3 cars; staged stops in its first waves
    assert exposed["big_bang"] > 0.25 * 0.3 * 20_000
    assert exposed["staged"] < 0.2 * exposed["big_bang"]
    assert stops["big_bang"] == []
    assert stops["staged"] == ["cohort_paused" if per_cohort else "paused"]


# ------------------------------------------------------------ minimum sample
def test_min_executed_holds_the_gate_until_the_sample_then_trips_that_day():
    m, thr = 150, 0.2
    cfg = cfg_for("aws_abort", **SLOW_RATE, **{
        "rollout.exponential.base_rate_per_day": 40.0, "ecu_comm_error_prob_per_attempt": 0.5,
        "max_retries": 0, "rollout.gates.error_threshold_frac": thr,
        "rollout.gates.min_executed": m, "rollout.gates.error_action": "pause"})
    _, outcomes = run(cfg, SyntheticFleet(n=5_000), 40)
    trip = first_day(outcomes, "paused")
    ok, bad = series(outcomes, "reported_succeeded"), series(outcomes, "reported_failed")
    executed = {d: ok[d] + bad[d] for d in ok}    # disjoint: no retries, no defects
    assert all(executed[d] < m for d in executed if d < trip)
    assert executed[trip] >= m
    # errors were over the threshold long before: only the sample held the gate
    early = [d for d in executed if d < trip and executed[d] >= 20]
    assert early and all(bad[d] / executed[d] >= thr for d in early)
    # the same day from the vehicles' truth: results of night t reach the server on t + delay
    truth = np.cumsum(event_days(outcomes, "installed") + event_days(outcomes, "dealer_flash"))
    delay = cfg.report_delay_days
    assert trip == int(np.argmax(truth >= m)) + delay


def trip_day(min_executed: int) -> tuple[int, int]:
    cfg = cfg_for("big_bang", **{
        "ecu_comm_error_prob_per_attempt": 0.3, "max_retries": 0,
        "rollout.gates.error_action": "pause", "rollout.gates.error_threshold_frac": 0.2,
        "rollout.gates.min_executed": min_executed})
    _, outcomes = run(cfg, SyntheticFleet(n=10_000, parked_night_prob=0.3), 60)
    day = first_day(outcomes, "paused")
    done = np.cumsum(event_days(outcomes, "installed") + event_days(outcomes, "dealer_flash"))
    return day, int(done[day])


def test_errors_over_the_whole_wave_trip_later_than_with_a_minimum_sample():
    hawkbit_day, hawkbit_done = trip_day(0)        # errors / whole wave
    aws_day, aws_done = trip_day(100)              # errors / executed, >= 100 executed
    assert aws_day < hawkbit_day
    assert aws_done < hawkbit_done
    # 30 % of attempts fail; 20 % of the wave is reached at ~2/3 of it executed
    assert hawkbit_done > 0.6 * 10_000


# --------------------------------------------------------------------- abort
def test_abort_cancels_vehicles_not_started_and_lets_the_others_finish():
    cfg = cfg_for("aws_abort", **SLOW_RATE, **{
        "rollout.exponential.base_rate_per_day": 500.0, f"{R}.size_mb": 6000.0,
        "ecu_comm_error_prob_per_attempt": 0.5, "max_retries": 0,
        "rollout.gates.min_executed": 50, "rollout.gates.error_threshold_frac": 0.2})
    fleet = SyntheticFleet(n=10_000)
    ota = fleet.campaigns(cfg)
    states, outcomes = [], []
    for day in range(80):
        outcomes.append(ota.step(day, fleet.context(day)))
        states.append(ota.install_state(RELEASE).copy())
    abort = first_day(outcomes, "aborted")
    before = states[abort - 1]
    not_started = np.isin(before, [WAITING, QUEUED])
    started = np.isin(before, [DOWNLOADING, READY])
    assert not_started.sum() > 1000 and started.sum() > 100
    final, installed_day = states[-1], ota.installed_day(RELEASE)
    assert (final[not_started] == CANCELLED).all()
    assert (installed_day[not_started] == -1).all()
    finished = [STATES.index(s) for s in ("installed", "failed", "rolled_back", "bricked")]
    assert np.isin(final[started], finished).all()
    assert (installed_day[started] >= abort).sum() > 50
    released = series(outcomes, "released_to_vehicle")
    assert released[79] == released[abort - 1]
    assert outcomes[-1].counts[RELEASE].cancelled == not_started.sum()
    assert "cancelled" in decisions(outcomes, "aborted")[0].reason


# ------------------------------------------------------------------- timeout
@pytest.mark.parametrize("counts_on", ["after_reboot", "report"])
def test_a_timeout_turns_silent_bricked_vehicles_into_failures(counts_on):
    timeout = 2
    cfg = cfg_for("big_bang", **{
        "brick_prob_per_install": 0.3, "ab_rollback_prob": 0.1,
        "rollout.gates.timeout_days": timeout, "rollout.gates.success_counts_on": counts_on})
    _, outcomes = run(cfg, SyntheticFleet(n=3_000), 40)
    bricked = np.cumsum(event_days(outcomes, "bricked"))
    rolled_back = np.cumsum(event_days(outcomes, "rolled_back"))
    delay = cfg.report_delay_days
    lag = delay + timeout
    timed_out, failed = series(outcomes, "timed_out"), series(outcomes, "reported_failed")
    last = outcomes[-1].counts[RELEASE]
    assert bricked[-1] > 500 and rolled_back[-1] > 100
    if counts_on == "after_reboot":
        assert all(timed_out[d] == (bricked[d - lag] if d >= lag else 0) for d in timed_out)
        assert all(failed[d] == timed_out[d] + rolled_back[d - delay] for d in failed)
        assert last.reported_succeeded == last.installed
    else:  # hawkBit: the report before the reboot already counted a success
        assert set(timed_out.values()) == {0} and set(failed.values()) == {0}
        assert last.reported_succeeded == last.installed + last.bricked + last.rolled_back


def test_a_pause_stops_releases_and_holds_vehicles_that_have_not_started():
    cfg = cfg_for("staged_rate", **DEFECT, **{"rollout.gates.per_cohort_pause": False})
    fleet = SyntheticFleet(n=20_000)
    ota = fleet.campaigns(cfg)
    outcomes, states = [], []
    for day in range(60):
        outcomes.append(ota.step(day, fleet.context(day)))
        states.append(ota.install_state(RELEASE).copy())
    pause = first_day(outcomes, "paused")
    held = states[pause - 1] == QUEUED
    assert held.sum() > 10
    assert (states[-1][held] == QUEUED).all()
    released = series(outcomes, "released_to_vehicle")
    assert released[59] == released[pause - 1]
    assert decisions(outcomes, "resumed") == []     # the defect keeps the error rate up


# ---------------------------------------------------------- per-cohort pause
def test_per_cohort_pause_stops_only_the_defective_hw_config():
    # A single own error may single out a hw config here (the floor is tested below).
    cfg = cfg_for("staged_rate", **{f"{R}.defect_prob_by_hw_config": {"hw3": 0.5},
                               f"{R}.defect_onset_days_mean": 0.0,
                               "rollout.gates.per_cohort_min_errors": 1})
    fleet = SyntheticFleet(n=20_000)
    ota = fleet.campaigns(cfg)
    outcomes, states = [], []
    for day in range(90):
        outcomes.append(ota.step(day, fleet.context(day)))
        states.append(ota.install_state(RELEASE).copy())
    stops = [d for d in decisions(outcomes) if d.action in ("paused", "aborted", "cohort_paused")]
    assert [(d.action, d.hw_config) for d in stops] == [("cohort_paused", "hw3")]
    assert re.search(r"hw3: error rate 0\.\d+ = \d+ errors / \d+ executed", stops[0].reason)
    hw = fleet.attrs["hw_config"]
    hw3 = hw == fleet.attrs["hw_config_names"].index("hw3")
    installed = ota.installed_day(RELEASE) >= 0
    assert installed[~hw3].mean() > 0.95
    assert installed[hw3].mean() < 0.05
    # hw3 vehicles that had not started at the pause never do
    at_pause = states[stops[0].day]
    idle = hw3 & np.isin(at_pause, [WAITING, QUEUED])
    assert idle.sum() > 0.9 * hw3.sum()
    assert np.isin(states[-1][idle], [WAITING, QUEUED]).all()


@pytest.mark.parametrize("floor", [1, 2])
def test_a_hw_config_needs_its_own_error_floor_to_be_paused_alone(floor):
    """The first defect report (1 error in 4 hw3 results) singles hw3 out only with a floor of 1;
    with 2 the campaign-wide gate (1 error in 14, over 5 %) pauses everything instead, a pause
    that can lift, unlike a hw config's (it gets no more results)."""
    cfg = cfg_for("staged_rate", **{f"{R}.defect_prob_by_hw_config": {"hw3": 0.1},
                               f"{R}.defect_onset_days_mean": 0.0,
                               "rollout.gates.per_cohort_min_errors": floor,
                               "rollout.gates.min_executed": 10})
    fleet = SyntheticFleet(n=20_000)
    ota = fleet.campaigns(cfg)
    outcomes = [ota.step(day, fleet.context(day)) for day in range(60)]
    stops = [d for d in decisions(outcomes) if d.action in ("paused", "cohort_paused")]
    first = stops[0]
    own = [int(re.search(r"= (\d+) errors", d.reason).group(1))
           for d in stops if d.action == "cohort_paused"]
    assert all(c >= floor for c in own)
    if floor == 1:
        assert (first.action, first.hw_config) == ("cohort_paused", "hw3") and own[0] == 1
    else:
        assert first.action == "paused" and first.hw_config == ""


def test_cloud_rollback_reverts_the_vehicles_on_the_release():
    cfg = cfg_for("staged_rate", **DEFECT, **{"rollout.gates.per_cohort_pause": False,
                                         "rollout.gates.cloud_rollback": True})
    ota, outcomes = run(cfg, SyntheticFleet(n=20_000), 60)
    rollback = decisions(outcomes, "cloud_rollback")
    assert len(rollback) == 1 and rollback[0].day == first_day(outcomes, "paused")
    reverted = event_days(outcomes, "cloud_rolled_back")
    assert reverted.sum() == outcomes[-1].counts[RELEASE].reverted > 0
    assert (ota.install_state(RELEASE) == STATES.index("reverted")).sum() == reverted.sum()
    # a reverted vehicle no longer runs the release: no defect faults once all are reverted
    done = int(np.flatnonzero(reverted)[-1])
    assert event_days(outcomes, "defect_fault")[done + 1:].sum() == 0


# ------------------------------------------------------ decisions and seeds
def test_decisions_come_in_day_order_with_the_numbers_behind_them():
    cfg = cfg_for("staged_rate", **DEFECT)
    _, outcomes = run(cfg, SyntheticFleet(n=20_000), 90)
    ds = decisions(outcomes)
    assert [d.action for d in ds] == ["wave_started", "wave_started", "cohort_paused",
                                      "wave_started", "wave_started"]
    assert [d.day for d in ds] == sorted(d.day for d in ds)
    assert all(d.action in ACTIONS and d.release == RELEASE for d in ds)
    assert all(re.search(r"\d", d.reason) for d in ds)
    assert [d.wave for d in ds] == [0, 1, 1, 2, 3]
    assert ds[1].reason.startswith("wave 2/4: 200 vehicles (early_adopter); wave 1: ")
    # wave 3's success share counts only the vehicles of hw configs still running
    shares = re.search(r"wave 2: (\d+)/(\d+) succeeded \((\S+) >= 0.5\)", ds[3].reason)
    ok, live, frac = int(shares[1]), int(shares[2]), float(shares[3])
    assert ok <= live and frac == pytest.approx(ok / live, abs=0.005) and frac >= 0.5


def test_the_same_seed_gives_identical_outcomes():
    cfg = cfg_for("staged", **DEFECT, ecu_comm_error_prob_per_attempt=0.05)
    runs = [run(cfg, SyntheticFleet(n=5_000), 70)[1] for _ in range(2)]
    for a, b in zip(*runs, strict=True):
        assert a.decisions == b.decisions and a.counts == b.counts
        for name, ev in a.events.items():
            for field, arr in vars(ev).items():
                assert np.array_equal(arr, getattr(b.events[name], field)), (a.day, field)
    other = run(cfg, SyntheticFleet(n=5_000), 70, seed=7)[1]
    assert [o.counts for o in other] != [o.counts for o in runs[0]]


@pytest.mark.parametrize("resume_below", [0.1, 0.0])
def test_a_pause_lifts_once_results_dilute_the_early_errors_unless_manual(resume_below):
    """Stuck downloads fail on day 1; successes need 3 connected days: errors come first."""
    cfg = cfg_for("hawkbit_default", **{
        "stuck_download_prob_per_attempt": 0.05, "max_retries": 0, f"{R}.size_mb": 6000.0,
        "rollout.gates.success_counts_on": "after_reboot", "rollout.gates.min_executed": 20,
        "rollout.gates.error_threshold_frac": 0.2, "rollout.gates.soak_days": 2,
        "rollout.gates.resume_threshold_frac": resume_below})
    _, outcomes = run(cfg, SyntheticFleet(n=4_000), 40)
    ds = [d for d in decisions(outcomes) if d.action != "wave_started"]
    assert ds[0].action == "paused" and ds[0].day == cfg.releases[RELEASE].release_day + 1
    if resume_below == 0.0:
        assert [d.action for d in ds] == ["paused"]
        return
    assert [d.action for d in ds[:2]] == ["paused", "resumed"]
    assert ds[1].day >= ds[0].day + 2                             # not before the soak
    assert float(re.search(r"error rate (\S+) =", ds[1].reason)[1]) < 0.1
    assert len(decisions(outcomes, "wave_started")) == 4          # the rollout went on

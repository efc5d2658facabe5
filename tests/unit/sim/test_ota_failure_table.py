"""Seed 000's OTA failure table (issue 15, deliverable 7): each path reachable, handled, logged.

download stuck at 0 % -> retry on another network; fails at 50 % -> clear the cache and
retry; install fails on low charge -> charge to 80 % and retry; retries exhausted -> dealer
flash; wrong behaviour after the update -> patch (hotfix) or roll back.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.ota.installs import STATES
from tests.unit.sim.test_ota_installs import DAY0, RELEASE, campaigns, events, night, steps

BASE = ["fleet.size=1500", "horizon_days=120", "seed=7", "output.progress=false",
        "alerts=none", "demand.enabled=false"]
# Every row of the table often: network and storage failures, low charge below a high
# min_soc_frac (the fleet's daily SOC is mostly 0.6-0.9), ECU errors with two retries (dealer
# flashes), and a latent defect on hw3 that the operator investigates.
ROUGH = ["ota.stuck_download_prob_per_attempt=0.1", "ota.insufficient_storage_prob_per_attempt=0.1",
         "ota.ecu_comm_error_prob_per_attempt=0.1", "ota.max_retries=2", "ota.min_soc_frac=0.75",
         "ota.releases.fix_2026_12.defect_prob_by_hw_config={hw3: 0.2}"]


def _ota(ev: pd.DataFrame) -> pd.DataFrame:
    return ev[ev["event"].str.startswith("ota_")]


@pytest.fixture(scope="module")
def hotfix_run() -> pd.DataFrame:
    return _ota(sim.simulate(sim.load_config([*BASE, *ROUGH]), progress=False).events)


@pytest.fixture(scope="module")
def cancel_run() -> pd.DataFrame:
    cfg = sim.load_config([*BASE, *ROUGH, "ota.operator.on_root_cause=cancel"])
    return _ota(sim.simulate(cfg, progress=False).events)


def _retried(ev: pd.DataFrame, mode: str) -> pd.DataFrame:
    """Failed attempts of ``mode`` that were retried (not sent to the dealer)."""
    failed = ev[(ev["event"] == "ota_install_failed") & (ev["outcome"] == mode)]
    dealer = ev[ev["event"] == "ota_dealer_flash"]
    key = failed[["time_d", "vehicle"]].merge(dealer[["time_d", "vehicle"]], how="left",
                                              indicator=True)
    return failed[(key["_merge"] == "left_only").to_numpy()]


@pytest.mark.parametrize(("mode", "handled"), [("stuck_download", "ota_network_switched"),
                                               ("insufficient_storage", "ota_cache_cleared"),
                                               ("low_battery", "ota_charge_requested")])
def test_each_retried_failure_is_handled_the_way_the_table_says(hotfix_run, mode, handled):
    ev = hotfix_run
    retried = _retried(ev, mode)
    done = ev[ev["event"] == handled]
    assert len(retried) >= 20
    # one handling event per retried failure, same vehicle, same time
    pairs = lambda df: sorted(zip(df["time_d"], df["vehicle"], df["cause"], strict=True))  # noqa: E731
    assert pairs(done) == pairs(retried)
    assert set(done["cause"]) <= {"fix_2026_12", "fix_2026_12_hotfix"}


def test_a_charge_request_is_followed_by_a_retry_once_charged(hotfix_run):
    ev = hotfix_run
    asked = ev[ev["event"] == "ota_charge_requested"]
    again = ev[ev["event"] == "ota_install_retried"]
    assert len(again) >= 0.8 * len(asked) > 0
    first_ask = asked.groupby("vehicle")["time_d"].min()
    first_retry = again.groupby("vehicle")["time_d"].min()
    assert set(first_retry.index) <= set(first_ask.index)
    assert (first_retry > first_ask[first_retry.index]).all()
    # a retried install that goes through is logged as installed
    installed = set(ev.loc[ev["event"] == "ota_installed", "vehicle"])
    assert len(set(again["vehicle"]) & installed) >= 0.8 * again["vehicle"].nunique()


def test_the_last_failed_retry_goes_to_the_dealer_and_the_flash_installs(hotfix_run):
    ev = hotfix_run
    dealer = ev[ev["event"] == "ota_dealer_flash"]
    assert len(dealer) >= 10
    failed = ev[ev["event"] == "ota_install_failed"].groupby(["cause", "vehicle"]).size()
    # max_retries=2: the third failed attempt of a release sends the car to the dealer
    assert (failed[pd.MultiIndex.from_frame(dealer[["cause", "vehicle"]])] == 3).all()
    flashed = ev[(ev["event"] == "ota_installed") & (ev["outcome"] == "dealer_flash")]
    assert len(flashed) >= 0.5 * len(dealer)
    assert set(flashed["vehicle"]) <= set(dealer["vehicle"])


def test_wrong_behaviour_after_the_update_is_patched_by_the_hotfix(hotfix_run):
    ev = hotfix_run
    released = ev.loc[ev["event"] == "ota_hotfix_released", "time_d"]
    patched = ev[ev["event"] == "ota_patched"]
    assert len(released) == 1 and len(patched) >= 20
    assert (patched["time_d"] > released.iloc[0]).all()
    assert (patched["cause"] == "fix_2026_12_hotfix").all()
    # patched: vehicles that ran the defective release (every faulty one among them)
    ran = set(ev.loc[(ev["event"] == "ota_installed") & (ev["cause"] == "fix_2026_12"),
                     "vehicle"])
    assert set(patched["vehicle"]) <= ran
    faulty = set(ev.loc[ev["event"] == "ota_defect_fault", "vehicle"])
    assert faulty and len(faulty & set(patched["vehicle"])) >= 0.5 * len(faulty)


def test_wrong_behaviour_after_the_update_is_rolled_back_when_the_operator_cancels(cancel_run):
    ev = cancel_run
    assert (ev["event"] == "ota_patched").sum() == 0
    cancelled = ev.loc[ev["event"] == "ota_cancelled", "time_d"]
    back = ev[ev["event"] == "ota_cloud_rolled_back"]
    assert len(cancelled) == 1 and len(back) >= 50
    assert (back["time_d"] >= cancelled.iloc[0]).all()
    faulty = set(ev.loc[ev["event"] == "ota_defect_fault", "vehicle"])
    assert faulty and len(faulty & set(back["vehicle"])) >= 0.5 * len(faulty)


# ---------------------------------------------------------------- the charge gate, alone
def test_a_car_asked_to_charge_waits_until_it_has_the_retry_charge():
    n = 100
    _, ota = campaigns(n, min_soc_frac=0.3, install_retry_soc_frac=0.8,
                       charge_request_response_prob_per_day=0.0)
    low = steps(ota, range(DAY0 + 2), night(n, soc=0.1))   # low charge: one failed attempt
    assert sum(len(v) for v in events(low, "install_failed")) == n
    # 0.5 passes min_soc_frac, yet the retry waits for 0.8 (and no owner answers)
    mid = steps(ota, range(DAY0 + 2, DAY0 + 8), night(n, soc=0.5))
    assert sum(len(v) for v in events(mid, "install_failed") + events(mid, "installed")) == 0
    assert (ota.install_state(RELEASE) == STATES.index("ready")).all()
    full = steps(ota, [DAY0 + 8], night(n, soc=0.85))
    assert sorted(np.concatenate(events(full, "charge_retried")).tolist()) == list(range(n))
    assert len(events(full, "installed")[0]) == n


def test_owners_answer_the_charge_request_at_the_configured_rate():
    n = 2000
    _, ota = campaigns(n, min_soc_frac=0.3, charge_request_response_prob_per_day=0.5)
    steps(ota, range(DAY0 + 1), night(n, soc=0.1))       # the failed attempt, on DAY0
    day1 = steps(ota, [DAY0 + 1], night(n, soc=0.5))
    share = len(events(day1, "charge_retried")[0]) / n
    assert 0.45 < share < 0.55

"""sim.sizing's searched targets: the mobile p90 wait, the search loop over pilot runs."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from sim.sizing import meets, mobile_p90_wait_h, search

HORIZON = 10.0


def _events(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["time_d", "event", "job", "region", "channel"])


def test_mobile_p90_wait_counts_open_jobs_with_their_wait_so_far():
    rows = []
    for j in range(10):                      # nine van jobs waited 1 day, one is still open
        rows += [(0.0, "job_created", j, "a", ""), (0.0, "job_triaged", j, "a", "mobile")]
        if j < 9:
            rows.append((1.0, "job_assigned", j, "a", "mobile"))
    rows += [(0.0, "job_created", 99, "a", ""), (0.0, "job_triaged", 99, "a", "center"),
             (9.0, "job_assigned", 99, "a", "center")]          # a center job: not counted
    got = mobile_p90_wait_h(_events(rows), HORIZON)
    waits_h = np.array([24.0] * 9 + [HORIZON * 24.0])
    assert got == pytest.approx(np.quantile(waits_h, 0.9))
    assert got > 24.0                         # ignoring the open job would give 24 h
    assert math.isnan(mobile_p90_wait_h(_events(rows[-3:]), HORIZON))


def test_meets_reads_the_better_direction_and_passes_regions_without_jobs():
    assert meets(50.0, "p90_wait_h", 72.0) and not meets(80.0, "p90_wait_h", 72.0)
    assert meets(0.95, "rescue_within_target_rate", 0.9)
    assert not meets(0.5, "rescue_within_target_rate", 0.9)
    assert meets(math.nan, "p90_wait_h", 72.0)


def _cfg(max_pilots: int):
    return OmegaConf.create({
        "horizon_days": 90,
        "output": {"report": True, "progress": True},
        "service": {
            "mobile": {"sizing": "auto", "vans_per_10000_vehicles": 3.0, "shift_start_h": 8.0,
                       "shift_end_h": 18.0, "days_off_per_week": 1},
            "center": {"bays_per_10000_vehicles": 6.0},
            "sizing": {"target": "p90_wait_h", "p90_wait_h": 72.0, "pilot_days": 20,
                       "pilot_capacity_factor": 3.0, "max_pilots": max_pilots},
            "costs": {}}})


def _fake_run(wait_by_vans: dict[str, dict[int, float]], calls: list):
    """A pilot run whose mobile jobs in each region wait what ``wait_by_vans`` says."""
    def run(cfg, sizing):
        calls.append((int(cfg.horizon_days), dict(sizing["vans"]),
                      float(cfg.service.mobile.vans_per_10000_vehicles)))
        rows = []
        for k, (region, n) in enumerate(sizing["vans"].items()):
            if n == 0:
                continue
            wait_d = wait_by_vans[region][n] / 24.0
            for j in range(20):
                job = 100 * k + j
                rows += [(0.0, "job_created", job, region, ""),
                         (0.0, "job_triaged", job, region, "mobile"),
                         (wait_d, "job_assigned", job, region, "mobile")]
        return SimpleNamespace(events=_events(rows))
    return run


def test_search_adds_a_van_where_the_target_is_missed_until_met():
    waits = {"east": {2: 200.0, 3: 90.0, 4: 60.0, 5: 40.0}, "west": {1: 50.0, 2: 30.0}}
    calls: list = []
    vans, found = search(_cfg(8), {"east": 2, "west": 1, "remote": 0}, {"east": 1, "west": 1},
                         _fake_run(waits, calls))
    assert vans == {"east": 4, "west": 1, "remote": 0}
    assert [c[1]["east"] for c in calls] == [2, 3, 4]         # one van more per pilot
    assert all(c[1]["west"] == 1 for c in calls)              # west met it from the start
    assert all(c[0] == 20 for c in calls)                     # the pilot's horizon
    assert all(c[2] == 3.0 for c in calls)                    # configured capacity, not x3
    assert found["trials"]["east"] == {"vans": [2, 3, 4], "value": [200.0, 90.0, 60.0]}
    assert found["trials"]["west"] == {"vans": [1], "value": [50.0]}
    assert "remote" not in found["trials"]
    assert found["met"] == {"east": True, "west": True}


def test_search_stops_after_max_pilots_and_says_the_target_was_missed():
    waits = {"east": {2: 200.0, 3: 150.0, 4: 100.0}, "west": {1: 50.0}}
    calls: list = []
    vans, found = search(_cfg(2), {"east": 2, "west": 1}, {"east": 1, "west": 1},
                         _fake_run(waits, calls))
    assert len(calls) == 2
    assert vans["east"] == 4                                  # the next count, untested
    assert found["met"] == {"east": False, "west": True}

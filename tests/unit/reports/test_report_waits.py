"""Wait times from a tiny hand-built event log."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reports.service.waits import count_unassigned, job_waits_h, wait_stats


@pytest.fixture
def events() -> pd.DataFrame:
    rows = [
        (0.00, "failure", -1),
        (0.00, "job_created", 0),
        (0.25, "job_assigned", 0),  # 6 h
        (0.30, "job_started", 0),
        (1.00, "job_created", 1),
        (1.50, "job_assigned", 1),  # 12 h
        (2.00, "job_assigned", 1),  # re-assignment: the first one counts
        (2.00, "job_created", 2),
        (2.00, "job_assigned", 2),  # 0 h
        (3.00, "job_created", 3),  # never assigned
        (4.00, "job_created", 4),
        (4.125, "job_assigned", 4),  # 3 h
        (4.20, "ota_installed", 4),  # unknown event type: ignored
    ]
    return pd.DataFrame(rows, columns=["time_d", "event", "job"])


def test_job_waits_are_first_assignment_minus_creation_in_hours(events: pd.DataFrame) -> None:
    waits = job_waits_h(events)
    assert waits.to_dict() == pytest.approx({0: 6.0, 1: 12.0, 2: 0.0, 4: 3.0})


def test_wait_stats_match_hand_computation(events: pd.DataFrame) -> None:
    stats = wait_stats(events)
    assert stats.n_jobs == 4
    assert stats.n_unassigned == 1
    assert stats.mean_h == pytest.approx((6 + 12 + 0 + 3) / 4)  # 5.25
    # sorted [0, 3, 6, 12]; linear p90 at rank 0.9 * 3 = 2.7 -> 6 + 0.7 * (12 - 6)
    assert stats.p90_h == pytest.approx(10.2)
    assert stats.max_h == pytest.approx(12.0)


def test_no_assigned_jobs_gives_nan_stats() -> None:
    events = pd.DataFrame({"time_d": [1.0], "event": ["job_created"], "job": [0]})
    stats = wait_stats(events)
    assert (stats.n_jobs, stats.n_unassigned) == (0, 1)
    assert math.isnan(stats.mean_h) and math.isnan(stats.p90_h)
    assert count_unassigned(events) == 1


def test_two_visit_job_waits_until_its_first_assignment() -> None:
    # Job 0: booked, first visit ends in a revisit, the second visit fixes it.
    # Job 1: fixed by remote diagnosis: never assigned, yet not waiting either.
    rows = [
        (10.0, "job_created", 0),
        (10.5, "job_assigned", 0),  # 12 h: the wait
        (10.55, "job_arrived", 0),
        (10.6, "job_finished", 0),  # outcome revisit
        (12.0, "job_assigned", 0),  # second visit: not a new wait
        (12.1, "job_finished", 0),  # outcome fixed
        (11.0, "job_created", 1),
        (11.02, "job_finished", 1),  # outcome remote_fixed
    ]
    events = pd.DataFrame(rows, columns=["time_d", "event", "job"])
    assert job_waits_h(events).to_dict() == pytest.approx({0: 12.0})
    stats = wait_stats(events)
    assert (stats.n_jobs, stats.n_unassigned) == (1, 0)
    assert stats.mean_h == pytest.approx(12.0) and stats.max_h == pytest.approx(12.0)
    # Row order does not matter: the log is sorted by time only on export.
    shuffled = events.iloc[::-1].reset_index(drop=True)
    assert wait_stats(shuffled) == stats

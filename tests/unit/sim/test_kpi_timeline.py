"""KPIs over time (sim/kpis/timeline.py) and the daily wait columns behind the weekly wait."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.collector import wait_columns
from sim.kpis.timeline import TIMELINE_COLUMNS, releases, timeline, weekly_wait

NAN = math.nan


def _job(job: int, created: float, assigned: float | None) -> list[tuple]:
    rows = [(created, "job_created", job)]
    if assigned is not None:
        rows += [(assigned, "job_assigned", job), (assigned + 1.0, "job_assigned", job)]
    return rows


def test_wait_columns_count_each_job_once_on_its_first_assignment_day():
    ev = pd.DataFrame(_job(0, 0.25, 0.75) + _job(1, 0.5, 2.5) + _job(2, 1.0, None)
                      + _job(3, 2.0, 2.25), columns=["time_d", "event", "job"])
    out = wait_columns(ev, pd.Series(range(4)))
    assert out["jobs_waited"].tolist() == [1, 0, 2, 0]
    # job 0 waits 12 h (day 0); jobs 1 and 3 are assigned on day 2 after 48 h and 6 h
    assert out["wait_h_sum"].tolist() == pytest.approx([12.0, 0.0, 54.0, 0.0])
    empty = wait_columns(ev.iloc[:0], pd.Series(range(2)))
    assert empty["jobs_waited"].tolist() == [0, 0] and empty["wait_h_sum"].sum() == 0


def _daily() -> pd.DataFrame:
    """Release a (20 targets) from day 2, its hotfix from day 3, release b (80) from day 4."""
    return pd.DataFrame({
        "day": np.arange(6),
        "ota_a_targeted": [NAN, NAN, 20, 20, 20, 20],
        "ota_a_installed": [NAN, NAN, 2, 4, 6, 8],
        "ota_a_hotfix_targeted": [NAN, NAN, NAN, 20, 20, 20],
        "ota_a_hotfix_installed": [NAN, NAN, NAN, 1, 2, 2],
        "ota_b_targeted": [NAN, NAN, NAN, NAN, 80, 80],
        "ota_b_installed": [NAN, NAN, NAN, NAN, 0, 40],
        "jobs_waited": [2, 0, 1, 3, 0, 4],
        "wait_h_sum": [10.0, 0.0, 30.0, 30.0, 0.0, 20.0],
    })


def test_installed_share_per_day_over_the_releases_out_with_hotfix_installs():
    daily = _daily()
    assert releases(daily) == ["a", "b"]
    tl = timeline(daily)
    assert tuple(tl.columns) == TIMELINE_COLUMNS
    share = tl["ota_installed_share"].to_numpy()
    assert np.isnan(share[:2]).all()
    # day 3: (4 + 1 hotfix) / 20; day 5: (8 + 2 + 40) / 100 = ota_installed_share_end
    assert share[2:].tolist() == pytest.approx([0.1, 0.25, 0.08, 0.5])


def test_weekly_mean_wait_is_the_jobs_mean_of_each_week():
    daily = pd.concat([_daily(), _daily().assign(day=np.arange(6, 12))], ignore_index=True)
    weeks = weekly_wait(timeline(daily))
    assert weeks["week_start_day"].tolist() == [0, 7]
    # week 0: days 0-6 = 10 jobs, 90 h + day 6's 2 jobs, 10 h; week 1: days 7-11
    assert weeks["jobs_waited"].tolist() == [12, 8]
    assert weeks["mean_wait_h"].tolist() == pytest.approx([100 / 12, 80 / 8])
    none = weekly_wait(timeline(_daily().assign(jobs_waited=0, wait_h_sum=0.0)))
    assert np.isnan(none["mean_wait_h"]).all()


def test_a_run_without_ota_or_wait_columns_has_no_share():
    tl = timeline(pd.DataFrame({"day": [0, 1]}))
    assert np.isnan(tl["ota_installed_share"]).all() and tl["jobs_waited"].tolist() == [0, 0]

"""Report time axes in calendar dates from `output.start_date` (issue 16, deliverable 2)."""

from __future__ import annotations

from datetime import date

import pytest
from matplotlib.figure import Figure

import sim
from reports.build import start_date
from reports.page.figures import START_DATE, day_axis, style


def test_a_run_day_axis_shows_dates_when_a_start_date_is_set():
    ax = Figure().subplots()
    ax.plot([0, 31, 59], [1, 2, 3])
    token = START_DATE.set(date(2026, 1, 1))
    try:
        style(ax, "t", "day", "y")
        assert ax.get_xlabel() == "date (day 0 = 2026-01-01)"
        assert ax.xaxis.get_major_formatter()(59, 0) == "01 Mar 2026"
        other = Figure().subplots()
        assert day_axis(other, "hours per van-day") == "hours per van-day"  # not a run day
    finally:
        START_DATE.reset(token)
    plain = Figure().subplots()
    style(plain, "t", "day", "y")
    assert plain.get_xlabel() == "day"                      # no start date: run days


def test_the_start_date_comes_from_the_runs_config():
    assert start_date({"config": {"output": {"start_date": "2027-03-01"}}}) == date(2027, 3, 1)
    assert start_date({"config": {"output": {"start_date": ""}}}) is None
    assert start_date({}) is None


def test_a_bad_start_date_is_a_one_line_error():
    with pytest.raises(sim.ConfigError, match="output.start_date='2026-13-01' is not a date; "
                                              "allowed: '' \\(run days\\) or YYYY-MM-DD"):
        sim.load_config(["output.start_date=2026-13-01"])

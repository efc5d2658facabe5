"""Stalled OTA campaigns: the longest flat stretch, the watch level from the config, the summary."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_report_ota_section import COLUMNS, HW, KPIS, RUN_ON, _daily, _ev, _files, events  # noqa: F401

from configs.load import load_config
from configs.validate import ConfigError
from reports.ota.section import ota_section
from reports.ota.stalls import WATCH_DAYS_DEFAULT, longest_stall, watch_days
from reports.page import executive


def _curve(installed: list[float], targets: float = 10.0, first_day: int = 5) -> pd.DataFrame:
    return pd.DataFrame({"day": np.arange(first_day, first_day + len(installed)),
                         "targeted": targets, "installed": np.asarray(installed, float)})


def test_longest_flat_stretch_below_95_percent():
    # grows on days 5-6, flat 7-9 (3 days), grows on 10, flat 11-12 (2 days, to the end)
    s = longest_stall(_curve([1, 2, 2, 2, 2, 3, 3, 3]))
    assert (s.first_day, s.last_day, s.days, s.share, s.ongoing) == (7, 9, 3, 0.2, False)
    end = longest_stall(_curve([1, 2, 2, 3, 3, 3, 3]))
    assert (end.first_day, end.last_day, end.days, end.ongoing) == (9, 11, 3, True)


def test_a_rollback_is_no_progress_and_a_done_campaign_never_stalls():
    # the count falls by a cloud rollback on day 7 and only regains its level on day 9
    s = longest_stall(_curve([4, 6, 5, 6, 6, 7]))
    assert (s.first_day, s.last_day) == (7, 9)
    assert longest_stall(_curve([5, 9.5, 9.5, 9.5, 9.5])) is None    # 95 % reached on day 6
    assert longest_stall(_curve([1, 2, 3])) is None
    assert longest_stall(None) is None
    assert longest_stall(_curve([0, 0], targets=0.0)) is None


def test_watch_days_come_from_the_run_config():
    assert watch_days({"config": {"output": {"ota_stall_watch_days": 30}}}) == 30
    assert watch_days({}) == WATCH_DAYS_DEFAULT == 21


@pytest.fixture
def held(events):  # noqa: F811
    """hw3 paused on day 12 and never resumed: 7 of 10 installed by day 12, then nothing."""
    return events[events["time_d"] < 15].reset_index(drop=True)


def test_a_campaign_stalled_past_the_watch_level_is_a_watch_finding_listed_first(held):
    section = ota_section(_files(held, _daily(held)))
    stall = section.findings[0]
    assert (stall.text, stall.level) == (
        "r1 is stalled: no vehicle installed it in the last 27 days of the run (days 13–39), at "
        "70.0 % of its 10 targets (hw3 paused since day 12); longer than the 21-day watch level "
        "(output.ota_stall_watch_days).", "watch")
    assert stall.summary == ("The OTA campaign r1 has been stalled for 27 days at 70.0 % of its "
                             "10 targets: resume it, ship a fix or stop it.")
    # the same run with a watch level above the stall: no stall finding
    run = RUN_ON | {"config": RUN_ON["config"] | {"output": {"ota_stall_watch_days": 27}}}
    later = ota_section(_files(held, _daily(held), run=run))
    assert not any(" stalled" in f.text for f in later.findings)


def test_the_campaign_that_resumed_in_time_is_no_stall(events):  # noqa: F811
    # flat on days 13-21 (9 days) before the dealer flash: under 21 days
    section = ota_section(_files(events, _daily(events)))
    assert not any(" stalled" in f.text for f in section.findings)


def test_the_executive_summary_says_what_to_do_with_the_stall(held):
    section = ota_section(_files(held, _daily(held)))
    kpis = {"breakdowns_per_1000_vehicle_years": 10.0, "service_jobs": 100.0,
            "mean_wait_h": 20.0}
    s = executive.summary(kpis, executive.ordered(section.findings))
    assert s[2] == "Needs attention: 2 findings are off target (listed first below)."
    assert s[3] == ("The OTA campaign r1 has been stalled for 27 days at 70.0 % of its 10 "
                    "targets: resume it, ship a fix or stop it.")


@pytest.mark.parametrize("value", ["0", "-3"])
def test_the_watch_level_is_range_checked(value):
    with pytest.raises(ConfigError) as err:
        load_config([f"output.ota_stall_watch_days={value}"])
    assert str(err.value) == (f"output.ota_stall_watch_days={value} is out of range; allowed: a "
                              "number in [1, 100000]")
    assert load_config([]).output.ota_stall_watch_days == 21

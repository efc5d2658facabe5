"""Bad workforce, first-time-fix, channel and quality values stop the run in one line."""

from __future__ import annotations

import pytest

import sim


@pytest.mark.parametrize("override, fragments", [
    ("service.workforce.academy.pass_rate=1.5",
     ["service.workforce.academy.pass_rate=1.5", "[0, 1]"]),
    ("service.workforce.academy.weeks=-1", ["service.workforce.academy.weeks=-1", "[0, 520]"]),
    ("service.workforce.senior_xp=5000", ["service.workforce.senior_xp=5000",
                                          "must be below", "service.workforce.expert_xp=2700"]),
    ("service.workforce.hiring.review_days=0", ["service.workforce.hiring.review_days=0",
                                                "[1, 3650]"]),
    ("service.workforce.hiring.jobs_per_technician_day=0",
     ["service.workforce.hiring.jobs_per_technician_day=0", "[0.1, 100]"]),
    ("service.workforce.hiring.demand_headroom=-0.5",
     ["service.workforce.hiring.demand_headroom=-0.5", "[0, 10]"]),
    ("service.workforce.attrition.base_per_year=-0.1",
     ["service.workforce.attrition.base_per_year=-0.1", "[0, 50]"]),
    ("service.workforce.novice_slowdown=0.5", ["service.workforce.novice_slowdown=0.5",
                                               "[1, 10]"]),
    ("service.first_time_fix.missing_part_prob=2", ["service.first_time_fix.missing_part_prob=2",
                                                    "[0, 1]"]),
    ("service.channel.mobile_wait_tolerance_d=-3",
     ["service.channel.mobile_wait_tolerance_d=-3", "[0, 3650]"]),
    ("service.quality.wait_grace_h=-1", ["service.quality.wait_grace_h=-1", "[0, 8760]"]),
    ("service.quality.per_owner_h=-1", ["service.quality.per_owner_h=-1", "[0, 100]"]),
])
def test_a_bad_value_is_named_with_what_is_allowed(override, fragments):
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([override])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message


def test_an_unknown_workforce_key_is_rejected():
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["+service.workforce.academy.length_weeks=8"])
    assert "length_weeks" in str(info.value) and "weeks" in str(info.value)

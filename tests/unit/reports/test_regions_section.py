"""The report's view by region and city tier (reports/regions/section.py)."""

from __future__ import annotations

import math
from pathlib import Path

from reports.page.loader import RunFiles
from reports.regions import section as regions

BY_REGION = {
    "east": {"city_tier": 1.0, "vehicles": 3000.0, "service_jobs": 600.0, "mean_wait_h": 40.0,
             "p90_wait_h": 80.0, "rescue_within_target_rate": 0.9, "technicians": 3.0},
    "south": {"city_tier": 1.0, "vehicles": 1000.0, "service_jobs": 250.0, "mean_wait_h": 60.0,
              "p90_wait_h": 200.0, "rescue_within_target_rate": 0.5, "technicians": 1.0},
    "west": {"city_tier": 0.0, "vehicles": 500.0, "service_jobs": 90.0, "mean_wait_h": None,
             "p90_wait_h": None, "rescue_within_target_rate": None, "technicians": 0.0},
}


def test_tier_rows_sum_counts_and_weight_the_rest_by_vehicles():
    tiers = regions.tier_means(BY_REGION)
    assert sorted(tiers) == [0, 1]
    assert tiers[1]["vehicles"] == 4000.0 and tiers[1]["service_jobs"] == 850.0
    assert tiers[1]["mean_wait_h"] == (40.0 * 3000 + 60.0 * 1000) / 4000
    assert math.isnan(tiers[0]["mean_wait_h"])


def test_a_region_that_waits_much_longer_is_named():
    f = regions.region_finding(BY_REGION, {"p90_wait_h": 100.0})
    assert f.level == "watch"
    assert f.text == ("south waits longest: 9 in 10 jobs assigned within 200.0 h against "
                      "100.0 h fleet-wide; rescues within target are lowest in south (50 %).")
    calm = regions.region_finding(BY_REGION, {"p90_wait_h": 180.0})
    assert calm.level == "ok" and "No region's 9-in-10 wait stands out" in calm.text


def test_the_table_has_a_row_per_region_then_per_tier():
    part = regions.build(RunFiles(Path("run"), {"p90_wait_h": 100.0}, kpis_by_region=BY_REGION))
    page = part.sections[0].content
    assert [r[:2] for r in page.rows] == [("east", "tier 1"), ("south", "tier 1"),
                                          ("west", "remote")]
    assert [r[0] for r in page.tier_rows] == ["all remote", "all tier 1"]
    assert page.headers[:4] == ("region", "city tier", "Vehicles",
                                "Breakdowns per 1,000 vehicle-years")
    assert regions.build(RunFiles(Path("run"), {})).sections == ()

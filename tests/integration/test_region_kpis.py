"""Each region's KPIs are the fleet's definitions on the region's share (sim/kpis/regions.py)."""

from __future__ import annotations

import json

import pytest

import sim
from reports.page.loader import load_run

BASE = ["fleet.size=2500", "horizon_days=60", "seed=4", "output.progress=false"]


@pytest.fixture(scope="module")
def run() -> sim.RunResult:
    return sim.simulate(sim.load_config(BASE))


def test_the_regions_add_up_to_the_fleet(run):
    by = run.kpis_by_region
    assert set(by) == {"tier1_east", "tier1_south", "tier2_north", "remote_west"}
    assert sum(r["vehicles"] for r in by.values()) == run.kpis["vehicles"]
    assert sum(r["service_jobs"] for r in by.values()) == run.kpis["service_jobs"]
    assert sum(r["technicians"] for r in by.values()) == run.kpis["technicians"]
    assert by["remote_west"]["city_tier"] == 0 and by["remote_west"]["technicians"] == 0


def test_a_one_region_fleet_has_the_fleets_kpis():
    # No quits: a region's utilization counts its vans x days, the fleet's the staffed
    # van-days (vacancies are counted fleet-wide only, sim/kpis/regions.py).
    one = sim.simulate(sim.load_config([
        *BASE, "fleet.regions.tier1_east.share=1.0", "fleet.regions.tier1_south.share=0.0",
        "fleet.regions.tier2_north.share=0.0", "fleet.regions.remote_west.share=0.0",
        "service.workforce.attrition.base_per_year=0.0"]))
    (row,) = one.kpis_by_region.values()
    for key in ("service_jobs", "mean_wait_h", "p90_wait_h", "rescue_within_target_rate",
                "technician_utilization", "mobile_share_of_visits",
                "breakdowns_per_1000_vehicle_years"):
        assert row[key] == pytest.approx(one.kpis[key], nan_ok=True), key


def test_the_file_is_written_and_read(run, tmp_path):
    out = run.save(tmp_path / "run")
    assert json.loads((out / "kpis_by_region.json").read_text())["tier1_east"]["vehicles"] > 0
    assert load_run(out).kpis_by_region["tier1_east"]["vehicles"] == \
        run.kpis_by_region["tier1_east"]["vehicles"]

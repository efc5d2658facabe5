"""A tiny scenario whose exact event sequence is derived by hand and asserted.

Two new vehicles in one region with one technician; every random hazard is
off, usage and climate are constant, and the 12 V battery lasts exactly 8
days at the reference temperature (wear 1/8 per day, exact in binary). So
each unit wears out on day 7 (after 8 daily steps), strands its car
(``eol_no_start_share=1``), is replaced by the technician, and the new unit
wears out 8 daily steps later: failures on days 7, 15 and 23 (within 30 days).
"""

from __future__ import annotations

import math

import pytest

import sim

REPAIR_H = 0.5
LIFE_DAYS = 8
OVERRIDES = [
    "seed=7", "horizon_days=30", "fleet.size=2",
    "fleet.age_min_years=0", "fleet.age_max_years=0",
    "fleet.profiles.commuter.share=1", "fleet.profiles.family.share=0",
    "fleet.profiles.high_mileage.share=0", "fleet.profiles.commuter.km_per_day_cv=0",
    "fleet.regions.tier1_east.share=1", "fleet.regions.tier1_south.share=0",
    "fleet.regions.tier2_north.share=0", "fleet.regions.remote_west.share=0",
    "fleet.regions.tier1_east.temp_mean_c=15", "fleet.regions.tier1_east.temp_amplitude_c=0",
    "fleet.regions.tier1_east.temp_daily_sd_c=0",
    "aux12v.ageing_ref_temp_c=15", f"aux12v.life_years_ref={LIFE_DAYS / 365.25!r}",
    "aux12v.life_log_sd=0", "aux12v.eol_no_start_share=1",
    "aux12v.sudden_failure_rate_per_vehicle_year=0",
    "battery.hv_fault_rate_per_vehicle_year=0", "tires.puncture_rate_per_vehicle_year=0",
    "coolant.leak_weibull_scale_years=1000000",
    "software.drivable_fault_rate_per_vehicle_year=0",
    "software.roadside_fault_rate_per_vehicle_year=0", "body.damage_rate_per_vehicle_year=0",
    "electrics.roadside_fault_rate_per_vehicle_year=0",
    "electrics.drivable_fault_rate_per_vehicle_year=0",
    "service.mobile.vans_per_10000_vehicles=0.001", "service.mobile.min_vans_per_region=1",
    "service.mobile.rush_hour_factor=1", "service.remote.enabled=false",
    "service.parts.enabled=false", "service.first_time_fix.junior=1",
    # every visit fixes (no missing part, no other cause); no owner answers the survey
    "service.first_time_fix.missing_part_prob=0", "service.first_time_fix.other_fail_prob=0",
    "service.quality.survey_response_prob=0",
    f"service.job_types.aux12v.no_start.repair_h={REPAIR_H}", "service.repair_cv=0",
    # The on-demand dispatcher on fault demand only, no visit overhead: the hand derivation.
    "service.dispatch=priority", "demand.enabled=false", "service.mobile.visit_overhead_h=0",
    "output.progress=false",
]
JOB_STEPS = ["failure", "job_created", "job_triaged", "job_assigned", "job_arrived",
             "job_started", "job_finished"]


@pytest.fixture(scope="module")
def run():
    return sim.simulate(sim.load_config(OVERRIDES))


def test_each_vehicle_follows_the_hand_derived_sequence(run):
    ev = run.events
    for vehicle in (0, 1):
        mine = ev[ev["vehicle"] == vehicle]
        got = list(zip(mine["event"], mine["component"], mine["cause"], mine["severity"],
                       strict=True))
        expected = [(e, "aux12v", "no_start", "roadside") for e in JOB_STEPS] * 3
        assert got == expected
        failure_days = [math.floor(t) for t in mine.loc[mine["event"] == "failure", "time_d"]]
        assert failure_days == [7, 15, 23]


def test_job_timings_follow_the_service_rules(run):
    ev = run.events
    jobs = ev[ev["job"] >= 0].pivot_table(index="job", columns="event", values="time_d")
    repair_h = (jobs["job_finished"] - jobs["job_started"]) * 24
    assert repair_h.to_numpy() == pytest.approx(REPAIR_H, abs=1e-9)
    travel_h = (jobs["job_arrived"] - jobs["job_assigned"]) * 24
    # Anywhere in a 30 km disc from the previous job (or the depot) at 30 km/h.
    assert ((travel_h >= 0) & (travel_h <= 2 * 30.0 / 30.0)).all()
    # One technician, roadside served around the clock: a job starts when it is
    # created or when the previous job finishes, whichever is later.
    jobs = jobs.sort_values("job_created")
    free_at = 0.0
    for _, j in jobs.iterrows():
        assert j["job_assigned"] == pytest.approx(max(j["job_created"], free_at), abs=1e-12)
        free_at = j["job_finished"]
    assert set(ev["technician"][ev["technician"] >= 0]) == {0}


def test_no_other_component_fails_and_kpis_agree(run):
    k = run.kpis
    assert k["failures_total"] == 6
    assert k["breakdowns"] == 6
    assert k["failures_by_component_aux12v"] == 6
    assert k["service_jobs"] == 6 and k["service_jobs_finished"] == 6
    assert k["technicians"] == 1


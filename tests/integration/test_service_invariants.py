"""Invariants of the service network over a busy 3000-vehicle x 200-day run."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.engine import build

STAGES = ["job_created", "job_assigned", "job_arrived", "job_started", "job_finished"]
TOL_H = 1e-6


@pytest.fixture(scope="module")
def jobs(service_jobs):
    return service_jobs


def _hour(t) -> np.ndarray:
    t = np.asarray(t, np.float64)
    return (t - np.floor(t)) * 24.0


def test_the_run_is_busy_enough_to_test_the_queue(service_run, jobs):
    k = service_run.kpis
    assert k["service_jobs"] >= 300
    assert k["service_jobs_open_end"] > 0
    assert k["technician_utilization"] > 0.5
    assert (jobs["job_assigned"] - jobs["job_created"]).max() > 1.0  # some job waited > 1 day
    assert set(jobs["severity"]) == {"roadside", "drivable"}


def test_the_harness_reproduces_simulate(service_run):
    result = sim.simulate(service_run.cfg, progress=False)
    assert result.kpis == service_run.kpis


def test_job_stages_are_reached_in_order(jobs, service_run):
    horizon = service_run.kpis["horizon_days"]
    t = jobs[STAGES].to_numpy()
    reached = ~np.isnan(t)
    assert reached[:, 0].all(), "a job without job_created"
    # Stages reached form a prefix: nothing after a missing stage.
    assert (reached[:, :-1] >= reached[:, 1:]).all()
    for a, b in zip(STAGES, STAGES[1:], strict=False):
        both = jobs[[a, b]].dropna()
        assert (both[a] <= both[b]).all(), f"{a} after {b}"
    assert np.nanmax(t) < horizon
    # Travel and repair take time; arrival and start coincide for a mobile technician.
    done = jobs.dropna(subset=["job_finished"])
    assert (done["job_arrived"] == done["job_started"]).all()
    assert (done["job_finished"] > done["job_started"]).any()


def test_each_job_has_one_failure_record(service_run, jobs):
    ev = service_run.events
    fails = ev[ev["event"] == "failure"]
    assert fails["job"].is_unique
    assert len(fails) == len(jobs) == service_run.kpis["failures_total"]
    assert list(jobs.index) == list(range(len(jobs)))
    merged = fails.set_index("job").join(jobs.add_suffix("_job"))
    assert (merged["time_d"] == merged["job_created_job"]).all()
    assert (merged["vehicle"] == merged["vehicle_job"]).all()
    assert (merged["component"] == merged["component_job"]).all()


def test_no_technician_serves_two_jobs_at_once(jobs, service_run):
    assigned = jobs[jobs["technician"] >= 0]
    assert (jobs["job_assigned"].notna() == (jobs["technician"] >= 0)).all()
    assert assigned["technician"].max() < service_run.kpis["technicians"]
    # A technician works in one region only.
    assert (assigned.groupby("technician")["region"].nunique() == 1).all()
    for tech, g in assigned.groupby("technician"):
        g = g.sort_values("job_assigned")
        end = g["job_finished"].fillna(math.inf).to_numpy()
        start = g["job_assigned"].to_numpy()
        assert (start[1:] >= end[:-1]).all(), f"technician {tech} overlaps jobs"


def test_busy_technicians_never_exceed_the_pool(service_run):
    daily = service_run.sim.collector.to_frame()
    assert (daily["technicians_busy"] <= service_run.kpis["technicians"]).all()
    assert daily["technicians_busy"].max() > 0


def test_drivable_jobs_start_only_within_the_shift(jobs, service_run):
    svc = service_run.cfg.service
    drivable = jobs[(jobs["severity"] == "drivable") & jobs["job_assigned"].notna()]
    hour = _hour(drivable["job_assigned"])
    assert ((hour >= svc.shift_start_h - TOL_H) & (hour < svc.shift_end_h + TOL_H)).all()
    # The gate was exercised: some drivable failures happened outside the shift ...
    created = _hour(jobs.loc[jobs["severity"] == "drivable", "job_created"])
    assert ((created < svc.shift_start_h) | (created >= svc.shift_end_h)).any()
    # ... and roadside rescue runs around the clock.
    assert svc.roadside_24h
    road = jobs[(jobs["severity"] == "roadside") & jobs["job_assigned"].notna()]
    road_hour = _hour(road["job_assigned"])
    assert ((road_hour < svc.shift_start_h) | (road_hour >= svc.shift_end_h)).any()


def test_roadside_jobs_are_served_before_waiting_drivable_jobs(jobs):
    for _, reg in jobs.groupby("region"):
        road = reg[reg["severity"] == "roadside"]
        drv = reg[(reg["severity"] == "drivable") & reg["job_assigned"].notna()]
        for _, r in road.iterrows():
            assigned = r["job_assigned"] if not math.isnan(r["job_assigned"]) else math.inf
            jumped = drv[(drv["job_assigned"] > r["job_created"])
                         & (drv["job_assigned"] < assigned)]
            assert jumped.empty, f"drivable jobs {list(jumped.index)} served before roadside"


def test_every_job_is_finished_or_open_at_the_horizon(jobs, service_run):
    k, svc = service_run.kpis, service_run.sim.service
    finished = jobs["job_finished"].notna()
    assert finished.sum() == k["service_jobs_finished"] == svc.jobs_finished
    assert (~finished).sum() == k["service_jobs_open_end"]
    assert len(jobs) == k["service_jobs"] == svc.jobs_created
    # The fleet state agrees: an open job flags its vehicle's component, and nothing else is.
    state = service_run.sim.fleet.state
    open_jobs = jobs[~finished]
    for comp, mask in state.open_job.items():
        expected = set(open_jobs.loc[open_jobs["component"] == comp, "vehicle"])
        assert set(np.flatnonzero(mask)) == expected, comp


def test_a_component_has_at_most_one_open_job(jobs):
    for _, g in jobs.groupby(["vehicle", "component"]):
        if len(g) < 2:
            continue
        g = g.sort_values("job_created")
        assert (g["job_created"].to_numpy()[1:] >= g["job_finished"].to_numpy()[:-1]).all()


def test_stranded_vehicles_are_those_with_an_open_roadside_job(jobs, service_run):
    open_road = jobs[jobs["job_finished"].isna() & (jobs["severity"] == "roadside")]
    down = set(np.flatnonzero(service_run.sim.fleet.state.down))
    assert down == set(open_road["vehicle"])
    assert service_run.kpis["vehicles_down_end"] == len(down)


def test_each_repair_resets_the_component(service_run):
    repairs = service_run.repairs
    assert len(repairs) == service_run.kpis["service_jobs_finished"]
    for r in repairs:
        assert not any(r["faults"].values()), r
        assert not r["open_job"]
    aux = [r for r in repairs if r["component"] == "aux12v"]
    tires = [r for r in repairs if r["cause"] == "tread_worn"]
    assert aux and tires
    assert all(r["state"]["wear_frac"] == 0.0 and r["health"] == 1.0 for r in aux)
    new_tread = service_run.cfg.tires.tread_new_mm
    assert all(r["state"]["tread_mm"] == pytest.approx(new_tread) for r in tires)


def test_repaired_12v_batteries_are_young_at_the_end(service_run, jobs):
    """After the run, a replaced 12 V unit carries only the wear since its replacement."""
    cfg, s = service_run.cfg, service_run.sim
    horizon = int(cfg.horizon_days)
    p = cfg.aux12v
    aux = jobs[jobs["component"] == "aux12v"]
    last = aux.sort_values("job_created").groupby("vehicle").last()
    replaced = last[last["job_finished"].notna()]
    assert len(replaced) > 50
    st = s.fleet.state.twins["aux12v"]
    vehicles = replaced.index.to_numpy()
    hottest = max(r.temp_mean_c + r.temp_amplitude_c + 5 * r.temp_daily_sd_c
                  for r in cfg.fleet.regions.values())
    accel_max = p.ageing_q10 ** ((hottest - p.ageing_ref_temp_c) / 10.0)
    days_since = np.ceil(horizon - replaced["job_finished"].to_numpy()) + 1
    bound = days_since * accel_max / st["life_days"][vehicles]
    assert (st["wear_frac"][vehicles] <= bound).all()
    assert st["wear_frac"][vehicles].mean() < 0.5 * st["wear_frac"].mean()


def test_a_vehicle_stays_down_while_a_roadside_job_is_open():
    cfg = sim.load_config(["fleet.size=200", "horizon_days=5", "output.progress=false"])
    s = build(cfg)
    state = s.fleet.state
    v = int(np.flatnonzero(state.attrs["region"] == 0)[0])
    assert s.service.pools[0].resource.capacity == 1
    # 09:00 a drivable brake job takes region 0's only technician; 09:30 the 12 V
    # battery of the same car fails (roadside), as dispatch() would record them.
    dispatch_at = [(9 / 24, "brakes", "pad_worn", "drivable"),
                   (9.5 / 24, "aux12v", "no_start", "roadside")]
    for t, comp, cause, severity in dispatch_at:
        state.open_job[comp][v] = True
        state.down[v] |= severity == "roadside"
        s.service.submit(t, v, comp, cause, severity)
    while s.service.jobs_finished == 0:
        s.env.step()
    ev = s.log.to_frame()
    assert list(ev.loc[ev["event"] == "job_finished", "component"]) == ["brakes"]
    assert state.open_job["aux12v"][v] and not state.open_job["brakes"][v]
    assert state.down[v], "vehicle with an open roadside (no_start) job is marked as driving"

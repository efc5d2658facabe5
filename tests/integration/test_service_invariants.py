"""Service-network invariants (a job's life, the fleet, the KPIs) on a busy run.

Everything except the repair spy and the live resource pools is checked on
the exported event table, the way an analyst would read ``events.parquet``.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import build, dispatch
from sim.failures import FailureBatch

HOURS = 24.0
TOL_D = 1e-9     # days: absorbs float rounding of absolute times
TOL_H = 1e-6     # hours
VISIT_STAGES = ("job_assigned", "job_arrived", "job_started")
TERMINAL = ("fixed", "remote_fixed")

# Each job's records, in the exported (time-sorted, stable) order, as one letter each.
CODE = {"failure": "X", "job_created": "C", "job_triaged": "T", "part_wait": "W",
        "part_ready": "P", "tow_assigned": "G", "tow_arrived": "H", "tow_delivered": "D",
        "job_assigned": "A", "job_arrived": "R", "job_started": "S", "job_booked": "B"}
FINISH = {"fixed": "f", "revisit": "r", "remote_fixed": "m"}
PRE = r"X?C"                    # a failure's job starts with it; a preventive job has none
PARTS = r"(?:WP)?"
MOBILE = r"(?:ARSr)*"           # mobile: assigned -> arrived (after travel) -> started
TOW = r"(?:GHD)?"               # a stranded car bound for a facility is towed in first
CENTER = r"(?:B?RASr)*"         # facility: (booked ->) arrived at the site -> bay -> started
GRAMMAR = {  # (closed, open at the horizon)
    "": (None, re.compile(PRE)),  # still in remote diagnosis
    "remote": (re.compile(PRE + "m"), None),
    "mobile": (re.compile(PRE + "T" + PARTS + MOBILE + "ARSf"),
               re.compile(PRE + "T(?:W|" + PARTS + MOBILE + "(?:A|AR|ARS)?)")),
    "center": (re.compile(PRE + "T" + TOW + PARTS + CENTER + "B?RASf"),
               re.compile(PRE + "T(?:G|GH|" + TOW + "(?:W|" + PARTS + CENTER
                          + "(?:B|B?R|B?RA|B?RAS)?))")),
}
GRAMMAR["body"] = GRAMMAR["center"]


@pytest.fixture(scope="module")
def codes(job_ev) -> pd.Series:
    """Per job, its records as a string of :data:`CODE` letters, in export order."""
    letter = job_ev["event"].map(CODE).astype(object)
    fin = job_ev["event"] == "job_finished"
    letter[fin] = job_ev.loc[fin, "outcome"].map(FINISH).astype(object)
    assert letter.notna().all(), set(job_ev.loc[letter.isna(), "event"])
    return letter.groupby(job_ev["job"]).agg("".join)


# ------------------------------------------------------------------ the run
def test_the_run_is_busy_enough_to_test_the_network(service_run, jobs):
    k = service_run.kpis
    assert k["service_jobs"] >= 2500
    assert k["service_jobs_open_end"] > 0
    assert k["revisits"] >= 300
    assert k["tows"] >= 20
    assert k["parts_stockouts"] >= 300
    assert 0.5 < k["technician_utilization"] < 1.0
    assert (jobs["job_assigned"] - jobs["job_created"]).max() > 1.0  # some job waited > 1 day
    assert set(jobs["severity"]) == {"roadside", "drivable", "preventive"}
    assert set(jobs["channel"]) >= {"remote", "mobile", "center", "body"}


def test_the_harness_reproduces_simulate(service_run):
    result = sim.simulate(service_run.cfg, progress=False)
    assert json.dumps(result.kpis, sort_keys=True) == json.dumps(service_run.kpis,
                                                                  sort_keys=True)  # NaN == NaN


# ------------------------------------------------------- lifecycle and records
def test_each_job_follows_the_lifecycle_grammar(codes, jobs):
    assert list(codes.index) == list(jobs.index)
    bad = []
    for job, code in codes.items():
        closed, open_ = GRAMMAR[jobs.at[job, "channel"]]
        pattern = closed if jobs.at[job, "outcome"] else open_
        if pattern is None or not pattern.fullmatch(code):
            bad.append((job, jobs.at[job, "channel"], jobs.at[job, "outcome"], code))
    assert not bad, bad[:10]
    # Exactly the preventive jobs (booked from alerts) start without a failure record.
    preventive = jobs["severity"] == "preventive"
    assert preventive.any()
    assert (codes.str.startswith("X") == ~preventive).all()
    # The grammar was exercised in all its branches.
    assert codes.str.contains("WP").any() and codes.str.contains("GHD").any()
    assert codes.str.contains("ARSr").any() and codes.str.contains("RASr").any()
    assert codes.str.endswith("W").any() or codes.str.endswith("A").any()


def test_every_record_of_a_job_carries_its_identity(job_ev, jobs):
    ident = ["vehicle", "component", "cause", "severity", "region"]
    assert (job_ev.groupby("job")[ident].nunique() == 1).all().all()
    after = job_ev[~job_ev["event"].isin(["failure", "job_created"])]
    assert (after.groupby("job")["channel"].nunique() == 1).all()
    assert (after["channel"] != "").all()
    # Remote fixes have no technician; every visit record names one.
    remote = job_ev[job_ev["outcome"] == "remote_fixed"]
    assert len(remote) > 0 and (remote["technician"] == -1).all()
    named = job_ev[job_ev["event"].isin(["job_assigned", "job_started", "tow_assigned"])]
    assert (named["technician"] >= 0).all()


def test_visit_stages_are_in_time_order(visits, jobs, service_run):
    horizon = service_run.kpis["horizon_days"]
    stamps = [c for c in jobs.columns if c in CODE or c == "job_finished"]
    assert len(stamps) == len(CODE) + 1 and np.nanmax(jobs[stamps].to_numpy()) < horizon
    tri = jobs.dropna(subset=["job_triaged"])
    assert (tri["job_created"] <= tri["job_triaged"]).all()
    first_visit = visits[visits["k"] == 0].set_index("job")
    pre = jobs[["job_triaged", "part_ready", "tow_delivered"]].max(axis=1)
    start = first_visit[["job_assigned", "job_arrived"]].min(axis=1)
    assert (pre.loc[start.index] <= start + TOL_D).all()
    mobile = visits[visits["channel"] == "mobile"]
    site = visits[visits["channel"].isin(["center", "body"])]
    for df, order in ((mobile, ["job_assigned", "job_arrived", "job_started", "job_finished"]),
                      (site, ["job_arrived", "job_assigned", "job_started", "job_finished"])):
        assert len(df) > 0
        for a, b in zip(order, order[1:], strict=False):
            both = df[[a, b]].dropna()
            assert (both[a] <= both[b]).all(), f"{a} after {b}"
        # A visit starts only after the previous visit of the job has ended.
        prev_end = df.groupby("job")["job_finished"].shift(1)
        has_prev = prev_end.notna()
        assert (df.loc[has_prev, order[0]] >= prev_end[has_prev]).all()
    # A mobile technician starts on arrival; a bay starts when assigned.
    done = mobile.dropna(subset=["job_started"])
    assert (done["job_arrived"] == done["job_started"]).all()
    assert (done["job_arrived"] > done["job_assigned"]).mean() > 0.9  # travel takes time
    done = site.dropna(subset=["job_started"])
    assert (done["job_assigned"] == done["job_started"]).all()
    # A visit's records name one technician.
    for df in (mobile, site):
        d = df.dropna(subset=["job_finished"])
        assert (d["job_started_tech"] == d["job_assigned_tech"]).all()
        assert (d["job_finished_tech"] == d["job_assigned_tech"]).all()
    assert (mobile["job_arrived_tech"].dropna() == mobile.loc[
        mobile["job_arrived_tech"].notna(), "job_assigned_tech"]).all()


def test_remote_diagnosis_takes_the_configured_time(jobs, service_run):
    rc = service_run.cfg.service.remote
    tri = jobs.dropna(subset=["job_triaged"])
    assert np.allclose((tri["job_triaged"] - tri["job_created"]) * HOURS * 60,
                       rc.diagnosis_min, atol=1e-5)
    remote = jobs[jobs["outcome"] == "remote_fixed"]
    assert len(remote) > 0
    assert np.allclose((remote["fixed_at"] - remote["job_created"]) * HOURS * 60,
                       rc.diagnosis_min + rc.fix_min, atol=1e-5)
    # Only causes with a remote-fix chance are fixed remotely.
    jt = service_run.cfg.service.job_types
    assert all(jt[c][k].get("remote_fix_prob", 0.0) > 0
               for c, k in remote[["component", "cause"]].drop_duplicates().to_numpy())


def test_each_job_has_one_failure_record(service_run, jobs):
    """Each failure's job has its failure record; a preventive job (from an alert) has none."""
    ev = service_run.events
    fails = ev[ev["event"] == "failure"]
    assert fails["job"].is_unique
    of_failures = jobs[jobs["severity"] != "preventive"]
    assert len(fails) == len(of_failures) == service_run.kpis["failures_total"]
    assert set(fails["job"]) == set(of_failures.index)
    assert list(jobs.index) == list(range(len(jobs)))
    merged = fails.set_index("job").join(jobs.add_suffix("_job"))
    assert (merged["time_d"] == merged["job_created_job"]).all()
    assert (merged["vehicle"] == merged["vehicle_job"]).all()
    assert (merged["component"] == merged["component_job"]).all()


def test_every_job_ends_once_or_is_open_at_the_horizon(job_ev, jobs, service_run):
    k, svc = service_run.kpis, service_run.sim.service
    terminal = job_ev[(job_ev["event"] == "job_finished") & job_ev["outcome"].isin(TERMINAL)]
    assert terminal["job"].is_unique
    # Nothing happens to a job after its terminal record.
    last = job_ev.groupby("job")["time_d"].max()
    assert (last.loc[terminal["job"]].to_numpy() == terminal["time_d"].to_numpy()).all()
    assert set(job_ev.loc[job_ev["event"] == "job_finished", "outcome"]) == {
        "fixed", "revisit", "remote_fixed"}
    finished = jobs["outcome"] != ""
    assert finished.sum() == k["service_jobs_finished"] == svc.jobs_finished
    assert (~finished).sum() == k["service_jobs_open_end"] > 0
    assert len(jobs) == k["service_jobs"] == svc.jobs_created
    # The fleet state agrees: an open failure job flags its vehicle's component, nothing else
    # does (a preventive job is tracked by the alert loop, see below).
    state = service_run.sim.fleet.state
    open_jobs = jobs[~finished & (jobs["severity"] != "preventive")]
    for comp, mask in state.open_job.items():
        expected = set(open_jobs.loc[open_jobs["component"] == comp, "vehicle"])
        assert set(np.flatnonzero(mask)) == expected, comp
    open_preventive = jobs[~finished & (jobs["severity"] == "preventive")]
    for comp, mask in service_run.sim.alerts.booked.items():
        expected = set(open_preventive.loc[open_preventive["component"] == comp, "vehicle"])
        assert set(np.flatnonzero(mask)) == expected, comp


def test_no_record_is_stamped_after_the_horizon():
    overrides = ["fleet.size=3000", "horizon_days=30", "seed=14", "output.progress=false",
                 "fleet.age_min_years=4", "fleet.age_max_years=8",
                 "electrics.roadside_fault_rate_per_vehicle_year=0.3"]
    result = sim.simulate(sim.load_config(overrides))
    ev = result.events
    assert (ev["event"] == "job_assigned").sum() > 100
    late = ev[ev["time_d"] >= 30]
    assert late.empty, late[["time_d", "event", "job"]].to_dict("records")
    starts = ev[ev["event"] == "job_started"]
    assert (starts["time_d"] < 30).all()


def test_a_job_never_starts_before_it_is_created(visits, jobs):
    created = visits["job"].map(jobs["job_created"])
    for stage in (*VISIT_STAGES, "job_finished"):
        t = visits[stage]
        assert (t.dropna() >= created[t.notna()]).all(), stage
    for stage in ("tow_assigned", "part_wait", "job_triaged"):
        t = jobs[stage].dropna()
        assert (t >= jobs.loc[t.index, "job_created"]).all(), stage


# ---------------------------------------------------------------- the fleet
def test_each_repair_resets_the_component(service_run, jobs):
    repairs = service_run.repairs
    fixed = jobs[jobs["outcome"] != ""]
    assert len(repairs) == len(fixed) == service_run.kpis["service_jobs_finished"]
    # One repair per fixed job, applied at the end of the day it is fixed.
    got = sorted((r["vehicle"], r["component"], r["time"]) for r in repairs)
    want = sorted(zip(fixed["vehicle"], fixed["component"], fixed["fixed_at"], strict=True))
    assert [g[:2] for g in got] == [w[:2] for w in want]
    for (_, _, applied), (_, _, fixed_at) in zip(got, want, strict=True):
        assert applied == math.floor(fixed_at) + 1
    assert any(r["severity"] == "preventive" for r in repairs)
    for r in repairs:
        if r["severity"] == "preventive":
            # The predicted cause is gone; a failure job opened meanwhile stays open.
            assert not r["faults"][r["cause"]], r
            continue
        assert not r["open_job"]
        assert not any(r["faults"].values()), r  # the repaired cause and any other
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
    replaced = last[last["fixed_at"].notna()]
    assert len(replaced) > 50
    st = s.fleet.state.twins["aux12v"]
    vehicles = replaced.index.to_numpy()
    hottest = max(r.temp_mean_c + r.temp_amplitude_c + 5 * r.temp_daily_sd_c
                  for r in cfg.fleet.regions.values())
    accel_max = p.ageing_q10 ** ((hottest - p.ageing_ref_temp_c) / 10.0)
    days_since = np.ceil(horizon - replaced["fixed_at"].to_numpy()) + 1
    bound = days_since * accel_max / st["life_days"][vehicles]
    assert (st["wear_frac"][vehicles] <= bound).all()
    assert st["wear_frac"][vehicles].mean() < 0.5 * st["wear_frac"].mean()


@pytest.mark.parametrize("preventive", [False, True])
def test_a_component_has_at_most_one_open_job(jobs, preventive):
    """One failure job at a time per component, and one preventive job at a time."""
    kind = jobs[(jobs["severity"] == "preventive") == preventive]
    for _, g in kind.groupby(["vehicle", "component"]):
        if len(g) < 2:
            continue
        g = g.sort_values("job_created")
        assert (g["job_created"].to_numpy()[1:] >= g["fixed_at"].to_numpy()[:-1]).all()


def test_a_vehicle_is_down_exactly_while_a_roadside_job_is_open(service_run, jobs):
    road = jobs[jobs["severity"] == "roadside"]
    fixed_at = road["fixed_at"].fillna(math.inf)
    by_vehicle = {v: g for v, g in road.assign(end=fixed_at).groupby("vehicle")}
    for r in service_run.repairs:
        g = by_vehicle.get(r["vehicle"])
        still_open = 0 if g is None else int(((g["job_created"] <= r["time"])
                                              & (g["end"] > r["time"])).sum())
        assert r["down"] == (still_open > 0), r
    open_road = road[road["outcome"] == ""]
    down = set(np.flatnonzero(service_run.sim.fleet.state.down))
    assert down == set(open_road["vehicle"])
    assert service_run.kpis["vehicles_down_end"] == len(down)


def test_a_vehicle_stays_down_while_a_roadside_job_is_open():
    cfg = sim.load_config(["fleet.size=200", "horizon_days=5", "output.progress=false",
                           "seed=5"])
    s = build(cfg)
    state = s.fleet.state
    v = int(np.flatnonzero(state.attrs["region"] == 0)[0])
    assert len(s.service.dispatchers[0].techs) == 1
    # Day 0: the 12 V battery and a tire strand the car; its brakes need a center visit.
    batches = [FailureBatch("aux12v", "no_start", "roadside", np.array([v])),
               FailureBatch("tires", "puncture_roadside", "roadside", np.array([v])),
               FailureBatch("brakes", "pad_worn", "drivable", np.array([v]))]
    dispatch(s, 0, batches)
    assert state.down[v] and state.strand_count[v] == 2
    down_by_day = []
    for day in range(5):  # the clock's end-of-day repair step, without the twins
        s.env.run(until=day + 1)
        s.repairs.apply()
        down_by_day.append((day + 1, bool(state.down[v]), int(state.strand_count[v])))
    ev = s.log.to_frame()
    fixed = ev[(ev["event"] == "job_finished") & (ev["outcome"] == "fixed")
               & (ev["vehicle"] == v)]
    road_fixed = fixed.loc[fixed["component"].isin(["aux12v", "tires"]), "time_d"]
    assert len(road_fixed) == 2
    up_at = math.floor(road_fixed.max()) + 1  # up again only after the second roadside repair
    assert [d for d, down, _ in down_by_day if not down][0] == up_at
    assert all(down == (count > 0) for _, down, count in down_by_day)
    assert not state.down[v] and state.strand_count[v] == 0


# ------------------------------------------------------------------- KPIs
def test_kpis_recomputed_from_events_alone(service_run, jobs, visits):
    k = service_run.kpis
    ev = service_run.events
    fin = ev[ev["event"] == "job_finished"]
    triaged = jobs.dropna(subset=["job_triaged"])
    fixed = jobs[jobs["outcome"] == "fixed"]
    wait_h = (jobs["job_assigned"] - jobs["job_created"]).dropna() * HOURS
    booked = visits[(visits["channel"] == "mobile") & (visits["severity"] != "roadside")
                    & visits["job_arrived"].notna()]
    mine = {
        "service_jobs": len(jobs),
        "revisits": int((fin["outcome"] == "revisit").sum()),
        "tows": int(jobs["tow_assigned"].notna().sum()),
        "parts_stockouts": int(jobs["part_wait"].notna().sum()),
        "first_time_fix_rate": float((fixed["visits"] == 1).mean()),
        "mobile_share": float((triaged["channel"] == "mobile").mean()),
        "remote_resolution_rate": float((jobs["outcome"] == "remote_fixed").mean()),
        "on_time_arrival_rate": float((booked["job_arrived"] <= booked["due_d"]).mean()),
        "mean_wait_h": float(wait_h.mean()),
    }
    assert mine == pytest.approx({key: k[key] for key in mine}, rel=1e-12)
    assert int(jobs["visits"].sum()) == int(fin["outcome"].isin(["fixed", "revisit"]).sum())
    assert 0 < mine["first_time_fix_rate"] < 1 and 0 < mine["on_time_arrival_rate"] < 1

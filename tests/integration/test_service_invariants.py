"""Invariants of the service network over a busy 6000-vehicle x 300-day run.

Everything except the repair spy and the live resource pools is checked on
the exported event table, the way an analyst would read ``events.parquet``.
"""

from __future__ import annotations

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
        "job_assigned": "A", "job_arrived": "R", "job_started": "S"}
FINISH = {"fixed": "f", "revisit": "r", "remote_fixed": "m"}
PRE = r"XC"                     # every job of a failure-fed run starts with its failure
PARTS = r"(?:WP)?"
MOBILE = r"(?:ARSr)*"           # mobile: assigned -> arrived (after travel) -> started
TOW = r"(?:GHD)?"               # a stranded car bound for a facility is towed in first
CENTER = r"(?:RASr)*"           # facility: arrived at the site -> bay assigned -> started
GRAMMAR = {  # (closed, open at the horizon)
    "": (None, re.compile(PRE)),  # still in remote diagnosis
    "remote": (re.compile(PRE + "m"), None),
    "mobile": (re.compile(PRE + "T" + PARTS + MOBILE + "ARSf"),
               re.compile(PRE + "T(?:W|" + PARTS + MOBILE + "(?:A|AR|ARS)?)")),
    "center": (re.compile(PRE + "T" + TOW + PARTS + CENTER + "RASf"),
               re.compile(PRE + "T(?:G|GH|" + TOW + "(?:W|" + PARTS + CENTER
                          + "(?:R|RA|RAS)?))")),
}
GRAMMAR["body"] = GRAMMAR["center"]


# ------------------------------------------------------------------ helpers
def _hour(t) -> np.ndarray:
    t = np.asarray(t, np.float64)
    return (t - np.floor(t)) * HOURS


@pytest.fixture(scope="module")
def jobs(service_jobs) -> pd.DataFrame:
    return service_jobs


@pytest.fixture(scope="module")
def job_ev(service_run) -> pd.DataFrame:
    return service_run.events[service_run.events["job"] >= 0]


@pytest.fixture(scope="module")
def codes(job_ev) -> pd.Series:
    """Per job, its records as a string of :data:`CODE` letters, in export order."""
    letter = job_ev["event"].map(CODE).astype(object)
    fin = job_ev["event"] == "job_finished"
    letter[fin] = job_ev.loc[fin, "outcome"].map(FINISH).astype(object)
    assert letter.notna().all(), set(job_ev.loc[letter.isna(), "event"])
    return letter.groupby(job_ev["job"]).agg("".join)


@pytest.fixture(scope="module")
def visits(job_ev) -> pd.DataFrame:
    """One row per (job, visit k): time and technician of each visit stage and its end."""
    parts = []
    fin = job_ev[(job_ev["event"] == "job_finished")
                 & job_ev["outcome"].isin(["fixed", "revisit"])]
    for name, rows in [*((s, job_ev[job_ev["event"] == s]) for s in VISIT_STAGES),
                       ("job_finished", fin)]:
        rows = rows.assign(k=rows.groupby("job").cumcount()).set_index(["job", "k"])
        cols = {"time_d": name, "technician": f"{name}_tech"}
        if name == "job_arrived":
            cols["due_d"] = "due_d"
        if name == "job_finished":
            cols["outcome"] = "outcome"
        parts.append(rows[list(cols)].rename(columns=cols))
    out = pd.concat(parts, axis=1).reset_index()
    first = job_ev.groupby("job")[["severity", "region", "vehicle"]].first()
    chan = job_ev[job_ev["channel"] != ""].groupby("job")["channel"].first()
    out = out.join(first, on="job").join(chan, on="job")
    out["tech"] = out["job_assigned_tech"].fillna(-1).astype(np.int64)
    return out.sort_values(["job", "k"]).reset_index(drop=True)


def _booking_time(visits: pd.DataFrame, jobs: pd.DataFrame) -> pd.Series:
    """When each mobile visit was booked: after triage/parts (first) or the last visit."""
    first = jobs[["job_triaged", "part_ready"]].max(axis=1)
    prev_end = visits.groupby("job")["job_finished"].shift(1)
    return prev_end.fillna(visits["job"].map(first))


def _no_overlap(intervals: pd.DataFrame, who: str) -> None:
    """Intervals ``[start, end)`` of each ``who`` never overlap (open ones end at +inf)."""
    assert len(intervals) > 0
    for key, g in intervals.sort_values("start").groupby(who):
        start = g["start"].to_numpy()
        end = g["end"].fillna(math.inf).to_numpy()
        assert (start[1:] >= end[:-1] - TOL_D).all(), f"{who} {key} works on two jobs at once"


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
    assert set(jobs["severity"]) == {"roadside", "drivable"}
    assert set(jobs["channel"]) >= {"remote", "mobile", "center", "body"}


def test_the_harness_reproduces_simulate(service_run):
    result = sim.simulate(service_run.cfg, progress=False)
    assert result.kpis == service_run.kpis


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
    ev = service_run.events
    fails = ev[ev["event"] == "failure"]
    assert fails["job"].is_unique
    assert len(fails) == len(jobs) == service_run.kpis["failures_total"]
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
    # The fleet state agrees: an open job flags its vehicle's component, and nothing else is.
    state = service_run.sim.fleet.state
    open_jobs = jobs[~finished]
    for comp, mask in state.open_job.items():
        expected = set(open_jobs.loc[open_jobs["component"] == comp, "vehicle"])
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


# ------------------------------------------------------------- resources
def test_no_technician_serves_two_jobs_at_once(visits, service_run):
    svc = service_run.sim.service
    mobile_ids = {t.id: t.region for d in svc.dispatchers for t in d.techs}
    assigned = visits[visits["job_assigned"].notna()]
    mobile = assigned[assigned["channel"] == "mobile"]
    assert set(mobile["tech"]) <= set(mobile_ids)
    assert len(set(mobile["tech"])) == len(mobile_ids)  # every van worked
    # A van serves only its own region.
    names = svc.region_names
    assert (mobile["region"] == mobile["tech"].map(lambda t: names[mobile_ids[t]])).all()
    _no_overlap(mobile.rename(columns={"job_assigned": "start", "job_finished": "end"}), "tech")
    # A bay is busy from its assignment to the end of that visit.
    site = assigned[assigned["channel"].isin(["center", "body"])]
    assert not set(site["tech"]) & set(mobile_ids)
    assert (site.groupby("tech")[["region", "channel"]].nunique() == 1).all().all()
    _no_overlap(site.rename(columns={"job_assigned": "start", "job_finished": "end"}), "tech")
    # The pools really were contended: some job waited for a busy van and some for a bay.
    for df in (mobile, site):
        prev_end = df.sort_values("job_assigned").groupby("tech")["job_finished"].shift(1)
        assert (df.loc[prev_end.index, "job_assigned"] - prev_end < 1e-9).any()


def test_no_tow_truck_carries_two_cars_at_once(job_ev, service_run, visits):
    cfg = service_run.cfg.service.tow
    tiers = {name: int(r.city_tier) for name, r in service_run.cfg.fleet.regions.items()}
    tows = job_ev[job_ev["event"].str.startswith("tow_")].pivot_table(
        index="job", columns="event", values=["time_d", "technician"], aggfunc="first")
    assert (tows["technician"].nunique(axis=1) == 1).all()  # one truck per tow
    region = job_ev.groupby("job")["region"].first().loc[tows.index]
    haul_km = np.where(region.map(tiers) == 0, cfg.remote_to_center_km, cfg.to_center_km)
    t = tows["time_d"]
    leg_h = (t["tow_delivered"] - t["tow_arrived"]) * HOURS
    assert np.allclose(leg_h.dropna(), (haul_km / cfg.speed_kmh)[leg_h.notna()], atol=TOL_H)
    # The truck is busy from the call until it is back from the center.
    iv = pd.DataFrame({"truck": tows["technician"]["tow_assigned"].astype(int),
                       "start": t["tow_assigned"],
                       "end": t["tow_delivered"] + haul_km / cfg.speed_kmh / HOURS})
    assert not set(iv["truck"]) & set(visits["tech"])  # trucks are neither vans nor bays
    _no_overlap(iv, "truck")


def test_busy_vans_and_bays_in_the_daily_table_match_the_events(service_run, visits):
    svc = service_run.sim.service
    pool = svc.technicians + sum(f.size for fs in svc.facilities.values() for f in fs)
    daily = service_run.sim.collector.to_frame()
    assert (daily["technicians_busy"] <= pool).all()
    assert daily["technicians_busy"].max() > 0
    # The daily sample (at noon) counts the visits under way, from the events alone. Noon
    # is also a window start: visits assigned at 12:00 sharp may come before or after it.
    v = visits.dropna(subset=["job_assigned"])
    start, end = v["job_assigned"].to_numpy(), v["job_finished"].fillna(np.inf).to_numpy()
    noon = daily["day"].to_numpy() + 0.5
    before = np.array([((start < t) & (end > t)).sum() for t in noon])
    sharp = np.array([(start == t).sum() for t in noon])
    sampled = daily["technicians_busy"].to_numpy()
    assert ((sampled >= before) & (sampled <= before + sharp)).all()


# ---------------------------------------------------------------- dispatch
def test_booked_mobile_visits_are_assigned_within_the_shift(visits, service_run):
    m = service_run.cfg.service.mobile
    mobile = visits[(visits["channel"] == "mobile") & visits["job_assigned"].notna()]
    # Revisits of a roadside job are booked into a window but stay on call (any time).
    booked = mobile[mobile["severity"] != "roadside"]
    hour = _hour(booked["job_assigned"])
    day = np.floor(booked["job_assigned"]).astype(int)
    assert ((hour >= m.shift_start_h - TOL_H) & (hour < m.shift_end_h)).all()
    assert (day % 7 < 7 - m.days_off_per_week).all()
    # Rescue (first visit of a roadside job) runs around the clock, days off included.
    assert m.roadside_24h
    rescue = mobile[(mobile["severity"] == "roadside") & (mobile["k"] == 0)]
    r_hour, r_day = _hour(rescue["job_assigned"]), np.floor(rescue["job_assigned"]).astype(int)
    assert ((r_hour < m.shift_start_h) | (r_hour >= m.shift_end_h)
            | (r_day % 7 >= 7 - m.days_off_per_week)).any()


def test_booked_mobile_visits_start_in_their_window(visits, jobs, service_run):
    m = service_run.cfg.service.mobile
    svc = service_run.sim.service
    mobile = visits[visits["channel"] == "mobile"].copy()
    mobile["booked_at"] = _booking_time(mobile, jobs)
    booked = mobile[((mobile["severity"] != "roadside") | (mobile["k"] > 0))
                    & mobile["due_d"].notna()]
    window_start = booked["due_d"] - m.window_h / HOURS
    assert len(booked) > 1000
    # The technician is dispatched no earlier than the window opens ...
    assert (booked["job_assigned"] >= window_start - TOL_D).all()
    # ... the window is one of the shift's tiles, booked at least the lead time ahead ...
    slot = (_hour(window_start + TOL_D) - m.shift_start_h) / m.window_h
    assert np.allclose(slot, np.round(slot), atol=1e-5) and (slot >= -1e-5).all()
    assert (window_start >= booked["booked_at"] + m.booking_lead_h / HOURS - TOL_D).all()
    # ... and no window holds more bookings than the region has vans.
    vans = {svc.region_names[i]: len(d.techs) for i, d in enumerate(svc.dispatchers)}
    per_window = booked.groupby(["region", window_start.round(6)]).size()
    assert (per_window <= per_window.index.get_level_values(0).map(vans)).all()
    assert per_window.max() >= 1
    # The rescue's first visit carries the response target instead.
    rescue = mobile[(mobile["severity"] == "roadside") & (mobile["k"] == 0)].dropna(
        subset=["due_d"])
    target = [float(service_run.cfg.service.response_target_h_by_tier[
        int(service_run.cfg.fleet.regions[r].city_tier)]) for r in rescue["region"]]
    created = rescue["job"].map(jobs["job_created"])
    assert np.allclose((rescue["due_d"] - created) * HOURS, target, atol=TOL_H)


def test_roadside_jobs_are_served_before_waiting_booked_jobs(visits, jobs, service_run):
    """Priority policy: no booked visit jumps a waiting rescue its technician could serve."""
    svc = service_run.sim.service
    assert service_run.cfg.service.dispatch == "priority"
    skill = {t.id: t.skill for d in svc.dispatchers for t in d.techs}
    max_skill = {svc.region_names[i]: max((t.skill for t in d.techs), default=0)
                 for i, d in enumerate(svc.dispatchers)}
    level = {"junior": 0, "senior": 1, "expert": 2}
    jt = service_run.cfg.service.job_types
    mobile = visits[(visits["channel"] == "mobile") & visits["job_assigned"].notna()].copy()
    mobile["booked_at"] = _booking_time(mobile, jobs)
    mobile["skill"] = mobile["tech"].map(skill)
    # Revisits of a roadside job keep the rescue priority: only drivable jobs rank lower.
    booked = mobile[mobile["severity"] != "roadside"]
    rescue = visits[(visits["channel"] == "mobile") & (visits["severity"] == "roadside")
                    & (visits["k"] == 0)].copy()
    rescue["asked"] = _booking_time(rescue, jobs)
    checked = 0
    for r in rescue.itertuples():
        job = jobs.loc[r.job]
        need = min(level[jt[job["component"]][job["cause"]]["skill"]], max_skill[r.region])
        until = r.job_assigned if not math.isnan(r.job_assigned) else math.inf
        jumped = booked[(booked["region"] == r.region) & (booked["skill"] >= need)
                        & (booked["job_assigned"] > r.asked + TOL_D)
                        & (booked["job_assigned"] < until - TOL_D)]
        assert jumped.empty, f"booked jobs {list(jumped['job'])} served before rescue {r.job}"
        checked += until > r.asked + TOL_D
    assert checked > 10  # some rescues had to wait


def test_mobile_visits_get_a_skilled_enough_technician(visits, service_run):
    """A visit needs the job's skill, one level more per failed visit, capped by the region."""
    svc = service_run.sim.service
    skill = {t.id: t.skill for d in svc.dispatchers for t in d.techs}
    max_skill = {svc.region_names[i]: max((t.skill for t in d.techs), default=0)
                 for i, d in enumerate(svc.dispatchers)}
    level = {"junior": 0, "senior": 1, "expert": 2}
    jt = service_run.cfg.service.job_types
    ev = service_run.events
    what = ev[ev["job"] >= 0].groupby("job")[["component", "cause"]].first()
    mobile = visits[(visits["channel"] == "mobile") & visits["job_assigned"].notna()]
    base = mobile["job"].map(lambda j: level[jt[what.at[j, "component"]][
        what.at[j, "cause"]]["skill"]])
    need = np.minimum(np.minimum(base + mobile["k"], 2), mobile["region"].map(max_skill))
    got = mobile["tech"].map(skill)
    assert (got >= need).all()
    assert (need > 0).any() and (got > need).any() and (got == need).any()


def test_remote_regions_get_no_mobile_visits(jobs, visits, service_run):
    regions = service_run.cfg.fleet.regions
    remote = [name for name, r in regions.items() if int(r.city_tier) == 0]
    assert remote
    in_remote = jobs[jobs["region"].isin(remote)]
    assert len(in_remote) > 100
    assert not (in_remote["channel"] == "mobile").any()
    assert not visits[visits["region"].isin(remote) & (visits["channel"] == "mobile")].size
    # Mobile-suitable faults there go to the center instead.
    jt = service_run.cfg.service.job_types
    triaged = in_remote[in_remote["channel"] != "remote"].dropna(subset=["job_triaged"])
    table = [jt[c][k]["channel"] for c, k in triaged[["component", "cause"]].to_numpy()]
    assert "mobile" in table
    assert set(triaged["channel"]) <= {"center", "body"}


def test_roadside_jobs_off_the_mobile_channel_are_towed_first(jobs, service_run):
    cfg = service_run.cfg
    regions = cfg.fleet.regions
    tier = jobs["region"].map(lambda r: int(regions[r].city_tier))
    site = jobs[jobs["channel"].isin(["center", "body"])]
    road = site[site["severity"] == "roadside"]
    # Only roadside jobs at a site are towed; each one reaches the site by tow.
    assert jobs.loc[jobs["tow_assigned"].notna()].index.isin(road.index).all()
    at_site = road.dropna(subset=["job_arrived"])
    assert len(at_site) >= 20 and (at_site["outcome"] != "").mean() > 0.9
    assert (at_site["job_arrived"] >= at_site["tow_delivered"]).all()  # NaN (no tow) fails
    assert (road.loc[road["tow_assigned"].isna(), "outcome"] == "").all()  # waiting for a truck
    # The remote region relies on it: mobile-suitable strandings are towed there too.
    remote_road = at_site[tier.loc[at_site.index] == 0]
    jt = cfg.service.job_types
    assert len(remote_road) >= 10
    assert "mobile" in {jt[c][k]["channel"] for c, k in
                        remote_road[["component", "cause"]].to_numpy()}
    # The tow arrives against the region's response target.
    ev = service_run.events
    tow_due = ev[ev["event"] == "tow_arrived"].set_index("job")["due_d"]
    target = tier.loc[tow_due.index].map(lambda t: cfg.service.response_target_h_by_tier[t])
    assert np.allclose((tow_due - jobs.loc[tow_due.index, "job_created"]) * HOURS, target,
                       atol=TOL_H)


def test_part_waits_end_with_the_delivery(jobs, service_run):
    pc = service_run.cfg.service.parts
    waited = jobs.dropna(subset=["part_wait"])
    assert len(waited) == service_run.kpis["parts_stockouts"] > 0
    ready = waited.dropna(subset=["part_ready"])
    still = waited[waited["part_ready"].isna()]
    # A missing part arrives with the next delivery, at most one lead time later.
    lead = ready["part_ready"] - ready["part_wait"]
    assert (lead >= 0).all() and (lead <= pc.lead_time_days + TOL_D).all()
    assert (lead > 0.5 * pc.lead_time_days).any()
    # Those still waiting at the horizon are open and waited less than a lead time.
    assert (still["outcome"] == "").all()
    horizon = service_run.kpis["horizon_days"]
    assert (horizon - still["part_wait"] <= pc.lead_time_days + TOL_D).all()
    # Only jobs needing a part wait for one.
    jt = service_run.cfg.service.job_types
    assert all(jt[c][k]["part"] for c, k in waited[["component", "cause"]].to_numpy())


# ---------------------------------------------------------------- the fleet
def test_each_repair_resets_the_component(service_run, jobs):
    repairs = service_run.repairs
    fixed = jobs[jobs["outcome"] != ""]
    assert len(repairs) == len(fixed) == service_run.kpis["service_jobs_finished"]
    # One repair per fixed job, at the moment it is fixed.
    got = sorted((r["time"], r["vehicle"], r["component"]) for r in repairs)
    want = sorted(zip(fixed["fixed_at"], fixed["vehicle"], fixed["component"], strict=True))
    assert got == want
    for r in repairs:
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


def test_a_component_has_at_most_one_open_job(jobs):
    for _, g in jobs.groupby(["vehicle", "component"]):
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
    seen: list[tuple[str, bool]] = []
    original = s.service.on_repair

    def spy(vehicle: int, component: str, cause: str, severity: str) -> None:
        original(vehicle, component, cause, severity)
        if vehicle == v:
            seen.append((component, bool(state.down[v])))

    s.service.on_repair = spy
    # Day 0: the 12 V battery and a tire strand the car; its brakes need a center visit.
    batches = [FailureBatch("aux12v", "no_start", "roadside", np.array([v])),
               FailureBatch("tires", "puncture_roadside", "roadside", np.array([v])),
               FailureBatch("brakes", "pad_worn", "drivable", np.array([v]))]
    dispatch(s, 0, batches)
    assert state.down[v] and state.strand_count[v] == 2
    s.env.run(until=5)
    road = [down for comp, down in seen if comp in ("aux12v", "tires")]
    assert road == [True, False], seen  # up again only after the second roadside repair
    assert [c for c, _ in seen].count("brakes") <= 1
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

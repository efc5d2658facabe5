"""Service-network invariants of resources and dispatch on the busy shared run.

Everything is checked on the exported event table, the way an analyst would
read ``events.parquet``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

HOURS = 24.0
TOL_D = 1e-9     # days: absorbs float rounding of absolute times
TOL_H = 1e-6     # hours


# ------------------------------------------------------------------ helpers
def _hour(t) -> np.ndarray:
    t = np.asarray(t, np.float64)
    return (t - np.floor(t)) * HOURS


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
    # First visits of rescues and of red-alert preventive jobs are urgent: no booked window.
    ev = service_run.events
    red = ev[(ev["event"] == "alert") & (ev["severity"] == "red") & (ev["outcome"] == "accepted")]
    created = ev[(ev["event"] == "job_created") & (ev["severity"] == "preventive")]
    red_jobs = created.merge(red[["vehicle", "component", "time_d"]].rename(
        columns={"time_d": "alert_d"}), on=["vehicle", "component"])
    red_jobs = set(red_jobs.loc[red_jobs["time_d"].floordiv(1) == red_jobs["alert_d"], "job"])
    urgent = (mobile["severity"] == "roadside") | mobile["job"].isin(red_jobs)
    booked = mobile[(~urgent | (mobile["k"] > 0)) & mobile["due_d"].notna()]
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

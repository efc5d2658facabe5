"""The life of one service job (one simpy process per job, i.e. per discrete event).

created -> remote diagnosis (may fix it: ``remote_fixed``) -> triage to a channel
-> parts reserved (a missing part makes the job wait for the delivery)
-> mobile visits (dispatcher, travel, repair, first-time fix or revisit), or
   tow (roadside where mobile cannot fix, or remote regions) and/or
   service-center / body-shop visits (appointment, bay, repair, fix or revisit)
-> finished (``fixed``) with the component reset in its twin.

Every step is an event record carrying the job id, channel and outcome, so
every service KPI can be recomputed from ``events.parquet``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import simpy

from sim.clock import hours
from sim.records import NOT_FAILURES, PREVENTIVE
from sim.service.calendar import Travel
from sim.service.dispatch import Dispatcher, Request, Tech
from sim.service.triage import assign, can_do, draws, prefers_mobile

SKILL_LEVEL = {"junior": 0, "senior": 1, "expert": 2}
MINUTES_PER_HOUR = 60.0


@dataclass(eq=False)
class Job:
    """A service need of one vehicle (or a synthetic arrival, ``vehicle == -1``)."""

    id: int
    vehicle: int
    component: str
    cause: str
    severity: str
    region: int
    created: float
    job_type: object
    pos: tuple[float, float]
    priority: int
    channel: str = ""
    min_skill: int = 0
    visits: int = 0
    red_alert: bool = False   # a preventive job from a red alert: red-alert priority, no window
    true_channel: str = ""    # where it can be done: remote | mobile | center | body
    extra_h: float = 0.0      # hands-on hours on top of the job type's (bundled maintenance items)

    @property
    def rescue(self) -> bool:
        return self.severity == "roadside"

    @property
    def urgent(self) -> bool:
        """Served as soon as possible, not in a booked window: a rescue or a red alert."""
        return self.rescue or self.red_alert


class Network(Protocol):
    """What a job's process uses of the service network.

    :class:`sim.service.network.ServiceNetwork` provides it; the job processes
    are written against this protocol so that the network can start them
    without the two modules importing each other.
    """

    env: simpy.Environment
    cfg: Any
    rng: np.random.Generator
    record: Callable[[tuple], None]
    region_names: list[str]
    region_tier: list[int]
    dispatchers: list[Dispatcher]
    facilities: dict[str, list[Any]]
    tow_fleets: list[Any]
    parts: Any
    travel: Travel
    radius_km: np.ndarray
    jobs_created: int
    experts: Any

    def book_window(self, region: int, t: float) -> tuple[float, float]: ...
    def finish(self, job: Job, outcome: str, technician: int = -1) -> None: ...
    def mobile_outcome(self, tech: Tech, job: Job, helped: bool | None = None, *,
                       cut: bool = False, parts_matched: bool = False) -> str: ...
    def repair_h(self, job: Job, tech: Tech | None = None) -> float: ...
    def rate(self, job: Job, tech_id: int, arrived: float, due: float, fixed: bool,
             work_h: float, estimate_h: float) -> None: ...
    def response_target_h(self, region: int) -> float: ...
    def has_vans(self, region: int) -> bool: ...
    def routed(self, region: int) -> Any: ...


def log_event(net: Network, job: Job, event: str, technician: int = -1, outcome: str = "",
              due: float = math.nan, at: float | None = None, value: float = math.nan) -> None:
    """Append one event record of ``job`` at the current time (or at ``at``).

    ``at`` is for times already fixed: the job's creation (within the current
    day) and a mobile visit's arrival and start (known at assignment). The
    export sorts records by time and drops those past the horizon.
    """
    # A plain tuple in Event's field order: records are the hot path of the job layer.
    net.record((net.env.now if at is None else at, event, job.vehicle, job.component,
                job.cause, job.severity, job.id, net.region_names[job.region], technician,
                job.channel, outcome, due, value))


def run_job(net: Network, job: Job):
    """The job process."""
    env, cfg = net.env, net.cfg
    # The failure's time within today is known now: record the creation at it and
    # wait for it together with the remote diagnosis (one simpy event, not two).
    if job.vehicle >= 0 and job.severity not in NOT_FAILURES:
        log_event(net, job, "failure", at=job.created)
    log_event(net, job, "job_created", at=job.created)
    net.jobs_created += 1
    delay = max(job.created - env.now, 0.0)
    u_fix, u_conf, u_pref = draws(net.rng)
    job.true_channel = job.job_type.channel
    assigned = job.true_channel
    if cfg.remote.enabled:
        remote_min = cfg.remote.diagnosis_min
        if u_fix < job.job_type.remote_fix_prob:
            job.true_channel = "remote"
        assigned = assign(cfg.triage.confusion, job.true_channel, u_conf)
        if assigned == "remote":
            remote_min += cfg.remote.fix_min
        delay += hours(remote_min / MINUTES_PER_HOUR)
    if delay > 0:
        yield env.timeout(delay)
    if assigned == "remote":
        job.channel = "remote"
        net.finish(job, "remote_fixed")
        return
    job.channel = _channel(net, job, assigned, u_pref)
    log_event(net, job, "job_triaged", outcome="correct" if assigned == job.true_channel
              or (job.true_channel == "remote" and not cfg.remote.enabled) else "wrong")
    if job.channel != "mobile" and job.rescue:
        yield from tow(net, job)  # a stranded car is towed in first; the part is awaited there
    yield from reserve_part(net, job)
    if job.channel == "mobile":
        done = yield from (routed_visits(net, job) if net.routed(job.region) is not None
                           else mobile_visits(net, job))
        if done:
            return
        job.channel = job.true_channel       # the van could not do it: rebook where it can be done
        log_event(net, job, "job_rebooked")
        if job.rescue:
            yield from tow(net, job)
    yield from facility_visits(net, job, booked=not job.rescue)


def _channel(net: Network, job: Job, assigned: str, u_pref: float) -> str:
    """The channel a job goes to: triage's, the owner's choice between van and center."""
    if assigned == "mobile" and not net.has_vans(job.region):
        return "center"            # no mobile service here (remote region): tow or drive in
    if assigned != "mobile":
        return assigned
    region = job.region
    vans = net.routed(region)
    if (not job.urgent and job.vehicle >= 0
            and can_do("mobile", job.true_channel)):  # a synthetic arrival has no owner
        def wants(extra_d: float) -> bool:
            return prefers_mobile(net.cfg, net.region_tier[region], job.pos,
                                  float(net.radius_km[region]), u_pref, extra_d)
        if not wants(0.0):
            return "center"
        if vans is not None:
            vans.wanted_today += 1   # a van request: the demand the line is staffed for
            if not wants(vans.expected_wait_d() - net.facilities["center"][region].lead_days):
                return "center"      # ... but not at this wait
    elif vans is not None:
        vans.wanted_today += 1
    return assigned


def routed_visits(net: Network, job: Job):
    """Visits planned into van days until the car is fixed; False if a van cannot do it."""
    vans = net.routed(job.region)
    while True:
        job.visits += 1
        visit = vans.urgent(job) if job.urgent and job.visits == 1 else vans.book(job)
        outcome = yield visit.done
        if outcome == "fixed":
            net.finish(job, "fixed", visit.tech_id)
            return True
        log_event(net, job, "job_finished", visit.tech_id, outcome=outcome)
        if outcome == "wasted_trip":
            return False
        if outcome == "revisit":
            job.min_skill = min(job.min_skill + 1, max(SKILL_LEVEL.values()))
def reserve_part(net: Network, job: Job):
    """Reserve the job's part; a stockout makes the job wait for the delivery."""
    part = job.job_type.part
    if not part or net.parts is None:
        return
    got, short = net.parts.take(job.region, part)
    if short:
        log_event(net, job, "part_wait", outcome=part)
        yield got
        log_event(net, job, "part_ready", outcome=part)
    # else: the unit was in stock and ``got`` has already succeeded; no need to wait.


def mobile_visits(net: Network, job: Job):
    """On-demand visits by mobile technicians until the car is fixed; False if wasted."""
    env, cfg = net.env, net.cfg
    dispatcher = net.dispatchers[job.region]
    while True:
        job.visits += 1
        if job.urgent and job.visits == 1:
            due = job.created + hours(net.response_target_h(job.region))
        elif not cfg.mobile.appointments:
            due = math.nan
        else:
            start, due = net.book_window(job.region, env.now)
            yield env.timeout(start - env.now)
        req = Request(job.id, job.priority, job.min_skill, job.pos,
                      anytime=job.rescue and cfg.mobile.roadside_24h)
        got = dispatcher.request(req)
        tech = got if isinstance(got, Tech) else (yield got)
        log_event(net, job, "job_assigned", tech.id)
        # Drive and repair in one simpy step: arrival and start are known now.
        drive = hours(net.travel.hours_between(tech.pos, job.pos, env.now))
        arrived = env.now + drive
        tech.pos = job.pos
        log_event(net, job, "job_arrived", tech.id, due=due, at=arrived)
        if not can_do("mobile", job.true_channel):   # a wrong triage: nothing to do here
            yield env.timeout(drive)
            dispatcher.release(tech)
            log_event(net, job, "job_finished", tech.id, outcome="wasted_trip")
            return False
        log_event(net, job, "job_started", tech.id, at=arrived)
        work_h = net.repair_h(job)
        yield env.timeout(drive + hours(work_h))
        helped = (yield from net.experts.help(net, tech, job)) if net.experts else None
        outcome = net.mobile_outcome(tech, job, helped)
        dispatcher.release(tech)
        net.rate(job, tech.id, arrived, due, outcome == "fixed", work_h, job.job_type.repair_h
                 + job.extra_h + cfg.mobile.visit_overhead_h)
        if outcome == "fixed":
            net.finish(job, "fixed", tech.id)
            return True
        log_event(net, job, "revisit_cause", tech.id, outcome=outcome)
        log_event(net, job, "job_finished", tech.id, outcome="revisit")
        job.min_skill = min(job.min_skill + 1, max(SKILL_LEVEL.values()))


def tow(net: Network, job: Job):
    """Tow truck: drive out, load, deliver to the center, drive back."""
    env, cfg = net.env, net.cfg
    fleet = net.tow_fleets[job.region]
    due = job.created + hours(net.response_target_h(job.region))
    req = fleet.trucks.request(priority=job.priority)
    yield req
    truck = fleet.free.pop()
    log_event(net, job, "tow_assigned", truck)
    out_km = math.hypot(*job.pos)
    yield env.timeout(hours(out_km / cfg.tow.speed_kmh))
    log_event(net, job, "tow_arrived", truck, due=due)
    haul_km = (cfg.tow.remote_to_center_km if net.region_tier[job.region] == 0
               else cfg.tow.to_center_km)
    yield env.timeout(hours(haul_km / cfg.tow.speed_kmh))
    log_event(net, job, "tow_delivered", truck)
    env.process(_truck_returns(net, fleet, truck, haul_km, req))


def _truck_returns(net: Network, fleet, truck: int, km: float, req):
    """The truck drives back empty; only then is it free for the next rescue."""
    yield net.env.timeout(hours(km / net.cfg.tow.speed_kmh))
    fleet.free.append(truck)
    fleet.trucks.release(req)


def facility_visits(net: Network, job: Job, booked: bool):
    """Visits to the region's service center or body shop until the car is fixed.

    A booked visit takes the first day with free bay-hours in the calendar
    (``job_booked`` records the appointment); a walk-in or a towed car comes at
    the next opening and waits for a bay. A job the site cannot do (a wrong
    triage) takes a bay for the diagnosis, then is rebooked where it can be done.
    """
    env, cfg = net.env, net.cfg
    site = net.facilities[job.channel][job.region]
    if booked and net.rng.random() < site.walk_in_share:
        booked = False
    while True:
        job.visits += 1
        if booked:
            at = site.book(env.now, job.job_type.repair_h + job.extra_h,
                           urgent=job.severity == PREVENTIVE)
            log_event(net, job, "job_booked", due=at)
            yield env.timeout(at - env.now)
        else:
            yield env.timeout(site.shift.next_open(env.now) - env.now)
        log_event(net, job, "job_arrived")
        arrived = env.now
        wrong = not can_do(job.channel, job.true_channel)
        with site.bays.request(priority=job.priority) as req:
            yield req
            bay = site.free.pop()
            log_event(net, job, "job_assigned", bay)
            log_event(net, job, "job_started", bay)
            work_h = cfg.remote.diagnosis_min / MINUTES_PER_HOUR if wrong else net.repair_h(job)
            yield env.timeout(hours(work_h))
            fixed = not wrong and net.rng.random() < site.ftf
            site.free.append(bay)
        if not wrong:
            site_cfg = cfg.center if job.channel == "center" else cfg.body_shop
            net.rate(job, bay, arrived, math.nan, fixed, work_h,
                     job.job_type.repair_h + job.extra_h + site_cfg.visit_overhead_h)
        if fixed:
            net.finish(job, "fixed", bay)
            return
        log_event(net, job, "job_finished", bay, outcome="wasted_trip" if wrong else "revisit")
        if wrong:
            job.channel = job.true_channel if job.true_channel in net.facilities else "center"
            site = net.facilities[job.channel][job.region]
            log_event(net, job, "job_rebooked")
        booked = True

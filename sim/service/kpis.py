"""Service KPIs, computed from the event log alone (see README, KPI glossary).

A *visit* is one technician (or bay) working on a job; it ends in a
``job_finished`` record whose outcome is ``fixed`` or ``revisit``. A job fixed
by remote diagnosis ends ``remote_fixed`` with no visit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.clock import HOURS_PER_DAY
from sim.records import PREVENTIVE
from sim.service.dayplan_kpis import (
    VISIT_OUTCOMES,
    demand_kpis,
    hands_on_hours,
    triage_kpis,
    van_day_kpis,
)
from sim.service.economics import economics_kpis
from sim.service.quality import quality_kpis
from sim.service.workforce_kpis import fix_kpis, workforce_kpis


@dataclass
class ServiceCapacity:
    """What the network had, for the denominators of utilization and productivity."""

    vans: int
    shift_h_per_day: float
    working_days: int
    horizon_days: float
    costs: object
    expert_desk_min_per_day: float = 0.0   # experts x on-duty minutes (``experts.mode: pool``)
    expert_answer_min: float = 0.0
    bays: int = 0                    # center bays (the economics' fixed cost)
    economics: object = None         # ``service.economics``; None: no economics KPIs
    staffed_van_days: float | None = None   # with ``service.workforce``: van-days with a technician
    trainee_cost: float = 0.0        # ``workforce.academy.cost_per_trainee`` (CNY) with an academy

    @property
    def van_days(self) -> float:
        """Van-days worked: staffed ones with a workforce, else vans x working days."""
        return (self.staffed_van_days if self.staffed_van_days is not None
                else self.vans * self.working_days)


def _rate(num: float, den: float) -> float:
    return float(num) / den if den else math.nan


def _first(ev: pd.DataFrame, name: str, n_jobs: int) -> np.ndarray:
    """Time of each job's first ``name`` record, indexed by job id (NaN if none).

    Job ids are dense (0, 1, 2, ...) and records are in time order, so writing
    the times in reverse leaves each job's earliest.
    """
    rows = (ev["event"] == name).to_numpy()
    out = np.full(n_jobs, np.nan)
    out[ev["job"].to_numpy()[rows][::-1]] = ev["time_d"].to_numpy()[rows][::-1]
    return out


def _visit_hours(ev: pd.DataFrame, start: str, horizon: float) -> np.ndarray:
    """Duration of each visit from ``start`` to its ``job_finished`` (or the horizon), hours.

    A job's visits run one after another, so its k-th ``start`` record pairs
    with its k-th ``job_finished`` record; unmatched starts run to the horizon.
    """
    s_job, s_t = _by_job(ev, start)
    f_job, f_t = _by_job(ev, "job_finished")
    s_key = s_job * _MAX_VISITS + _rank_within(s_job)
    f_key = f_job * _MAX_VISITS + _rank_within(f_job)
    at = np.minimum(np.searchsorted(f_key, s_key), max(len(f_key) - 1, 0))
    matched = (f_key[at] == s_key) if len(f_key) else np.zeros(len(s_key), bool)
    end = np.where(matched, f_t[at] if len(f_t) else 0.0, horizon)
    return (np.minimum(end, horizon) - s_t) * HOURS_PER_DAY


_MAX_VISITS = 1 << 20  # more visits than any job has; makes (job, k) one sortable key


def _by_job(ev: pd.DataFrame, event: str) -> tuple[np.ndarray, np.ndarray]:
    """Job ids and times of ``event`` records, sorted by (job, time)."""
    rows = (ev["event"] == event).to_numpy()
    job = ev["job"].to_numpy()[rows]
    t = ev["time_d"].to_numpy()[rows]
    order = np.lexsort((t, job))
    return job[order], t[order]


def _rank_within(sorted_ids: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal ids (a numpy ``groupby.cumcount``)."""
    n = len(sorted_ids)
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]]) if n else \
        np.empty(0, np.int64)
    run_start = np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.arange(n) - run_start


def _finite(x: np.ndarray) -> np.ndarray:
    return x[~np.isnan(x)]


def _mean(x) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def service_kpis(events: pd.DataFrame, cap: ServiceCapacity, vehicle_years: float) -> dict:
    """All service KPIs of a run."""
    ev = events[events["job"] >= 0]
    n_jobs = int(ev["job"].max()) + 1 if len(ev) else 0
    created = _first(ev, "job_created", n_jobs)
    n_created = int((~np.isnan(created)).sum())
    fin = ev[ev["event"] == "job_finished"]
    closed = fin[fin["outcome"].isin(["fixed", "remote_fixed"])]
    visits = fin[fin["outcome"].isin(VISIT_OUTCOMES)]
    triaged = ev[ev["event"] == "job_triaged"]
    revisit_jobs = set(fin.loc[fin["outcome"] == "revisit", "job"])
    fixed_jobs = closed.loc[closed["outcome"] == "fixed", "job"]

    wait_h = _finite((_first(ev, "job_assigned", n_jobs) - created) * HOURS_PER_DAY)
    helped = np.fmin(_first(ev, "job_arrived", n_jobs), _first(ev, "tow_arrived", n_jobs))
    response_h = _finite((helped - created) * HOURS_PER_DAY)

    arrived = ev[(ev["event"] == "job_arrived") & ev["due_d"].notna()]
    booked = arrived[(arrived["channel"] == "mobile") & (arrived["severity"] != "roadside")]
    # A planned visit the van's shift could not reach broke its promise too.
    rolled = int(((ev["event"] == "job_rolled") & (ev["severity"] != "roadside")).sum())
    road = ev[(ev["event"].isin(["job_arrived", "tow_arrived"])) & ev["due_d"].notna()
              & (ev["severity"] == "roadside")].sort_values("time_d").groupby("job").first()
    road_jobs = ev.loc[(ev["event"] == "job_created") & (ev["severity"] == "roadside"), "job"]
    road_total = len(set(road_jobs) - set(closed.loc[closed["outcome"] == "remote_fixed", "job"]))
    within = int((road["time_d"] <= road["due_d"]).sum())
    missed_open = road_total - len(road)  # rescues still unanswered at the horizon count as missed

    mobile_visit_h = _visit_hours(ev[ev["channel"] == "mobile"], "job_assigned",
                                  cap.horizon_days)
    mobile_visits = int((visits["channel"] == "mobile").sum())
    tech_days = cap.van_days
    tows = int((ev["event"] == "tow_assigned").sum())
    # A roadside need fixed by remote diagnosis needs no rescue.
    road_created = road_total
    c = cap.costs
    # A preventive visit (booked from an alert) costs the seed's preventive-repair price.
    preventive = (visits["severity"] == PREVENTIVE).to_numpy()
    n_visits = visits.loc[~preventive, "channel"].value_counts()
    cost = ((closed["outcome"] == "remote_fixed").sum() * c.remote
            + n_visits.get("mobile", 0) * c.mobile_visit
            + n_visits.get("center", 0) * c.center_visit
            + n_visits.get("body", 0) * c.body_visit
            + int(preventive.sum()) * c.preventive
            + road_created * c.rescue + tows * c.tow)
    return {
        "service_jobs": n_created,
        "service_jobs_finished": len(closed),
        "service_jobs_open_end": n_created - len(closed),
        "remote_resolution_rate": _rate((closed["outcome"] == "remote_fixed").sum(),
                                        n_created),
        "mobile_share": _rate((triaged["channel"] == "mobile").sum(), len(triaged)),
        "first_time_fix_rate": _rate(sum(j not in revisit_jobs for j in fixed_jobs),
                                     len(fixed_jobs)),
        "revisits": int((fin["outcome"] == "revisit").sum()),
        "on_time_arrival_rate": _rate((booked["time_d"] <= booked["due_d"]).sum(),
                                      len(booked) + rolled),
        "rescue_within_target_rate": _rate(within, len(road) + max(missed_open, 0)),
        "mean_wait_h": _mean(wait_h),
        "p90_wait_h": float(np.quantile(wait_h, 0.9)) if len(wait_h) else math.nan,
        "mean_response_h": _mean(response_h),
        "mean_repair_h": _mean(_finite(hands_on_hours(ev, cap.horizon_days).to_numpy())),
        "technicians": cap.vans,
        "technician_utilization": _rate(mobile_visit_h.sum(),
                                        tech_days * cap.shift_h_per_day),
        "jobs_per_technician_day": _rate(mobile_visits, tech_days),
        "tows": tows,
        "parts_stockouts": int((ev["event"] == "part_wait").sum()),
        "service_cost_total": float(cost),
        "service_cost_per_vehicle_year": _rate(cost, vehicle_years),
    } | (demand_kpis(ev, vehicle_years) | triage_kpis(ev)
         | van_day_kpis(events, tech_days, cap.horizon_days) | expert_kpis(ev, cap)
         | economics_kpis(events, cap, vehicle_years) | fix_kpis(ev) | quality_kpis(ev)
         | workforce_kpis(events, cap.horizon_days))


def expert_kpis(ev: pd.DataFrame, cap: ServiceCapacity) -> dict:
    """The expert desk's load and answer times (NaN without a desk)."""
    if cap.expert_desk_min_per_day <= 0:
        return dict.fromkeys(("help_requests_per_job", "expert_response_min_p90",
                              "expert_utilization"), math.nan)
    requests = int((ev["event"] == "help_requested").sum())
    answered = ev[ev["event"] == "help_answered"]
    waited = ev.loc[(ev["event"] == "help_answered")
                    | ((ev["event"] == "help_abandoned") & (ev["outcome"] == "no_answer")),
                    "value"].to_numpy(float)
    started = int(((ev["event"] == "job_started") & (ev["channel"] == "mobile")).sum())
    desk_min = cap.expert_desk_min_per_day * cap.horizon_days
    return {
        "help_requests_per_job": _rate(requests, started),
        "expert_response_min_p90": float(np.quantile(waited, 0.9)) if len(waited) else math.nan,
        "expert_utilization": _rate(len(answered) * cap.expert_answer_min, desk_min),
    }

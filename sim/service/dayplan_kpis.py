"""KPIs of service demand, triage, channels and the van day, from the event log alone.

A *contact* is a job created; a *visit* is an arrival (``job_arrived``) of a van
at the owner or of the car at a center or body shop. Van-days are vans ×
working days. Hands-on time runs from ``job_started`` to the job's next
``job_finished``; driving is the sum of ``van_leg`` records (departure at
``time_d``, arrival at ``due_d``, road km in ``value``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.clock import HOURS_PER_DAY
from sim.records import PREVENTIVE, REPORTED, SCHEDULED

VISIT_CHANNELS = ("mobile", "center", "body")
#: ``job_finished`` outcomes that end a visit (a trip made), fixed or not.
VISIT_OUTCOMES = ("fixed", "revisit", "wasted_trip", "no_show", "rain_blocked")
#: Contact sources, by job severity.
SOURCES = {"faults": ("roadside", "drivable", "silent"), "alerts": (PREVENTIVE,),
           "maintenance": (SCHEDULED,), "owner": (REPORTED,)}


def _rate(num: float, den: float) -> float:
    return float(num) / den if den else math.nan


def hands_on_hours(ev: pd.DataFrame, horizon: float = math.nan) -> pd.Series:
    """Hands-on hours of each visit (``job_started`` to the job's next ``job_finished``).

    Indexed like the ``job_started`` rows; a start with no later finish runs to
    ``horizon`` (days; NaN hours if no horizon is given).
    """
    s = ev[ev["event"] == "job_started"]
    f = ev[ev["event"] == "job_finished"]
    job = np.r_[s["job"].to_numpy(), f["job"].to_numpy()]
    t = np.r_[s["time_d"].to_numpy(), f["time_d"].to_numpy()]
    kind = np.r_[np.zeros(len(s), np.int8), np.ones(len(f), np.int8)]
    order = np.lexsort((kind, t, job))
    job, t, kind = job[order], t[order], kind[order]
    n = len(order)
    nxt = np.where(kind == 1, np.arange(n), n)
    nxt = np.minimum.accumulate(nxt[::-1])[::-1]           # first finish at or after each row
    ok = nxt < n
    end = np.where(ok, t[np.minimum(nxt, n - 1)] if n else t, np.nan)
    same = ok & (job[np.minimum(nxt, n - 1)] == job if n else ok)
    hours = np.where(same, (end - t) * HOURS_PER_DAY, (horizon - t) * HOURS_PER_DAY)
    out = np.empty(n)
    out[order] = hours
    return pd.Series(out[: len(s)], index=s.index)


def demand_kpis(ev: pd.DataFrame, vehicle_years: float) -> dict[str, float]:
    """Contacts and visits per vehicle-year, contacts by source."""
    created = ev[ev["event"] == "job_created"]
    arrived = ev[(ev["event"] == "job_arrived") & ev["channel"].isin(VISIT_CHANNELS)]
    k = {"service_contacts_per_vehicle_year": _rate(len(created), vehicle_years),
         "service_visits_per_vehicle_year": _rate(len(arrived), vehicle_years)}
    for source, severities in SOURCES.items():
        k[f"contacts_{source}_per_vehicle_year"] = _rate(
            int(created["severity"].isin(severities).sum()), vehicle_years)
    return k


def triage_kpis(ev: pd.DataFrame) -> dict[str, float]:
    """Triage accuracy, wasted trips, channel shares of visits, center booking lead."""
    triaged = ev[ev["event"] == "job_triaged"]
    finished = ev[ev["event"] == "job_finished"]
    arrived = ev[(ev["event"] == "job_arrived") & ev["channel"].isin(VISIT_CHANNELS)]
    booked = ev[(ev["event"] == "job_booked") & (ev["channel"] == "center")]
    return {
        "triage_accuracy": _rate(int((triaged["outcome"] == "correct").sum()),
                                 int(triaged["outcome"].isin(["correct", "wrong"]).sum())),
        "wasted_trips": int((finished["outcome"] == "wasted_trip").sum()),
        "no_shows": int((finished["outcome"] == "no_show").sum()),
        "rain_blocked_visits": int((finished["outcome"] == "rain_blocked").sum()),
        "mobile_share_of_visits": _rate(int((arrived["channel"] == "mobile").sum()),
                                        len(arrived)),
        "center_booking_lead_days": (float((booked["due_d"] - booked["time_d"]).mean())
                                     if len(booked) else math.nan),
    }


def van_day_kpis(ev: pd.DataFrame, van_days: float, horizon: float) -> dict[str, float]:
    """The van day: jobs, hands-on, driving and km per van-day; km per job.

    A visit still in progress at ``horizon`` (days) counts its hands-on time up to it.
    """
    mobile = ev[ev["channel"] == "mobile"]
    legs = mobile[mobile["event"] == "van_leg"]
    visits = int(((mobile["event"] == "job_arrived")).sum())
    work_h = float(np.nansum(hands_on_hours(mobile, horizon).to_numpy()))
    drive_h = float(((legs["due_d"] - legs["time_d"]) * HOURS_PER_DAY).sum())
    return {
        "jobs_per_van_day": _rate(visits, van_days),
        "technician_productive_hours_per_day": _rate(work_h, van_days),
        "travel_hours_per_van_day": _rate(drive_h, van_days),
        "km_per_job": _rate(float(legs["value"].sum()), visits),
    }

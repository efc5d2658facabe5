"""KPIs of a run, computed from the exported tables (and the final fleet state).

Everything event-based is derived from the events table alone, so an
analyst can recompute it from ``events.parquet``. Undefined values (a mean
over no jobs) are NaN and written as JSON ``null``.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.clock import DAYS_PER_YEAR, HOURS_PER_DAY
from sim.fleet import Fleet
from twins.battery import soh


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


def job_table(events: pd.DataFrame) -> pd.DataFrame:
    """One row per job with the time of each job event (NaN where not reached)."""
    jobs = events[events["event"].str.startswith("job_") & (events["job"] >= 0)]
    table = jobs.pivot_table(index="job", columns="event", values="time_d", aggfunc="first")
    for col in ("job_created", "job_assigned", "job_arrived", "job_started", "job_finished"):
        if col not in table.columns:
            table[col] = np.nan
    return table


def failure_kpis(events: pd.DataFrame, components: list[str], vehicle_years: float) -> dict:
    """Failure and breakdown counts, per component and per 1000 vehicle-years."""
    fails = events[events["event"] == "failure"]
    road = fails[fails["severity"] == "roadside"]
    k: dict[str, float] = {
        "failures_total": len(fails),
        "breakdowns": len(road),
        "breakdowns_per_1000_vehicle_years": 1000.0 * len(road) / vehicle_years,
        "failures_per_1000_vehicle_years": 1000.0 * len(fails) / vehicle_years,
    }
    by_comp, road_by_comp = fails["component"].value_counts(), road["component"].value_counts()
    for c in components:
        k[f"failures_by_component_{c}"] = int(by_comp.get(c, 0))
        k[f"breakdowns_by_component_{c}"] = int(road_by_comp.get(c, 0))
        k[f"breakdown_share_{c}"] = (int(road_by_comp.get(c, 0)) / len(road)
                                     if len(road) else math.nan)
    return k


def service_kpis(events: pd.DataFrame, technicians: int, horizon_days: int,
                 shift_h_per_day: float = HOURS_PER_DAY) -> dict:
    """Job counts, waiting and response times, and technician utilization.

    Utilization is busy time (travel + repair, overtime included) over the
    technicians' shift hours, so it can exceed 1 when overtime is heavy.
    """
    jobs = job_table(events)
    assigned = jobs.dropna(subset=["job_assigned"])
    wait_h = ((assigned["job_assigned"] - assigned["job_created"]) * HOURS_PER_DAY).to_numpy()
    arrived = jobs.dropna(subset=["job_arrived"])
    resp_h = ((arrived["job_arrived"] - arrived["job_created"]) * HOURS_PER_DAY).to_numpy()
    done = jobs.dropna(subset=["job_finished"])
    repair_h = ((done["job_finished"] - done["job_started"]) * HOURS_PER_DAY).to_numpy()
    busy_end = assigned["job_finished"].fillna(horizon_days).clip(upper=horizon_days)
    busy_days = float((busy_end - assigned["job_assigned"]).sum())
    shift_days = technicians * horizon_days * shift_h_per_day / HOURS_PER_DAY
    return {
        "service_jobs": len(jobs),
        "service_jobs_finished": len(done),
        "service_jobs_open_end": len(jobs) - len(done),
        "mean_wait_h": _mean(wait_h),
        "p90_wait_h": _quantile(wait_h, 0.9),
        "mean_response_h": _mean(resp_h),
        "mean_repair_h": _mean(repair_h),
        "technicians": technicians,
        "technician_utilization": busy_days / shift_days if technicians else 0.0,
        "jobs_per_technician_day": len(done) / (technicians * horizon_days) if technicians else 0.0,
    }


def compute_kpis(events: pd.DataFrame, daily: pd.DataFrame, fleet: Fleet, technicians: int,
                 horizon_days: int, shift_h_per_day: float = HOURS_PER_DAY) -> dict[str, float]:
    """All KPIs of a run as a flat ``{name: number}`` dict (see the README glossary)."""
    n = fleet.state.n
    vehicle_days = n * horizon_days
    vehicle_years = vehicle_days / DAYS_PER_YEAR
    soh_end = soh(fleet.state.twins["battery"])
    k: dict[str, float] = {"vehicles": n, "horizon_days": horizon_days,
                           "vehicle_days": vehicle_days}
    k |= failure_kpis(events, list(fleet.twins), vehicle_years)
    k |= service_kpis(events, technicians, horizon_days, shift_h_per_day)
    k["battery_soh_mean_end"] = float(soh_end.mean())
    k["battery_soh_p05_end"] = float(np.quantile(soh_end, 0.05))
    # Geotab's fleet-average figure: capacity lost since new per year of vehicle age.
    age_end_years = (fleet.state.attrs["age_days"] + horizon_days) / DAYS_PER_YEAR
    k["battery_loss_pct_per_year_of_age"] = float(100.0 * ((1.0 - soh_end) / age_end_years).mean())
    if len(daily):
        start = float(daily["battery_soh_mean"].iloc[0])
        k["battery_fade_pct_per_year"] = 100.0 * (start - k["battery_soh_mean_end"]) / (
            horizon_days / DAYS_PER_YEAR)
        k["km_per_vehicle_year"] = float(daily["km_mean"].sum()) * DAYS_PER_YEAR / horizon_days
    k["vehicles_down_end"] = int(fleet.state.down.sum())
    return {name: (float(v) if isinstance(v, (float, np.floating)) else int(v))
            for name, v in k.items()}

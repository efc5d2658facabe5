"""The service KPIs of each region, the same definitions as the fleet's (``kpis_by_region.json``).

Each region's KPIs are the catalogue's own, computed by the same functions on the
region's events, vehicles and capacity (its vans and center bays), so that a region
row and the fleet row are the same quantities. Utilization and cost use the
region's vans times the working days (a workforce's vacancies are counted fleet-wide
only).
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pandas as pd

from sim.clock import DAYS_PER_YEAR
from sim.service.kpis import service_kpis

#: The KPIs of each region, in display order.
REGION_KPIS = ("vehicles", "breakdowns_per_1000_vehicle_years", "service_jobs", "mean_wait_h",
               "p90_wait_h", "rescue_within_target_rate", "technicians",
               "technician_utilization", "mobile_share_of_visits", "cost_per_job_mobile",
               "cost_per_job_center")


def region_kpis(events: pd.DataFrame, vehicle_region: np.ndarray, names: list[str],
                tiers: list[int], capacity: Any, vans: list[int], bays: list[int],
                horizon_days: int) -> dict[str, dict[str, float]]:
    """``{region: {"city_tier": t, kpi: value, ...}}`` for the regions with vehicles.

    Args:
        events: the run's event log (``region`` holds the region's name).
        vehicle_region: region index of each vehicle.
        names, tiers: each region's name and city tier.
        capacity: the fleet's :class:`~sim.service.kpis.ServiceCapacity`.
        vans, bays: each region's vans and center bays.
        horizon_days: the run's days.
    """
    counts = np.bincount(np.asarray(vehicle_region, dtype=np.int64), minlength=len(names))
    by_region = dict(tuple(events.groupby("region", observed=True, sort=False)))
    out: dict[str, dict[str, float]] = {}
    for r, name in enumerate(names):
        if not counts[r]:
            continue
        ev = by_region.get(name, events.iloc[:0])
        vehicle_years = counts[r] * horizon_days / DAYS_PER_YEAR
        cap = dataclasses.replace(capacity, vans=int(vans[r]), bays=int(bays[r]),
                                  staffed_van_days=None)
        k = service_kpis(ev, cap, vehicle_years)
        road = int(((ev["event"] == "failure") & (ev["severity"] == "roadside")).sum())
        k |= {"vehicles": float(counts[r]), "city_tier": float(tiers[r]),
              "breakdowns_per_1000_vehicle_years": 1000.0 * road / vehicle_years}
        out[name] = {"city_tier": float(tiers[r])} | {
            key: float(k[key]) if k.get(key) is not None else math.nan for key in REGION_KPIS}
    return out

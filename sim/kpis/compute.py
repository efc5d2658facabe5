"""KPIs of a run, computed from the exported tables (and the final fleet state).

Everything event-based is derived from the events table alone, so an
analyst can recompute it from ``events.parquet``. Undefined values (a mean
over no jobs) are NaN and written as JSON ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.alerts import horizons, score_alerts
from sim.clock import DAYS_PER_YEAR
from sim.fleet import Fleet
from sim.ota.kpis import ota_kpis
from sim.service.kpis import ServiceCapacity, service_kpis
from sim.service.recall import recall_kpis
from twins.battery import soh


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if len(x) else math.nan


def _quantile(x: np.ndarray, q: float) -> float:
    return float(np.quantile(x, q)) if len(x) else math.nan


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


def alert_kpis(events: pd.DataFrame, alerts_cfg: Any, vehicles: int, horizon_days: int,
               components: list[str]) -> dict[str, float]:
    """Alert quality scored against the ground truth in the event log (also with alerts off)."""
    predicted = ([(r.component, r.cause) for r in alerts_cfg.rules.values()]
                 + [(t.component, t.cause) for t in alerts_cfg.trends.values()])
    return score_alerts(events, vehicles, horizon_days, horizons(alerts_cfg),
                        float(alerts_cfg.min_lead_days), predicted, components)


#: Event types no KPI reads (the prognostics KPIs come from the loop's own arrays): a run
#: reads its dataset without them for the KPIs (:data:`KPI_EVENTS_FILTER`), a third of the
#: default scenario's records.
NOT_READ_BY_KPIS = ("prognostic_alert",)
KPI_EVENTS_FILTER = [("event", "not in", list(NOT_READ_BY_KPIS))]


def compute_kpis(events: pd.DataFrame, daily: pd.DataFrame, fleet: Fleet,
                 capacity: ServiceCapacity, horizon_days: int,
                 alerts_cfg: Any = None, ota_cfg: Any = None) -> dict[str, float]:
    """All KPIs of a run as a flat ``{name: number}`` dict (see the README glossary).

    ``alerts_cfg`` (the ``alerts`` config) adds the alert KPIs, ``ota_cfg`` the OTA KPIs.
    """
    n = fleet.state.n
    vehicle_days = n * horizon_days
    vehicle_years = vehicle_days / DAYS_PER_YEAR
    soh_end = soh(fleet.state.twins["battery"], fleet.params["battery"])
    k: dict[str, float] = {"vehicles": n, "horizon_days": horizon_days,
                           "vehicle_days": vehicle_days}
    k |= failure_kpis(events, list(fleet.twins), vehicle_years)
    k |= service_kpis(events, capacity, vehicle_years)
    k |= recall_kpis(daily, events, k["mean_wait_h"])
    if alerts_cfg is not None:
        k |= alert_kpis(events, alerts_cfg, n, horizon_days, list(fleet.twins))
    if ota_cfg is not None:
        k |= ota_kpis(events, daily, ota_cfg, fleet.state.attrs["hw_config"],
                      fleet.hw_config_names, float(capacity.costs.ota_data_per_gb))
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

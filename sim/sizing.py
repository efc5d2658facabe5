"""``service.mobile.sizing: auto``: vans and center bays per region for a target.

A pilot run (same seed, ``sizing.pilot_days`` days, ``pilot_capacity_factor``
times the configured vans and bays so that demand is not capped) measures each
region's demand: van visits per working day and the busy hours each takes
(driving and hands-on), center hands-on hours per working day. The sizing
then picks, per region, the fewest vans that keep utilization at or under
``sizing.utilization`` (or give at least ``sizing.jobs_per_van_day``), and the
fewest bays under ``sizing.bay_utilization``. The curve of utilization against
the van count is kept for the report.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.clock import HOURS_PER_DAY
from sim.service.calendar import Shift
from sim.service.dayplan_kpis import hands_on_hours

CURVE_MAX_FACTOR = 2  # the curve runs from 1 van to twice the chosen count


def pilot_config(cfg: DictConfig) -> DictConfig:
    """The pilot run's config: short, generous capacity, no report."""
    pilot = copy.deepcopy(cfg)
    s = cfg.service
    f = float(s.sizing.pilot_capacity_factor)
    pilot.horizon_days = min(int(cfg.horizon_days), int(s.sizing.pilot_days))
    pilot.service.mobile.sizing = "fixed"
    pilot.service.mobile.vans_per_10000_vehicles = float(s.mobile.vans_per_10000_vehicles) * f
    pilot.service.center.bays_per_10000_vehicles = float(s.center.bays_per_10000_vehicles) * f
    pilot.output.report = False
    pilot.output.progress = False
    return pilot


def region_demand(events: pd.DataFrame, regions: list[str], working_days: int) -> pd.DataFrame:
    """Per region: van visits and busy hours per working day, center hands-on hours per day."""
    ev = events[events["job"] >= 0]
    work = hands_on_hours(ev)
    starts = ev.loc[work.index]
    legs = ev[(ev["event"] == "van_leg")]
    rows = []
    for region in regions:
        mob = starts[(starts["region"] == region) & (starts["channel"] == "mobile")]
        cen = starts[(starts["region"] == region) & (starts["channel"] == "center")]
        leg = legs[legs["region"] == region]
        visits = int(((ev["event"] == "job_arrived") & (ev["region"] == region)
                      & (ev["channel"] == "mobile")).sum())
        drive_h = float(((leg["due_d"] - leg["time_d"]) * HOURS_PER_DAY).sum())
        busy_h = float(np.nansum(work.loc[mob.index])) + drive_h
        rows.append({"region": region, "van_visits_per_day": visits / working_days,
                     "busy_h_per_visit": busy_h / visits if visits else 0.0,
                     "center_h_per_day": float(np.nansum(work.loc[cen.index])) / working_days})
    return pd.DataFrame(rows).set_index("region")


def choose(demand: pd.DataFrame, sizing: Any, shift_h: float, has_vans: list[bool]
           ) -> dict[str, Any]:
    """Vans and bays per region for the target, and the utilization curve of each region."""
    vans, bays, curves = [], [], {}
    for (region, row), mobile in zip(demand.iterrows(), has_vans, strict=True):
        load_h = row.van_visits_per_day * row.busy_h_per_visit
        if not mobile or row.van_visits_per_day <= 0:
            n = 0
        elif sizing.target == "utilization":
            n = max(1, math.ceil(load_h / (shift_h * sizing.utilization)))
        else:
            n = max(1, math.ceil(row.van_visits_per_day / sizing.jobs_per_van_day))
        vans.append(n)
        bays.append(max(1, math.ceil(row.center_h_per_day / (shift_h * sizing.bay_utilization))))
        if n:
            k = np.arange(1, CURVE_MAX_FACTOR * n + 1)
            curves[region] = {"vans": k.tolist(),
                              "utilization": (load_h / (k * shift_h)).tolist(),
                              "jobs_per_van_day": (row.van_visits_per_day / k).tolist()}
    return {"target": sizing.target, "vans": dict(zip(demand.index, vans, strict=True)),
            "bays": dict(zip(demand.index, bays, strict=True)), "curves": curves,
            "demand": demand.reset_index().to_dict(orient="records")}


def auto_size(cfg: DictConfig, run: Callable[[DictConfig], Any]) -> dict[str, Any]:
    """Run the pilot with ``run`` (``sim.engine.simulate``) and choose vans and bays."""
    pilot = pilot_config(cfg)
    result = run(pilot)
    s = cfg.service
    shift = Shift(s.mobile.shift_start_h, s.mobile.shift_end_h, s.mobile.days_off_per_week)
    shift_h = shift.hours_per_day
    work_days = shift.working_days(int(pilot.horizon_days))
    regions = list(cfg.fleet.regions)
    tiers = [int(r.city_tier) for r in cfg.fleet.regions.values()]
    demand = region_demand(result.events, regions, max(work_days, 1))
    return choose(demand, s.sizing, shift_h, [t > 0 for t in tiers])

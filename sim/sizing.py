"""``service.mobile.sizing: auto``: vans and center bays per region for a target.

A pilot run (same seed, ``sizing.pilot_days`` days, ``pilot_capacity_factor``
times the configured vans and bays so that demand is not capped) measures each
region's demand: van visits per working day and the busy hours each takes
(driving and hands-on), center hands-on hours per working day. The sizing
then picks, per region, the fewest vans that keep utilization at or under
``sizing.utilization`` (or give at least ``sizing.jobs_per_van_day``), and the
fewest bays under ``sizing.bay_utilization``. The curve of utilization against
the van count is kept for the report.

Service-level targets (``p90_wait_h``, ``rescue_within_target_rate``) cannot be
read off demand: waits come from the queue the vans' plans leave. They are
searched: pilot runs (same seed, the configured capacity) start each region at
the fewest vans that could carry its load at 100 % utilization, measure the
region's level (:func:`region_levels`: the p90 wait of its van jobs, open ones
counted with their wait so far; the catalogue's rescue KPI) and add one
van to every region that misses the target, until all meet it or
``sizing.max_pilots`` runs are spent. Each region's trials are kept for the
report.
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
from sim.service.kpis import ServiceCapacity, service_kpis

CURVE_MAX_FACTOR = 2  # the curve runs from 1 van to twice the chosen count
SEARCHED = {"p90_wait_h": "lower", "rescue_within_target_rate": "higher"}


def pilot_config(cfg: DictConfig, generous: bool = True) -> DictConfig:
    """The pilot run's config: short, no report; ``generous``: more capacity than configured."""
    pilot = copy.deepcopy(cfg)
    s = cfg.service
    f = float(s.sizing.pilot_capacity_factor) if generous else 1.0
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
        elif sizing.target in SEARCHED:  # the start of the search: 100 % utilization
            n = max(1, math.ceil(load_h / shift_h))
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


def mobile_p90_wait_h(jobs: pd.DataFrame, horizon_days: float) -> float:
    """90th percentile of the wait (created -> first assigned) of the jobs triaged to a van.

    A job still unassigned at the end counts with its wait so far: a short pilot would
    otherwise drop exactly the longest waits of an under-sized region.
    """
    mobile = jobs.loc[(jobs["event"] == "job_triaged") & (jobs["channel"] == "mobile"), "job"]
    ev = jobs[jobs["job"].isin(mobile)]
    created = ev[ev["event"] == "job_created"].groupby("job")["time_d"].min()
    assigned = ev[ev["event"] == "job_assigned"].groupby("job")["time_d"].min()
    if created.empty:
        return math.nan
    done = assigned.reindex(created.index).fillna(float(horizon_days))
    return float(np.quantile((done - created).to_numpy() * HOURS_PER_DAY, 0.9))


def region_levels(events: pd.DataFrame, regions: list[str], target: str,
                  capacity: ServiceCapacity) -> dict[str, float]:
    """Each region's level on ``target``: the mobile wait above, or the catalogue's KPI."""
    jobs = events[events["job"] >= 0]
    by_region = {r: jobs[jobs["region"] == r] for r in regions}
    if target == "p90_wait_h":
        return {r: mobile_p90_wait_h(ev, capacity.horizon_days) for r, ev in by_region.items()}
    return {r: float(service_kpis(ev, capacity, 1.0)[target]) for r, ev in by_region.items()}


def meets(value: float, target: str, wanted: float) -> bool:
    """Whether a region's KPI meets the target (a region with no such job meets it)."""
    if math.isnan(value):
        return True
    return value <= wanted if SEARCHED[target] == "lower" else value >= wanted


def search(cfg: DictConfig, start: dict[str, int], bays: dict[str, int],
           run: Callable[[DictConfig, dict], Any]) -> tuple[dict[str, int], dict[str, Any]]:
    """Pilot runs adding a van where the target is missed; the counts and each region's trials."""
    s = cfg.service
    target, wanted = str(s.sizing.target), float(s.sizing[s.sizing.target])
    pilot = pilot_config(cfg, generous=False)
    shift = Shift(s.mobile.shift_start_h, s.mobile.shift_end_h, s.mobile.days_off_per_week)
    horizon = int(pilot.horizon_days)
    vans = dict(start)
    missing: list[str] = []
    trials: dict[str, dict[str, list]] = {r: {"vans": [], "value": []} for r in vans if vans[r]}
    for _ in range(int(s.sizing.max_pilots)):
        result = run(pilot, {"vans": vans, "bays": bays})
        capacity = ServiceCapacity(vans=sum(vans.values()), shift_h_per_day=shift.hours_per_day,
                                   working_days=shift.working_days(horizon),
                                   horizon_days=horizon, costs=s.costs)
        levels = region_levels(result.events, list(trials), target, capacity)
        missing = [r for r, v in levels.items() if not meets(v, target, wanted)]
        for r, v in levels.items():
            if not trials[r]["vans"] or trials[r]["vans"][-1] != vans[r]:  # a new count only
                trials[r]["vans"].append(vans[r])
                trials[r]["value"].append(v)
        if not missing:
            break
        for r in missing:
            vans[r] += 1
    return vans, {"trials": trials, "met": {r: r not in missing for r in trials}}


def auto_size(cfg: DictConfig, run: Callable[[DictConfig, dict | None], Any]) -> dict[str, Any]:
    """Run the pilot with ``run`` (:func:`sim.engine.run_sized`) and choose vans and bays."""
    pilot = pilot_config(cfg)
    result = run(pilot, None)
    s = cfg.service
    shift = Shift(s.mobile.shift_start_h, s.mobile.shift_end_h, s.mobile.days_off_per_week)
    shift_h = shift.hours_per_day
    work_days = shift.working_days(int(pilot.horizon_days))
    regions = list(cfg.fleet.regions)
    tiers = [int(r.city_tier) for r in cfg.fleet.regions.values()]
    demand = region_demand(result.events, regions, max(work_days, 1))
    chosen = choose(demand, s.sizing, shift_h, [t > 0 for t in tiers])
    if s.sizing.target in SEARCHED:
        chosen["vans"], found = search(cfg, chosen["vans"], chosen["bays"], run)
        chosen |= found
    return chosen

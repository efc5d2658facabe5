"""The service day from the result files: one routed van day, van hours, the channel flow.

* The *route day* is run.json's ``van_day_sample``: every leg of every van of one
  region on one working day (``job`` -1 is the drive back to the depot). The van
  with the most stops is the one drawn; its road km come from the matching
  ``van_leg`` records of the event log.
* A van-day's hours: *drive* = the ``van_leg`` records (arrival ``due_d`` minus
  departure ``time_d``); *work* = hands-on, from each mobile ``job_started`` to that
  job's next ``job_finished``; *idle* = shift hours × van-days − drive − work. Vans
  per region are the distinct vans (``technician``) with a leg there; working days
  come from the shift calendar in the run's config (horizon, days off per week) as
  in the KPIs, else they are the days with a van leg in the region.
* The channel flow: each contact (``job_created``) goes to remote diagnosis, which
  fixes it (``remote_fixed``) or triages it to a van, a center or a body shop
  (``job_triaged``: ``outcome`` correct | wrong); it ends fixed by some channel
  (a ``job_finished`` ``fixed``) or still open. A wasted trip (``job_finished``
  ``wasted_trip``) is rebooked (``job_rebooked``) to the channel that can do it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

HOURS_PER_DAY = 24.0
DAYS_PER_WEEK = 7
FLEET_ROW = "All regions"
VISIT_CHANNELS = ("mobile", "center", "body")
# Where remote diagnosis sent a contact, and where it ended.
FIRST = ("remote", *VISIT_CHANNELS, "pending")
FINAL = ("remote", *VISIT_CHANNELS, "open")
_TIME_TOL_D = 1e-6  # a sample leg and its van_leg record depart at the same time


def _get(tree: Any, *path: str) -> Any:
    """``tree[path[0]][path[1]]...``, or ``None`` where a level is missing."""
    for key in path:
        if not isinstance(tree, Mapping) or key not in tree:
            return None
        tree = tree[key]
    return tree


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def service_config(run: Mapping[str, Any]) -> Mapping[str, Any]:
    """The run's ``config.service`` (empty when run.json lacks it)."""
    found = _get(run, "config", "service")
    return found if isinstance(found, Mapping) else {}


def dispatch_of(run: Mapping[str, Any]) -> str | None:
    """The run's ``service.dispatch`` (``None`` when run.json lacks it)."""
    found = service_config(run).get("dispatch")
    return str(found) if found is not None else None


def brand_of(run: Mapping[str, Any]) -> str | None:
    """The run's ``demand.brand`` (``None`` when run.json lacks it)."""
    found = _get(run, "config", "demand", "brand")
    return str(found) if found is not None else None


# ---------------------------------------------------------------- the route day
@dataclass(frozen=True)
class RouteDay:
    """One region-day of routed vans (run.json ``van_day_sample``).

    Attributes:
        region, day: Where and when.
        radius_km: The city disc's radius around the origin.
        depot: The depot, km.
        paths: Van id -> the points it drove through, depot first, one per leg.
        jobs: Van id -> the job of each leg (-1: the drive back to the depot).
        stops: Van id -> legs to a job (the drive home excluded).
        arrivals_h: Van id -> hour of day of each arrival, per leg.
        van: The van drawn: most stops, the lowest id on a tie.
        road_km: Road km of that van's legs from the event log (``None`` when a leg has
            no matching ``van_leg`` record).
        straight_km: Straight-line km of that van's path.
    """

    region: str
    day: int
    radius_km: float
    depot: tuple[float, float]
    paths: dict[str, np.ndarray]
    jobs: dict[str, list[int]]
    stops: dict[str, int]
    arrivals_h: dict[str, list[float]]
    van: str
    road_km: float | None
    straight_km: float


def _van_key(van: str) -> tuple[int, float, str]:
    number = _number(van)
    return (0, number, van) if number is not None else (1, 0.0, van)


def route_day(sample: Any, events: pd.DataFrame | None) -> tuple[RouteDay | None, str]:
    """Read the sample region-day; ``(None, why)`` when it is missing or malformed."""
    if not isinstance(sample, Mapping) or not sample:
        return None, ("run.json has no van_day_sample (a run before the routed van day, or no "
                      "van drove on the sample day)")
    try:
        depot = (float(sample["depot_km"][0]), float(sample["depot_km"][1]))
        region, day, radius = str(sample["region"]), int(sample["day"]), float(sample["radius_km"])
        vans = {str(v): list(legs) for v, legs in sample["vans"].items() if legs}
        paths = {v: np.array([depot, *[(float(g["x_km"]), float(g["y_km"])) for g in legs]])
                 for v, legs in vans.items()}
        jobs = {v: [int(g["job"]) for g in legs] for v, legs in vans.items()}
        stops = {v: sum(j >= 0 for j in mine) for v, mine in jobs.items()}
        arrivals = {v: [(float(g["arrive_d"]) - day) * HOURS_PER_DAY for g in legs]
                    for v, legs in vans.items()}
        departs = {v: np.array([float(g["depart_d"]) for g in legs]) for v, legs in vans.items()}
    except (KeyError, TypeError, ValueError, IndexError, AttributeError):
        return None, "run.json's van_day_sample is malformed"
    if not vans:
        return None, "run.json's van_day_sample has no van leg"
    van = min(vans, key=lambda v: (-stops[v], _van_key(v)))
    straight = float(np.hypot(*np.diff(paths[van], axis=0).T).sum())
    road = _road_km(events, region, van, departs[van])
    return RouteDay(region, day, radius, depot, paths, jobs, stops, arrivals, van, road,
                    straight), ""


def _road_km(events: pd.DataFrame | None, region: str, van: str,
             departs: np.ndarray) -> float | None:
    """Road km of a van's sample legs from their ``van_leg`` records (matched by departure)."""
    if events is None or not {"technician", "value"} <= set(events.columns):
        return None
    number = _number(van)
    legs = events[(events["event"] == "van_leg") & (events["technician"] == number)]
    if "region" in legs:
        legs = legs[legs["region"] == region]
    times = legs["time_d"].to_numpy(float)
    km = legs["value"].to_numpy(float)
    total = 0.0
    for t in departs:
        hit = np.flatnonzero(np.abs(times - t) <= _TIME_TOL_D)
        if hit.size == 0:
            return None
        total += float(km[hit[0]])
    return total


# ---------------------------------------------------------------- van hours
@dataclass(frozen=True)
class VanHours:
    """Drive, hands-on work and idle time of the vans, per region and over all regions.

    Attributes:
        table: Index: the regions with van legs, then :data:`FLEET_ROW`. Columns: ``vans``,
            ``working_days``, ``van_days``, and totals in hours ``drive_h``, ``work_h``,
            ``idle_h`` (NaN without a shift length), ``shift_h`` (hours × van-days).
        shift_h: Shift length in hours, ``None`` when the run says nothing about it.
        days_from: ``"calendar"`` (horizon and days off per week from the config) or
            ``"activity"`` (days with a van leg).
        horizon_days, days_off: The calendar used (``None`` with ``"activity"``).
    """

    table: pd.DataFrame
    shift_h: float | None
    days_from: str
    horizon_days: int | None = None
    days_off: int | None = None

    def per_van_day(self) -> pd.DataFrame:
        """Drive, work and idle hours per van-day, per row of :attr:`table`."""
        cols = ["drive_h", "work_h", "idle_h"]
        return self.table[cols].div(self.table["van_days"].replace(0, np.nan), axis=0)


def working_days_mask(horizon_days: int, days_off: int) -> np.ndarray:
    """Which days of ``[0, horizon)`` are worked: the last ``days_off`` of each week are off."""
    return np.arange(horizon_days) % DAYS_PER_WEEK < DAYS_PER_WEEK - days_off


def calendar_days(horizon_days: int, days_off: int) -> int:
    """Working days in ``[0, horizon)`` (:func:`working_days_mask`)."""
    return int(working_days_mask(horizon_days, days_off).sum())


def shift_hours(run: Mapping[str, Any]) -> float | None:
    """The van shift's length: config ``service.mobile``, else the van-day sample's."""
    mobile = service_config(run).get("mobile")
    if isinstance(mobile, Mapping):
        start, end = _number(mobile.get("shift_start_h")), _number(mobile.get("shift_end_h"))
        if start is not None and end is not None and end > start:
            return end - start
    shift = _get(run, "van_day_sample", "shift_h")
    if isinstance(shift, list | tuple) and len(shift) == 2:
        start, end = _number(shift[0]), _number(shift[1])
        if start is not None and end is not None and end > start:
            return end - start
    return None


def _calendar(run: Mapping[str, Any], kpis: Mapping[str, float | None]
              ) -> tuple[int, int] | None:
    horizon = _number(kpis.get("horizon_days"))
    if horizon is None:
        horizon = _number(_get(run, "config", "horizon_days"))
    off = _number(_get(service_config(run), "mobile", "days_off_per_week"))
    if horizon is None or off is None:
        return None
    return int(horizon), int(off)


def hands_on_h(events: pd.DataFrame) -> pd.DataFrame:
    """One row per mobile ``job_started``: ``job``, ``region`` and hands-on hours to the
    job's next ``job_finished`` (starts with no later finish are dropped)."""
    mobile = events[events["channel"] == "mobile"]
    cols = ["time_d", "job", *(["region"] if "region" in events else [])]
    starts = mobile.loc[mobile["event"] == "job_started", cols].sort_values("time_d")
    ends = mobile.loc[mobile["event"] == "job_finished", ["time_d", "job"]]
    ends = ends.rename(columns={"time_d": "end_d"}).sort_values("end_d")
    paired = pd.merge_asof(starts, ends, left_on="time_d", right_on="end_d", by="job",
                           direction="forward")
    paired = paired.dropna(subset=["end_d"])
    paired["work_h"] = (paired["end_d"] - paired["time_d"]) * HOURS_PER_DAY
    return paired.reset_index(drop=True)


def van_hours(events: pd.DataFrame | None, run: Mapping[str, Any],
              kpis: Mapping[str, float | None]) -> tuple[VanHours | None, str]:
    """Drive / work / idle hours per region; ``(None, why)`` without van legs."""
    if events is None:
        return None, "events.parquet is missing or has no channel / outcome columns"
    needed = {"region", "technician", "due_d"}
    legs = events[(events["event"] == "van_leg") & (events["channel"] == "mobile")]
    if legs.empty or not needed <= set(events.columns):
        return None, "events.parquet has no van_leg records (a run before the routed van day)"
    regions = sorted(legs["region"].unique())
    vans = legs.groupby("region")["technician"].nunique().reindex(regions)
    drive = ((legs["due_d"] - legs["time_d"]) * HOURS_PER_DAY).groupby(legs["region"]).sum()
    work = hands_on_h(events).groupby("region")["work_h"].sum()
    calendar = _calendar(run, kpis)
    if calendar is not None:
        days = pd.Series(calendar_days(*calendar), index=regions)
    else:
        days = np.floor(legs["time_d"]).groupby(legs["region"]).nunique().reindex(regions)
    shift = shift_hours(run)
    table = pd.DataFrame({"vans": vans.astype(int), "working_days": days.astype(int)})
    table["van_days"] = table["vans"] * table["working_days"]
    table["drive_h"] = drive.reindex(regions).fillna(0.0)
    table["work_h"] = work.reindex(regions).fillna(0.0)
    total = table.sum()
    total["working_days"] = int(days.max()) if calendar is not None else math.nan
    table.loc[FLEET_ROW] = total
    table["shift_h"] = table["van_days"] * shift if shift is not None else math.nan
    table["idle_h"] = table["shift_h"] - table["drive_h"] - table["work_h"]
    source = "calendar" if calendar is not None else "activity"
    horizon, off = calendar if calendar is not None else (None, None)
    return VanHours(table, shift, source, horizon, off), ""


# ---------------------------------------------------------------- channel flow
@dataclass(frozen=True)
class ChannelFlow:
    """Where contacts went and where they ended (counts of jobs).

    Attributes:
        created: Contacts (jobs created).
        bands: Jobs by first channel (rows, :data:`FIRST`) and final one (columns,
            :data:`FINAL`).
        wrong: Triaged channel -> jobs the triage sent to the wrong channel.
        wasted: Wasted trips (visits where the job could not be done).
        rebooked: Channel -> rebookings to it after a wasted trip.
        no_shows, rain_blocked: Van visits the owner missed / rain blocked.
    """

    created: int
    bands: pd.DataFrame
    wrong: dict[str, int]
    wasted: int
    rebooked: dict[str, int]
    no_shows: int
    rain_blocked: int

    @property
    def first(self) -> dict[str, int]:
        """Jobs per first channel, in :data:`FIRST` order."""
        return {k: int(v) for k, v in self.bands.sum(axis=1).items()}

    @property
    def final(self) -> dict[str, int]:
        """Jobs per final channel, in :data:`FINAL` order."""
        return {k: int(v) for k, v in self.bands.sum(axis=0).items()}


def channel_flow(events: pd.DataFrame | None) -> tuple[ChannelFlow | None, str]:
    """Count the flow; ``(None, why)`` when the log has no triage verdicts."""
    if events is None:
        return None, "events.parquet is missing or has no channel / outcome columns"
    triaged = events[events["event"] == "job_triaged"]
    if not triaged["outcome"].isin(["correct", "wrong"]).any():
        return None, ("events.parquet has no triage verdicts (job_triaged with outcome correct "
                      "or wrong: a run before the routed van day)")
    jobs = pd.Index(events.loc[events["event"] == "job_created", "job"].unique(), name="job")
    first_triage = triaged.groupby("job")["channel"].first()
    finished = events[events["event"] == "job_finished"]
    remote = set(finished.loc[finished["outcome"] == "remote_fixed", "job"])
    first = first_triage.reindex(jobs)
    first = first.where(first.notna(), np.where(jobs.isin(list(remote)), "remote", "pending"))
    fixed = finished[finished["outcome"] == "fixed"].groupby("job")["channel"].first()
    final = fixed.reindex(jobs)
    final = final.where(final.notna(), np.where(jobs.isin(list(remote)), "remote", "open"))
    bands = pd.crosstab(first.to_numpy(), final.to_numpy()).reindex(
        index=list(FIRST), columns=list(FINAL), fill_value=0).astype(int)
    wrong = triaged[triaged["outcome"] == "wrong"]["channel"].value_counts()
    rebooked = events.loc[events["event"] == "job_rebooked", "channel"].value_counts()
    outcomes = finished["outcome"]
    return ChannelFlow(
        len(jobs), bands, {c: int(wrong.get(c, 0)) for c in VISIT_CHANNELS},
        int((outcomes == "wasted_trip").sum()),
        {c: int(n) for c, n in rebooked.items()},
        int((outcomes == "no_show").sum()), int((outcomes == "rain_blocked").sum()),
    ), ""


# ---------------------------------------------------------------- sizing
@dataclass(frozen=True)
class Sizing:
    """``service.mobile.sizing=auto``: the chosen vans and each region's curve.

    Attributes:
        target: ``utilization``, ``jobs_per_van_day``, ``p90_wait_h`` or
            ``rescue_within_target_rate``.
        target_value: The config's value for that target (``None`` when run.json lacks it).
        curves: Region -> ``vans``, ``utilization`` (0..1), ``jobs_per_van_day``.
        vans, bays: Region -> chosen count.
        trials: Region -> the searched targets' pilot runs, ``vans`` and ``value``.
        met: Region -> whether the search met the target (empty for the demand targets).
    """

    target: str
    target_value: float | None
    curves: dict[str, pd.DataFrame]
    vans: dict[str, int]
    bays: dict[str, int]
    trials: dict[str, pd.DataFrame] = field(default_factory=dict)
    met: dict[str, bool] = field(default_factory=dict)


def sizing_of(run: Mapping[str, Any]) -> tuple[Sizing | None, str]:
    """Read run.json's ``sizing``; ``(None, why)`` when absent or malformed."""
    found = run.get("sizing")
    if not isinstance(found, Mapping):
        mode = _get(service_config(run), "mobile", "sizing")
        how = f"service.mobile.sizing={mode}" if mode else "no sizing in run.json"
        return None, f"Vans per region were not sized by the simulator ({how})."
    try:
        target = str(found.get("target", ""))
        curves = {str(r): pd.DataFrame({k: [float(x) for x in c[k]]
                                        for k in ("vans", "utilization", "jobs_per_van_day")})
                  for r, c in found["curves"].items()}
        vans = {str(r): int(n) for r, n in found.get("vans", {}).items()}
        bays = {str(r): int(n) for r, n in found.get("bays", {}).items()}
        trials = {str(r): pd.DataFrame({k: [float(x) for x in t[k]] for k in ("vans", "value")})
                  for r, t in found.get("trials", {}).items()}
        met = {str(r): bool(m) for r, m in found.get("met", {}).items()}
    except (KeyError, TypeError, ValueError, AttributeError):
        return None, "run.json's sizing is malformed."
    value = _number(_get(service_config(run), "sizing", target)) if target else None
    return Sizing(target, value, curves, vans, bays, trials, met), ""

"""The service day's part of the run report: a routed van day on its city, the hours of a
van-day, the channel flow of all contacts, the seeds against this run, the van sizing.

Every block degrades to a caption naming the missing input (old runs have no
``van_leg`` records, no triage verdicts, no ``van_day_sample`` or ``sizing`` in run.json).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from reports.page.findings import Finding, Kpis, kpi_value, lower_first
from reports.page.formatting import fmt_hours, fmt_int, fmt_num, fmt_pct, is_missing
from reports.page.loader import RunFiles
from reports.page.section import Block, Part, Section
from reports.page.tiles import Tile, TileSpec, kpi_label, tiles
from reports.serviceday.figures import hours_figure, route_figure, sizing_figure
from reports.serviceday.flow import MIN_SHARE, flow_figure
from reports.serviceday.seeds import SeedRow, seed_rows
from reports.serviceday.view import (
    FLEET_ROW,
    ChannelFlow,
    RouteDay,
    Sizing,
    VanHours,
    brand_of,
    channel_flow,
    dispatch_of,
    route_day,
    sizing_of,
    van_hours,
    working_days_mask,
)

TEMPLATE = "serviceday/section.html.j2"
GLOSSARY = "serviceday/glossary.html.j2"
ANCHOR, TITLE = "service-day", "Service day"
# The hours from the log agree with the KPIs to rounding; beyond this they disagree.
_CHECK_TOLERANCE = 0.01


@dataclass(frozen=True)
class ServiceDay:
    """What ``serviceday/section.html.j2`` shows."""

    tiles: tuple[Tile, ...]
    blocks: tuple[Block, ...]
    seeds: tuple[SeedRow, ...]
    seeds_note: str
    sizing: Block | None
    sizing_note: str


def _sources(kpis: Kpis) -> str:
    parts = [(k, f"contacts_{k}_per_vehicle_year") for k in ("faults", "alerts", "maintenance",
                                                            "owner")]
    known = [f"{name} {fmt_num(kpis[key], 2)}" for name, key in parts
             if not is_missing(kpis.get(key))]
    return f" Contacts per vehicle-year by source: {', '.join(known)}." if known else ""


TILE_SPECS: tuple[TileSpec, ...] = (
    ("service_visits_per_vehicle_year", lambda v: fmt_num(v, 2),
     lambda k: "Van arrivals at owners and cars at a center or body shop." + _sources(k)),
    ("travel_hours_per_van_day", fmt_hours,
     lambda _: "Hours on the road per van and working day."),
    ("km_per_job", lambda v: "n/a" if is_missing(v) else f"{fmt_num(v, 1)} km",
     lambda _: "Road km driven per van visit."),
    ("wasted_trips", fmt_int,
     lambda _: "Visits sent where the job could not be done (a wrong triage); each rebooked."),
    ("no_shows", fmt_int, lambda _: "Van visits where the owner was not there."),
    ("rain_blocked_visits", fmt_int, lambda _: "Van visits to outdoor work on a rain day."),
)


def route_block(files: RunFiles) -> Block:
    """The sample region-day's routes, the van with the most stops numbered."""
    route, why = route_day(files.run.get("van_day_sample"), files.dayplan_events)
    title = "One van's routed day"
    if route is None:
        return Block("service-day-route", title, None, f"Not available: {why}.")
    return Block("service-day-route", title, route_figure(route), route_caption(route))


def route_caption(route: RouteDay) -> str:
    """Region, day, stops and km of the van drawn, and what else is on the map."""
    stops = route.stops[route.van]
    if route.road_km is not None:
        km = (f"drove {fmt_num(route.road_km, 1)} road km (its van_leg records; "
              f"{fmt_num(route.straight_km, 1)} km in straight lines)")
    else:
        km = (f"drove {fmt_num(route.straight_km, 1)} km in straight lines (road km not "
              "available: its legs have no matching van_leg records)")
    others = [v for v in route.paths if v != route.van]
    listed = ", ".join(f"van {v}: {route.stops[v]} stops" for v in others)
    if len(others) == 1:
        faint = f" The region's other van that day ({listed}) is drawn faint."
    elif others:
        faint = f" The region's other {len(others)} vans that day ({listed}) are drawn faint."
    else:
        faint = " It was the region's only van on the road that day."
    return (f"Region {route.region}, day {route.day} (run.json van_day_sample): van {route.van}, "
            f"the one with the most stops, made {stops} stop{'s' if stops != 1 else ''} and "
            f"{km}. Arrows run depot → stops → depot; numbers give the order of the stops, "
            "with the arrival times beside the map. The square is the depot, the dashed circle "
            f"the city ({route.radius_km:g} km radius) whose owners the vans serve.{faint}")


def hours_block(files: RunFiles) -> Block:
    """Drive / work / idle hours of a van-day per region."""
    hours, why = van_hours(files.dayplan_events, files.run, files.kpis)
    title = "Hours of a van-day"
    if hours is None:
        return Block("service-day-hours", title, None, f"Not available: {why}.")
    return Block("service-day-hours", title, hours_figure(hours), hours_caption(hours, files.kpis))


def hours_caption(hours: VanHours, kpis: Kpis) -> str:
    """How the three parts were computed, and the van-days they are divided by."""
    t = hours.table
    fleet = hours.per_van_day().loc[FLEET_ROW]
    vans = int(t.loc[FLEET_ROW, "vans"])
    techs = kpi_value(kpis, "technicians")
    known = f"; kpis.json counts {fmt_int(techs)} vans" if techs is not None else ""
    if hours.days_from == "calendar":
        off = hours.days_off or 0
        days = (f"working days are the shift calendar's {fmt_int(t.loc[FLEET_ROW, 'working_days'])}"
                f" of the {hours.horizon_days}-day horizon ({off} day{'s' if off != 1 else ''} "
                "off a week), as in the KPIs")
    else:
        days = ("working days are the days with a van leg in the region (run.json gives no "
                "shift calendar)")
    parts = [
        "Hours per van-day from the event log: driving = the van_leg records (arrival minus "
        "departure, drives home and night call-outs included); hands-on work = each mobile "
        "job_started to that job's next job_finished; idle = shift hours × van-days − driving − "
        "work (waiting for an appointment window, no-shows, no job).",
        f"Van-days = vans × working days: vans are the distinct vans with a leg in the region "
        f"({vans} in all{known}); {days}.",
        f"All regions: {fmt_hours(fleet['drive_h'])} driving and {fmt_hours(fleet['work_h'])} "
        f"hands-on per van-day{_kpi_echo(kpis)}.",
    ]
    if hours.shift_h is None:
        parts.append("Idle time is not shown: run.json gives no shift length.")
    else:
        over = [r for r in t.index if r != FLEET_ROW and t.loc[r, "idle_h"] < 0]
        if over:
            parts.append(f"Driving and work exceed the shift hours in {', '.join(over)} "
                         "(overtime and call-outs): no idle time there.")
    return " ".join(parts)


def _kpi_echo(kpis: Kpis) -> str:
    drive, work = (kpi_value(kpis, "travel_hours_per_van_day"),
                   kpi_value(kpis, "technician_productive_hours_per_day"))
    if drive is None or work is None:
        return ""
    return f" (kpis.json: {fmt_hours(drive)} and {fmt_hours(work)})"


def flow_block(files: RunFiles) -> Block:
    """Contacts → channel → fixed where."""
    flow, why = channel_flow(files.dayplan_events)
    title = "Where contacts go: remote, van, center, body shop"
    if flow is None:
        return Block("service-day-flow", title, None, f"Not available: {why}.")
    image = flow_figure(flow)
    if image is None:
        return Block("service-day-flow", title, None, "No contact was created in this run.")
    return Block("service-day-flow", title, image, flow_caption(flow, files.kpis))


def flow_caption(flow: ChannelFlow, kpis: Kpis) -> str:
    """What the ribbons are, wasted trips and rebookings, wrong triage."""
    names = {"mobile": "a van", "center": "a center", "body": "a body shop"}
    rebooked = ", ".join(f"{fmt_int(n)} to {names.get(c, c)}" for c, n in flow.rebooked.items())
    wrong = sum(flow.wrong.values())
    accuracy = kpi_value(kpis, "triage_accuracy")
    acc = f" (triage accuracy {fmt_pct(accuracy)})" if accuracy is not None else ""
    return (
        f"Each of the {fmt_int(flow.created)} contacts (jobs created) once, from the event log: "
        "remote diagnosis fixes it or triage sends it to a channel (job_triaged); the right "
        "column is the channel whose visit fixed it (job_finished fixed). Ribbons between "
        f"different channels are jobs that changed channel: {fmt_int(flow.wasted)} wasted trips "
        f"(sent where the job could not be done) were rebooked ({rebooked or 'none'}). Triage "
        f"sent {fmt_int(wrong)} jobs to the wrong channel{acc}: to a van that cannot do them "
        "it wastes the trip, to a center it only costs a bay. "
        f"{fmt_int(flow.no_shows)} van visits found no owner and {fmt_int(flow.rain_blocked)} "
        "were blocked by rain; those jobs were visited again. Heights are proportional to jobs; "
        f"a node with few jobs is drawn at least {MIN_SHARE * 100:.1f} % of all contacts high."
    )


SEEDS_NOTE = (
    "Seed figures with their sources (the project's research notes as seed file:line, and J.D. "
    "Power), and this run's KPI. In band: inside the seeds' range. For productive hours and "
    "on-time arrival the seeds give one figure per dispatch generation; the band is the values "
    "closer to this run's generation than to the neighbouring ones. Triage accuracy is context "
    "only: the seed gives a gain from an AI assistant, not a level."
)


def sizing_block(files: RunFiles) -> tuple[Block | None, str]:
    """The sizing curves when the simulator sized the vans, else a note why not."""
    sizing, why = sizing_of(files.run)
    if sizing is None:
        return None, why
    image = sizing_figure(sizing)
    title = "Van sizing"
    if image is None:
        return Block("service-day-sizing", title, None, "The sizing kept no curve."), ""
    return Block("service-day-sizing", title, image, sizing_caption(sizing)), ""


def searched_caption(sizing: Sizing) -> str:
    """The caption of a searched target (p90 wait, rescues within target)."""
    value = sizing.target_value
    if sizing.target == "p90_wait_h":
        target = (f"a 90th-percentile wait of its van jobs of at most {fmt_num(value, 0)} h"
                  if value is not None else "a p90 wait target")
    else:
        target = (f"at least {fmt_pct(value, 0)} of rescues within their response target"
                  if value is not None else "a rescue target")
    missed = [r for r, ok in sizing.met.items() if not ok]
    vans = ", ".join(f"{r} {n}" for r, n in sizing.vans.items())
    bays = ", ".join(f"{r} {n}" for r, n in sizing.bays.items())
    return (
        "service.mobile.sizing=auto: a pilot run measured each region's demand (left and middle: "
        "utilization and jobs per van-day over 1 to twice the starting number of vans); then "
        "pilot runs searched, adding a van to every region that missed "
        f"{target} (right: the level each count gave). "
        + (f"Target still missed after the last pilot in: {', '.join(missed)}. " if missed
           else "")
        + f"Vans: {vans or 'none'}. Center bays: {bays or 'none'}.")


def sizing_caption(sizing: Sizing) -> str:
    """The target and the chosen vans and bays."""
    value = sizing.target_value
    if sizing.target == "utilization":
        target = f"utilization at or under {fmt_pct(value, 0)}" if value else "a utilization"
    elif sizing.target == "jobs_per_van_day":
        target = (f"no more than {fmt_num(value, 1)} jobs per van-day" if value
                  else "a jobs-per-van-day target")
    else:
        return searched_caption(sizing)
    vans = ", ".join(f"{r} {n}" for r, n in sizing.vans.items())
    bays = ", ".join(f"{r} {n}" for r, n in sizing.bays.items())
    return (
        "service.mobile.sizing=auto: a short pilot run measured each region's van demand (visits "
        "per working day and the busy hours each takes); the curves are that demand spread over "
        f"1 to twice the chosen number of vans. The sizing picks the fewest vans giving {target} "
        f"(dashed line); circles mark the choice. Vans: {vans or 'none'}. Center bays: "
        f"{bays or 'none'}."
    )


def seeds_finding(rows: list[SeedRow]) -> Finding | None:
    """One sentence: how many judged figures are in band, and which are not."""
    judged = [r for r in rows if r.level in ("ok", "watch")]
    if not judged:
        return None
    out = [r for r in judged if r.level == "watch"]
    text = f"Service day against the seeds: {len(judged) - len(out)} of {len(judged)} in band"
    if not out:
        return Finding(text + ".", "ok")
    listed = "; ".join(f"{lower_first(r.label)} {r.value}, {r.mark}" for r in out)
    return Finding(f"{text}; outside: {listed}.", "watch")


def staffed_van_days(daily: pd.DataFrame | None, seats: int, days_off: int,
                     horizon_days: int) -> float | None:
    """Working van-days with a technician in the seat, from ``daily.parquet``.

    The day-``d`` row is written after that evening's departures and arrivals, so the
    technicians who worked on day ``d`` are row ``d - 1``'s ``technicians_active`` (all
    ``seats`` on day 0). ``None`` without the workforce's columns.
    """
    if daily is None or "technicians_active" not in daily or "day" not in daily:
        return None
    active = daily.set_index("day")["technicians_active"].astype(float)
    days = np.arange(horizon_days)
    working = working_days_mask(horizon_days, days_off)
    before = active.reindex(days - 1).to_numpy(dtype=float, copy=True)
    before[days == 0] = seats
    return float(np.nansum(before[working]))


def hours_checks(files: RunFiles) -> list[Finding]:
    """The van-day hours from the log against kpis.json (same vans and calendar only)."""
    hours, _ = van_hours(files.dayplan_events, files.run, files.kpis)
    techs = kpi_value(files.kpis, "technicians")
    if hours is None or hours.days_from != "calendar" or techs is None:
        return []
    if int(hours.table.loc[FLEET_ROW, "vans"]) != int(techs):
        return []   # a van without any leg: the denominators differ, nothing to check
    fleet = hours.table.loc[FLEET_ROW]
    van_days = staffed_van_days(files.daily, int(techs), hours.days_off or 0,
                                int(hours.horizon_days or 0))
    if van_days is None:
        van_days = float(fleet["van_days"])
    out = []
    for key, col in (("travel_hours_per_van_day", "drive_h"),
                     ("technician_productive_hours_per_day", "work_h")):
        kpi = kpi_value(files.kpis, key)
        mine = float(fleet[col]) / van_days if van_days else math.nan
        if kpi is not None and abs(mine - kpi) > _CHECK_TOLERANCE * max(abs(kpi), 1.0):
            out.append(Finding(
                f"Data check: {lower_first(kpi_label(key))} is {fmt_num(kpi, 2)} h in kpis.json "
                f"but {fmt_num(mine, 2)} h from the event log.", "check"))
    return out


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The service-day section, a finding on the seeds and data checks on the hours.

    Args:
        files: The run.
        baseline: Not used: the section does not compare runs.
    """
    rows = seed_rows(files.kpis, dispatch_of(files.run), brand_of(files.run))
    has_values = any(r.value != "n/a" for r in rows)
    sizing, sizing_note = sizing_block(files)
    content = ServiceDay(
        tuple(tiles(files.kpis, TILE_SPECS)),
        (route_block(files), hours_block(files), flow_block(files)),
        tuple(rows) if has_values else (),
        SEEDS_NOTE if has_values else "Not available: kpis.json has none of these KPIs.",
        sizing, sizing_note,
    )
    finding = seeds_finding(rows)
    return Part((Section(ANCHOR, TITLE, TEMPLATE, content),),
                (finding,) if finding else (), tuple(hours_checks(files)), GLOSSARY)

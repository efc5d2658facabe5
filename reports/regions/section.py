"""The run report by region and city tier: the service KPIs of each region side by side.

Reads ``kpis_by_region.json`` (:mod:`sim.kpis.regions`: the catalogue's KPIs computed on
each region's events, vehicles, vans and bays). The table has one row per region with its
city tier, then one per tier (vehicle-weighted means of the regions' values: a sketch of
the tier, the regions' own rows are the exact figures). A finding names the region with
the longest p90 wait and the one with the lowest rescue rate when they stand out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from reports.page.findings import Finding
from reports.page.formatting import fmt_hours, fmt_pct, is_missing
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import display_label, fmt_kpi

TEMPLATE = "regions/section.html.j2"
ANCHOR, TITLE = "regions", "By region and city tier"
COLUMNS = ("vehicles", "breakdowns_per_1000_vehicle_years", "service_jobs", "mean_wait_h",
           "p90_wait_h", "rescue_within_target_rate", "technicians", "technician_utilization",
           "mobile_share_of_visits", "cost_per_job_mobile", "cost_per_job_center")
TIER_NAMES = {0: "remote", 1: "tier 1", 2: "tier 2", 3: "tier 3"}
STANDS_OUT = 1.25          # a region's p90 wait this many times the fleet's is named


@dataclass(frozen=True)
class RegionsPage:
    """What ``regions/section.html.j2`` shows."""

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    tier_rows: tuple[tuple[str, ...], ...]
    note: str


def _value(row: Mapping[str, float | None], key: str) -> float | None:
    v = row.get(key)
    return None if is_missing(v) else float(v)


def tier_means(by_region: Mapping[str, Mapping[str, float | None]]) -> dict[int, dict[str, float]]:
    """Per city tier: counts summed, other KPIs vehicle-weighted over the regions that have
    them."""
    out: dict[int, dict[str, float]] = {}
    for tier in sorted({int(r.get("city_tier") or 0) for r in by_region.values()}):
        rows = [r for r in by_region.values() if int(r.get("city_tier") or 0) == tier]
        agg = {}
        for key in COLUMNS:
            if key in ("vehicles", "service_jobs", "technicians"):
                agg[key] = sum(_value(r, key) or 0.0 for r in rows)
                continue
            pairs = [(_value(r, key), _value(r, "vehicles") or 0.0) for r in rows]
            pairs = [(v, w) for v, w in pairs if v is not None and w > 0]
            weight = sum(w for _, w in pairs)
            agg[key] = sum(v * w for v, w in pairs) / weight if weight else math.nan
        out[tier] = agg
    return out


def region_finding(by_region: Mapping[str, Mapping[str, float | None]],
                   fleet: Mapping[str, float | None]) -> Finding | None:
    """The region whose p90 wait stands out from the fleet's, and the worst rescue rate."""
    p90 = _value(fleet, "p90_wait_h")
    waits = [(n, _value(r, "p90_wait_h")) for n, r in by_region.items()]
    waits = [(n, v) for n, v in waits if v is not None]
    if p90 is None or not waits:
        return None
    name, worst = max(waits, key=lambda x: x[1])
    if worst <= STANDS_OUT * p90:
        return Finding(f"No region's 9-in-10 wait stands out: the longest, {name}, is "
                       f"{fmt_hours(worst)} against {fmt_hours(p90)} fleet-wide.", "ok")
    text = (f"{name} waits longest: 9 in 10 jobs assigned within {fmt_hours(worst)} against "
            f"{fmt_hours(p90)} fleet-wide")
    rescues = [(n, _value(r, "rescue_within_target_rate")) for n, r in by_region.items()]
    rescues = [(n, v) for n, v in rescues if v is not None]
    if rescues:
        low_name, low = min(rescues, key=lambda x: x[1])
        text += f"; rescues within target are lowest in {low_name} ({fmt_pct(low, 0)})"
    return Finding(text + ".", "watch")


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The regions table and its finding, or nothing without ``kpis_by_region.json``."""
    by_region = files.kpis_by_region
    if not by_region:
        return Part()
    headers = ("region", "city tier", *(display_label(k) for k in COLUMNS))
    rows = tuple(
        (name, TIER_NAMES.get(int(r.get("city_tier") or 0), "?"),
         *(fmt_kpi(k, _value(r, k)) for k in COLUMNS))
        for name, r in by_region.items())
    tiers = tuple((f"all {TIER_NAMES.get(t, '?')}", TIER_NAMES.get(t, "?"),
                   *(fmt_kpi(k, v.get(k)) for k in COLUMNS))
                  for t, v in tier_means(by_region).items())
    note = ("Each region's KPIs are the catalogue's, computed on its own events, vehicles, vans "
            "and bays; a tier row sums counts and weights the others by vehicles. Utilization "
            "and cost use the region's vans over all working days.")
    finding = region_finding(by_region, files.kpis)
    return Part((Section(ANCHOR, TITLE, TEMPLATE, RegionsPage(headers, rows, tiers, note)),),
                (finding,) if finding else ())

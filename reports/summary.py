"""Text parts of the report: scenario line, KPI tiles, full KPI table, config dump."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reports import targets
from reports.formatting import (
    fmt_auto,
    fmt_duration,
    fmt_hours,
    fmt_int,
    fmt_num,
    fmt_pct,
    fmt_si,
    is_missing,
)

Kpis = Mapping[str, float | None]


@dataclass(frozen=True)
class Tile:
    """A headline KPI: label, formatted value and a one-line meaning.

    Attributes:
        key: KPI name in kpis.json.
        label: Short title.
        value: Formatted value (``"n/a"`` when undefined).
        meaning: One plain-language sentence.
        level: ``"ok"`` or ``"watch"`` when the value is compared with a target, else ``""``.
    """

    key: str
    label: str
    value: str
    meaning: str
    level: str = ""


def _jobs_meaning(kpis: Kpis) -> str:
    finished, still_open = kpis.get("service_jobs_finished"), kpis.get("service_jobs_open_end")
    if is_missing(finished) or is_missing(still_open):
        return "Repair jobs opened during the run."
    return (
        f"Repair jobs opened during the run; {fmt_int(finished)} finished, "
        f"{fmt_int(still_open)} still open at the end."
    )


_BREAKDOWN_BAND = targets.BREAKDOWNS_PER_1000_VEHICLE_YEARS.band_text()

# (KPI key, label, formatter, meaning)
TileSpec = tuple[str, str, Callable[[float | None], str], Callable[[Kpis], str]]
TILE_SPECS: tuple[TileSpec, ...] = (
    (
        "breakdowns_per_1000_vehicle_years",
        "Breakdowns per 1,000 vehicle-years",
        fmt_num,
        lambda _: (
            f"Cars stranded on the road, per 1,000 cars driven a year (ADAC EVs {_BREAKDOWN_BAND})."
        ),
    ),
    (
        "failures_total",
        "Component failures",
        fmt_int,
        lambda _: "All component faults, including ones the car could still be driven with.",
    ),
    ("service_jobs", "Service jobs", fmt_int, _jobs_meaning),
    (
        "mean_wait_h",
        "Mean wait",
        fmt_hours,
        lambda _: "Average time from a job being opened to its first technician or bay.",
    ),
    (
        "p90_wait_h",
        "90th-percentile wait",
        fmt_hours,
        lambda _: "9 in 10 jobs had a technician or bay assigned within this time.",
    ),
    (
        "technician_utilization",
        "Technician utilization",
        lambda v: fmt_pct(v, 0),
        lambda _: "Share of mobile-van shift hours spent on jobs; above ~85 % waits climb.",
    ),
    (
        "battery_soh_mean_end",
        "Battery health, fleet average",
        fmt_pct,
        lambda _: "Traction-battery capacity left at the end, compared with new.",
    ),
    (
        "battery_soh_p05_end",
        "Battery health, weakest 5 %",
        fmt_pct,
        lambda _: "One vehicle in 20 has less battery capacity left than this.",
    ),
)


def _with_count(kpis: Kpis, key: str, text: str) -> str:
    """Append ``text`` formatted with the count ``kpis[key]`` when that count is known."""
    value = kpis.get(key)
    return "" if is_missing(value) else text.format(fmt_int(value))


def _cost_meaning(kpis: Kpis) -> str:
    total = kpis.get("service_cost_total")
    spent = "" if is_missing(total) else f" {fmt_si(total, 2)} CNY over the run."
    return "Remote fixes, visits, rescues and tows, per vehicle and year." + spent


def _fmt_cny(value: float | None) -> str:
    return "n/a" if is_missing(value) else f"{fmt_int(value)} CNY"


_FTF = targets.FIRST_TIME_FIX
_COMPLIANCE = targets.RESPONSE_COMPLIANCE

SERVICE_TILE_SPECS: tuple[TileSpec, ...] = (
    (
        "mobile_share",
        "Mobile share",
        lambda v: fmt_pct(v, 0),
        lambda _: (
            "Jobs needing a visit that a van served at the car (the rest: center, body shop)."
        ),
    ),
    (
        "remote_resolution_rate",
        "Fixed remotely",
        lambda v: fmt_pct(v, 0),
        lambda _: "All jobs fixed by remote diagnosis or an over-the-air fix, with no visit.",
    ),
    (
        "first_time_fix_rate",
        "First-time fix",
        lambda v: fmt_pct(v, 0),
        lambda k: (
            "Jobs fixed at the first visit (Aberdeen average "
            f"{_FTF.average * 100:.0f} %).{_with_count(k, 'revisits', ' {} return visits.')}"
        ),
    ),
    (
        "on_time_arrival_rate",
        "On-time arrival",
        lambda v: fmt_pct(v, 0),
        lambda _: (
            "Booked van visits arriving by the end of their appointment window "
            f"(Aberdeen average compliance {_COMPLIANCE.average * 100:.0f} %)."
        ),
    ),
    (
        "rescue_within_target_rate",
        "Rescue within target",
        lambda v: fmt_pct(v, 0),
        lambda k: (
            "Roadside jobs reached by a van or tow truck within their city tier's "
            f"response target.{_with_count(k, 'tows', ' {} cars towed.')}"
        ),
    ),
    (
        "service_cost_per_vehicle_year",
        "Service cost per vehicle-year",
        _fmt_cny,
        _cost_meaning,
    ),
    (
        "jobs_per_technician_day",
        "Visits per van-day",
        lambda v: fmt_num(v, 1),
        lambda _: "Mobile visits per van and working day (seeds: 3–5).",
    ),
    (
        "parts_stockouts",
        "Parts stock-outs",
        fmt_int,
        lambda _: "Jobs that had to wait for a part to be delivered to the region.",
    ),
)


def _tiles(kpis: Kpis, specs: tuple[TileSpec, ...]) -> list[Tile]:
    return [
        Tile(key, title, fmt(kpis[key]), meaning(kpis))
        for key, title, fmt, meaning in specs
        if key in kpis
    ]


def headline_tiles(kpis: Kpis) -> list[Tile]:
    """Build the headline tiles for the KPIs present in ``kpis``.

    Args:
        kpis: KPI name -> value.

    Returns:
        One tile per headline KPI present (null values show as ``"n/a"``).
    """
    return _tiles(kpis, TILE_SPECS)


def service_tiles(kpis: Kpis) -> list[Tile]:
    """Build the service-quality and cost tiles for the KPIs present in ``kpis``.

    Args:
        kpis: KPI name -> value.

    Returns:
        One tile per service-quality KPI present; empty for a run without them.
    """
    return _tiles(kpis, SERVICE_TILE_SPECS)


def scenario_line(kpis: Kpis, run: Mapping[str, Any]) -> str:
    """Describe the run in one line: size, horizon, seed, wall time and throughput.

    Args:
        kpis: KPI name -> value.
        run: Parsed run.json (may be empty).

    Returns:
        E.g. ``"1,000 vehicles · 30 days · seed 7 · wall time 1.2 s · 25.00 k vehicle-days/s"``.
    """
    parts = []
    if "vehicles" in kpis:
        parts.append(f"{fmt_int(kpis['vehicles'])} vehicles")
    if "horizon_days" in kpis:
        parts.append(f"{fmt_int(kpis['horizon_days'])} days")
    if "seed" in run:
        parts.append(f"seed {run['seed']}")
    if _number(run.get("wall_s")) is not None:
        parts.append(f"wall time {fmt_duration(_number(run['wall_s']))}")
    if _number(run.get("vehicle_days_per_s")) is not None:
        parts.append(f"{fmt_si(_number(run['vehicle_days_per_s']))} vehicle-days/s")
    return " · ".join(parts)


def provenance_line(run: Mapping[str, Any]) -> str:
    """Describe where the run came from: start time, commit and fleetsim version.

    Args:
        run: Parsed run.json (may be empty).

    Returns:
        E.g. ``"started 2025-01-01T00:00:00 · commit abc1234 · fleetsim 0.1.0"``.
    """
    parts = []
    if run.get("started_at"):
        parts.append(f"started {run['started_at']}")
    parts.append(f"commit {str(run['git_commit'])[:10]}" if run.get("git_commit") else "")
    versions = run.get("versions")
    if isinstance(versions, Mapping) and versions.get("fleetsim"):
        parts.append(f"fleetsim {versions['fleetsim']}")
    overrides = run.get("overrides")
    if isinstance(overrides, list) and overrides:
        parts.append("overrides: " + " ".join(str(o) for o in overrides))
    return " · ".join(p for p in parts if p)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if is_missing(float(value)) else float(value)


def kpi_rows(kpis: Kpis) -> list[tuple[str, str]]:
    """Return every KPI as ``(name, formatted value)``, sorted by name.

    Args:
        kpis: KPI name -> value.

    Returns:
        Rows for the full KPI table.
    """
    return [(name, fmt_auto(kpis[name])) for name in sorted(kpis)]


def config_text(run: Mapping[str, Any]) -> str:
    """Return the resolved config and versions from run.json as indented JSON.

    Args:
        run: Parsed run.json (may be empty).

    Returns:
        Pretty-printed JSON, or an empty string when run.json has neither.
    """
    dump = {k: run[k] for k in ("config", "versions", "overrides") if k in run}
    if not dump:
        return ""
    return json.dumps(dump, indent=2, default=str, ensure_ascii=False)

"""The report's headline tiles: the KPIs a manager reads first."""

from __future__ import annotations

from reports.fleet import targets
from reports.page.formatting import fmt_hours, fmt_int, fmt_num, fmt_pct, is_missing
from reports.page.tiles import Kpis, Tile, TileSpec, tiles


def _jobs_meaning(kpis: Kpis) -> str:
    finished, still_open = kpis.get("service_jobs_finished"), kpis.get("service_jobs_open_end")
    if is_missing(finished) or is_missing(still_open):
        return "Repair jobs opened during the run."
    return (
        f"Repair jobs opened during the run; {fmt_int(finished)} finished, "
        f"{fmt_int(still_open)} still open at the end."
    )


_BREAKDOWN_BAND = targets.BREAKDOWNS_PER_1000_VEHICLE_YEARS.band_text()

TILE_SPECS: tuple[TileSpec, ...] = (
    (
        "breakdowns_per_1000_vehicle_years",
        fmt_num,
        lambda _: (
            f"Cars stranded on the road, per 1,000 cars driven a year (ADAC EVs {_BREAKDOWN_BAND})."
        ),
    ),
    (
        "failures_total",
        fmt_int,
        lambda _: "All component faults, including ones the car could still be driven with.",
    ),
    ("service_jobs", fmt_int, _jobs_meaning),
    (
        "mean_wait_h",
        fmt_hours,
        lambda _: "Average time from a job being opened to its first technician or bay.",
    ),
    (
        "p90_wait_h",
        fmt_hours,
        lambda _: "9 in 10 jobs had a technician or bay assigned within this time.",
    ),
    (
        "technician_utilization",
        lambda v: fmt_pct(v, 0),
        lambda _: "Share of mobile-van shift hours spent on jobs; above ~85 % waits climb.",
    ),
    (
        "service_cost_total",
        lambda v: f"{fmt_int(v)} CNY",
        lambda _: "What the service cost over the run: remote fixes, visits, rescues, tows.",
    ),
    (
        "service_margin",
        lambda v: fmt_pct(v, 0),
        lambda _: "Revenue of the visits less the cost of vans and centers, share of revenue.",
    ),
    (
        "battery_soh_mean_end",
        fmt_pct,
        lambda _: "Traction-battery capacity left at the end, compared with new.",
    ),
    (
        "battery_soh_p05_end",
        fmt_pct,
        lambda _: "One vehicle in 20 has less battery capacity left than this.",
    ),
)


def headline_tiles(kpis: Kpis) -> list[Tile]:
    """Build the headline tiles for the KPIs present in ``kpis``.

    Args:
        kpis: KPI name -> value.

    Returns:
        One tile per headline KPI present (null values show as ``"n/a"``).
    """
    return tiles(kpis, TILE_SPECS)

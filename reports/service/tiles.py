"""The service section's tiles: quality and cost, against field-service figures."""

from __future__ import annotations

from reports.page.formatting import fmt_int, fmt_num, fmt_pct, fmt_si, is_missing
from reports.page.tiles import Kpis, Tile, TileSpec, tiles, with_count
from reports.service import targets


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
        lambda v: fmt_pct(v, 0),
        lambda _: (
            "Jobs needing a visit that a van served at the car (the rest: center, body shop)."
        ),
    ),
    (
        "remote_resolution_rate",
        lambda v: fmt_pct(v, 0),
        lambda _: "All jobs fixed by remote diagnosis or an over-the-air fix, with no visit.",
    ),
    (
        "first_time_fix_rate",
        lambda v: fmt_pct(v, 0),
        lambda k: (
            "Jobs fixed at the first visit (Aberdeen average "
            f"{_FTF.average * 100:.0f} %).{with_count(k, 'revisits', ' {} return visits.')}"
        ),
    ),
    (
        "on_time_arrival_rate",
        lambda v: fmt_pct(v, 0),
        lambda _: (
            "Booked van visits arriving by the end of their appointment window "
            f"(Aberdeen average compliance {_COMPLIANCE.average * 100:.0f} %)."
        ),
    ),
    (
        "rescue_within_target_rate",
        lambda v: fmt_pct(v, 0),
        lambda k: (
            "Roadside jobs reached by a van or tow truck within their city tier's "
            f"response target.{with_count(k, 'tows', ' {} cars towed.')}"
        ),
    ),
    (
        "service_cost_per_vehicle_year",
        _fmt_cny,
        _cost_meaning,
    ),
    (
        "jobs_per_technician_day",
        lambda v: fmt_num(v, 1),
        lambda _: "Mobile visits per van and working day (seeds: 3–5).",
    ),
    (
        "parts_stockouts",
        fmt_int,
        lambda _: "Jobs that had to wait for a part to be delivered to the region.",
    ),
)


def service_tiles(kpis: Kpis) -> list[Tile]:
    """Build the service-quality and cost tiles for the KPIs present in ``kpis``.

    Args:
        kpis: KPI name -> value.

    Returns:
        One tile per service-quality KPI present; empty for a run without them.
    """
    return tiles(kpis, SERVICE_TILE_SPECS)

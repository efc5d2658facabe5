"""The "seeds vs this run" table: each figure, the seed value with its source, this run's value.

A row's mark says where the run's value lies: in the seed's band, below or above
it, under or over a one-sided target, or "context" for a figure that is not
comparable with a KPI of the simulation (it is shown to read the value by).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reports.page.findings import Kpis, band_verdict, kpi_value
from reports.page.formatting import fmt_num, fmt_pct
from reports.page.targets import Reference
from reports.page.tiles import kpi_label
from reports.serviceday import targets
from reports.serviceday.targets import GENERATIONS, generation_band


@dataclass(frozen=True)
class SeedRow:
    """One row of the table.

    Attributes:
        key: The KPI in kpis.json.
        label: The KPI catalogue's label.
        seed: The seed figure(s), as text.
        source: Where the figure comes from.
        value: This run's value, formatted (``"n/a"`` when kpis.json lacks it).
        mark: ``"in band 3.0–5.0"``, ``"below 40–60 %"``, ``"over 4.8 d"``, ``"context"``, ``"—"``.
        level: ``ok`` (in band / target met), ``watch`` (outside), ``""`` (not judged).
        band: The numeric band ``(low, high)`` the mark judges by (``None``: not judged);
            ``fleetsim-validate`` checks the run's KPI against it.
    """

    key: str
    label: str
    seed: str
    source: str
    value: str
    mark: str
    level: str
    band: tuple[float, float] | None = None


def _pct(value: float | None) -> str:
    return fmt_pct(value, 1)


def _num(digits: int) -> Callable[[float | None], str]:
    return lambda value: fmt_num(value, digits)


def _band_mark(value: float | None, ref: Reference | None, band: str) -> tuple[str, str]:
    if value is None or ref is None:
        return "—", ""
    verdict, level = band_verdict(value, value, ref)
    word = "in band" if level == "ok" else verdict
    return f"{word} {band}", level


def _row(kpis: Kpis, key: str, seed: str, source: str, fmt: Callable[[float | None], str],
         ref: Reference | None, band: str) -> SeedRow:
    value = kpi_value(kpis, key)
    mark, level = _band_mark(value, ref, band)
    return SeedRow(key, kpi_label(key), seed, source, fmt(value), mark, level,
                   None if ref is None else (ref.low, ref.high))


def _by_generation(kpis: Kpis, key: str, figures: Mapping[str, float], dispatch: str | None,
                   fmt: Callable[[float | None], str], scale: float, unit: str) -> SeedRow:
    """A figure of each dispatch generation, compared with the run's generation."""
    seed = " / ".join(f"{fmt(v)} {GENERATIONS[g]}" for g, v in figures.items())
    ref = generation_band(figures, dispatch) if dispatch is not None else None
    value = kpi_value(kpis, key)
    if ref is None or dispatch is None:
        why = f"dispatch {dispatch} is no generation" if dispatch else "dispatch unknown"
        return SeedRow(key, kpi_label(key), seed, targets.GENERATION_SOURCE, fmt(value),
                       f"— ({why})", "")
    seed += f"; this run's dispatch: {GENERATIONS[dispatch]}, {fmt(figures[dispatch])}"
    band = ref.band_text(1 if scale == 1 else 0, scale, unit)
    mark, level = _band_mark(value, ref, f"{band} ({GENERATIONS[dispatch]})")
    return SeedRow(key, kpi_label(key), seed, targets.GENERATION_SOURCE, fmt(value), mark, level,
                   (ref.low, ref.high))


def _lead_row(kpis: Kpis) -> SeedRow:
    key, target = "center_booking_lead_days", targets.CENTER_BOOKING_LEAD_DAYS
    value = kpi_value(kpis, key)
    bound = f"{target.bound:g} d"
    if value is None:
        mark, level = "—", ""
    elif target.met(value):
        mark, level = f"under {bound}", "ok"
    else:
        mark, level = f"over {bound}", "watch"
    return SeedRow(key, kpi_label(key), f"{bound} without remote diagnosis", target.source,
                   "n/a" if value is None else f"{fmt_num(value, 1)} d", mark, level,
                   (0.0, target.bound) if not target.above else (target.bound, float("inf")))


def _contacts_row(kpis: Kpis, brand: str | None) -> SeedRow:
    """Contacts per vehicle-year against the run's own brand's figure (seed 002:63)."""
    key, seed = "service_contacts_per_vehicle_year", "2.1 industry, 8.3 NIO"
    ref = targets.CONTACTS_BY_BRAND.get(brand) if brand is not None else None
    if ref is None or brand is None:
        why = f"brand {brand} has no seed figure" if brand else "brand unknown"
        return SeedRow(key, kpi_label(key), seed, "seed 002:63", _num(2)(kpi_value(kpis, key)),
                       f"— ({why})", "")
    label = targets.BRAND_LABELS[brand]
    seed += f"; this run's brand: {label}, {targets.BRAND_FIGURES[brand]:g}"
    return _row(kpis, key, seed, ref.source, _num(2), ref, f"{ref.band_text(1)} ({label})")


def seed_rows(kpis: Kpis, dispatch: str | None, brand: str | None = None) -> list[SeedRow]:
    """The table's rows, in a fixed order (values ``"n/a"`` where kpis.json lacks them).

    Args:
        kpis: KPI name -> value.
        dispatch: The run's ``service.dispatch`` (the generation of the productive-hours
            and on-time rows), ``None`` when unknown.
        brand: The run's ``demand.brand`` (whose contact rate the contacts row compares
            with), ``None`` when unknown.
    """
    share = targets.MOBILE_SHARE_OF_VISITS
    jobs = targets.JOBS_PER_VAN_DAY
    triage = kpi_value(kpis, "triage_accuracy")
    return [
        _contacts_row(kpis, brand),
        _row(kpis, "mobile_share_of_visits",
             f"40 % in 2023, target {targets.MOBILE_SHARE_TARGET * 100:.0f} %, Norway 60 %",
             share.source, _pct, share, share.band_text(0, 100, " %")),
        _row(kpis, "jobs_per_van_day", "3–5", jobs.source, _num(2), jobs, jobs.band_text(1)),
        _by_generation(kpis, "technician_productive_hours_per_day",
                       targets.PRODUCTIVE_HOURS_BY_GENERATION, dispatch, _num(1), 1, " h"),
        _by_generation(kpis, "on_time_arrival_rate", targets.ON_TIME_BY_GENERATION, dispatch,
                       lambda v: fmt_pct(v, 0), 100, " %"),
        _lead_row(kpis),
        SeedRow("triage_accuracy", kpi_label("triage_accuracy"),
                f"an AI assistant adds +{targets.TRIAGE_AI_GAIN_POINTS:.0f} points of "
                "first-diagnosis accuracy", targets.TRIAGE_SOURCE, _pct(triage),
                "context" if triage is not None else "—", ""),
    ]

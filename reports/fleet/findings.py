"""Fleet findings: failures and breakdowns against ADAC, battery health, availability.

Each rule returns a :class:`Finding` or ``None`` when its inputs are missing, so
a KPI file from an older or newer simulator version yields fewer findings, never
an error.
"""

from __future__ import annotations

import pandas as pd

from reports.fleet import targets
from reports.page.components import components_from_names, label
from reports.page.findings import Finding, Kpis, Level, band_verdict, kpi_value, lower_first
from reports.page.formatting import fmt_int, fmt_num, fmt_pct, fmt_share
from reports.page.intervals import binomial_ci, poisson_ci
from reports.page.targets import Reference

FAILURES_PREFIX = "failures_by_component_"
BREAKDOWNS_PREFIX = "breakdowns_by_component_"
_DAYS_PER_YEAR = 365.0
_FEW_EVENTS = 20


def _by_component(kpis: Kpis, prefix: str) -> dict[str, float]:
    comps = components_from_names(kpis, prefix)
    return {c: kpi_value(kpis, prefix + c) or 0.0 for c in comps}


def _rate_finding(count: float, rate: float, scale: float, ref: Reference, what: str) -> Finding:
    """Phrase an annual rate with its Poisson interval against a reference band.

    ``scale`` converts one event into the rate's unit (per 1 000 vehicle-years).
    """
    low, high = (bound * scale for bound in poisson_ci(count))
    verdict, level = band_verdict(low, high, ref)
    few = " Few events: the interval is wide." if count < _FEW_EVENTS else ""
    return Finding(
        f"{what}: {fmt_num(rate)} per 1,000 vehicle-years (95 % CI {fmt_num(low, 1)}–"
        f"{fmt_num(high, 1)}, from {fmt_int(count)}), {verdict} the reference "
        f"{ref.band_text()} ({ref.source}).{few}",
        level,
    )


def _per_event_scale(kpis: Kpis) -> float | None:
    """Rate units (per 1 000 vehicle-years) contributed by one event, if exposure is known."""
    vehicle_days = kpi_value(kpis, "vehicle_days")
    return _DAYS_PER_YEAR * 1000 / vehicle_days if vehicle_days else None


def breakdown_rate(kpis: Kpis) -> Finding | None:
    """Breakdowns per 1 000 vehicle-years against the ADAC EV band."""
    rate, count = (
        kpi_value(kpis, "breakdowns_per_1000_vehicle_years"),
        kpi_value(kpis, "breakdowns"),
    )
    if rate is None or count is None:
        return None
    # Prefer the KPI's own exposure so the interval matches the reported rate exactly.
    scale = rate / count if count > 0 else _per_event_scale(kpis)
    if scale is None:
        return None
    return _rate_finding(
        count, rate, scale, targets.BREAKDOWNS_PER_1000_VEHICLE_YEARS, "Breakdowns"
    )


def largest_failure_cause(kpis: Kpis) -> Finding | None:
    """The component with the most failures and its share."""
    counts = _by_component(kpis, FAILURES_PREFIX)
    total = sum(counts.values())
    if not counts:
        return None
    if total == 0:
        return Finding("No component failures were recorded in this run.", "info")
    top = max(sorted(counts), key=counts.__getitem__)
    return Finding(
        f"{label(top)} is the largest failure cause ({fmt_pct(counts[top] / total, 0)} of "
        f"{fmt_int(total)} failures).",
        "info",
    )


def _share_comparison(part: float, total: float, ref: Reference) -> tuple[str, Level]:
    low, high = binomial_ci(part, total)
    verdict, level = band_verdict(low, high, ref)
    return (
        f" (95 % CI {fmt_pct(low, 0)}–{fmt_pct(high, 0)}), {verdict} the reference "
        f"{ref.band_text(0, 100, ' %')} ({ref.source})",
        level,
    )


def breakdown_causes(kpis: Kpis) -> list[Finding]:
    """The largest breakdown cause, plus every other component share with a reference."""
    counts = _by_component(kpis, BREAKDOWNS_PREFIX)
    total = sum(counts.values())
    if total == 0:
        return []
    top = max(sorted(counts), key=counts.__getitem__)
    few = " Few breakdowns: shares are uncertain." if total < _FEW_EVENTS else ""
    out = []
    for comp in [top] + [c for c in targets.BREAKDOWN_SHARE if c in counts and c != top]:
        share = fmt_pct(counts[comp] / total, 0)
        level: Level = "info"
        compared = ""
        if comp in targets.BREAKDOWN_SHARE:
            compared, level = _share_comparison(counts[comp], total, targets.BREAKDOWN_SHARE[comp])
        lead = "causes the most breakdowns" if comp == top else "causes"
        text = f"{label(comp)} {lead}: {share} of {fmt_int(total)}{compared}.{few}"
        out.append(Finding(text, level))
    return out


def component_breakdown_rates(kpis: Kpis) -> list[Finding]:
    """Per-component breakdown rates for components with a published rate."""
    scale = _per_event_scale(kpis)
    if scale is None:
        return []
    out = []
    for comp, ref in targets.BREAKDOWNS_PER_1000_VEHICLE_YEARS_BY_COMPONENT.items():
        count = kpi_value(kpis, BREAKDOWNS_PREFIX + comp)
        if count is not None:
            what = f"Breakdowns caused by {lower_first(label(comp))}"
            out.append(_rate_finding(count, count * scale, scale, ref, what))
    return out


def battery(kpis: Kpis, daily: pd.DataFrame | None) -> Finding | None:
    """Battery state of health at the end and the annualised fade rate."""
    mean_end, p05_end = (
        kpi_value(kpis, "battery_soh_mean_end"),
        kpi_value(kpis, "battery_soh_p05_end"),
    )
    if mean_end is None:
        return None
    text = (
        f"Traction battery state of health at the end: mean {fmt_pct(mean_end)}, "
        f"5 % of vehicles below {fmt_pct(p05_end)}."
    )
    loss = kpi_value(kpis, "battery_loss_pct_per_year_of_age")
    if loss is not None:
        # Geotab's fleet-average figure is capacity lost since new per year of age.
        ref = targets.BATTERY_LOSS_PCT_PER_YEAR_OF_AGE
        verdict, level = band_verdict(loss, loss, ref)
        return Finding(
            text + f" Packs have lost {fmt_num(loss, 2)} % of capacity per year of age, "
            f"{verdict} the reference {ref.band_text(unit=' %/yr')} ({ref.source}).",
            level,
        )
    if daily is None or "battery_soh_mean" not in daily.columns or len(daily) < 2:
        return Finding(text, "info")
    soh = daily["battery_soh_mean"].to_numpy(dtype=float)
    span_days = len(soh) - 1
    fade = (soh[0] - soh[-1]) * 100 * _DAYS_PER_YEAR / span_days
    ref = targets.BATTERY_FADE_PCT_PER_YEAR
    verdict, level = band_verdict(fade, fade, ref)
    return Finding(
        text + f" Capacity fades at {fmt_num(fade, 1)} %/yr (annualised from {span_days} days; "
        f"young packs fade faster), {verdict} the reference {ref.band_text(unit=' %/yr')} "
        f"({ref.source}).",
        level,
    )


def availability(kpis: Kpis) -> Finding | None:
    """Vehicles off the road at the end of the run."""
    down, vehicles = kpi_value(kpis, "vehicles_down_end"), kpi_value(kpis, "vehicles")
    if down is None or not vehicles:
        return None
    return Finding(
        f"{fmt_int(down)} vehicles ({fmt_share(down / vehicles)}) were off the road at the end.",
        "info",
    )


def mileage(kpis: Kpis) -> Finding | None:
    """Average annual mileage against the national average."""
    km = kpi_value(kpis, "km_per_vehicle_year")
    if km is None:
        return None
    ref = targets.KM_PER_VEHICLE_YEAR
    return Finding(
        f"Vehicles drive {fmt_int(km)} km per year on average ({ref.source}: about "
        f"{fmt_int(ref.low)} km).",
        "info",
    )


def consistency(kpis: Kpis) -> list[Finding]:
    """Data checks: the totals of kpis.json against their per-component counts."""
    out = []
    for total_key, prefix in (
        ("failures_total", FAILURES_PREFIX),
        ("breakdowns", BREAKDOWNS_PREFIX),
    ):
        total, parts = kpi_value(kpis, total_key), _by_component(kpis, prefix)
        if total is not None and parts and abs(sum(parts.values()) - total) > 0.5:
            out.append(
                Finding(
                    f"Data check: {total_key} is {fmt_int(total)} but the per-component "
                    f"counts add up to {fmt_int(sum(parts.values()))}.",
                    "check",
                )
            )
    return out


def fleet_findings(kpis: Kpis, daily: pd.DataFrame | None = None) -> list[Finding]:
    """Failures and breakdowns against ADAC, then battery health, availability and mileage.

    Args:
        kpis: KPI name -> value (``None`` for undefined).
        daily: The daily table, used for the battery fade when kpis.json lacks it; optional.

    Returns:
        The findings that could be computed from the available inputs.
    """
    found: list[Finding | None] = [breakdown_rate(kpis), largest_failure_cause(kpis)]
    found += breakdown_causes(kpis)
    found += component_breakdown_rates(kpis)
    found += [battery(kpis, daily), availability(kpis), mileage(kpis)]
    return [f for f in found if f is not None]

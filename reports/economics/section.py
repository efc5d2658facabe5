"""The economics' part of the run report: cost per visit by channel, service margin, van
payback, against the seeds.

The section is present only when kpis.json has a finite ``cost_per_job_mobile`` (runs
before the service economics and Poisson queues have none: the part is empty).
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.economics import targets
from reports.economics.figures import economics_figure
from reports.economics.view import Economics, economics_view
from reports.page.findings import Finding, Kpis
from reports.page.formatting import fmt_int, fmt_pct
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import KpiSpec, Tile, kpi_tiles

TEMPLATE = "economics/section.html.j2"
GLOSSARY = "economics/glossary.html.j2"
ANCHOR, TITLE = "economics", "Service economics"
_PER_VY = "CNY/vehicle-year"
# Units of the KPIs the catalogue does not define yet (its own unit wins once it does).
UNITS = {"repair_gross_profit_per_vehicle_year": _PER_VY,
         "owner_avoided_cost_per_vehicle_year": _PER_VY}
_BELOW = fmt_pct(targets.MOBILE_BELOW_CENTER, 0)

TILE_SPECS: tuple[KpiSpec, ...] = (
    ("cost_per_job_mobile",
     lambda _: "The van line's cost (technicians every shift hour, vans, energy, consumables) "
               "per visit."),
    ("cost_per_job_center",
     lambda _: "Center bays every open hour (technicians, the center's staff and site), plus "
               "consumables, per visit."),
    ("service_margin",
     lambda _: "Revenue (visits, home fees, repairs sold) less cost of the vans, centers "
               "and parts sold, as a share of revenue."),
    ("van_payback_months",
     lambda _: "Months for a van's contribution to pay back its fit-out and tools (seed 003: "
               "within 60)."),
    ("repair_gross_profit_per_vehicle_year",
     lambda _: "Gross profit of repairs, per vehicle and year."),
    ("owner_avoided_cost_per_vehicle_year",
     lambda _: "Costs owners avoided (breakdowns, time without the car), per vehicle and year."),
)


@dataclass(frozen=True)
class SeedRow:
    """One comparison with a seed figure (``level``: ``ok``, ``watch`` or ``""``)."""

    key: str
    label: str
    value: str
    seed: str
    source: str
    mark: str
    level: str


@dataclass(frozen=True)
class EconomicsPage:
    """What ``economics/section.html.j2`` shows."""

    tiles: tuple[Tile, ...]
    image: str
    caption: str
    seeds: tuple[SeedRow, ...]


def _signed_pct(change: float) -> str:
    return f"{'−' if change < 0 else '+'}{abs(change) * 100:.0f} %"


def seed_rows(view: Economics) -> list[SeedRow]:
    """Mobile against center cost (seed 001) and the van payback (seed 003), as far as known."""
    rows = []
    change = view.mobile_vs_center
    if change is not None:
        ok = change <= -targets.MOBILE_BELOW_CENTER
        rows.append(SeedRow(
            "mobile_vs_center", "Mobile visit cost vs center", _signed_pct(change),
            f"−{_BELOW}", targets.MOBILE_BELOW_CENTER_SOURCE,
            "at or below the seed" if ok else "dearer than the seed", "ok" if ok else "watch"))
    if view.payback_reported:
        target = targets.VAN_PAYBACK_MONTHS
        months = view.payback_months
        if months is None:
            value, mark, level = "no payback", "never pays back", "watch"
        else:
            met = target.met(months)
            value = f"{fmt_int(months)} months"
            mark, level = ("within" if met else "beyond") + " 5 years", "ok" if met else "watch"
        rows.append(SeedRow("van_payback_months", "Van payback", value,
                            f"{fmt_int(target.bound)} months", target.source, mark, level))
    return rows


def economics_caption(view: Economics) -> str:
    """What the bars and lines are, with the numbers."""
    parts = [f"Left: the line's cost per visit from kpis.json, {fmt_int(view.cost_mobile)} CNY "
             "per mobile visit"]
    if view.cost_center is not None and view.reference_mobile is not None:
        parts[0] += (f" and {fmt_int(view.cost_center)} CNY per center visit; the dashed line "
                     f"on the mobile bar is seed 001's mobile cost, {_BELOW} below the center's "
                     f"(0.85 × {fmt_int(view.cost_center)} = {fmt_int(view.reference_mobile)} "
                     "CNY).")
    else:
        parts[0] += "; kpis.json has no center cost (no center visit), so no seed reference."
    if view.payback_reported:
        months = view.payback_months
        payback = (f"{fmt_int(months)} months" if months is not None
                   else "none: the line's revenue does not cover its running costs")
        parts.append(f"Right: months for a van to pay back its fit-out and tools ({payback}) "
                     "against seed 003's 5 years.")
    if view.margin is not None:
        parts.append(f"Service margin {fmt_pct(view.margin)} of revenue.")
    parts.append("Costs are outcomes of how busy technicians, vans and bays are "
                 "(service.economics prices): idle shift hours raise the cost per visit.")
    return " ".join(parts)


def economics_finding(rows: list[SeedRow]) -> Finding | None:
    """One sentence: the run against seed 001's cost gap and seed 003's payback."""
    if not rows:
        return None
    said = "; ".join(f"{r.label.lower()} {r.value} ({r.source}: {r.seed}, {r.mark})"
                     for r in rows)
    level = "watch" if any(r.level == "watch" for r in rows) else "ok"
    return Finding(f"Service economics: {said}.", level)


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The economics section and a finding, or an empty part without the economics KPIs.

    Args:
        files: The run.
        baseline: Not used: the section does not compare runs.
    """
    view, _ = economics_view(files.kpis)
    if view is None:
        return Part()
    rows = seed_rows(view)
    content = EconomicsPage(tuple(economics_tiles(files.kpis)), economics_figure(view),
                            economics_caption(view), tuple(rows))
    finding = economics_finding(rows)
    return Part((Section(ANCHOR, TITLE, TEMPLATE, content),),
                (finding,) if finding else (), (), GLOSSARY)


def economics_tiles(kpis: Kpis) -> list[Tile]:
    """A tile per economics KPI present with a finite value (catalogue labels and formats)."""
    return kpi_tiles(kpis, TILE_SPECS, UNITS)

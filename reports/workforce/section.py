"""The workforce's part of the run report: the people over the run (headcount, skill mix,
tenure, hires and departures), the expert desk's load, the workforce KPIs and why jobs
needed a return visit against Aberdeen's split.

The section is present only when the daily table has ``technicians_active`` (runs
before hiring and attrition, and Poisson queues, have no workforce: the part is
empty). Inside it, each chart or tile is drawn only from the columns, events and
KPIs the run has.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.page.findings import Kpis, kpi_value, lower_first
from reports.page.formatting import fmt_int, fmt_num, fmt_pct
from reports.page.loader import RunFiles
from reports.page.section import Block, Part, Section
from reports.page.tiles import KpiSpec, Tile, display_label, fmt_kpi, kpi_tiles
from reports.workforce import targets
from reports.workforce.figures import desk_figure, workforce_figure
from reports.workforce.view import (
    BIN_DAYS,
    DeskLoad,
    Workforce,
    desk_load,
    workforce_view,
)

TEMPLATE = "workforce/section.html.j2"
GLOSSARY = "workforce/glossary.html.j2"
ANCHOR, TITLE = "workforce", "Workforce"

# Units of the KPIs the catalogue does not define yet (its own unit wins once it does).
UNITS = {
    "technician_attrition_3m_new": "fraction",
    "technicians_hired": "count",
    "technicians_left": "count",
    "academy_graduates": "count",
    "academy_pass_rate": "fraction",
    "expert_response_min_p90": "min",
    "first_time_fix_mobile": "fraction",
    "first_time_fix_center": "fraction",
    "low_rating_reviewed_48h_share": "fraction",
    **dict.fromkeys(targets.REVISIT_REASONS, "fraction"),
}

TILE_SPECS: tuple[KpiSpec, ...] = (
    ("technician_attrition_3m_new",
     lambda _: "New technicians who left within their first 3 months."),
    ("technicians_hired", lambda _: "Technicians hired during the run."),
    ("technicians_left", lambda _: "Technicians who left during the run."),
    ("academy_graduates", lambda _: "Trainees who finished the academy and went on the road."),
    ("academy_pass_rate", lambda _: "Share of trainees who passed the academy."),
    ("help_requests_per_job",
     lambda _: "Calls to the remote expert desk per mobile job started."),
    ("expert_response_min_p90",
     lambda _: "9 in 10 calls to an on-duty expert were answered within this time."),
    ("expert_utilization", lambda _: "Share of the experts' on-duty time spent on calls."),
    ("first_time_fix_mobile", lambda _: "Van jobs fixed at the first visit."),
    ("first_time_fix_center", lambda _: "Center jobs fixed at the first visit."),
    ("csat_mobile", lambda _: "Owners' satisfaction rating of van visits."),
    ("csat_center", lambda _: "Owners' satisfaction rating of center visits."),
    ("nps", lambda _: "Net promoter score: promoters minus detractors."),
    ("low_rating_reviewed_48h_share",
     lambda _: "Low ratings reviewed with the technician within 48 hours."),
)


@dataclass(frozen=True)
class RevisitRow:
    """One reason for a return visit: this run's share against Aberdeen's."""

    key: str
    label: str
    value: str
    reference: str
    source: str


@dataclass(frozen=True)
class WorkforcePage:
    """What ``workforce/section.html.j2`` shows."""

    tiles: tuple[Tile, ...]
    blocks: tuple[Block, ...]
    revisits: tuple[RevisitRow, ...]
    revisits_note: str


def workforce_tiles(kpis: Kpis) -> list[Tile]:
    """A tile per workforce KPI present with a finite value (catalogue labels and formats)."""
    return kpi_tiles(kpis, TILE_SPECS, UNITS)


def revisit_rows(kpis: Kpis) -> list[RevisitRow]:
    """This run's split of return visits by reason against Aberdeen's; empty when kpis.json
    has none of the shares."""
    present = [k for k in targets.REVISIT_REASONS if kpi_value(kpis, k) is not None]
    if not present:
        return []
    return [RevisitRow(key, targets.REVISIT_NAMES[key], fmt_kpi(key, kpis.get(key), UNITS[key]),
                       fmt_pct(ref.low, 0), ref.source)
            for key, ref in targets.REVISIT_REASONS.items()]


_OTHER = 1.0 - sum(ref.low for ref in targets.REVISIT_REASONS.values())
REVISITS_NOTE = (
    "Share of this run's return visits by their reason (kpis.json "
    f"{', '.join(targets.REVISIT_REASONS)}) against the split Aberdeen reports, which leaves "
    f"{fmt_pct(_OTHER, 0)} to other reasons. A reference to read the run by, not a target."
)


def people_caption(view: Workforce) -> str:
    """What each panel is, and the totals of the hires and departures."""
    parts = ["From the daily table, one value per simulated day."]
    names = {"technicians_in_academy": "trainees in the academy",
             "vans_unstaffed": "vans with no technician (a vacancy)"}
    extra = [names[c] for c in view.headcount.columns if c in names]
    parts.append("Headcount: technicians working" + (f", {', '.join(extra)}" if extra else "")
                 + ".")
    if view.skills is not None:
        parts.append("Skill mix: technicians by skill level, stacked (junior at the bottom).")
    if view.tenure_days is not None:
        last = view.tenure_days.dropna()
        end = f" ({fmt_num(float(last.iloc[-1]), 0)} days at the end)" if len(last) else ""
        parts.append(f"Tenure: mean days since hiring of the technicians employed{end}.")
    flows = view.flows
    if flows is not None:
        totals = []
        for col, word in (("technicians_hired", "hired"), ("technicians_left", "left")):
            if col in flows.columns:
                totals.append(f"{fmt_int(float(flows[col].sum()))} {word}")
        partial = view.last_bin_days
        tail = (f" The last bin covers only {partial} day{'s' if partial != 1 else ''}."
                if partial < BIN_DAYS else "")
        parts.append(f"Hires and departures: daily counts summed per {BIN_DAYS} days from the "
                     f"first day, {' and '.join(totals)} over the run.{tail}")
    return " ".join(parts)


def desk_caption(desk: DeskLoad, kpis: Kpis) -> str:
    """Calls answered and abandoned, with the desk's KPIs where kpis.json has them."""
    days = len(desk.per_day)
    calls = desk.answered + desk.abandoned
    parts = [f"From the event log: calls to the remote expert desk per simulated day, "
             f"{fmt_int(desk.answered)} answered (help_answered) and {fmt_int(desk.abandoned)} "
             "abandoned (help_abandoned: made off shift, or not answered within the "
             f"technician's patience) over {days} day{'s' if days != 1 else ''}, "
             f"{fmt_num(desk.answered / days, 1)} answered a day."]
    if calls and desk.abandoned:
        parts.append(f"{fmt_pct(desk.abandoned / calls)} of the calls were abandoned.")
    known = [f"{lower_first(display_label(k))} {fmt_kpi(k, kpis.get(k), UNITS.get(k, ''))}"
             for k in ("expert_response_min_p90", "expert_utilization")
             if kpi_value(kpis, k) is not None]
    if known:
        parts.append(f"kpis.json: {'; '.join(known)}.")
    return " ".join(parts)


def people_block(view: Workforce) -> Block:
    """The people over the run."""
    return Block("workforce-people", "Technicians over the run", workforce_figure(view),
                 people_caption(view))


def desk_block(files: RunFiles, view: Workforce) -> Block:
    """The expert desk's calls per day, or why they are missing."""
    desk, why = desk_load(files.expert_events, view.day)
    title = "Expert desk load"
    if desk is None:
        return Block("workforce-desk", title, None, f"Not available: {why}.")
    return Block("workforce-desk", title, desk_figure(desk), desk_caption(desk, files.kpis))


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The workforce section, or an empty part for a run without a workforce.

    Args:
        files: The run.
        baseline: Not used: the section does not compare runs.
    """
    view, _ = workforce_view(files.daily)
    if view is None:
        return Part()
    rows = revisit_rows(files.kpis)
    content = WorkforcePage(
        tuple(workforce_tiles(files.kpis)),
        (people_block(view), desk_block(files, view)),
        tuple(rows),
        REVISITS_NOTE if rows else "",
    )
    return Part((Section(ANCHOR, TITLE, TEMPLATE, content),), (), (), GLOSSARY)

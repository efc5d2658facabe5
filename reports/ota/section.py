"""The report's OTA section: tiles, adoption curves, problem and decision tables, service load."""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import pandas as pd

from reports.ota.compare import OtaComparison, compare_ota, ota_comparison_finding
from reports.ota.counts import exposed_installs, jobs_by_period, ota_jobs, problem_rows
from reports.ota.figures import SHOWN_SHARE, adoption_figure, ota_jobs_figure, shown_until
from reports.ota.findings import (
    adoption_finding,
    gate_finding,
    ota_data_checks,
    ota_tiles,
    problems_finding,
    server_view_finding,
    service_load_finding,
)
from reports.ota.stalls import stall_finding, watch_days
from reports.ota.view import (
    ACTION_LABELS,
    Mark,
    Release,
    State,
    adoption_curve,
    curve_marks,
    days_to_95,
    decisions,
    ota_config,
    ota_state,
    releases,
    rollout_text,
    targets_of,
)
from reports.page.figures import period_days
from reports.page.findings import Finding, kpi_value
from reports.page.formatting import fmt_int, fmt_pct
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import Tile

NO_LOG = "Not available: events.parquet is missing or lacks the OTA columns."
PROBLEM_HEADER = ("events", "vehicles", "of targets")
DECISION_HEADER = ("day", "release", "action", "cohort / hw config", "the server's reason")

GLOSSARY = "ota/glossary.html.j2"


@dataclass(frozen=True)
class Row:
    """One formatted table line.

    Attributes:
        name: First cell.
        cells: The other cells.
        first_of_group: True for the first row of a new block (drawn with a rule).
    """

    name: str
    cells: tuple[str, ...]
    first_of_group: bool = False


@dataclass(frozen=True)
class ReleaseBlock:
    """What the section shows for one release.

    Attributes:
        name: Release name.
        title: Heading, e.g. ``"fix_2026_12 (2026.12.1), released on day 30"``.
        rollout: The rollout in one line.
        image: Adoption curve (base64 PNG) or ``None``.
        caption: Its caption, or why it is missing.
        marks: The decisions drawn on the curve.
        days_to_95: Days from the release day to 95 % installed (NaN if never).
        problems: Install failures by mode, rollbacks and consequences.
    """

    name: str
    title: str
    rollout: str
    image: str | None
    caption: str
    marks: tuple[Mark, ...] = ()
    days_to_95: float = math.nan
    problems: tuple[Row, ...] = ()


@dataclass(frozen=True)
class OtaSection:
    """Everything the template shows on OTA campaigns.

    Attributes:
        state: ``on``, ``off`` or ``missing`` (a run made before OTA campaigns).
        message: One line shown instead of (or above) the content; ``""`` when none.
        tiles: KPI tiles.
        releases: One block per release.
        decisions: The server's decisions in order.
        decisions_note: Shown instead of the decision table when it is empty or missing.
        jobs_image: OTA service jobs per period (base64 PNG) or ``None``.
        jobs_caption: Its caption, or why it is missing.
        findings: OTA findings, shown with the report's other findings.
        comparison: The OTA KPIs against ``--baseline``, when both runs have them.
        problem_header: Column titles of the problem tables.
        decision_header: Column titles of the decision table.
    """

    state: State
    message: str
    tiles: tuple[Tile, ...] = ()
    releases: tuple[ReleaseBlock, ...] = ()
    decisions: tuple[Row, ...] = ()
    decisions_note: str = ""
    jobs_image: str | None = None
    jobs_caption: str = ""
    findings: tuple[Finding, ...] = ()
    comparison: OtaComparison | None = None
    problem_header: tuple[str, ...] = PROBLEM_HEADER
    decision_header: tuple[str, ...] = DECISION_HEADER


def _problem_table(events: pd.DataFrame, release: str, targets: float | None) -> tuple[Row, ...]:
    rows, previous = [], None
    for r in problem_rows(events, release):
        share = fmt_pct(r.vehicles / targets, 2) if targets else "n/a"
        rows.append(Row(r.label, (fmt_int(r.events), fmt_int(r.vehicles), share),
                        previous is not None and r.group != previous))
        previous = r.group
    return tuple(rows)


def _curve_caption(release: Release, curve: pd.DataFrame, marks: list[Mark], days: float,
                   files: RunFiles) -> str:
    gates = (release.rollout or {}).get("gates") or {}
    counted = ("on the vehicle's report, before the reboot" if gates.get("success_counts_on")
               == "report" else "after the vehicle booted the new version")
    delay = ota_config(files.run).get("report_delay_days")
    late = "" if not isinstance(delay, int | float) else (
        ", a day late" if delay == 1 else f", {delay:g} days late")
    reached = "" if math.isnan(days) else (
        f" 95 % was reached {fmt_int(days)} days after the release (end of day "
        f"{release.release_day + int(days) - 1}).")
    end = shown_until(curve, marks)
    cut = (f" Shown to day {end}, after {SHOWN_SHARE * 100:g} % of the final installs; "
           f"{fmt_int(curve['installed'].iloc[-1])} at the end of day {int(curve['day'].iloc[-1])}."
           if end < int(curve["day"].iloc[-1]) else "")
    lines = (" Vertical lines: the server's decisions on the day they took effect (dashed grey "
             "a wave, red a pause or abort, green a resume, purple a cloud rollback)."
             if marks else " The server took no decision to draw.")
    return (
        f"Share of the release's {fmt_int(targets_of(curve))} targets running it at the end of "
        f"each day (blue, the truth), the successes the server had counted (orange, dashed: "
        f"counted {counted}{late}) and the share released to the vehicles (grey).{lines}"
        f"{reached}{cut}"
    )


def _release_block(files: RunFiles, release: Release, decided: pd.DataFrame | None,
                   curve: pd.DataFrame | None) -> ReleaseBlock:
    version = f" ({release.version})" if release.version else ""
    title = f"{release.name}{version}, released on day {release.release_day}"
    marks = curve_marks(decided, release.name)
    days = days_to_95(files.daily, release)
    problems = (_problem_table(files.ota_events, release.name, targets_of(curve))
                if files.ota_events is not None else ())
    text = rollout_text(release.rollout)
    if curve is None or curve.empty:
        note = (f"Not available: daily.parquet lacks the ota_{release.name}_targeted / "
                "_installed columns (or the release day was after the horizon).")
        return ReleaseBlock(release.name, title, text, None, note, tuple(marks), days, problems)
    image = adoption_figure(curve, marks, f"Adoption of {release.name}")
    caption = (_curve_caption(release, curve, marks, days, files) if image
               else "The release had no target.")
    return ReleaseBlock(release.name, title, text, image, caption, tuple(marks), days, problems)


def _decision_rows(decided: pd.DataFrame) -> tuple[Row, ...]:
    return tuple(
        Row(str(r.day), (r.release, ACTION_LABELS.get(r.action, r.action), r.scope or "all",
                         r.reason))
        for r in decided.itertuples(index=False)
    )


def _jobs(
    files: RunFiles, first_day: int
) -> tuple[str | None, str, Finding | None, pd.DataFrame | None]:
    jobs = ota_jobs(files.ota_events)
    horizon = kpi_value(files.kpis, "horizon_days")
    if horizon is None and files.daily is not None:
        horizon = len(files.daily)
    if jobs is None or not horizon:
        return None, NO_LOG, None, jobs
    period = period_days(int(horizon))
    per_period = jobs_by_period(jobs, int(horizon), period)
    image = ota_jobs_figure(per_period, period, first_day)
    caption = (
        f"Service jobs opened per {period}-day period for the software component with an OTA "
        f"cause, stacked by cause: {fmt_int(len(jobs))} in all."
        if image else "No service job was caused by OTA in this run."
    )
    return image, caption, service_load_finding(per_period, period), jobs


def _share_end(curves: list[pd.DataFrame | None]) -> float | None:
    if not curves or any(c is None or c.empty for c in curves):
        return None
    targeted = sum(float(c["targeted"].iloc[-1]) for c in curves)
    installed = sum(float(c["installed"].iloc[-1]) for c in curves)
    return installed / targeted if targeted else None


def _with_releases(files: RunFiles, base: OtaSection) -> OtaSection:
    rels = releases(files.run, files.daily)
    events, decided = files.ota_events, decisions(files.ota_events)
    curves = [adoption_curve(files.daily, r.name) for r in rels]
    blocks = tuple(_release_block(files, r, decided, c) for r, c in zip(rels, curves, strict=True))
    found: list[Finding | None] = []
    single_kpi = kpi_value(files.kpis, "ota_vehicles_exposed_to_defect") if len(rels) == 1 else None
    watch = watch_days(files.run)
    for release, curve, block in zip(rels, curves, blocks, strict=True):
        found.append(stall_finding(release, curve, decided, watch))
        found.append(gate_finding(release, decided, events, files.vehicle_hw,
                                  targets_of(curve), single_kpi))
        found.append(adoption_finding(release, curve, block.days_to_95, decided))
        found.append(server_view_finding(release, curve))
    if events is not None:
        found.append(problems_finding([row for r in rels for row in problem_rows(events, r.name)]))
    first_day = min((r.release_day for r in rels), default=0)
    jobs_image, jobs_caption, jobs_finding, jobs = _jobs(files, first_day)
    found.append(jobs_finding)
    exposed = None
    if events is not None:
        counts = [exposed_installs(events, r, files.vehicle_hw) for r in rels]
        exposed = None if any(c is None for c in counts) else sum(counts)
    days = {r.name: b.days_to_95 for r, b, c in zip(rels, blocks, curves, strict=True)
            if c is not None}
    checks = ota_data_checks(files.kpis, events, jobs, exposed, _share_end(curves), days)
    tiles = tuple(ota_tiles(files.kpis, rels, {b.name: b.days_to_95 for b in blocks}))
    if decided is None:
        rows, note = (), NO_LOG
    else:
        rows = _decision_rows(decided)
        note = "" if rows else "The server took no decision in this run."
    return replace(
        base, tiles=tiles, releases=blocks, decisions=rows, decisions_note=note,
        jobs_image=jobs_image, jobs_caption=jobs_caption,
        findings=tuple(f for f in found if f is not None) + base.findings + tuple(checks),
        message="" if rels else "No release found in run.json or daily.parquet.",
    )


def ota_section(files: RunFiles, baseline: RunFiles | None = None) -> OtaSection:
    """Build the OTA section of a run.

    Args:
        files: The run.
        baseline: A run to compare with (e.g. the same seed with another rollout).

    Returns:
        The section. A run with OTA off gets a one-line message; a run made before OTA
        campaigns gets a "Not available" line; either still shows the baseline
        comparison when both runs have OTA KPIs and one had campaigns.
    """
    comparison = compare_ota(files, baseline) if baseline is not None else None
    compared = ota_comparison_finding(comparison) if comparison is not None else None
    extra = (compared,) if compared is not None else ()
    state, why = ota_state(files.kpis, files.run)
    if state == "off":
        return OtaSection(state, f"OTA campaigns were off in this run ({why}).",
                          findings=extra, comparison=comparison)
    if state == "missing":
        message = ("Not available: kpis.json has no OTA KPIs and run.json no ota config "
                   "(a run made before OTA campaigns).")
        return OtaSection(state, message, findings=extra, comparison=comparison)
    return _with_releases(files, OtaSection(state, "", findings=extra, comparison=comparison))


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The OTA section, its findings and data checks (see :func:`ota_section`)."""
    content = ota_section(files, baseline)
    return Part.split((Section("ota", "OTA campaigns", "ota/section.html.j2", content),),
                      content.findings, GLOSSARY)

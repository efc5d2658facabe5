"""The service network's part of the run report: load, quality and cost, waiting time."""

from __future__ import annotations

from reports.page.figures import period_days
from reports.page.formatting import fmt_hours, fmt_int
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.service.figures import (
    service_figure,
    service_quality_figure,
    wait_figure,
)
from reports.service.findings import service_checks, service_findings
from reports.service.tiles import service_tiles
from reports.service.view import ServiceView, service_view
from reports.service.waits import WaitStats, job_waits_h, wait_stats

GLOSSARY = "service/glossary.html.j2"


def load(files: RunFiles) -> Section:
    """Jobs opened and finished per period; backlog, busy technicians, vehicles down."""
    daily = files.daily
    image = service_figure(daily) if daily is not None else None
    if not image or daily is None:
        caption = "Not available: daily.parquet is missing or has no service columns."
        return Section.figure("service", "Service load", None, caption)
    period = period_days(len(daily))
    partial = len(daily) % period
    days = "day" if partial == 1 else "days"
    tail = f" The last bar covers only {partial} {days}." if partial else ""
    caption = (
        f"Top: jobs opened and finished per {period}-day period.{tail} Bottom: jobs open "
        "(waiting or in repair) and vehicles off the road at the end of each day, and "
        "technicians and bays busy at noon."
    )
    return Section.figure("service", "Service load", image, caption)


def _quality_caption(view: ServiceView) -> str:
    jobs = view.jobs
    parts = [
        "Left: every job once, in the channel that handled it (remote diagnosis when it fixed "
        "the car without a visit), coloured by its final outcome; the label gives the share of "
        "its jobs fixed with a visit that were fixed at the first one."
    ]
    rescues = view.rescues
    if rescues is not None and rescues["response_h"].notna().any():
        parts.append(
            "Right: one dot per roadside job, time from the job being opened to a van or tow "
            "truck on site, against its city tier's response target (black bar); green in time, "
            "orange late."
        )
        missed = int(rescues["response_h"].isna().sum())
        if missed:
            parts.append(f"{fmt_int(missed)} rescues not reached by the end count as missed.")
    elif rescues is not None:
        parts.append("No roadside job needed a rescue.")
    pending = int((jobs["channel"] == "").sum())
    if pending:
        parts.append(f"{fmt_int(pending)} jobs still in remote diagnosis at the end are not shown.")
    return " ".join(parts)


def quality(files: RunFiles, view: ServiceView | None) -> Section | None:
    """Tiles and the channel / response figure; ``None`` for a run without a service network."""
    tiles = tuple(service_tiles(files.kpis))
    if not tiles and view is None:
        return None
    anchor, title = "service-quality", "Service quality and cost"
    if view is None:
        note = "Chart not available: events.parquet is missing or has no channel / outcome columns."
        return Section.figure(anchor, title, None, note, tiles)
    image = service_quality_figure(view.jobs, view.rescues)
    if image is None:
        return Section.figure(anchor, title, None, "No job reached triage.", tiles)
    return Section.figure(anchor, title, image, _quality_caption(view), tiles)


def waits(files: RunFiles, view: ServiceView | None = None) -> tuple[Section, WaitStats | None]:
    """The wait histogram and the statistics behind it (``None`` without job events)."""
    title = "Waiting time"
    if files.job_events is None:
        note = "Not available: events.parquet is missing or lacks job events."
        return Section.figure("waits", title, None, note), None
    stats = wait_stats(files.job_events)
    image = wait_figure(job_waits_h(files.job_events), stats)
    pending = (
        f" {fmt_int(stats.n_unassigned)} jobs were still waiting at the end and are not included."
        if stats.n_unassigned
        else ""
    )
    if image is None:
        note = "No job was assigned in this run." + pending
        return Section.figure("waits", title, None, note), stats
    remote = int((view.jobs["outcome"] == "remote_fixed").sum()) if view is not None else 0
    no_visit = f" {fmt_int(remote)} jobs fixed remotely needed no visit." if remote else ""
    caption = (
        "Wait = time of the first technician or bay assignment minus time the job was opened, "
        f"from the event log: mean {fmt_hours(stats.mean_h)}, 90th percentile "
        f"{fmt_hours(stats.p90_h)}, longest {fmt_hours(stats.max_h)} over "
        f"{fmt_int(stats.n_jobs)} jobs.{no_visit}{pending}"
    )
    return Section.figure("waits", title, image, caption), stats


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The service sections, findings (load, backlog, quality) and data checks.

    Args:
        files: The run.
        baseline: Not used: the service part does not compare runs.
    """
    view = service_view(files.service_events)
    wait_section, stats = waits(files, view)
    quality_section = quality(files, view)
    sections = (load(files), *([quality_section] if quality_section else []), wait_section)
    return Part(sections, tuple(service_findings(files.kpis, files.daily, view)),
                tuple(service_checks(files.kpis, view, stats)), GLOSSARY)

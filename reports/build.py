"""Assemble the report from a run directory and write it atomically."""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports import figures, html, summary
from reports.alert_section import alert_section
from reports.findings import build_findings
from reports.formatting import fmt_hours, fmt_int
from reports.loader import ReportInputError, RunFiles, load_run
from reports.ota_section import ota_section
from reports.service_quality import ServiceView, service_view
from reports.summary import Tile
from reports.waits import WaitStats, job_waits_h, wait_stats

REPORT_FILE = "report.html"


@dataclass(frozen=True)
class FigureSection:
    """One chart section; ``image`` is ``None`` when the data for it is missing.

    Attributes:
        anchor: HTML id.
        title: Section heading.
        image: Base64 PNG, or ``None``.
        caption: What the chart shows (or why it is missing).
        tiles: KPI tiles shown above the chart, if any.
    """

    anchor: str
    title: str
    image: str | None
    caption: str
    tiles: tuple[Tile, ...] = ()


def _health_section(files: RunFiles) -> FigureSection:
    image = figures.health_figure(files.daily) if files.daily is not None else None
    caption = (
        "Fleet mean of each component's health index (1 = as new, 0 = at its failure "
        "threshold) and traction-battery capacity: fleet mean and the weakest 5 % of vehicles."
        if image
        else "Not available: daily.parquet is missing or has no health / battery SOH columns."
    )
    return FigureSection("health", "Fleet health over time", image, caption)


def _failures_section(files: RunFiles) -> FigureSection:
    image = figures.failures_figure(files.kpis)
    caption = (
        "A failure is any component fault; a breakdown is a failure that leaves the car "
        "stranded on the road. Counts over the whole run, from kpis.json."
        if image
        else "Not available: kpis.json has no per-component failure counts."
    )
    return FigureSection("failures", "Failures by component", image, caption)


def _service_section(files: RunFiles) -> FigureSection:
    daily = files.daily
    image = figures.service_figure(daily) if daily is not None else None
    if not image or daily is None:
        caption = "Not available: daily.parquet is missing or has no service columns."
        return FigureSection("service", "Service load", None, caption)
    period = figures.service_period_days(len(daily))
    partial = len(daily) % period
    days = "day" if partial == 1 else "days"
    tail = f" The last bar covers only {partial} {days}." if partial else ""
    caption = (
        f"Top: jobs opened and finished per {period}-day period.{tail} Bottom: jobs open "
        "(waiting or in repair) and vehicles off the road at the end of each day, and "
        "technicians and bays busy at noon."
    )
    return FigureSection("service", "Service load", image, caption)


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


def _service_quality_section(files: RunFiles, view: ServiceView | None) -> FigureSection | None:
    """Tiles and the channel / response figure; ``None`` for a run without a service network."""
    tiles = tuple(summary.service_tiles(files.kpis))
    if not tiles and view is None:
        return None
    title = "Service quality and cost"
    if view is None:
        note = "Chart not available: events.parquet is missing or has no channel / outcome columns."
        return FigureSection("service-quality", title, None, note, tiles)
    image = figures.service_quality_figure(view.jobs, view.rescues)
    if image is None:
        return FigureSection("service-quality", title, None, "No job reached triage.", tiles)
    return FigureSection("service-quality", title, image, _quality_caption(view), tiles)


def _wait_section(
    files: RunFiles, view: ServiceView | None = None
) -> tuple[FigureSection, WaitStats | None]:
    title = "Waiting time"
    if files.job_events is None:
        note = "Not available: events.parquet is missing or lacks job events."
        return FigureSection("waits", title, None, note), None
    stats = wait_stats(files.job_events)
    image = figures.wait_figure(job_waits_h(files.job_events), stats)
    pending = (
        f" {fmt_int(stats.n_unassigned)} jobs were still waiting at the end and are not included."
        if stats.n_unassigned
        else ""
    )
    if image is None:
        return FigureSection(
            "waits", title, None, "No job was assigned in this run." + pending
        ), stats
    remote = int((view.jobs["outcome"] == "remote_fixed").sum()) if view is not None else 0
    no_visit = f" {fmt_int(remote)} jobs fixed remotely needed no visit." if remote else ""
    caption = (
        "Wait = time of the first technician or bay assignment minus time the job was opened, "
        f"from the event log: mean {fmt_hours(stats.mean_h)}, 90th percentile "
        f"{fmt_hours(stats.p90_h)}, longest {fmt_hours(stats.max_h)} over "
        f"{fmt_int(stats.n_jobs)} jobs.{no_visit}{pending}"
    )
    return FigureSection("waits", title, image, caption), stats


def build_context(files: RunFiles, baseline: RunFiles | None = None) -> dict[str, Any]:
    """Compute everything the template shows.

    Args:
        files: The loaded run directory.
        baseline: A run to compare with, optional: in the alert section (normally the
            same scenario with ``alerts=none``) and, where both runs have OTA KPIs, in
            the OTA section (e.g. the same seed with ``ota/rollout=big_bang``).

    Returns:
        Template variables.
    """
    view = service_view(files.service_events)
    alerts = alert_section(files, baseline)
    ota = ota_section(files, baseline)
    wait_section, stats = _wait_section(files, view)
    sections = [
        _health_section(files),
        _failures_section(files),
        _service_section(files),
        _service_quality_section(files, view),
        wait_section,
    ]
    return {
        # Hydra run dirs are <date>/<time>: the last two parts identify the run.
        "title": "Fleet simulation report — " + "/".join(files.run_dir.resolve().parts[-2:]),
        "scenario": summary.scenario_line(files.kpis, files.run),
        "provenance": summary.provenance_line(files.run),
        "notes": list(files.notes),
        "tiles": summary.headline_tiles(files.kpis),
        "findings": build_findings(
            files.kpis, files.daily, stats, view, alerts.findings + ota.findings
        ),
        "figures": [section for section in sections if section is not None],
        "alerts": alerts,
        "ota": ota,
        "kpi_rows": summary.kpi_rows(files.kpis),
        "config_text": summary.config_text(files.run),
    }


def write_atomic(path: Path, text: str) -> None:
    """Write text to ``path`` via a temporary file in the same directory and ``os.replace``.

    Readers never see a half-written report, and a failed write leaves any previous
    report untouched.

    Args:
        path: Destination file; its parent directory is created if needed.
        text: Content, written as UTF-8.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp creates the file 0600; keep an existing report's mode, else make it readable.
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def build_report(
    run_dir: str | Path, out: str | Path | None = None, baseline: str | Path | None = None
) -> Path:
    """Build a self-contained HTML report from the result files of one run.

    Args:
        run_dir: Run directory holding kpis.json and optionally run.json,
            daily.parquet and events.parquet.
        out: Output file; defaults to ``run_dir/report.html``.
        baseline: Another run directory to compare with in the alert section (normally
            the same scenario and seed with ``alerts=none``) and the OTA section (e.g.
            another rollout, same seed).

    Returns:
        The path written.

    Raises:
        ReportInputError: If a run directory or its kpis.json is missing or unreadable
            (the message names the path, and says when it is the baseline).
    """
    files = load_run(run_dir)
    other = None
    if baseline is not None:
        try:
            other = load_run(baseline)
        except ReportInputError as exc:
            raise ReportInputError(f"baseline {exc}") from exc
    document = html.render(build_context(files, other))
    target = Path(out) if out is not None else files.run_dir / REPORT_FILE
    write_atomic(target, document)
    return target

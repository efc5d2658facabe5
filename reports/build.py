"""The run report: one self-contained ``report.html`` built from a run directory's files.

The page is the headline tiles, the findings, then each domain's sections in
the order of :data:`DOMAINS`; every domain builds its part the same way
(``<domain>/section.py``: ``build(files, baseline) -> Part``).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from reports.alerts import section as alerts
from reports.economics import section as economics
from reports.fleet import section as fleet
from reports.headline import headline_tiles
from reports.ota import section as ota
from reports.page import executive, html, summary
from reports.page.figures import START_DATE
from reports.page.loader import ReportInputError, RunFiles, load_run
from reports.page.section import Part
from reports.prognostics import section as prognostics
from reports.recall import section as recall
from reports.regions import section as regions
from reports.service import section as service
from reports.serviceday import section as serviceday
from reports.workforce import section as workforce
from sim.io import write_text

REPORT_FILE = "report.html"
# The page's domains, in display order; each module has build(files, baseline) -> Part.
DOMAINS = (fleet, service, regions, serviceday, workforce, economics, prognostics, recall, ota,
           alerts)


def start_date(run: dict[str, Any]) -> date | None:
    """Day 0 of the run's time axes: ``output.start_date`` of its config (None: run days)."""
    text = ((run.get("config") or {}).get("output") or {}).get("start_date") or ""
    try:
        return date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


def build_context(files: RunFiles, baseline: RunFiles | None = None) -> dict[str, Any]:
    """Compute everything the page shows.

    Args:
        files: The loaded run directory.
        baseline: A run to compare with, optional: in the alert section (normally the
            same scenario with ``alerts=none``) and, where both runs have OTA KPIs, in
            the OTA section (e.g. the same seed with ``ota/rollout=big_bang``).

    Returns:
        Template variables.
    """
    token = START_DATE.set(start_date(files.run))
    try:
        parts: list[Part] = [domain.build(files, baseline) for domain in DOMAINS]
    finally:
        START_DATE.reset(token)
    findings = executive.ordered([f for p in parts for f in p.findings]
                                 + [c for p in parts for c in p.checks])
    return {
        # Hydra run dirs are <date>/<time>: the last two parts identify the run.
        "title": executive.title(files.run, "/".join(files.run_dir.resolve().parts[-2:])),
        "summary": executive.summary(files.kpis, findings),
        "scenario": summary.scenario_line(files.kpis, files.run),
        "provenance": summary.provenance_line(files.run),
        "notes": list(files.notes),
        "tiles": headline_tiles(files.kpis),
        "findings": findings,
        "sections": [s for p in parts for s in p.sections],
        "glossaries": [p.glossary for p in parts if p.glossary],
        "kpi_rows": summary.kpi_rows(files.kpis),
        "config_text": summary.config_text(files.run),
    }


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
        The path written (atomically: a temp file, then a rename).

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
    return write_text(target, document)

"""The report's alert-quality section: tiles, quality table, figures, findings, baseline."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reports.alerts import targets
from reports.alerts.compare import Comparison, compare, comparison_finding
from reports.alerts.figures import alert_volume_figure, lead_time_figure
from reports.alerts.findings import alert_findings, alert_tiles
from reports.alerts.view import (
    AlertView,
    QualityRow,
    State,
    alert_state,
    alert_view,
    alerts_config,
    monthly_volume,
    quality_rows,
)
from reports.page.components import label
from reports.page.findings import Finding, kpi_value
from reports.page.formatting import fmt_int, fmt_num, fmt_pct
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import Tile

NO_LOG = (
    "Not available: events.parquet is missing or lacks the alert columns, so alerts cannot "
    "be counted by level and component."
)
NO_ALERTS = "No alert was raised in this run."

GLOSSARY = "alerts/glossary.html.j2"


@dataclass(frozen=True)
class TableRow:
    """One formatted line of the quality table.

    Attributes:
        name: ``"All alerts"``, a level or a component label.
        cells: Alerts, share, came true, censored, precision, accepted, response, median
            lead, recall.
        first_of_group: True for the first row of the level and component blocks.
    """

    name: str
    cells: tuple[str, ...]
    first_of_group: bool = False


TABLE_HEADER = (
    "alerts",
    "share",
    "came true",
    "censored",
    "precision",
    "accepted",
    "response",
    "median lead",
    "recall",
)


@dataclass(frozen=True)
class AlertSection:
    """Everything the template shows on predictive alerts.

    Attributes:
        state: ``on``, ``off`` or ``missing`` (a run made before alerts).
        message: One line shown instead of (or above) the content; ``""`` when none.
        tiles: KPI tiles with their seed targets.
        rows: The quality table's numbers (all, per level, per component).
        table: ``rows`` formatted for display.
        table_caption: What the columns mean.
        lead_image: Lead-time histogram (base64 PNG) or ``None``.
        lead_caption: Its caption, or why it is missing.
        volume_image: Monthly alert volume (base64 PNG) or ``None``.
        volume_caption: Its caption, or why it is missing.
        findings: Alert findings, shown with the report's other findings.
        comparison: This run against ``--baseline``, when one was given.
        header: Column titles of ``table``.
    """

    state: State
    message: str
    tiles: tuple[Tile, ...] = ()
    rows: tuple[QualityRow, ...] = ()
    table: tuple[TableRow, ...] = ()
    table_caption: str = ""
    lead_image: str | None = None
    lead_caption: str = ""
    volume_image: str | None = None
    volume_caption: str = ""
    findings: tuple[Finding, ...] = ()
    comparison: Comparison | None = None
    header: tuple[str, ...] = TABLE_HEADER


def _format_row(row: QualityRow, first: bool) -> TableRow:
    if row.group == "all":
        name = "All alerts"
    elif row.group == "level":
        name = f"{row.key.capitalize()} level"
    else:
        name = label(row.key)
    lead = "n/a" if row.true == 0 else f"{fmt_num(row.median_lead_d, 1)} d"
    cells = (
        fmt_int(row.alerts),
        fmt_pct(row.share),
        fmt_int(row.true),
        fmt_int(row.censored),
        fmt_pct(row.precision),
        fmt_int(row.accepted),
        fmt_pct(row.response),
        lead,
        "—" if row.group == "level" else fmt_pct(row.recall),
    )
    return TableRow(name, cells, first)


def _table(rows: list[QualityRow]) -> tuple[TableRow, ...]:
    out, previous = [], None
    for row in rows:
        out.append(_format_row(row, previous is not None and row.group != previous))
        previous = row.group
    return tuple(out)


def _windows_text(files: RunFiles) -> str:
    cfg = alerts_config(files.run)
    parts = [
        f"{level} {cfg[f'horizon_days_{level}']:g} d"
        for level in ("red", "yellow", "blue")
        if isinstance(cfg.get(f"horizon_days_{level}"), int | float)
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _table_caption(files: RunFiles) -> str:
    lead = kpi_value(files.kpis, "alert_median_lead_days")
    kpi_lead = (
        f" (kpis.json's alert_median_lead_days, {fmt_num(lead, 1)} d, is taken per predicted "
        "failure from its earliest alert instead)"
        if lead is not None
        else ""
    )
    return (
        "From the event log. An alert came true when its component failed, or its untouched "
        "shadow copy failed after the preventive repair, inside the alert's window"
        f"{_windows_text(files)}. Censored: not come true with the window still open when the "
        "run ended (truth unknown). Precision = came true / (alerts - censored); response = "
        f"accepted / alerts; median lead over the alerts that came true{kpi_lead}. Recall from "
        "kpis.json: the share of the failures a component's detectors target that an alert "
        "predicted at least a day ahead (not defined per level)."
    )


def _volume_caption(kpis_per_month: float | None, image_max: float) -> str:
    cap = targets.ALERTS_PER_VEHICLE_MONTH
    far = " (far above these bars, so not drawn)" if image_max < cap.bound / 4 else ""
    fleet = (
        f" Over the run: {fmt_num(kpis_per_month, 3)} per vehicle-month."
        if kpis_per_month is not None
        else ""
    )
    return (
        "Alerts raised in each month (365.25 / 12 days), per vehicle-month of that month; the "
        "last month is scaled by its own length. Green: the owner booked the preventive "
        f"repair; grey: ignored. The {cap.source} limit is {cap.text()} alerts per vehicle-"
        f"month{far}.{fleet}"
    )


def _with_view(files: RunFiles, view: AlertView, base: AlertSection) -> AlertSection:
    rows = quality_rows(view, files.kpis)
    findings = tuple(alert_findings(files.kpis, view, rows))
    if view.alerts.empty:
        return replace(base, message=NO_ALERTS, findings=findings)
    lead_image = lead_time_figure(view.alerts)
    lead_caption = (
        "Days from each alert that came true to its failure (real or prevented), one-day "
        "bins, stacked by level; the legend gives each level's count and median."
        if lead_image
        else "No alert came true, so there is no lead time to show."
    )
    vehicles = kpi_value(files.kpis, "vehicles")
    horizon = kpi_value(files.kpis, "horizon_days")
    volume_image, volume_caption = None, "Not available: kpis.json lacks vehicles or horizon_days."
    if vehicles and horizon:
        monthly = monthly_volume(view.alerts, vehicles, horizon)
        volume_image = alert_volume_figure(monthly, targets.ALERTS_PER_VEHICLE_MONTH.bound)
        top = float((monthly["accepted_rate"] + monthly["ignored_rate"]).max())
        volume_caption = _volume_caption(kpi_value(files.kpis, "alerts_per_vehicle_month"), top)
    return replace(
        base,
        rows=tuple(rows),
        table=_table(rows),
        table_caption=_table_caption(files),
        lead_image=lead_image,
        lead_caption=lead_caption,
        volume_image=volume_image,
        volume_caption=volume_caption,
        findings=findings,
    )


def alert_section(files: RunFiles, baseline: RunFiles | None = None) -> AlertSection:
    """Build the alert-quality section of a run.

    Args:
        files: The run.
        baseline: A run to compare with (normally the same scenario with ``alerts=none``).

    Returns:
        The section. A run with alerts off gets a one-line message; a run made before
        predictive alerts gets a "Not available" line; either still shows the baseline
        comparison when one is given.
    """
    comparison = compare(files, baseline) if baseline is not None else None
    compared = comparison_finding(comparison) if comparison is not None else None
    extra = (compared,) if compared is not None else ()
    state, why = alert_state(files.kpis, files.run)
    if state == "off":
        message = f"Predictive alerts were off in this run ({why})."
        return AlertSection(state, message, findings=extra, comparison=comparison)
    if state == "missing":
        message = (
            "Not available: kpis.json has no alert KPIs (a run made before predictive alerts)."
        )
        return AlertSection(state, message, findings=extra, comparison=comparison)
    base = AlertSection(state, "", tuple(alert_tiles(files.kpis)), comparison=comparison)
    view = alert_view(files.alert_events, files.run)
    if view is None:
        return replace(base, message=NO_LOG, findings=extra)
    section = _with_view(files, view, base)
    return replace(section, findings=section.findings + extra)


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The alert-quality section, its findings and data checks (see :func:`alert_section`)."""
    content = alert_section(files, baseline)
    section = Section("alerts", "Predictive alert quality", "alerts/section.html.j2", content)
    return Part.split((section,), content.findings, GLOSSARY)

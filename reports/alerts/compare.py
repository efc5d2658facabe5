"""This run against a baseline run with predictive alerts on or off (``--baseline``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reports.alerts.view import alert_state
from reports.page.compare import FEW, ComparisonRow, pairing, signed
from reports.page.findings import Finding, kpi_value
from reports.page.formatting import fmt_int
from reports.page.loader import RunFiles

# Settings that are allowed to differ (alerts), are compared on their own (seed, size,
# horizon) or cannot change the outcome (output).
_NOT_COMPARED = ("alerts", "output", "seed", "horizon_days", "fleet.size")


_PER_1000 = "per 1,000 vehicle-years"
# (KPI, what, unit, table label, count KPI, decimals)
COMPARED: tuple[tuple[str, str, str, str, str | None, int], ...] = (
    ("breakdowns_per_1000_vehicle_years", "Breakdowns", _PER_1000,
     "Breakdowns per 1,000 vehicle-years", "breakdowns", 2),
    ("failures_per_1000_vehicle_years", "Failures", _PER_1000,
     "Failures per 1,000 vehicle-years", "failures_total", 1),
    ("service_cost_per_vehicle_year", "Service cost", "CNY per vehicle-year",
     "Service cost per vehicle-year (CNY)", None, 0),
)


@dataclass(frozen=True)
class Comparison:
    """This run against a baseline run.

    Attributes:
        baseline_dir: The baseline's run directory.
        rows: The compared KPIs.
        statements: What holds (alerts in each run, matching seed and fleet).
        warnings: Why the runs are not a paired comparison, if they are not.
        alerts_off: Whether this run ran without predictive alerts.
        baseline_alerts_off: Whether the baseline ran without predictive alerts.
    """

    baseline_dir: Path
    rows: tuple[ComparisonRow, ...]
    statements: tuple[str, ...]
    warnings: tuple[str, ...]
    alerts_off: bool
    baseline_alerts_off: bool


def _alerts_text(files: RunFiles, whose: str) -> tuple[str, bool]:
    state, why = alert_state(files.kpis, files.run)
    if state == "on":
        return f"{whose} had predictive alerts on.", False
    if state == "off":
        return f"{whose} had predictive alerts off ({why}).", True
    return f"{whose} was made before predictive alerts (none were raised).", True


def compare(files: RunFiles, baseline: RunFiles) -> Comparison:
    """Compare the headline outcome KPIs of a run with those of a baseline run.

    Args:
        files: This run.
        baseline: The run to compare with, normally the same scenario with ``alerts=none``.

    Returns:
        The comparison, with what matches and what does not.
    """
    rows = tuple(
        ComparisonRow(
            key,
            what,
            unit,
            text,
            kpi_value(files.kpis, key),
            kpi_value(baseline.kpis, key),
            kpi_value(files.kpis, count) if count else None,
            kpi_value(baseline.kpis, count) if count else None,
            digits,
        )
        for key, what, unit, text, count, digits in COMPARED
        if key in files.kpis or key in baseline.kpis
    )
    this_alerts, this_off = _alerts_text(files, "This run")
    other_alerts, other_off = _alerts_text(baseline, "The baseline")
    statements, warnings = [f"{this_alerts} {other_alerts}"], []
    if this_off == other_off:
        both = "off" if this_off else "on"
        warnings.append(f"Both runs had alerts {both}: the difference is not the effect of alerts.")
    pairing_statements, pairing_warnings = pairing(files, baseline, "alerts", _NOT_COMPARED)
    statements += pairing_statements
    warnings += pairing_warnings
    return Comparison(
        baseline.run_dir, rows, tuple(statements), tuple(warnings), this_off, other_off
    )


def comparison_finding(comparison: Comparison) -> Finding | None:
    """One sentence: the relative change of each KPI against the baseline, then the caveats."""
    parts, few = [], []
    for row in comparison.rows:
        if row.this is None or row.other is None:
            continue
        counts = ""
        if row.this_count is not None and row.other_count is not None:
            counts = f"; {fmt_int(row.this_count)} vs {fmt_int(row.other_count)}"
            if min(row.this_count, row.other_count) < FEW:
                few.append(row.what.lower())
        change = "n/a" if row.change is None else f"{signed(row.change * 100, 0)} %"
        parts.append(
            f"{row.what.lower()} {change} ({row.fmt(row.this)} vs {row.fmt(row.other)} "
            f"{row.unit}{counts})"
        )
    if not parts:
        return None
    this_off, other_off = comparison.alerts_off, comparison.baseline_alerts_off
    if this_off == other_off:
        what = f"(alerts {'off' if this_off else 'on'} in both)"
    else:
        what = "without alerts" if other_off else "with alerts"
    text = f"Against the baseline run {what}: " + ", ".join(parts) + "."
    if few:
        text += f" Few {' and '.join(few)}: that difference is uncertain."
    if comparison.warnings:
        text += " Not a paired comparison: " + " ".join(comparison.warnings)
        return Finding(text, "watch")
    return Finding(text, "info")

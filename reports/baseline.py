"""Compare a run with a baseline run, typically the same scenario with predictive alerts off.

A difference between two runs is the effect of alerts only when the runs are
paired: same seed (so both draw the same usage, weather and failures until
the alerts change them), same fleet, same horizon and no other setting changed.
:func:`compare` states which of these hold and warns about the ones that do not.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.alerts import alert_state
from reports.finding_base import Finding, kpi_value
from reports.formatting import fmt_int, fmt_num
from reports.loader import RunFiles

_FEW = 20
_MAX_LISTED = 5
# Settings that are allowed to differ (alerts), are compared on their own (seed, size,
# horizon) or cannot change the outcome (output).
_NOT_COMPARED = ("alerts", "output", "seed", "horizon_days", "fleet.size")


@dataclass(frozen=True)
class ComparisonRow:
    """One KPI of both runs.

    Attributes:
        key: KPI name in kpis.json.
        what: What it is, e.g. ``"Breakdowns"``.
        unit: Its unit, e.g. ``"per 1,000 vehicle-years"``.
        label: Table label.
        this: Value in this run (``None`` when absent).
        other: Value in the baseline run.
        this_count: The event count behind a rate, where kpis.json has it.
        other_count: The same count in the baseline.
        digits: Decimals to show.
    """

    key: str
    what: str
    unit: str
    label: str
    this: float | None
    other: float | None
    this_count: float | None
    other_count: float | None
    digits: int

    @property
    def diff(self) -> float | None:
        """This run minus the baseline."""
        return None if self.this is None or self.other is None else self.this - self.other

    @property
    def change(self) -> float | None:
        """Relative change from the baseline (``-0.4`` = 40 % fewer)."""
        diff = self.diff
        return None if diff is None or not self.other else diff / self.other

    def fmt(self, value: float | None) -> str:
        """Format a value of this row."""
        return fmt_num(value, self.digits)

    @property
    def this_text(self) -> str:
        """This run's value, with its event count in brackets where known."""
        return self._with_count(self.this, self.this_count)

    @property
    def other_text(self) -> str:
        """The baseline's value, with its event count in brackets where known."""
        return self._with_count(self.other, self.other_count)

    @property
    def diff_text(self) -> str:
        """The difference, e.g. ``"−2.00 (−59 %)"``."""
        change = self.change
        pct = "" if change is None else f" ({_signed(change * 100, 0)} %)"
        return _signed(self.diff, self.digits) + pct

    def _with_count(self, value: float | None, count: float | None) -> str:
        return self.fmt(value) + ("" if count is None else f" ({fmt_int(count)})")


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


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= _flatten(value, name + ".")
        else:
            out[name] = value
    return out


def _compared(key: str) -> bool:
    return not any(key == skip or key.startswith(skip + ".") for skip in _NOT_COMPARED)


def _other_differences(this: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    """Config keys (outside :data:`_NOT_COMPARED`) whose values differ, as ``key (a vs b)``."""
    a, b = this.get("config"), other.get("config")
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return []
    a, b = _flatten(a), _flatten(b)
    return [
        f"{k} ({a.get(k, 'unset')} vs {b.get(k, 'unset')})"
        for k in sorted(set(a) | set(b))
        if _compared(k) and (k not in a or k not in b or a[k] != b[k])
    ]


def _alerts_text(files: RunFiles, whose: str) -> tuple[str, bool]:
    state, why = alert_state(files.kpis, files.run)
    if state == "on":
        return f"{whose} had predictive alerts on.", False
    if state == "off":
        return f"{whose} had predictive alerts off ({why}).", True
    return f"{whose} was made before predictive alerts (none were raised).", True


def _same(
    name: str, this: Any, other: Any, fmt: Callable[[Any], str], why: str
) -> tuple[str | None, str | None]:
    """(statement, warning) on whether a setting matches between the runs."""
    if this is None or other is None:
        whose = "this run" if this is None else "the baseline"
        return None, f"The {name} of {whose} is unknown{why}."
    if this == other:
        return f"same {name} ({fmt(this)})", None
    return None, f"The {name}s differ ({fmt(this)} here, {fmt(other)} in the baseline){why}."


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
    unpaired = ": a paired comparison needs the same seed, so the difference mixes the effect "
    unpaired += "of alerts with chance"
    matched = []
    checks = (
        ("seed", files.run.get("seed"), baseline.run.get("seed"), str, unpaired),
        ("fleet size", kpi_value(files.kpis, "vehicles"), kpi_value(baseline.kpis, "vehicles"),
         lambda v: f"{fmt_int(v)} vehicles", ": rates compare, counts do not"),
        ("horizon", kpi_value(files.kpis, "horizon_days"), kpi_value(baseline.kpis, "horizon_days"),
         lambda v: f"{fmt_int(v)} days", ": fleet ageing differs between the runs"),
    )
    for name, this, other, fmt, why in checks:
        same, warning = _same(name, this, other, fmt, why)
        matched += [same] if same else []
        warnings += [warning] if warning else []
    if matched:
        statements.append("Both runs have the " + ", ".join(matched) + ".")
    others = _other_differences(files.run, baseline.run)
    if others:
        listed = "; ".join(others[:_MAX_LISTED])
        more = f" and {len(others) - _MAX_LISTED} more" if len(others) > _MAX_LISTED else ""
        warnings.append(f"Other settings differ: {listed}{more}.")
    return Comparison(
        baseline.run_dir, rows, tuple(statements), tuple(warnings), this_off, other_off
    )


def _signed(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt_num(abs(value), digits)


def comparison_finding(comparison: Comparison) -> Finding | None:
    """One sentence: the relative change of each KPI against the baseline, then the caveats."""
    parts, few = [], []
    for row in comparison.rows:
        if row.this is None or row.other is None:
            continue
        counts = ""
        if row.this_count is not None and row.other_count is not None:
            counts = f"; {fmt_int(row.this_count)} vs {fmt_int(row.other_count)}"
            if min(row.this_count, row.other_count) < _FEW:
                few.append(row.what.lower())
        change = "n/a" if row.change is None else f"{_signed(row.change * 100, 0)} %"
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

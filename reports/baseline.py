"""Compare a run with a baseline run: predictive alerts on/off, or two OTA rollouts.

A difference between two runs is the effect of alerts only when the runs are
paired: same seed (so both draw the same usage, weather and failures until
the alerts change them), same fleet, same horizon and no other setting changed.
:func:`compare` states which of these hold and warns about the ones that do not.
:func:`compare_ota` does the same for the OTA KPIs, where the ``ota`` settings
(the rollout policy, typically staged against big bang) are the ones allowed to differ.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.alerts import alert_state
from reports.finding_base import Finding, kpi_value, lower_first
from reports.formatting import fmt_int, fmt_num, fmt_pct
from reports.loader import RunFiles
from reports.ota import ota_config, ota_state

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
        pct: The values are 0..1 shares, shown in % (differences in percentage points).
        missing: Text for an undefined value (e.g. ``"not reached"``).
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
    pct: bool = False
    missing: str = "n/a"

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
        if value is None:
            return self.missing
        return fmt_pct(value, self.digits) if self.pct else fmt_num(value, self.digits)

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
        """The difference, e.g. ``"−2.00 (−59 %)"``; shares in percentage points."""
        if self.pct:
            diff = self.diff
            return "n/a" if diff is None else _signed(diff * 100, self.digits) + " pp"
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


def _compared(key: str, skip: tuple[str, ...] = _NOT_COMPARED) -> bool:
    return not any(key == s or key.startswith(s + ".") for s in skip)


def _other_differences(
    this: Mapping[str, Any], other: Mapping[str, Any], skip: tuple[str, ...] = _NOT_COMPARED
) -> list[str]:
    """Config keys (outside ``skip``) whose values differ, as ``key (a vs b)``."""
    a, b = this.get("config"), other.get("config")
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return []
    a, b = _flatten(a), _flatten(b)
    return [
        f"{k} ({a.get(k, 'unset')} vs {b.get(k, 'unset')})"
        for k in sorted(set(a) | set(b))
        if _compared(k, skip) and (k not in a or k not in b or a[k] != b[k])
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
    pairing_statements, pairing_warnings = _pairing(files, baseline, "alerts", _NOT_COMPARED)
    statements += pairing_statements
    warnings += pairing_warnings
    return Comparison(
        baseline.run_dir, rows, tuple(statements), tuple(warnings), this_off, other_off
    )


def _pairing(
    files: RunFiles, baseline: RunFiles, what: str, skip: tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """(statements, warnings) on seed, fleet, horizon and the settings outside ``skip``."""
    unpaired = ": a paired comparison needs the same seed, so the difference mixes the effect "
    unpaired += f"of {what} with chance"
    matched, statements, warnings = [], [], []
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
    others = _other_differences(files.run, baseline.run, skip)
    if others:
        listed = "; ".join(others[:_MAX_LISTED])
        more = f" and {len(others) - _MAX_LISTED} more" if len(others) > _MAX_LISTED else ""
        warnings.append(f"Other settings differ: {listed}{more}.")
    return statements, warnings


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


# ------------------------------------------------------------------ OTA
# Settings that may differ between two OTA runs (the campaigns) or are checked on their own.
_NOT_COMPARED_OTA = ("ota", "output", "seed", "horizon_days", "fleet.size")
# (KPI, what, table label, decimals, share, text when undefined)
OTA_COMPARED: tuple[tuple[str, str, str, int, bool, str], ...] = (
    ("ota_vehicles_exposed_to_defect", "Vehicles exposed to a latent defect",
     "Vehicles exposed to a latent defect", 0, False, "n/a"),
    ("ota_days_to_95pct", "Days to 95 % installed", "Days to 95 % installed (slowest release)",
     0, False, "not reached"),
    ("ota_installed_share_end", "Installed at the end", "Installed share at the end", 1, True,
     "n/a"),
    ("ota_service_jobs", "OTA service jobs", "Service jobs caused by OTA", 0, False, "n/a"),
    ("ota_vehicles_bricked", "Bricked vehicles", "Bricked vehicles", 0, False, "n/a"),
    ("ota_install_failures", "Failed install attempts", "Failed install attempts", 0, False,
     "n/a"),
    ("ota_rollbacks", "Rollbacks", "Rollbacks (A/B and cloud)", 0, False, "n/a"),
    ("ota_campaign_paused", "Pauses", "Pauses (campaign or hw config)", 0, False, "n/a"),
    ("ota_data_cost", "Data cost", "Data cost (CNY)", 0, False, "n/a"),
)
# The KPIs the one-sentence finding names (the table shows them all).
_OTA_HEADLINE = ("ota_vehicles_exposed_to_defect", "ota_days_to_95pct",
                 "ota_installed_share_end", "ota_service_jobs", "ota_vehicles_bricked")


@dataclass(frozen=True)
class OtaComparison:
    """The OTA KPIs of this run against a baseline run.

    Attributes:
        baseline_dir: The baseline's run directory.
        rows: The OTA KPIs that both kpis.json hold.
        statements: The rollout of each run and what matches.
        warnings: Why the runs are not a paired comparison of two rollouts, if they are not.
        this_rollout: This run's rollout, e.g. ``"staged"`` or ``"OTA off"``.
        baseline_rollout: The baseline's.
    """

    baseline_dir: Path
    rows: tuple[ComparisonRow, ...]
    statements: tuple[str, ...]
    warnings: tuple[str, ...]
    this_rollout: str
    baseline_rollout: str


def rollout_name(files: RunFiles) -> str:
    """The run's rollout: the preset chosen on the command line, else the config's policy."""
    state, _ = ota_state(files.kpis, files.run)
    if state == "off":
        return "OTA off"
    overrides = files.run.get("overrides")
    for item in overrides if isinstance(overrides, list) else []:
        text = str(item).lstrip("+~")
        for prefix in ("ota/rollout=", "ota.rollout.policy="):
            if text.startswith(prefix):
                return text.removeprefix(prefix)
    rollout = ota_config(files.run).get("rollout")
    policy = rollout.get("policy") if isinstance(rollout, Mapping) else None
    return str(policy) if policy else "unknown rollout"


def compare_ota(files: RunFiles, baseline: RunFiles) -> OtaComparison | None:
    """Compare the OTA KPIs that both runs have.

    Args:
        files: This run.
        baseline: The run to compare with, e.g. the same scenario and seed with
            ``ota/rollout=big_bang``.

    Returns:
        The comparison, or ``None`` when the runs share no OTA KPI, neither had campaigns
        or both had the same OTA settings.
    """
    states = (ota_state(files.kpis, files.run)[0], ota_state(baseline.kpis, baseline.run)[0])
    if "on" not in states:
        return None
    rows = tuple(
        ComparisonRow(key, what, "", text, kpi_value(files.kpis, key),
                      kpi_value(baseline.kpis, key), None, None, digits, pct, missing)
        for key, what, text, digits, pct, missing in OTA_COMPARED
        if key in files.kpis and key in baseline.kpis
    )
    if not rows:
        return None
    this_cfg, other_cfg = ota_config(files.run), ota_config(baseline.run)
    if this_cfg and _flatten(this_cfg) == _flatten(other_cfg):
        return None  # same campaigns: the baseline is about something else (e.g. alerts)
    this, other = rollout_name(files), rollout_name(baseline)
    statements, warnings = _pairing(files, baseline, "the rollout", _NOT_COMPARED_OTA)
    return OtaComparison(baseline.run_dir, rows,
                         (f"This run: {this}. The baseline: {other}.", *statements),
                         tuple(warnings), this, other)


def ota_comparison_finding(comparison: OtaComparison) -> Finding | None:
    """One sentence: the headline OTA KPIs of both runs, then the caveats."""
    parts = []
    for row in comparison.rows:
        if row.key not in _OTA_HEADLINE or (row.key == "ota_vehicles_bricked"
                                           and not (row.this or row.other)):
            continue
        if row.pct:
            change = f" ({row.diff_text})" if row.diff is not None else ""
        else:
            change = "" if row.change is None else f" ({_signed(row.change * 100, 0)} %)"
        parts.append(f"{lower_first(row.what)} {row.this_text} vs {row.other_text}{change}")
    if not parts:
        return None
    text = (f"OTA rollout {comparison.this_rollout} against the baseline's "
            f"{comparison.baseline_rollout}: " + ", ".join(parts) + ".")
    if comparison.warnings:
        return Finding(text + " Not a paired comparison: " + " ".join(comparison.warnings),
                       "watch")
    return Finding(text, "info")

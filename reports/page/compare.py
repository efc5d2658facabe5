"""Comparing a run with a baseline run: the shared parts.

A difference between two runs is the effect of one change only when the runs
are paired: same seed (so both draw the same usage, weather and failures until
the change acts), same fleet, same horizon and no other setting changed.
:func:`pairing` states which of these hold and warns about the ones that do
not; :class:`ComparisonRow` formats one KPI of both runs. The alert and OTA
sections each build their comparison on these (``alerts/compare.py``,
``ota/compare.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from reports.page.findings import kpi_value
from reports.page.formatting import fmt_int, fmt_num, fmt_pct
from reports.page.loader import RunFiles

FEW = 20
_MAX_LISTED = 5


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
            return "n/a" if diff is None else signed(diff * 100, self.digits) + " pp"
        change = self.change
        pct = "" if change is None else f" ({signed(change * 100, 0)} %)"
        return signed(self.diff, self.digits) + pct

    def _with_count(self, value: float | None, count: float | None) -> str:
        return self.fmt(value) + ("" if count is None else f" ({fmt_int(count)})")


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out |= flatten(value, name + ".")
        else:
            out[name] = value
    return out


def _compared(key: str, skip: tuple[str, ...]) -> bool:
    return not any(key == s or key.startswith(s + ".") for s in skip)


def _other_differences(
    this: Mapping[str, Any], other: Mapping[str, Any], skip: tuple[str, ...]
) -> list[str]:
    """Config keys (outside ``skip``) whose values differ, as ``key (a vs b)``."""
    a, b = this.get("config"), other.get("config")
    if not isinstance(a, Mapping) or not isinstance(b, Mapping):
        return []
    a, b = flatten(a), flatten(b)
    return [
        f"{k} ({a.get(k, 'unset')} vs {b.get(k, 'unset')})"
        for k in sorted(set(a) | set(b))
        if _compared(k, skip) and (k not in a or k not in b or a[k] != b[k])
    ]


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


def pairing(
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


def signed(value: float | None, digits: int) -> str:
    if value is None:
        return "n/a"
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt_num(abs(value), digits)

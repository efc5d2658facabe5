"""The :class:`Finding` record and the comparison helpers shared by all finding rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from reports.page.formatting import is_missing
from reports.page.targets import Reference

Level = Literal["ok", "watch", "info", "check"]
Kpis = Mapping[str, float | None]


@dataclass(frozen=True)
class Finding:
    """One sentence for the manager.

    Attributes:
        text: The sentence.
        level: ``ok`` (meets a target), ``watch`` (off target or at risk),
            ``info`` (no target known) or ``check`` (the result files disagree).
        summary: One sentence for the executive summary, when the finding needs a
            decision of its own there ("" = only the findings list).
    """

    text: str
    level: Level
    summary: str = ""


def kpi_value(kpis: Kpis, name: str) -> float | None:
    """Return a KPI value, or ``None`` when absent or undefined."""
    value = kpis.get(name)
    return None if is_missing(value) else value


def band_verdict(low: float, high: float, ref: Reference) -> tuple[str, Level]:
    """Compare an interval with a reference band: overlapping counts as consistent."""
    if high < ref.low:
        return "below", "watch"
    if low > ref.high:
        return "above", "watch"
    return "consistent with", "ok"


def lower_first(text: str) -> str:
    """Lower-case a label for use mid-sentence ("Tires" -> "tires", "12 V battery" unchanged).

    A label that starts with an acronym ("LV electrics") keeps its capitals.
    """
    if text[1:2].isupper():
        return text
    return text[:1].lower() + text[1:]

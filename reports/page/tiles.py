"""KPI tiles: the boxes at the top of the report and of each section."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reports.page.formatting import fmt_int, is_missing
from sim.kpis.catalogue import lookup

Kpis = Mapping[str, float | None]


@dataclass(frozen=True)
class Tile:
    """A headline KPI: label, formatted value and a one-line meaning.

    Attributes:
        key: KPI name in kpis.json.
        label: Short title.
        value: Formatted value (``"n/a"`` when undefined).
        meaning: One plain-language sentence.
        level: ``"ok"`` or ``"watch"`` when the value is compared with a target, else ``""``.
    """

    key: str
    label: str
    value: str
    meaning: str
    level: str = ""


# (KPI key, formatter, meaning); the label is the KPI catalogue's.
TileSpec = tuple[str, Callable[[float | None], str], Callable[[Kpis], str]]


def kpi_label(key: str) -> str:
    """The KPI catalogue's label of ``key`` (the key itself for a KPI it does not know:
    a kpis.json from another fleetsim version)."""
    found = lookup(key)
    return found.label if found is not None else key


def tiles(kpis: Kpis, specs: tuple[TileSpec, ...]) -> list[Tile]:
    """One tile per spec whose KPI is in ``kpis`` (a null value shows as ``"n/a"``).

    Args:
        kpis: KPI name -> value.
        specs: (key, formatter, meaning) of each tile, in display order.
    """
    return [
        Tile(key, kpi_label(key), fmt(kpis[key]), meaning(kpis))
        for key, fmt, meaning in specs
        if key in kpis
    ]


def with_count(kpis: Kpis, key: str, text: str) -> str:
    """Append ``text`` formatted with the count ``kpis[key]`` when that count is known."""
    value = kpis.get(key)
    return "" if is_missing(value) else text.format(fmt_int(value))

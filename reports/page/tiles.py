"""KPI tiles: the boxes at the top of the report and of each section."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from reports.page.formatting import NA, fmt_auto, fmt_int, fmt_pct, is_missing
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


# Units shown after a value ("12.3 min", "991 CNY/visit"); counts, fractions (shown in %)
# and rates ("1/job": the label names the denominator) stand alone.
_SILENT_UNITS = ("count", "fraction", "")
# Words of a KPI key written in capitals in a label made from the key.
_ACRONYMS = {"csat": "CSAT", "nps": "NPS", "ftf": "FTF", "kpi": "KPI", "cny": "CNY"}


def fallback_label(key: str) -> str:
    """A label made from a KPI key the catalogue does not define yet
    (``"technician_attrition_3m_new"`` -> ``"Technician attrition 3m new"``)."""
    words = [_ACRONYMS.get(w, w) for w in key.split("_") if w]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def display_label(key: str) -> str:
    """The catalogue's label of ``key``, else :func:`fallback_label`."""
    found = lookup(key)
    return found.label if found is not None else fallback_label(key)


def _digits(spec: str) -> int:
    """Decimals of a format spec (``".1%"`` -> 1, ``",.0f"`` -> 0); 1 when it names none."""
    _, dot, rest = spec.partition(".")
    number = "".join(c for c in rest if c.isdigit())
    return int(number) if dot and number else 1


def fmt_kpi(key: str, value: float | None, unit: str = "") -> str:
    """A KPI value as a tile shows it: the catalogue's format and unit when it defines ``key``,
    else ``unit`` (``"fraction"``, ``"count"``, ``"min"``, ...): counts and CNY amounts whole,
    other values by :func:`fmt_auto`.

    Fractions show as percentages (``"81.9 %"``); a unit other than a count, a fraction or
    a rate follows the number (``"991 CNY/visit"``, ``"12.3 min"``). ``"n/a"`` when missing.
    """
    if is_missing(value):
        return NA
    found = lookup(key)
    if found is not None:
        unit = found.unit
        if unit == "fraction":
            return fmt_pct(value, _digits(found.fmt))
        text = format(value, found.fmt)
    elif unit == "fraction":
        return fmt_pct(value, 1)
    elif unit == "count" or unit.startswith("CNY"):
        text = fmt_int(value)
    else:
        text = fmt_auto(value)
    if unit in _SILENT_UNITS or unit.startswith("1/"):
        return text
    return f"{text} {unit}"


# (KPI key, meaning); the label and format are the catalogue's (see :func:`kpi_tiles`).
KpiSpec = tuple[str, Callable[[Kpis], str]]


def kpi_tiles(kpis: Kpis, specs: tuple[KpiSpec, ...],
              units: Mapping[str, str] | None = None) -> list[Tile]:
    """One tile per spec whose KPI is in ``kpis`` with a finite value, labelled and formatted
    by the KPI catalogue (:func:`display_label`, :func:`fmt_kpi`).

    Unlike :func:`tiles`, a KPI that is absent or undefined gets no tile: for KPIs that
    only some runs have (a newer simulator, a scenario that defines them).

    Args:
        kpis: KPI name -> value.
        specs: (key, meaning) of each tile, in display order.
        units: Key -> unit for keys the catalogue does not define yet (``"fraction"``,
            ``"count"``, ``"min"``...).
    """
    units = units or {}
    return [
        Tile(key, display_label(key), fmt_kpi(key, kpis[key], units.get(key, "")), meaning(kpis))
        for key, meaning in specs
        if not is_missing(kpis.get(key))
    ]

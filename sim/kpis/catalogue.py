"""The KPI catalogue: every KPI of a run defined once (label, unit, format, better direction).

The rows live in :mod:`sim.kpis.definitions`, per domain; this module makes them
:class:`Kpi` records and answers lookups. A key with a placeholder is a *family*
(``failures_by_component_{component}``): :func:`lookup` of a member
(``failures_by_component_battery``) returns a :class:`Kpi` with the concrete key
and a label naming the member ("Failures: Traction battery").

Placeholders and their members:

* ``{component}``: a twin name (:data:`twins.TWINS`), shown by :func:`twins.component_label`;
* ``{level}``: an alert level (:data:`configs.alerts_schema.LEVELS`);
* ``{release}``: any OTA release name.

``fleetsim-kpis`` (:mod:`sim.kpis.cli`) prints the catalogue; the README's KPI
glossary is its ``--markdown`` output.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from typing import Any

from configs.alerts_schema import LEVELS
from sim.kpis.definitions import DOMAINS as _ROWS
from twins import TWINS, component_label

DOMAINS: tuple[str, ...] = tuple(_ROWS)
BETTER = ("lower", "higher", "")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
# The unit written after a formatted value, where it reads naturally ("185 CNY", "25.79 h");
# fractions show as percentages and counts and rates stand alone.
_SUFFIX = {"CNY": "CNY", "CNY/vehicle-year": "CNY", "h": "h", "d": "d", "%/yr": "%/yr",
           "km/yr": "km/yr"}


@dataclass(frozen=True)
class Kpi:
    """One KPI (or one family of KPIs) of a run.

    Attributes:
        key: the name in ``kpis.json``; a family has one placeholder, e.g.
            ``failures_by_component_{component}``.
        label: human label, e.g. "Breakdowns per 1,000 vehicle-years" (a family's names
            the member through the same placeholder).
        unit: e.g. ``1/(1000 vehicle-years)``, ``h``, ``fraction``, ``count``, ``CNY``.
        fmt: Python format spec for plain-text display, e.g. ``,.0f``, ``.2f``, ``.1%``.
        better: ``lower``, ``higher`` or ``""`` (a size or context figure).
        definition: what it measures, one line (the README glossary).
        domain: one of :data:`DOMAINS`.
    """

    key: str
    label: str
    unit: str
    fmt: str
    better: str
    definition: str
    domain: str

    def __post_init__(self) -> None:
        if self.better not in BETTER:
            raise ValueError(f"KPI {self.key!r}: better={self.better!r}; expected one of "
                             f"{BETTER}")
        if self.domain not in DOMAINS:
            raise ValueError(f"KPI {self.key!r}: domain={self.domain!r}; expected one of "
                             f"{DOMAINS}")
        format(1.0, self.fmt)  # a bad format spec fails at import, not at display
        if len(_PLACEHOLDER.findall(self.key)) > 1:
            raise ValueError(f"KPI {self.key!r}: a family has one placeholder")

    @property
    def placeholder(self) -> str:
        """The family's placeholder name (``component``, ``level``, ``release``), else ""."""
        found = _PLACEHOLDER.search(self.key)
        return found.group(1) if found else ""

    @property
    def is_family(self) -> bool:
        return bool(self.placeholder)

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


CATALOGUE: tuple[Kpi, ...] = tuple(
    Kpi(*row, domain=domain) for domain, rows in _ROWS.items() for row in rows)

# Exact keys, and each family under its placeholder key ("failures_by_component_{component}").
_BY_KEY: dict[str, Kpi] = {k.key: k for k in CATALOGUE}
_FAMILIES: tuple[Kpi, ...] = tuple(k for k in CATALOGUE if k.is_family)
if len(_BY_KEY) != len(CATALOGUE):
    raise ValueError("the KPI catalogue defines a key twice")


# Placeholder -> member -> its display name; None: any name is a member.
_MEMBERS: dict[str, dict[str, str] | None] = {
    "component": {name: component_label(name) for name in TWINS},
    "level": {level: level for level in LEVELS},
    "release": None,
}
if {f.placeholder for f in _FAMILIES} - set(_MEMBERS):
    raise ValueError(f"KPI placeholders must be one of {sorted(_MEMBERS)}")


def _member(family: Kpi, key: str) -> tuple[str, str] | None:
    """(member, its display name) if ``key`` belongs to ``family``, else None."""
    prefix, _, suffix = _PLACEHOLDER.sub("\0", family.key).partition("\0")
    if not (key.startswith(prefix) and key.endswith(suffix)
            and len(key) > len(prefix) + len(suffix)):
        return None
    member = key[len(prefix):len(key) - len(suffix)]
    names = _MEMBERS[family.placeholder]
    if names is None:
        return member, member
    return (member, names[member]) if member in names else None


def matches(key: str) -> list[Kpi]:
    """Every catalogue entry that defines ``key`` (the exact one and any family).

    A consistent catalogue gives at most one; :func:`lookup` takes the exact one first.
    """
    found = [_BY_KEY[key]] if key in _BY_KEY else []
    return found + [f for f in _FAMILIES if f.key != key and _member(f, key) is not None]


def lookup(key: str) -> Kpi | None:
    """The :class:`Kpi` of a key: a concrete key, a family member (with its own key and
    label) or a family's own placeholder key; None when the catalogue does not define it."""
    if key in _BY_KEY:
        return _BY_KEY[key]
    for family in _FAMILIES:
        found = _member(family, key)
        if found is not None:
            label = family.label.replace(f"{{{family.placeholder}}}", found[1])
            return replace(family, key=key, label=label)
    return None


def kpi(key: str) -> Kpi:
    """Like :func:`lookup`, but a key not in the catalogue raises ``KeyError``."""
    found = lookup(key)
    if found is None:
        raise KeyError(f"KPI {key!r} is not in the KPI catalogue; add it to the catalogue "
                       "(sim/kpis/definitions.py; `fleetsim-kpis` lists the known KPIs)")
    return found


def unknown(keys: Iterable[str]) -> list[str]:
    """The keys (in the given order, once each) that the catalogue does not define."""
    return [k for k in dict.fromkeys(keys) if lookup(k) is None]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        return False


def format_value(key: str, value: Any) -> str:
    """``value`` of KPI ``key`` as plain text: its format, plus the unit where it reads
    naturally (``"185 CNY"``, ``"25.79 h"``, ``"81.9%"``, ``"3,650,000"``); ``"n/a"`` when
    undefined (None or NaN).

    Raises:
        KeyError: ``key`` is not in the catalogue.
    """
    k = kpi(key)
    if _missing(value):
        return "n/a"
    text = format(value, k.fmt)
    suffix = _SUFFIX.get(k.unit)
    return f"{text} {suffix}" if suffix else text


def by_domain(domain: str | None = None) -> tuple[Kpi, ...]:
    """The catalogue entries of one domain (all of them for ``None``), in reading order.

    Raises:
        ValueError: an unknown domain (the message names the valid ones).
    """
    if domain is None:
        return CATALOGUE
    if domain not in DOMAINS:
        raise ValueError(f"unknown KPI domain {domain!r}; domains: {', '.join(DOMAINS)}")
    return tuple(k for k in CATALOGUE if k.domain == domain)

"""Text parts of the report: scenario and provenance lines, the full KPI table, the config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reports.page.formatting import fmt_auto, fmt_duration, fmt_int, fmt_pct, fmt_si, is_missing
from reports.page.tiles import Kpis
from sim.kpis.catalogue import CATALOGUE, lookup, matches


def scenario_line(kpis: Kpis, run: Mapping[str, Any]) -> str:
    """Describe the run in one line: size, horizon, seed, wall time and throughput.

    Args:
        kpis: KPI name -> value.
        run: Parsed run.json (may be empty).

    Returns:
        E.g. ``"1,000 vehicles · 30 days · seed 7 · wall time 1.2 s · 25.00 k vehicle-days/s"``.
    """
    parts = []
    if "vehicles" in kpis:
        parts.append(f"{fmt_int(kpis['vehicles'])} vehicles")
    if "horizon_days" in kpis:
        parts.append(f"{fmt_int(kpis['horizon_days'])} days")
    if "seed" in run:
        parts.append(f"seed {run['seed']}")
    if _number(run.get("wall_s")) is not None:
        parts.append(f"wall time {fmt_duration(_number(run['wall_s']))}")
    if _number(run.get("vehicle_days_per_s")) is not None:
        parts.append(f"{fmt_si(_number(run['vehicle_days_per_s']))} vehicle-days/s")
    return " · ".join(parts)


def provenance_line(run: Mapping[str, Any]) -> str:
    """Describe where the run came from: start time, commit and fleetsim version.

    Args:
        run: Parsed run.json (may be empty).

    Returns:
        E.g. ``"started 2025-01-01T00:00:00 · commit abc1234 · fleetsim 0.1.0"``.
    """
    parts = []
    if run.get("started_at"):
        parts.append(f"started {run['started_at']}")
    parts.append(f"commit {str(run['git_commit'])[:10]}" if run.get("git_commit") else "")
    versions = run.get("versions")
    if isinstance(versions, Mapping) and versions.get("fleetsim"):
        parts.append(f"fleetsim {versions['fleetsim']}")
    overrides = run.get("overrides")
    if isinstance(overrides, list) and overrides:
        parts.append("overrides: " + " ".join(str(o) for o in overrides))
    return " · ".join(p for p in parts if p)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return None if is_missing(float(value)) else float(value)


@dataclass(frozen=True)
class KpiRow:
    """One line of the full KPI table.

    Attributes:
        key: KPI name in kpis.json.
        label: The KPI catalogue's label (the key for a KPI it does not know).
        value: Formatted value (shares in %).
        unit: Unit of the value as shown ("" for counts, shares and unknown KPIs).
        definition: The catalogue's one-line definition ("" when unknown).
    """

    key: str
    label: str
    value: str
    unit: str
    definition: str


_SILENT_UNITS = ("count", "fraction")


def kpi_rows(kpis: Kpis) -> list[KpiRow]:
    """Every KPI with its catalogue label, unit and definition, in the catalogue's order
    (by domain); KPIs the catalogue does not know come last, by name.

    Args:
        kpis: KPI name -> value.

    Returns:
        Rows for the full KPI table.
    """
    order = {k.key: i for i, k in enumerate(CATALOGUE)}

    def rank(key: str) -> tuple[int, str]:
        defined = matches(key)
        return (order[defined[0].key] if defined else len(order), key)

    rows = []
    for key in sorted(kpis, key=rank):
        k, value = lookup(key), kpis[key]
        if k is None:
            rows.append(KpiRow(key, key, fmt_auto(value), "", ""))
            continue
        text = fmt_pct(value) if k.unit == "fraction" else fmt_auto(value)
        unit = "" if k.unit in _SILENT_UNITS else k.unit
        rows.append(KpiRow(key, k.label, text, unit, k.definition))
    return rows


def config_text(run: Mapping[str, Any]) -> str:
    """Return the resolved config and versions from run.json as indented JSON.

    Args:
        run: Parsed run.json (may be empty).

    Returns:
        Pretty-printed JSON, or an empty string when run.json has neither.
    """
    dump = {k: run[k] for k in ("config", "versions", "overrides") if k in run}
    if not dump:
        return ""
    return json.dumps(dump, indent=2, default=str, ensure_ascii=False)

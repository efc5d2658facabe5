"""What a per-vehicle projection returns (:class:`Projection`) and how it is put in words.

Component display names are the twins' ``LABEL`` (:func:`twins.component_label`),
maintenance actions from each twin's ``EVENTS``
causes (:data:`ACTIONS`, falling back to the cause name), so a new twin is
reported without a code change.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from sim.whatif.vehicle import VehicleTwin
from twins import component_label

OWN, ALT = "own", "alt"
NEVER = -1


class Horizon(NamedTuple):
    """A reporting horizon: ``key`` for column names, ``label`` for tables."""

    key: str
    label: str
    days: int
    window: str


HORIZONS = (Horizon("3mo", "3 mo", 91, "3 months"), Horizon("12mo", "12 mo", 365, "12 months"))

# Maintenance actions by (twin, cause); an unknown cause falls back to its name with spaces.
ACTIONS = {
    ("battery", "hv_fault"): "HV system fault",
    ("battery", "capacity_low"): "pack replacement",
    ("brakes", "pad_worn"): "pad replacement",
    ("coolant", "overheat"): "overheat from coolant loss",
    ("coolant", "coolant_low"): "leak repair and refill",
    ("tires", "puncture_roadside"): "puncture",
    ("tires", "flat"): "flat tire",
    ("tires", "puncture"): "puncture repair",
    ("tires", "tread_worn"): "tire replacement",
    ("aux12v", "no_start"): "no-start",
    ("aux12v", "sudden_failure"): "sudden no-start",
    ("aux12v", "weak_battery"): "replacement",
}
LIKELIHOOD = ((0.9, "very likely"), (0.5, "likely"), (0.2, "possible"), (0.0, "unlikely"))


def cause_action(component: str, cause: str) -> str:
    """What a fault cause means for the owner, e.g. ``pad_worn`` -> ``pad replacement``."""
    return ACTIONS.get((component, cause), cause.replace("_", " "))


def _likelihood(p: float) -> str:
    return next(word for floor, word in LIKELIHOOD if p >= floor)


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclasses.dataclass
class Projection:
    """The outcome of :func:`project`.

    Attributes:
        twin: the projected vehicle.
        days, samples, seed: as given to :func:`project`.
        scenarios: per scenario name, its spec text and resolved usage traits.
        health: per scenario, mean health over the copies, index day ``0..days``,
            one column per twin; day 0 is the loaded state.
        first_fault: per scenario and (twin, cause), each copy's first fault day
            (``NEVER`` = -1 when it does not occur within ``days``).
    """

    twin: VehicleTwin
    days: int
    samples: int
    seed: int
    scenarios: dict[str, dict[str, Any]]
    health: dict[str, pd.DataFrame]
    first_fault: dict[str, dict[tuple[str, str], np.ndarray]]

    def horizons(self) -> list[Horizon]:
        """The reporting horizons within the projection (its ``end`` if shorter than all)."""
        inside = [h for h in HORIZONS if h.days <= self.days]
        return inside or [Horizon("end", f"{self.days} d", self.days, f"{self.days} days")]

    def summary(self) -> pd.DataFrame:
        """Health now and at each horizon per scenario; one row per twin."""
        first = next(iter(self.health.values()))
        cols = {"now": first.loc[0]}
        for name, h in self.health.items():
            for hz in HORIZONS:
                cols[f"{hz.label} ({name})"] = (h.loc[hz.days] if hz.days <= self.days
                                                else pd.Series(np.nan, index=h.columns))
        return pd.DataFrame(cols).rename_axis("component")

    def needs(self) -> pd.DataFrame:
        """One row per scenario, twin and fault cause: how likely and when it is needed.

        Columns: ``due_now`` (the fault is present already), ``p_<horizon>``
        (share of copies needing it by then; NaN beyond the projection) and
        ``median_day`` (among the copies that need it within the projection).
        """
        rows = []
        for name, faults in self.first_fault.items():
            for (comp, cause), day in faults.items():
                hit = day[day != NEVER]
                row = {"scenario": name, "component": comp, "cause": cause,
                       "severity": self.twin.twins[comp].EVENTS[cause],
                       "due_now": bool((day == 0).all())}
                for hz in HORIZONS:
                    row[f"p_{hz.key}"] = (float(np.mean((day != NEVER) & (day <= hz.days)))
                                          if hz.days <= self.days else np.nan)
                row["p_end"] = hit.size / day.size
                row["median_day"] = float(np.median(hit)) if hit.size else np.nan
                rows.append(row)
        return pd.DataFrame(rows)

    def maintenance_list(self, scenario: str = OWN, min_p: float = 0.05) -> list[str]:
        """Plain-language maintenance needs of one scenario, soonest first.

        Each need is stated for the shortest horizon by which it is likely
        (p >= 0.5), else the longest; needs less likely than ``min_p`` are left out.
        """
        if scenario not in self.first_fault:
            raise ValueError(f"no scenario {scenario!r}; scenarios: {', '.join(self.health)}")
        table = self.needs()
        out = []
        for r in table[table["scenario"] == scenario].sort_values("median_day").itertuples():
            label = component_label(r.component)
            action = cause_action(r.component, r.cause)
            if r.severity == "roadside":
                action += " (roadside breakdown)"
            if r.due_now:
                out.append(f"{label}: {action} due now (the fault is already present)")
                continue
            hz = self.horizons()
            pick = next((h for h in hz if getattr(r, f"p_{h.key}") >= 0.5), hz[-1])
            p = getattr(r, f"p_{pick.key}")
            if p >= min_p:
                out.append(f"{label}: {action} {_likelihood(p)} within {pick.window} "
                           f"(p={p:.2f}, median day {r.median_day:.0f})")
        return out

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data (NaN as ``None``)."""
        summary = self.summary()
        needs = self.needs()
        return {
            "vehicle": self.twin.vehicle, "info": self.twin.info, "usage": self.twin.usage,
            "start_day": self.twin.start_day, "days": self.days, "samples": self.samples,
            "seed": self.seed, "horizons_days": {h.label: h.days for h in HORIZONS},
            "skipped": self.twin.skipped, "scenarios": self.scenarios,
            "health": {c: {k: _nan_to_none(float(v)) for k, v in summary.loc[c].items()}
                       for c in summary.index},
            "needs": [{k: _nan_to_none(v) for k, v in r.items()}
                      for r in needs.to_dict(orient="records")],
            "maintenance": {s: self.maintenance_list(s) for s in self.health},
            "health_by_day": {s: {c: [round(float(x), 5) for x in h[c]] for c in h.columns}
                              for s, h in self.health.items()},
        }

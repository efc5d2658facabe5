"""Scalar, per-vehicle constant-hazard twins for the naive baseline: electrics, software, body.

Like :mod:`experiments.bench.naive_twins`: one vehicle at a time, Python floats
and ``random``, the same parameters as the vectorized twins.
"""

from __future__ import annotations

import random
from typing import Any

from experiments.bench.naive_twins import Usage, hazard, unknown_signal
from twins.usage import DAYS_PER_YEAR


class Electrics:
    """Low-voltage electrics: constant-hazard faults, roadside or drivable."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.fault = 0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe develop a fault (a roadside one overrides a drivable one)."""
        p = self.p
        if self.rnd.random() < hazard(p.drivable_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.fault = max(self.fault, 1)
        if self.rnd.random() < hazard(p.roadside_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.fault = 2

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        return {2: ["electrical_fault"], 1: ["minor_electrical_fault"]}.get(self.fault, [])

    def sense(self, signal: str) -> float:
        """``dtc_present``: 1 while a fault is present (a stored trouble code), else 0."""
        if signal == "dtc_present":
            return 1.0 if self.fault > 0 else 0.0
        raise unknown_signal("electrics", signal)

    def repair(self, cause: str) -> None:
        """Clear the fault."""
        self.fault = 0


class Software:
    """Vehicle software: constant-hazard bugs scaled by the software's ``fault_rate_factor``."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.fault = 0
        self.ota_fault = 0           # set by an OTA campaign (a release's defect, a brick)
        self.fault_rate_factor = 1.0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe develop a fault (a roadside one overrides a drivable one)."""
        p, f = self.p, self.fault_rate_factor
        if self.rnd.random() < hazard(f * p.drivable_fault_rate_per_vehicle_year / DAYS_PER_YEAR,
                                      dt):
            self.fault = max(self.fault, 1)
        if self.rnd.random() < hazard(f * p.roadside_fault_rate_per_vehicle_year / DAYS_PER_YEAR,
                                      dt):
            self.fault = 2

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        found = [(self.fault == 2, "software_fault_roadside"),
                 (self.ota_fault == 2, "ota_no_start"),
                 (self.fault == 1, "software_fault"), (self.ota_fault == 1, "ota_fault")]
        return [cause for hit, cause in found if hit]

    def sense(self, signal: str) -> float:
        """``dtc_present``: 1 while a fault is present (a stored trouble code), else 0."""
        if signal == "dtc_present":
            return 1.0 if max(self.fault, self.ota_fault) > 0 else 0.0
        raise unknown_signal("software", signal)

    def repair(self, cause: str) -> None:
        """Clear the repaired fault (the software itself, and so its fault rate, is unchanged)."""
        if cause.startswith("ota_"):
            self.ota_fault = 0
        else:
            self.fault = 0


class Body:
    """Minor body damage: a constant-hazard shock."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.damage = 0

    def step(self, u: Usage, dt: float) -> None:
        """Maybe get damaged."""
        if self.rnd.random() < hazard(self.p.damage_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.damage = 1

    def faults(self) -> list[str]:
        """Active fault causes."""
        return ["body_damage"] if self.damage else []

    def sense(self, signal: str) -> float:
        """``damage_reported``: 1 while damage is present (the owner reports it), else 0."""
        if signal == "damage_reported":
            return 1.0 if self.damage else 0.0
        raise unknown_signal("body", signal)

    def repair(self, cause: str) -> None:
        """Repair the damage."""
        self.damage = 0

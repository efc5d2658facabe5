"""Shared pieces of shock twins: a fault state with a drivable and a roadside level.

Used by twins whose faults have no published wear mechanism (electrics,
software): constant hazards, a stored trouble code while a fault is present,
health 1 without a fault and 0 with one.
"""

from __future__ import annotations

import numpy as np

from twins._random import hazard_prob, rare_events, scaled_hazard_events
from twins.usage import DAYS_PER_YEAR

F32 = np.float32
ROADSIDE, DRIVABLE = 2, 1


def draw_faults(fault: np.ndarray, drivable_rate_per_year: float, roadside_rate_per_year: float,
                dt, rng: np.random.Generator, factor: np.ndarray | None = None) -> None:
    """New faults for ``dt`` days, in place; a roadside fault overrides a drivable one.

    ``factor`` scales each vehicle's hazard (None: every vehicle at the base rate).
    """
    n = len(fault)
    for level, rate in ((DRIVABLE, drivable_rate_per_year), (ROADSIDE, roadside_rate_per_year)):
        per_day = rate / DAYS_PER_YEAR
        hit = (rare_events(rng, hazard_prob(per_day, dt), n) if factor is None
               else scaled_hazard_events(rng, per_day, factor, dt, n))
        fault[hit] = np.maximum(fault[hit], level)


def trouble_code(fault: np.ndarray) -> np.ndarray:
    """1 while a fault is present (a stored diagnostic trouble code), else 0."""
    return (fault > 0).astype(F32)


def fault_free(fault: np.ndarray) -> np.ndarray:
    """Health: 1 without a fault, 0 with one."""
    return (fault == 0).astype(F32)


def masks(fault: np.ndarray, roadside_cause: str, drivable_cause: str) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return {roadside_cause: fault == ROADSIDE, drivable_cause: fault == DRIVABLE}

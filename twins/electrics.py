"""Low-voltage electrics twin: random faults of wiring, control units, locks and lights.

ADAC counts "electrics" as ~15 % of EV breakdowns, a cause none of the
physical twins covers; without it the 12 V battery's share of breakdowns is
overstated. No wear mechanism is published, so faults are constant-hazard
shocks (rates are parameters sized to ADAC).

Events (most severe first):
    electrical_fault (roadside): a fault that strands the car.
    minor_electrical_fault (drivable): a fault the owner can drive to service.
Inputs: none beyond time.
States: fault (0 none, 1 drivable, 2 roadside).
Outputs (sense): dtc_present (diagnostic trouble code flag, 0/1).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._shock import DRIVABLE, ROADSIDE, draw_faults, fault_free, masks, trouble_code  # noqa: F401
from twins.usage import Usage

NAME = "electrics"
LABEL = "LV electrics"  # display name in reports and the what-if
STATES = ("fault",)
INPUTS = ()
EVENTS = {"electrical_fault": "roadside", "minor_electrical_fault": "drivable"}
F32 = np.float32


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """No fault present."""
    return {"fault": np.zeros(n, np.int8)}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Draw new faults for ``dt`` days; a roadside fault overrides a drivable one."""
    draw_faults(state["fault"], params.drivable_fault_rate_per_vehicle_year,
                params.roadside_fault_rate_per_vehicle_year, dt, rng)


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """A diagnostic trouble code is stored while a fault is present.

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    return {"dtc_present": trouble_code(state["fault"])}


def health(state, params) -> np.ndarray:
    """1 without a fault, 0 with one."""
    return fault_free(state["fault"])


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return masks(state["fault"], "electrical_fault", "minor_electrical_fault")


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Clear the fault."""
    state["fault"][idx] = 0

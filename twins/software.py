"""Vehicle software twin: random faults of ECU and infotainment software (bugs).

Seed 001 reports that OTA already resolves ~15 % of service "faults" that are
really software bugs: software is a cause of its own, apart from hardware.
No ageing is involved, so faults are constant-hazard shocks; each vehicle's
hazard is scaled by its ``fault_rate_factor``, the quality of the software it
runs, which OTA releases change (a fix lowers it, a buggy release raises it).

Events (most severe first):
    software_fault_roadside (roadside): a bug that strands the car.
    ota_no_start (roadside): an OTA install left the car unable to start (bricked,
        or a latent defect of the release).
    software_fault (drivable): a bug the car can be driven with (often fixed remotely).
    ota_fault (drivable): a fault caused by a release's latent defect.
Inputs: none beyond time.
States: fault (0 none, 1 drivable, 2 roadside); ota_fault (same levels, set by OTA
    campaigns, never drawn here); fault_rate_factor (>= 0, 1 = the configured rates;
    set by OTA, kept through repairs).
Outputs (sense): dtc_present (diagnostic trouble code flag, 0/1).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._shock import DRIVABLE, ROADSIDE, draw_faults, fault_free, trouble_code
from twins.usage import Usage

NAME = "software"
LABEL = "Software"  # display name in reports and the what-if
STATES = ("fault", "ota_fault", "fault_rate_factor")
INPUTS = ()
EVENTS = {"software_fault_roadside": "roadside", "ota_no_start": "roadside",
          "software_fault": "drivable", "ota_fault": "drivable"}
EXTERNAL_EVENTS = ("ota_no_start", "ota_fault")  # raised by OTA campaigns, never by step()
OTA_CAUSES = (*EXTERNAL_EVENTS, "ota_dealer_flash")   # repairs that clear ota_fault
F32 = np.float32


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """No fault present; every vehicle runs software of the configured quality."""
    return {"fault": np.zeros(n, np.int8), "ota_fault": np.zeros(n, np.int8),
            "fault_rate_factor": np.ones(n, F32)}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Draw new faults for ``dt`` days; a roadside fault overrides a drivable one."""
    draw_faults(state["fault"], params.drivable_fault_rate_per_vehicle_year,
                params.roadside_fault_rate_per_vehicle_year, dt, rng,
                factor=state["fault_rate_factor"])


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """A diagnostic trouble code is stored while a fault is present.

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    return {"dtc_present": trouble_code(np.maximum(state["fault"], state["ota_fault"]))}


def health(state, params) -> np.ndarray:
    """1 without a fault, 0 with one."""
    return fault_free(np.maximum(state["fault"], state["ota_fault"]))


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first (the order of ``EVENTS``)."""
    bug, ota = state["fault"], state["ota_fault"]
    return {"software_fault_roadside": bug == ROADSIDE, "ota_no_start": ota == ROADSIDE,
            "software_fault": bug == DRIVABLE, "ota_fault": ota == DRIVABLE}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Clear the repaired fault (an OTA fault or a bug); the software quality is unchanged."""
    state["ota_fault" if cause in OTA_CAUSES else "fault"][idx] = 0

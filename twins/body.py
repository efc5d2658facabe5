"""Body twin: minor body damage (dents, scratches, bumpers) that needs a body shop.

Seed 001's three-level triage sends ~5 % of service demand to L3 body & paint;
none of the mechanical twins produces that demand. Damage comes from parking
knocks and minor collisions, not wear, so it is a constant-hazard shock.

Events:
    body_damage (drivable): damage the owner drives to a body shop.
Inputs: none beyond time.
States: damage (0 none, 1 damaged).
Outputs (sense): damage_reported (the owner reported damage, 0/1).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import hazard_prob, rare_events
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "body"
LABEL = "Body"  # display name in reports and the what-if
STATES = ("damage",)
INPUTS = ()
EVENTS = {"body_damage": "drivable"}
F32 = np.float32


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """No damage."""
    return {"damage": np.zeros(n, np.int8)}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Draw new damage for ``dt`` days."""
    n = len(state["damage"])
    hit = rare_events(rng, hazard_prob(params.damage_rate_per_vehicle_year / DAYS_PER_YEAR, dt), n)
    state["damage"][hit] = 1


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Damage is reported by the owner while present (no sensor sees a dent).

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    return {"damage_reported": (state["damage"] > 0).astype(F32)}


def health(state, params) -> np.ndarray:
    """1 without damage, 0 with it."""
    return (state["damage"] == 0).astype(F32)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks."""
    return {"body_damage": state["damage"] > 0}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Repair the damage."""
    state["damage"][idx] = 0

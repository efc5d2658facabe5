"""Brake pad twin: wear from friction braking energy.

Friction energy = braking demand x (1 - regen share) x driving style (see
:class:`twins.usage.Usage`); each axle wears by its share of it.

Events: pad_worn (drivable): either axle below the replacement thickness.
Inputs: friction_kwh. States: pad_front_mm, pad_rear_mm.
Outputs (sense): pad_front_mm_est, pad_rear_mm_est, pad_remaining_frac_est.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import standard_normal32
from twins.usage import Usage

NAME = "brakes"
LABEL = "Brakes"  # display name in reports and the what-if
STATES = ("pad_front_mm", "pad_rear_mm")
INPUTS = ("friction_kwh",)
EVENTS = {"pad_worn": "drivable"}
F32 = np.float32


def _new_pads(k: int, params, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    spread = rng.standard_normal((2, k)) * params.pad_new_sd_mm
    return ((params.pad_front_new_mm + spread[0]).astype(F32),
            (params.pad_rear_new_mm + spread[1]).astype(F32))


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """New pads on both axles."""
    front, rear = _new_pads(n, params, rng)
    return {"pad_front_mm": front, "pad_rear_mm": rear}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Wear both axles by ``dt`` days of friction braking, in place."""
    wear = usage.friction_kwh * np.asarray(dt, F32) * F32(params.pad_wear_mm_per_friction_kwh)
    state["pad_front_mm"] -= wear * F32(params.front_share_frac)
    state["pad_rear_mm"] -= wear * F32(1.0 - params.front_share_frac)
    np.maximum(state["pad_front_mm"], 0.0, out=state["pad_front_mm"])
    np.maximum(state["pad_rear_mm"], 0.0, out=state["pad_rear_mm"])


def remaining_frac(state, params) -> np.ndarray:
    """Usable pad left on the most worn axle, 1 (new) .. 0 (replace)."""
    front = (state["pad_front_mm"] - params.pad_replace_mm) / (
        params.pad_front_new_mm - params.pad_replace_mm)
    rear = (state["pad_rear_mm"] - params.pad_replace_mm) / (
        params.pad_rear_new_mm - params.pad_replace_mm)
    return np.minimum(front, rear)


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Wear-model estimates of pad thickness with noise.

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    n = len(state["pad_front_mm"])
    noise = standard_normal32(rng, 2 * n).reshape(2, n) * F32(params.sensor_noise_sd_mm)
    front = state["pad_front_mm"] + noise[0]
    rear = state["pad_rear_mm"] + noise[1]
    est = {"pad_front_mm": front, "pad_rear_mm": rear}
    return {"pad_front_mm_est": front, "pad_rear_mm_est": rear,
            "pad_remaining_frac_est": remaining_frac(est, params)}


def health(state, params) -> np.ndarray:
    """Health 1 (new pads) .. 0 (replacement thickness reached)."""
    return np.clip(remaining_frac(state, params), 0.0, 1.0)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks."""
    return {"pad_worn": np.minimum(state["pad_front_mm"], state["pad_rear_mm"])
            < params.pad_replace_mm}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Fit new pads on both axles."""
    front, rear = _new_pads(len(idx), params, rng)
    state["pad_front_mm"][idx] = front
    state["pad_rear_mm"][idx] = rear

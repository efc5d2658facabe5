"""12 V auxiliary battery twin: temperature-accelerated ageing and no-start failures.

Each unit has its own life (lognormal around the reference life); wear
accrues faster in heat (Q10 law; AAA: 3-5 years, ~3 in hot climates).
At end of life the vehicle either flags a weak battery (drivable) or, for a
share of units, fails to start (roadside). Sudden internal failures (an
internal short, a cell defect) strand the car at any age; they are a cause of
their own because no trend of the unit's health foretells them, so a wear-out
detector is not scored on them.

Events (most severe first):
    no_start (roadside): worn-out unit that strands the car.
    sudden_failure (roadside): internal short or cell defect, at any wear.
    weak_battery (drivable): worn-out unit flagged by the vehicle.
Inputs: temp_c.
States: wear_frac (0 new .. 1 end of life), life_days, strands_at_eol (bool), sudden (bool).
Outputs (sense): rest_voltage_v_est, health_est (battery-sensor state of health).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import hazard_prob, rare_events, standard_normal32
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "aux12v"
LABEL = "12 V battery"  # display name in reports and the what-if
STATES = ("wear_frac", "life_days", "strands_at_eol", "sudden")
INPUTS = ("temp_c",)
EVENTS = {"no_start": "roadside", "sudden_failure": "roadside", "weak_battery": "drivable"}
F32 = np.float32


def _new_units(k: int, params, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    life = params.life_years_ref * DAYS_PER_YEAR * np.exp(
        params.life_log_sd * rng.standard_normal(k))
    strands = rng.random(k) < params.eol_no_start_share
    # A life is positive: one below float32's smallest normal (life_years_ref ~1e-40 is in
    # the schema's range) would round to 0 and make wear = dt / 0 NaN on a step of dt = 0.
    return np.maximum(life, np.finfo(F32).tiny).astype(F32), strands


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A new unit in every vehicle."""
    life, strands = _new_units(n, params, rng)
    return {"wear_frac": np.zeros(n, F32), "life_days": life,
            "strands_at_eol": strands, "sudden": np.zeros(n, bool)}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Accrue temperature-dependent wear and draw sudden failures; in place."""
    # Q10 law q10 ** ((T - T_ref) / 10), as one exp (cheaper than a float power per vehicle).
    log_q10_per_c = F32(np.log(params.ageing_q10) / 10.0)
    accel = np.exp((usage.temp_c - F32(params.ageing_ref_temp_c)) * log_q10_per_c)
    state["wear_frac"] += accel * np.asarray(dt, F32) / state["life_days"]
    rate = params.sudden_failure_rate_per_vehicle_year / DAYS_PER_YEAR
    hit = rare_events(rng, hazard_prob(rate, dt), len(state["wear_frac"]))
    state["sudden"][hit] = True


def health(state, params) -> np.ndarray:
    """Health 1 (new) .. 0 (end of life)."""
    return np.clip(1.0 - state["wear_frac"], 0.0, 1.0)


def rest_voltage_v(state, params) -> np.ndarray:
    """Open-circuit rest voltage, falling as the unit wears."""
    return F32(params.rest_voltage_new_v) - F32(params.rest_voltage_drop_at_eol_v) * (
        1.0 - health(state, params))


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Rest voltage and the battery sensor's state-of-health estimate, with noise.

    ``health_est`` is what an intelligent battery sensor (IBS) on the 12 V
    terminal reports: remaining life 1 (new) .. 0 (end of life). Only the
    signals in ``only`` are drawn, if given.
    """
    n = len(state["wear_frac"])
    out = {}
    if only is None or "rest_voltage_v_est" in only:
        out["rest_voltage_v_est"] = (rest_voltage_v(state, params)
                                     + standard_normal32(rng, n)
                                     * F32(params.sensor_voltage_noise_sd_v))
    if only is None or "health_est" in only:
        out["health_est"] = (health(state, params)
                             + standard_normal32(rng, n) * F32(params.sensor_health_noise_sd_frac))
    return out


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first (a worn-out unit that also failed suddenly is worn out)."""
    eol = state["wear_frac"] >= 1.0
    return {"no_start": eol & state["strands_at_eol"], "sudden_failure": state["sudden"],
            "weak_battery": eol & ~state["strands_at_eol"]}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Fit a new unit."""
    life, strands = _new_units(len(idx), params, rng)
    state["wear_frac"][idx] = 0.0
    state["life_days"][idx] = life
    state["strands_at_eol"][idx] = strands
    state["sudden"][idx] = False

"""Coolant loop twin: Weibull leak onset, progressive flow loss, pack temperature rise.

No published leak rates exist (CALIBRATION.md); the hazard is a documented
assumption. A slow seep shows the seeds' early signature (flow -3 %, pack
+1.2 degC) long before the dashboard warning; a burst overheats the same day.

Events (most severe first):
    overheat (roadside): flow below the overheat-protection threshold.
    coolant_low (drivable): flow below the warning threshold.
Inputs: none beyond time (onset depends on loop age).
States: age_days, leak_rate_frac_per_day (0 = no leak), flow_frac.
Outputs (sense): flow_frac_est, pack_temp_rise_c_est.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import standard_normal32, thinned_events
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "coolant"
LABEL = "Coolant loop"  # display name in reports and the what-if
STATES = ("age_days", "leak_rate_frac_per_day", "flow_frac")
INPUTS = ()
EVENTS = {"overheat": "roadside", "coolant_low": "drivable"}
F32 = np.float32


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A sealed loop at full flow; age is set by the fleet's ageing warm-up."""
    return {"age_days": np.zeros(n, F32),
            "leak_rate_frac_per_day": np.zeros(n, F32),
            "flow_frac": np.ones(n, F32)}


def _cum_hazard(age_days: np.ndarray, params) -> np.ndarray:
    # float64: evaluated at two edge ages and the thinning candidates only, so cheap; float32
    # overflowed to inf - inf = NaN for a steep hazard the schema allows (shape 15 over a
    # 23-day scale at 30 years: (age / scale) ** shape > 3.4e38), which has onset probability 1.
    scale_days = params.leak_weibull_scale_years * DAYS_PER_YEAR
    return np.power(np.asarray(age_days, np.float64) / scale_days,
                    float(params.leak_weibull_shape))


def _onset_prob(age_end: np.ndarray, dt: np.ndarray, params) -> np.ndarray:
    """Probability of a leak starting while the loop ages from ``age_end - dt`` to ``age_end``."""
    start = np.maximum(age_end - dt, 0)
    return -np.expm1(-(_cum_hazard(age_end, params) - _cum_hazard(start, params)))


def _leak_onsets(state, dt: np.ndarray, params, rng: np.random.Generator, n: int) -> np.ndarray:
    """Sealed loops that start leaking, by thinning: exact, evaluated at the candidates only.

    A loop's onset probability grows with its step, so the longest step's bounds
    it; over age, that one is unimodal (it grows while the step reaches back to
    age 0, i.e. up to ``age = dt_max``, then follows the monotone Weibull hazard:
    up for a shape >= 1, down below 1), so its largest value over the fleet's
    ages is at the youngest loop, the oldest, or ``dt_max`` between them.
    """
    if n == 0:
        return np.empty(0, dtype=np.int64)
    age = state["age_days"]
    dt_max = np.asarray(dt.max(), F32)
    lo, hi = age.min(), age.max()
    edges = np.array([lo, hi, np.clip(dt_max, lo, hi)], F32)
    p_max = float(_onset_prob(edges, dt_max, params).max())

    def p_of(idx: np.ndarray) -> np.ndarray:
        sealed = state["leak_rate_frac_per_day"][idx] == 0
        step_dt = dt if dt.ndim == 0 else dt[idx]
        return np.where(sealed, _onset_prob(age[idx], step_dt, params), 0.0)

    return thinned_events(rng, p_max, n, p_of)


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Age the loop, start leaks by the Weibull hazard, lose flow; in place."""
    n = len(state["age_days"])
    dt_arr = np.asarray(dt, F32)
    state["age_days"] += dt_arr
    leaking = np.flatnonzero(state["leak_rate_frac_per_day"] > 0)  # bool scan: far cheaper
    hit = _leak_onsets(state, dt_arr, params, rng, n)
    if hit.size:
        fast = rng.random(hit.size) < params.leak_fast_share
        seep = params.leak_rate_median_frac_per_day * np.exp(
            params.leak_rate_log_sd * rng.standard_normal(hit.size))
        state["leak_rate_frac_per_day"][hit] = np.where(
            fast, params.leak_fast_rate_frac_per_day, seep)
    if leaking.size:
        dt_l = np.broadcast_to(np.asarray(dt, F32), (n,))[leaking]
        flow = state["flow_frac"][leaking] - state["leak_rate_frac_per_day"][leaking] * dt_l
        state["flow_frac"][leaking] = np.maximum(flow, 0.0)
    if hit.size:  # a leak starting during the step loses flow for the part of it after onset
        frac_step = rng.random(hit.size)
        dt_h = np.broadcast_to(np.asarray(dt, F32), (n,))[hit]
        # The onset is uniform over the step (dt = 1: a part of the day, as before); a step of
        # dt days loses up to dt days of flow, so k steps of dt lose what k / 2 of 2 dt do
        # (min(u, dt) lost at most one day, whatever the step: the warm-up's long steps).
        flow = 1.0 - state["leak_rate_frac_per_day"][hit] * (frac_step * dt_h)
        state["flow_frac"][hit] = np.maximum(flow, 0.0)


def pack_temp_rise_c(state, params) -> np.ndarray:
    """Pack temperature rise above normal caused by lost coolant flow."""
    return F32(params.pack_temp_rise_c_per_flow_loss_frac) * (1.0 - state["flow_frac"])


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """Flow and pack-temperature telemetry with sensor noise (only ``only``, if given)."""
    n = len(state["flow_frac"])
    out = {}
    if only is None or "flow_frac_est" in only:
        out["flow_frac_est"] = (state["flow_frac"]
                                + standard_normal32(rng, n) * F32(params.sensor_flow_noise_sd_frac))
    if only is None or "pack_temp_rise_c_est" in only:
        out["pack_temp_rise_c_est"] = (pack_temp_rise_c(state, params)
                                       + standard_normal32(rng, n)
                                       * F32(params.sensor_temp_noise_sd_c))
    return out


def health(state, params) -> np.ndarray:
    """Health 1 (full flow) .. 0 (overheat threshold)."""
    h = (state["flow_frac"] - params.overheat_flow_frac) / (1.0 - params.overheat_flow_frac)
    return np.clip(h, 0.0, 1.0)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return {"overheat": state["flow_frac"] < params.overheat_flow_frac,
            "coolant_low": state["flow_frac"] < params.warning_flow_frac}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Seal the leak and refill the loop (the loop keeps its age)."""
    state["leak_rate_frac_per_day"][idx] = 0.0
    state["flow_frac"][idx] = 1.0

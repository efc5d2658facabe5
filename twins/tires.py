"""Tire twin: tread wear per km, slow pressure loss with owner top-ups, punctures.

Events (most severe first):
    puncture_roadside (roadside): puncture that strands the car.
    flat (roadside): cold pressure below the flat fraction of nominal.
    puncture (drivable): puncture the owner can drive to service.
    tread_worn (drivable): tread below the legal minimum.
Inputs: km, aggressiveness, temp_c.
States: tread_mm, pressure_cold_psi, puncture (0 none, 1 drivable, 2 roadside), temp_c.
Outputs (sense): tread_mm_est, pressure_psi_est (hot, temperature-corrected), pressure_low_frac_est.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import hazard_prob, rare_events, standard_normal32
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "tires"
LABEL = "Tires"  # display name in reports and the what-if
STATES = ("tread_mm", "pressure_cold_psi", "puncture", "temp_c")
INPUTS = ("km", "aggressiveness", "temp_c")
EVENTS = {"puncture_roadside": "roadside", "flat": "roadside",
          "puncture": "drivable", "tread_worn": "drivable"}
F32 = np.float32
DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
F_PER_C = 9.0 / 5.0


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """New tires at nominal pressure."""
    return {"tread_mm": np.full(n, params.tread_new_mm, F32),
            "pressure_cold_psi": np.full(n, params.pressure_nominal_psi, F32),
            "puncture": np.zeros(n, np.int8),
            "temp_c": np.full(n, params.pressure_fill_ref_temp_c, F32)}


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Wear tread, leak pressure, let owners top up, draw punctures; in place."""
    n = len(state["tread_mm"])
    dt32 = np.asarray(dt, F32)
    wear_per_km = F32(params.wear_mm_per_10000_km * params.ev_wear_factor / 10_000.0)
    state["tread_mm"] -= usage.km * usage.aggressiveness * wear_per_km * dt32
    np.maximum(state["tread_mm"], 0.0, out=state["tread_mm"])
    state["pressure_cold_psi"] -= F32(params.pressure_loss_psi_per_month / DAYS_PER_MONTH) * dt32
    np.maximum(state["pressure_cold_psi"], 0.0, out=state["pressure_cold_psi"])
    state["temp_c"][:] = usage.temp_c
    topped = rare_events(rng, hazard_prob(1.0 / params.owner_topup_interval_days, dt), n)
    state["pressure_cold_psi"][topped] = params.pressure_nominal_psi
    rate = params.puncture_rate_per_vehicle_year / DAYS_PER_YEAR
    hit = rare_events(rng, hazard_prob(rate, dt), n)
    if hit.size:
        roadside = rng.random(hit.size) < params.puncture_roadside_share
        state["puncture"][hit] = np.maximum(state["puncture"][hit], np.where(roadside, 2, 1))


def pressure_hot_psi(state, params) -> np.ndarray:
    """Pressure at the tire's current temperature (~1 psi per 10 degF); a gauge pressure,
    so never below 0 (a flat tire in the cold reads 0, not a negative pressure)."""
    delta_f = (state["temp_c"] - params.pressure_fill_ref_temp_c) * F_PER_C
    hot = state["pressure_cold_psi"] + F32(params.pressure_psi_per_deg_f) * delta_f
    return np.maximum(hot, F32(0.0))


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """TPMS pressure and tread estimate with noise (only the signals in ``only``, if given)."""
    n = len(state["tread_mm"])
    out = {}
    if only is None or "tread_mm_est" in only:
        out["tread_mm_est"] = (state["tread_mm"]
                               + standard_normal32(rng, n) * F32(params.sensor_tread_noise_sd_mm))
    if only is None or {"pressure_psi_est", "pressure_low_frac_est"} & set(only):
        pressure = (pressure_hot_psi(state, params)
                    + standard_normal32(rng, n) * F32(params.sensor_pressure_noise_sd_psi))
        out["pressure_psi_est"] = pressure
        out["pressure_low_frac_est"] = 1.0 - pressure / F32(params.pressure_nominal_psi)
    return out


def health(state, params) -> np.ndarray:
    """Health 1 (new tread) .. 0 (legal minimum), 0 if punctured or flat."""
    h = (state["tread_mm"] - params.tread_min_mm) / (params.tread_new_mm - params.tread_min_mm)
    flat = state["pressure_cold_psi"] < params.pressure_flat_frac * params.pressure_nominal_psi
    h = np.where((state["puncture"] > 0) | flat, 0.0, h)
    return np.clip(h, 0.0, 1.0)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return {"puncture_roadside": state["puncture"] == 2,
            "flat": state["pressure_cold_psi"]
            < params.pressure_flat_frac * params.pressure_nominal_psi,
            "puncture": state["puncture"] == 1,
            "tread_worn": state["tread_mm"] < params.tread_min_mm}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Repair the puncture, re-inflate; fit new tires when tread is worn."""
    state["puncture"][idx] = 0
    state["pressure_cold_psi"][idx] = params.pressure_nominal_psi
    if cause == "tread_worn":
        state["tread_mm"][idx] = params.tread_new_mm

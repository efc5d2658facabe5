"""Traction battery twin: semi-empirical capacity fade and resistance growth.

Calendar loss follows ``q_cal = k(T, SOC) * sqrt(t)`` with an Arrhenius
temperature factor and an exponential state-of-charge stress (Smith et al.
ACC 2017 / JES 2021; Schmalstieg et al. 2014). Under changing stress the
time is carried as an equivalent time ``t_eq = (q_cal / k)^2``, so the
sqrt-law holds piecewise. Cycle loss grows with equivalent full cycles, a
depth-of-discharge stress and DC fast-charge share.

Events:
    hv_fault (roadside): random HV battery / drive / charging fault.
    capacity_low (drivable): state of health below the replacement threshold.
Inputs: temp_c, soc_mean, efc, dod, dc_share (see :class:`twins.usage.Usage`).
States: q_cal, q_cyc (capacity loss fractions), hv_fault (bool).
Outputs (sense): soh_est, resistance_rel_est.
"""

from __future__ import annotations

import numpy as np

from twins._random import hazard_prob, rare_events
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "battery"
STATES = ("q_cal", "q_cyc", "hv_fault")
INPUTS = ("temp_c", "soc_mean", "efc", "dod", "dc_share")
EVENTS = {"hv_fault": "roadside", "capacity_low": "drivable"}
F32 = np.float32
GAS_CONSTANT_J_PER_MOL_K = 8.314462618
KELVIN = 273.15


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A new pack for every vehicle."""
    return {"q_cal": np.zeros(n, F32), "q_cyc": np.zeros(n, F32),
            "hv_fault": np.zeros(n, bool)}


def cell_temperature(ambient_c: np.ndarray, params) -> np.ndarray:
    """Cell temperature of a thermally managed pack given ambient temperature."""
    sp = params.pack_setpoint_temp_c
    return sp + params.pack_thermal_coupling_frac * (np.asarray(ambient_c) - sp)


def calendar_rate(temp_c: np.ndarray, soc: np.ndarray, params) -> np.ndarray:
    """Calendar-fade coefficient k (fraction per sqrt(year)) at a temperature and SOC."""
    t_k = cell_temperature(temp_c, params) + KELVIN
    inv_ref = 1.0 / (params.calendar_ref_temp_c + KELVIN)
    arrhenius = np.exp(-params.calendar_activation_energy_j_per_mol
                       / GAS_CONSTANT_J_PER_MOL_K * (1.0 / t_k - inv_ref))
    soc_stress = np.exp(params.calendar_soc_stress_per_soc_frac
                        * (np.asarray(soc) - params.calendar_ref_soc_frac))
    return params.calendar_loss_frac_per_sqrt_year * arrhenius * soc_stress


def cycle_loss(efc: np.ndarray, dod: np.ndarray, dc_share: np.ndarray, params) -> np.ndarray:
    """Capacity loss fraction from ``efc`` equivalent full cycles at depth ``dod``."""
    dod_stress = np.power(np.maximum(dod, 1e-6), params.cycle_dod_exponent - 1.0)
    dc_stress = 1.0 + params.cycle_dc_fast_stress_per_share * dc_share
    return params.cycle_loss_frac_per_efc * efc * dod_stress * dc_stress


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Advance ageing by ``dt`` days (scalar or per-vehicle array), in place."""
    k = calendar_rate(usage.temp_c, usage.soc_mean, params).astype(F32)
    q = state["q_cal"]
    safe_k = np.maximum(k, F32(1e-12))
    t_eq_years = (q / safe_k) ** 2
    state["q_cal"][:] = (safe_k * np.sqrt(t_eq_years + np.asarray(dt, F32) / F32(DAYS_PER_YEAR))
                      ).astype(F32)
    state["q_cyc"] += (cycle_loss(usage.efc, usage.dod, usage.dc_share, params)
                       * np.asarray(dt, F32)).astype(F32)
    rate = params.hv_fault_rate_per_vehicle_year / DAYS_PER_YEAR
    hit = rare_events(rng, hazard_prob(rate, dt), len(q))
    state["hv_fault"][hit] = True


def soh(state) -> np.ndarray:
    """State of health: remaining capacity fraction (1 = new)."""
    return 1.0 - state["q_cal"] - state["q_cyc"]


def resistance_rel(state, params) -> np.ndarray:
    """Internal resistance relative to new."""
    return 1.0 + params.resistance_growth_per_loss_frac * (state["q_cal"] + state["q_cyc"])


def sense(state, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """BMS estimates of SOH and resistance with estimation noise."""
    n = len(state["q_cal"])
    noise = rng.standard_normal(n, dtype=F32) * F32(params.sensor_soh_noise_sd_frac)
    return {"soh_est": soh(state) + noise,
            "resistance_rel_est": resistance_rel(state, params) * (1 + noise)}


def health(state, params) -> np.ndarray:
    """Health 1 (new) .. 0 (at the replacement threshold)."""
    h = (soh(state) - params.replace_soh_frac) / (1.0 - params.replace_soh_frac)
    return np.clip(h, 0.0, 1.0)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return {"hv_fault": state["hv_fault"].copy(),
            "capacity_low": soh(state) < params.replace_soh_frac}


def repair(state, idx: np.ndarray, cause: str, params, rng: np.random.Generator) -> None:
    """Fix an HV fault, or fit a new pack when capacity is low."""
    state["hv_fault"][idx] = False
    if cause == "capacity_low":
        state["q_cal"][idx] = 0.0
        state["q_cyc"][idx] = 0.0

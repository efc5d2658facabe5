"""Traction battery twin: semi-empirical capacity fade and resistance growth.

Calendar loss follows ``q_cal = k(T, SOC) * sqrt(t)`` with an Arrhenius
factor at the *cell* temperature (ambient pulled towards the pack's thermal
set-point) and an exponential state-of-charge stress (Smith et al. ACC 2017 /
JES 2021; Schmalstieg et al. 2014). Under changing stress the time is carried
as an equivalent time ``t_eq = (q_cal / k)^2``, so the sqrt-law holds
piecewise and year 1 loses more than later years. Cycle loss grows linearly
with equivalent full cycles (EFC), with a depth-of-discharge stress
``DoD^(b - 1)`` and a charge-rate stress ``1 + s * dc_share`` for the share of
charge energy from DC fast chargers. Internal resistance grows in proportion
to the capacity lost.

Events:
    hv_fault (roadside): random HV battery / drive / charging fault.
    capacity_low (drivable): state of health below the replacement threshold.
Inputs: temp_c, soc_mean, efc, dod, dc_share (see :class:`twins.usage.Usage`).
States: q_cal, q_cyc (capacity loss fractions), hv_fault (bool), calendar_factor
    (multiplier of the calendar-fade rate, 1 = the parameter set; a BMS update
    delivered by OTA may change it).
Outputs (sense): soh_est, resistance_rel_est.
Parameters: any object with the fields of :class:`configs.schema.BatteryConfig`
    (the twins never read configuration); named sets ``battery=nmc``
    (default), ``battery=lfp`` and ``battery=nca`` in ``configs/battery/``,
    each value with its source.
Standalone: :func:`simulate_profile` ages one or many packs under a constant
    daily profile, through the same :func:`step`.

References:
    Smith et al., "Life prediction model for grid-connected Li-ion battery
    energy storage system", ACC 2017. Smith et al., J. Electrochem. Soc. 2021.
    Schmalstieg et al., J. Power Sources 2014. Geotab EV battery degradation
    studies 2019-2025 (calibration targets, see CALIBRATION.md).
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from twins._random import hazard_prob, rare_events, standard_normal32
from twins.usage import DAYS_PER_YEAR, Usage

NAME = "battery"
LABEL = "Traction battery"  # display name in reports and the what-if
STATES = ("q_cal", "q_cyc", "hv_fault", "calendar_factor")
INPUTS = ("temp_c", "soc_mean", "efc", "dod", "dc_share")
EVENTS = {"hv_fault": "roadside", "capacity_low": "drivable"}
F32 = np.float32
GAS_CONSTANT_J_PER_MOL_K = 8.314462618
KELVIN = 273.15


def initial_state(n: int, params, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """A new pack for every vehicle."""
    return {"q_cal": np.zeros(n, F32), "q_cyc": np.zeros(n, F32),
            "hv_fault": np.zeros(n, bool), "calendar_factor": np.ones(n, F32)}


def cell_temperature(ambient_c: np.ndarray, params) -> np.ndarray:
    """Cell temperature of a thermally managed pack given ambient temperature."""
    sp = params.pack_setpoint_temp_c
    return sp + params.pack_thermal_coupling_frac * (np.asarray(ambient_c) - sp)


def calendar_rate(temp_c: np.ndarray, soc: np.ndarray, params) -> np.ndarray:
    """Calendar-fade coefficient k (fraction per sqrt(year)) at a temperature and SOC."""
    t_k = cell_temperature(temp_c, params) + KELVIN
    inv_ref = 1.0 / (params.calendar_ref_temp_c + KELVIN)
    # Arrhenius factor x SOC stress, as one exp of the summed exponents.
    exponent = (-params.calendar_activation_energy_j_per_mol / GAS_CONSTANT_J_PER_MOL_K
                * (1.0 / t_k - inv_ref)
                + params.calendar_soc_stress_per_soc_frac
                * (np.asarray(soc) - params.calendar_ref_soc_frac))
    return params.calendar_loss_frac_per_sqrt_year * np.exp(exponent)


def cycle_loss(efc: np.ndarray, dod: np.ndarray, dc_share: np.ndarray, params) -> np.ndarray:
    """Capacity loss fraction from ``efc`` equivalent full cycles at depth ``dod``."""
    # `**` with a Python float takes numpy's fast path for exponent 0.5 (a sqrt), the NMC default.
    dod_stress = np.maximum(dod, F32(1e-6)) ** float(params.cycle_dod_exponent - 1.0)
    dc_stress = 1.0 + params.cycle_dc_fast_stress_per_share * dc_share
    return params.cycle_loss_frac_per_efc * efc * dod_stress * dc_stress


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Advance ageing by ``dt`` days (scalar or per-vehicle array), in place."""
    k = calendar_rate(usage.temp_c, usage.soc_mean, params) * state["calendar_factor"]
    q = state["q_cal"]
    safe_k = np.maximum(k, F32(1e-12))
    t_eq_years = (q / safe_k) ** 2
    t_eq_years += np.asarray(dt, F32) / F32(DAYS_PER_YEAR)
    np.multiply(safe_k, np.sqrt(t_eq_years), out=q)
    state["q_cyc"] += cycle_loss(usage.efc, usage.dod, usage.dc_share, params) * np.asarray(dt, F32)
    rate = params.hv_fault_rate_per_vehicle_year / DAYS_PER_YEAR
    hit = rare_events(rng, hazard_prob(rate, dt), len(q))
    state["hv_fault"][hit] = True


def soh(state) -> np.ndarray:
    """State of health: remaining capacity fraction (1 = new)."""
    return 1.0 - state["q_cal"] - state["q_cyc"]


def resistance_rel(state, params) -> np.ndarray:
    """Internal resistance relative to new."""
    return 1.0 + params.resistance_growth_per_loss_frac * (state["q_cal"] + state["q_cyc"])


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """BMS estimates of SOH and resistance with estimation noise.

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    n = len(state["q_cal"])
    noise = standard_normal32(rng, n) * F32(params.sensor_soh_noise_sd_frac)
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


# ------------------------------------------------------------ standalone use
# Ambient temperatures an EV meets; outside it the Arrhenius fit is meaningless.
PROFILE_TEMPERATURE_RANGE_C = (-60.0, 80.0)


def _profile_inputs(days, **arrays) -> tuple[int, dict[str, np.ndarray]]:
    """Validate ``simulate_profile``'s arguments and broadcast them to one shape."""
    if isinstance(days, bool) or not isinstance(days, (int, np.integer)) or days < 1:
        raise ValueError(f"days={days!r} must be an integer >= 1")
    values = {}
    for key, v in arrays.items():
        try:
            values[key] = np.asarray(v, dtype=np.float64)
        except (TypeError, ValueError) as ex:
            raise ValueError(f"{key} must be a number or an array of numbers; got {v!r}") from ex
    try:
        values = dict(zip(values, np.broadcast_arrays(*values.values()), strict=True))
    except ValueError as ex:
        shapes = ", ".join(f"{k} {v.shape}" for k, v in values.items())
        raise ValueError(f"arguments must broadcast to one shape; got shapes {shapes}") from ex
    for key, v in values.items():
        if not np.isfinite(v).all():
            raise ValueError(f"{key} must be finite; got {arrays[key]!r}")
    for key in ("soc_high", "soc_low", "dc_fast_share"):
        if ((values[key] < 0.0) | (values[key] > 1.0)).any():
            raise ValueError(f"{key} must lie in [0, 1]; got {arrays[key]!r}")
    if (values["soc_low"] >= values["soc_high"]).any():
        raise ValueError(f"soc_low must be below soc_high; got soc_low={arrays['soc_low']!r}, "
                         f"soc_high={arrays['soc_high']!r}")
    if (values["cycles_per_day"] < 0.0).any():
        raise ValueError(f"cycles_per_day must be >= 0; got {arrays['cycles_per_day']!r}")
    lo, hi = PROFILE_TEMPERATURE_RANGE_C
    if ((values["temperature_c"] < lo) | (values["temperature_c"] > hi)).any():
        raise ValueError(f"temperature_c must lie in [{lo:g}, {hi:g}] degC; "
                         f"got {arrays['temperature_c']!r}")
    return int(days), values


def simulate_profile(days: int, temperature_c, soc_high, soc_low, cycles_per_day=1.0,
                     dc_fast_share=0.0, *, params) -> np.ndarray:
    """Relative capacity of a new pack aged ``days`` days under a constant daily profile.

    Each day the pack rests at ambient ``temperature_c`` and cycles
    ``cycles_per_day`` times between ``soc_low`` and ``soc_high``: mean SOC
    ``(soc_high + soc_low) / 2``, depth of discharge ``soc_high - soc_low``,
    ``cycles_per_day * DoD`` equivalent full cycles a day, a share
    ``dc_fast_share`` of the charge energy from DC fast chargers. The days are
    stepped through the twin's own :func:`step` (same calendar and cycle
    physics as the fleet simulation), one vectorized step per day.

    Args:
        days: number of days to simulate (integer >= 1).
        temperature_c: ambient temperature, degC (the pack's thermal coupling applies).
        soc_high: upper state of charge of the daily cycle, 0..1.
        soc_low: lower state of charge, 0..1, below ``soc_high``.
        cycles_per_day: cycles between ``soc_low`` and ``soc_high`` per day (>= 0).
        dc_fast_share: share of charge energy from DC fast chargers, 0..1.
        params: the battery parameters, e.g. a shipped set:
            ``configs.parameter_sets.load("battery", "nmc")``.

    Every argument except ``days`` and ``params`` may be an array; they are
    broadcast to one shape ``S``, and each element is an independent pack.

    Returns:
        Relative capacity (1.0 = new), float64 of shape ``S + (days,)``; entry
        ``[..., d]`` is the capacity at the end of day ``d + 1``, so entry 0 is
        the capacity after one day and entry ``-1`` after ``days`` days.

    Raises:
        ValueError: an argument is out of range (the message names it).
    """
    days, v = _profile_inputs(days, temperature_c=temperature_c, soc_high=soc_high,
                              soc_low=soc_low, cycles_per_day=cycles_per_day,
                              dc_fast_share=dc_fast_share)
    shape = v["soc_high"].shape
    flat = {k: a.reshape(-1).astype(F32) for k, a in v.items()}
    n = flat["soc_high"].size
    dod = flat["soc_high"] - flat["soc_low"]
    zeros = np.zeros(n, F32)
    usage = Usage(km=zeros, temp_c=flat["temperature_c"],
                  soc_mean=F32(0.5) * (flat["soc_high"] + flat["soc_low"]), dod=dod,
                  efc=flat["cycles_per_day"] * dod, dc_share=flat["dc_fast_share"],
                  friction_kwh=zeros, aggressiveness=np.ones(n, F32))
    # HV faults are random shocks that do not touch capacity; a fixed stream keeps this pure.
    rng = np.random.default_rng(0)
    state = initial_state(n, params, rng)
    out = np.empty((days, n), np.float64)
    for d in range(days):
        step(state, usage, 1.0, params, rng)
        out[d] = soh(state)
    return np.moveaxis(out, 0, -1).reshape(shape + (days,))

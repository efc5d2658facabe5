"""Traction battery twin: semi-empirical capacity fade and resistance growth.

A cell model times pack effects. Cell: calendar loss ``q_cal = k(T, SOC) * sqrt(t)``
with an Arrhenius factor at the *cell* temperature and an exponential SOC stress;
cycle loss ``q_cyc = c(T, SOC, DoD, EFC/day, DC share) * EFC^p``, sublinear in
equivalent full cycles (BLAST-Lite NMC622: p = 0.5; LFP: 0.84), with its own
Arrhenius factor (negative activation energy: cold cycling plates lithium), a
depth-of-discharge stress ``DoD^d``, a mean C-rate stress ``1 + r * EFC/day`` and a
DC fast-charge stress ``1 + s * dc_share``. Under changing stress each loss is carried
as an equivalent time / EFC (``q' = (q^(1/p) + c^(1/p) dx)^p``), so the laws hold
piecewise and year 1 loses more than later years. The two losses add (as in BLAST-Lite's
NMC622 and LFP models) and saturate beyond ``loss_saturation_onset_frac``, so capacity
stays in (0, 1] under any duty. Pack: the cells sit at
``setpoint + coupling * (ambient - setpoint)`` and the pack loses
``pack_fade_multiplier`` times what its cells lose (fitted to Geotab). The cell
parameters are fitted to BLAST-Lite (the set's ``reference_model``) and checked by
``fleetsim-validate``. Internal resistance grows in proportion to the capacity lost.

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
Standalone: :func:`simulate_profile` ages one or many packs (ambient temperature)
    under a constant daily profile through the physics of :func:`step`;
    :func:`simulate_cell_profile` ages lab cells at a *cell* temperature without pack
    effects (the setting of BLAST-Lite).

References:
    Smith et al., "Life prediction model for grid-connected Li-ion battery
    energy storage system", ACC 2017. Smith et al., J. Electrochem. Soc. 2021.
    Schmalstieg et al., J. Power Sources 2014. NREL BLAST-Lite (Gasper, Smith et al.):
    Nmc622_Gr_DENSO50Ah_Battery, Lfp_Gr_250AhPrismatic. Geotab EV battery degradation
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


def _arrhenius_exponent(cell_c: np.ndarray, activation_j_per_mol: float, params) -> np.ndarray:
    """Exponent of the Arrhenius factor at cell temperature, 0 at the reference temperature."""
    t_k = np.asarray(cell_c) + KELVIN
    inv_ref = 1.0 / (params.calendar_ref_temp_c + KELVIN)
    return -activation_j_per_mol / GAS_CONSTANT_J_PER_MOL_K * (1.0 / t_k - inv_ref)


def calendar_rate_cell(cell_c: np.ndarray, soc: np.ndarray, params) -> np.ndarray:
    """Calendar-fade coefficient k (fraction per sqrt(year)) at a *cell* temperature and SOC."""
    # Arrhenius factor x SOC stress, as one exp of the summed exponents.
    exponent = (_arrhenius_exponent(cell_c, params.calendar_activation_energy_j_per_mol, params)
                + params.calendar_soc_stress_per_soc_frac
                * (np.asarray(soc) - params.calendar_ref_soc_frac))
    return params.calendar_loss_frac_per_sqrt_year * np.exp(exponent)


def calendar_rate(temp_c: np.ndarray, soc: np.ndarray, params) -> np.ndarray:
    """Calendar-fade coefficient k (fraction per sqrt(year)) at an *ambient* temperature and SOC."""
    return calendar_rate_cell(cell_temperature(temp_c, params), soc, params)


def cycle_rate_cell(cell_c: np.ndarray, soc: np.ndarray, dod: np.ndarray,
                    efc_per_day: np.ndarray, dc_share: np.ndarray, params) -> np.ndarray:
    """Cycle-fade coefficient c: loss ``c * EFC ** cycle_efc_exponent`` under a constant duty.

    At a *cell* temperature, mean SOC ``soc``, depth of discharge ``dod``,
    ``efc_per_day`` equivalent full cycles a day (the mean current, a C-rate
    stress) and a share ``dc_share`` of the charge energy from DC fast chargers.
    """
    exponent = (_arrhenius_exponent(cell_c, params.cycle_activation_energy_j_per_mol, params)
                + params.cycle_soc_stress_per_soc_frac
                * (np.asarray(soc) - params.calendar_ref_soc_frac))
    dod_stress = np.maximum(dod, F32(0.0)) ** float(params.cycle_dod_stress_exponent)
    rate_stress = 1.0 + params.cycle_throughput_stress_per_efc_per_day * np.asarray(efc_per_day)
    dc_stress = 1.0 + params.cycle_dc_fast_stress_per_share * np.asarray(dc_share)
    return (params.cycle_loss_frac_per_efc_pow * np.exp(exponent)
            * dod_stress * rate_stress * dc_stress)


def _grow(q: np.ndarray, k: np.ndarray, dx, exponent: float) -> None:
    """Advance a power-law loss ``q = k * x ** exponent`` by ``dx`` at a new coefficient, in place.

    The loss reached so far counts as ``x_eq = (q / k) ** (1 / exponent)`` of the new stress,
    written ``q' = (q ** (1/e) + k ** (1/e) * dx) ** e`` so that no state divides by a
    vanishing ``k``; ``q`` never decreases.
    """
    inv = 1.0 / exponent
    grown = np.power(np.power(q, inv) + np.power(k, inv) * dx, exponent)
    np.maximum(q, grown, out=q)  # the power round trip may round below q by an ulp


def age(state, cell_c, soc_mean, efc, dod, dc_share, dt, params, pack: bool = True) -> None:
    """Advance capacity fade by ``dt`` days at a *cell* temperature, in place.

    ``pack=True`` applies the pack's excess fade over its cells
    (``pack_fade_multiplier``); ``pack=False`` ages a lab cell, the setting of the
    cell models the parameters are validated against (BLAST-Lite).
    """
    dt = np.asarray(dt, F32)
    scale = state["calendar_factor"] * F32(params.pack_fade_multiplier if pack else 1.0)
    k = calendar_rate_cell(cell_c, soc_mean, params) * scale
    _grow(state["q_cal"], k.astype(F32, copy=False), dt / F32(DAYS_PER_YEAR), 0.5)
    c = cycle_rate_cell(cell_c, soc_mean, dod, efc, dc_share, params)
    if pack:
        c = c * F32(params.pack_fade_multiplier)
    _grow(state["q_cyc"], c.astype(F32, copy=False), np.asarray(efc, F32) * dt,
          float(params.cycle_efc_exponent))


def step(state, usage: Usage, dt, params, rng: np.random.Generator) -> None:
    """Advance ageing by ``dt`` days (scalar or per-vehicle array), in place."""
    age(state, cell_temperature(usage.temp_c, params), usage.soc_mean, usage.efc, usage.dod,
        usage.dc_share, dt, params)
    rate = params.hv_fault_rate_per_vehicle_year / DAYS_PER_YEAR
    hit = rare_events(rng, hazard_prob(rate, dt), len(state["q_cal"]))
    state["hv_fault"][hit] = True


def soh(state, params=None) -> np.ndarray:
    """State of health: remaining capacity fraction, in (0, 1] (1 = new).

    Up to ``loss_saturation_onset_frac`` the calendar and cycle losses add (as in
    BLAST-Lite's NMC622 and LFP models): ``1 - q_cal - q_cyc``. Beyond it the remaining
    capacity decays exponentially towards 0 (C1-continuous at the onset), so no duty takes
    it to zero or below; the floor is float32's smallest normal number. Without
    ``params`` (callers written before the saturation) only the additive form is used:
    the same values for every pack short of the onset, far past replacement.
    """
    total = state["q_cal"] + state["q_cyc"]
    if params is None:
        return 1.0 - total
    onset = F32(params.loss_saturation_onset_frac)
    if total.max(initial=0.0) <= onset:  # the usual case: no pack in the tail, no exp
        return 1.0 - total
    excess = np.maximum(total - onset, F32(0.0))  # 0 where the tail is not used: no overflow
    tail = (1.0 - onset) * np.exp(-excess / (1.0 - onset))
    return np.maximum(np.where(total <= onset, 1.0 - total, tail), np.finfo(F32).tiny)


def loss(state, params) -> np.ndarray:
    """Capacity lost since new, ``1 - soh``."""
    return 1.0 - soh(state, params)


def resistance_rel(state, params) -> np.ndarray:
    """Internal resistance relative to new."""
    return 1.0 + params.resistance_growth_per_loss_frac * loss(state, params)


def sense(state, params, rng: np.random.Generator,
          only: Collection[str] | None = None) -> dict[str, np.ndarray]:
    """BMS estimates of SOH and resistance with estimation noise.

    Every signal is returned, whatever ``only`` (the keys wanted) asks.
    """
    n = len(state["q_cal"])
    noise = standard_normal32(rng, n) * F32(params.sensor_soh_noise_sd_frac)
    return {"soh_est": soh(state, params) + noise,
            "resistance_rel_est": resistance_rel(state, params) * (1 + noise)}


def health(state, params) -> np.ndarray:
    """Health 1 (new) .. 0 (at the replacement threshold)."""
    h = (soh(state, params) - params.replace_soh_frac) / (1.0 - params.replace_soh_frac)
    return np.clip(h, 0.0, 1.0)


def faults(state, params) -> dict[str, np.ndarray]:
    """Event masks, most severe first."""
    return {"hv_fault": state["hv_fault"].copy(),
            "capacity_low": soh(state, params) < params.replace_soh_frac}


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
    if (values["soc_low"] > values["soc_high"]).any():
        raise ValueError(f"soc_low must not exceed soc_high; got soc_low={arrays['soc_low']!r}, "
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
    """Relative capacity of a new *pack* aged ``days`` days under a constant daily profile.

    Each day the pack rests at *ambient* ``temperature_c`` (the pack's thermal
    coupling, :func:`cell_temperature`, gives the cell temperature) and cycles
    ``cycles_per_day`` times between ``soc_low`` and ``soc_high``: mean SOC
    ``(soc_high + soc_low) / 2``, depth of discharge ``soc_high - soc_low``,
    ``cycles_per_day * DoD`` equivalent full cycles a day, a share
    ``dc_fast_share`` of the charge energy from DC fast chargers. The days are
    aged through the twin's own :func:`age` (the physics of :func:`step`, pack
    effects included), one vectorized step per day. For a lab cell at a given
    *cell* temperature (the setting of BLAST-Lite) use :func:`simulate_cell_profile`.

    Args:
        days: number of days to simulate (integer >= 1).
        temperature_c: ambient temperature, degC.
        soc_high: upper state of charge of the daily cycle, 0..1.
        soc_low: lower state of charge, 0..1, not above ``soc_high`` (equal: the pack
            rests at one SOC, calendar ageing only).
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
    return _simulate(days, temperature_c, soc_high, soc_low, cycles_per_day, dc_fast_share,
                     params, pack=True)


def simulate_cell_profile(days: int, cell_temperature_c, soc_high, soc_low, cycles_per_day=1.0,
                          dc_fast_share=0.0, *, params) -> np.ndarray:
    """Relative capacity of a new lab *cell* held at ``cell_temperature_c`` (degC).

    As :func:`simulate_profile` but the temperature is the cell's own (no
    thermal coupling to an ambient) and without the pack's excess fade
    (``pack_fade_multiplier``): the cell model alone, as lab ageing data and
    BLAST-Lite describe it. ``fleetsim-validate`` checks this against BLAST-Lite.
    """
    return _simulate(days, cell_temperature_c, soc_high, soc_low, cycles_per_day, dc_fast_share,
                     params, pack=False)


def _simulate(days, temperature_c, soc_high, soc_low, cycles_per_day, dc_fast_share, params,
              pack: bool) -> np.ndarray:
    """Age independent packs (``pack``, ambient temperature) or cells (cell temperature)."""
    days, v = _profile_inputs(days, temperature_c=temperature_c, soc_high=soc_high,
                              soc_low=soc_low, cycles_per_day=cycles_per_day,
                              dc_fast_share=dc_fast_share)
    shape = v["soc_high"].shape
    flat = {k: a.reshape(-1).astype(F32) for k, a in v.items()}
    n = flat["soc_high"].size
    dod = flat["soc_high"] - flat["soc_low"]
    cell = flat["temperature_c"]
    if pack:
        cell = cell_temperature(cell, params).astype(F32)
    soc_mean = F32(0.5) * (flat["soc_high"] + flat["soc_low"])
    efc = flat["cycles_per_day"] * dod
    state = initial_state(n, params, np.random.default_rng(0))
    out = np.empty((days, n), np.float64)
    for d in range(days):
        age(state, cell, soc_mean, efc, dod, flat["dc_fast_share"], 1.0, params, pack)
        out[d] = soh(state, params)
    return np.moveaxis(out, 0, -1).reshape(shape + (days,))

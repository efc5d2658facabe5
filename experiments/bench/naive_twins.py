"""Scalar, per-vehicle versions of the wear twins for the naive baseline.

See :mod:`experiments.bench.naive`; the constant-hazard twins (electrics,
software, body) are in :mod:`experiments.bench.naive_shocks`. Each class
mirrors one vectorized twin in ``twins/`` with Python floats,
``math`` and ``random``: same parameters, same physics, one vehicle at a time.
``sense(signal)`` is the twin's telemetry signal ``signal`` (a name the
vectorized ``sense`` returns) with the same formula and sensor noise; each
call draws its own noise, so where the vectorized twin derives two signals
from one draw (battery, brakes) two signals read the same day are not
correlated here (no shipped alert config reads two such signals of a twin).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from twins.battery import GAS_CONSTANT_J_PER_MOL_K, KELVIN
from twins.tires import F_PER_C
from twins.usage import DAYS_PER_YEAR

DAYS_PER_MONTH = DAYS_PER_YEAR / 12.0
HOURS_PER_DAY = 24.0


def unknown_signal(twin: str, signal: str) -> ValueError:
    """The error of a ``sense`` call for a signal the twin does not have."""
    return ValueError(f"{twin} has no telemetry signal {signal!r}")


def hazard(rate_per_day: float, dt: float) -> float:
    """Probability of at least one event in ``dt`` days at a constant rate."""
    return 1.0 - math.exp(-rate_per_day * dt)


@dataclass
class Usage:
    """One vehicle's usage over a period, as rates per day (see :class:`twins.usage.Usage`)."""

    km: float
    temp_c: float
    soc_mean: float
    dod: float
    efc: float
    dc_share: float
    friction_kwh: float
    aggressiveness: float


class Battery:
    """Traction battery: calendar sqrt(t) and cycle EFC power laws, HV faults."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.q_cal = 0.0
        self.calendar_factor = 1.0   # set by a BMS update (OTA)
        self.q_cyc = 0.0
        self.hv_fault = False

    def step(self, u: Usage, dt: float) -> None:
        """Advance ageing by ``dt`` days."""
        p = self.p
        sp = p.pack_setpoint_temp_c
        t_k = sp + p.pack_thermal_coupling_frac * (u.temp_c - sp) + KELVIN
        inv_ref = 1.0 / (p.calendar_ref_temp_c + KELVIN)
        d_soc = u.soc_mean - p.calendar_ref_soc_frac
        k = (p.calendar_loss_frac_per_sqrt_year * p.pack_fade_multiplier * self.calendar_factor
             * math.exp(-p.calendar_activation_energy_j_per_mol / GAS_CONSTANT_J_PER_MOL_K
                        * (1.0 / t_k - inv_ref) + p.calendar_soc_stress_per_soc_frac * d_soc))
        self.q_cal = math.sqrt(self.q_cal ** 2 + k ** 2 * dt / DAYS_PER_YEAR)
        c = (p.cycle_loss_frac_per_efc_pow * p.pack_fade_multiplier
             * math.exp(-p.cycle_activation_energy_j_per_mol / GAS_CONSTANT_J_PER_MOL_K
                        * (1.0 / t_k - inv_ref) + p.cycle_soc_stress_per_soc_frac * d_soc)
             * max(u.dod, 0.0) ** p.cycle_dod_stress_exponent
             * (1.0 + p.cycle_throughput_stress_per_efc_per_day * u.efc)
             * (1.0 + p.cycle_dc_fast_stress_per_share * u.dc_share))
        e = p.cycle_efc_exponent
        self.q_cyc = (self.q_cyc ** (1.0 / e) + c ** (1.0 / e) * u.efc * dt) ** e
        if self.rnd.random() < hazard(p.hv_fault_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.hv_fault = True

    def loss(self) -> float:
        """Capacity lost: calendar plus cycle, saturating beyond the onset (as the twin)."""
        total, onset = self.q_cal + self.q_cyc, self.p.loss_saturation_onset_frac
        if total <= onset:
            return total
        return 1.0 - (1.0 - onset) * math.exp(-(total - onset) / (1.0 - onset))

    def soh(self) -> float:
        """Remaining capacity fraction (1 = new)."""
        return 1.0 - self.loss()

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        out = ["hv_fault"] if self.hv_fault else []
        if self.soh() < self.p.replace_soh_frac:
            out.append("capacity_low")
        return out

    def sense(self, signal: str) -> float:
        """BMS estimate ``soh_est`` or ``resistance_rel_est`` with estimation noise."""
        noise = self.p.sensor_soh_noise_sd_frac * self.rnd.gauss(0.0, 1.0)
        if signal == "soh_est":
            return self.soh() + noise
        if signal == "resistance_rel_est":
            return (1.0 + self.p.resistance_growth_per_loss_frac * self.loss()) * (1.0 + noise)
        raise unknown_signal("battery", signal)

    def repair(self, cause: str) -> None:
        """Fix the HV fault, or fit a new pack when capacity is low."""
        self.hv_fault = False
        if cause == "capacity_low":
            self.q_cal = self.q_cyc = 0.0


class Brakes:
    """Brake pads worn front/rear by friction braking energy."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.repair("pad_worn")

    def step(self, u: Usage, dt: float) -> None:
        """Wear both axles by ``dt`` days of friction braking."""
        p = self.p
        wear = u.friction_kwh * dt * p.pad_wear_mm_per_friction_kwh
        self.front_mm = max(self.front_mm - wear * p.front_share_frac, 0.0)
        self.rear_mm = max(self.rear_mm - wear * (1.0 - p.front_share_frac), 0.0)

    def faults(self) -> list[str]:
        """``pad_worn`` when either axle is below the replacement thickness."""
        return ["pad_worn"] if min(self.front_mm, self.rear_mm) < self.p.pad_replace_mm else []

    def sense(self, signal: str) -> float:
        """Wear-model pad estimate with noise (both axles are read, as the twin does).

        ``pad_remaining_frac_est`` is the usable pad left on the most worn axle.
        """
        p, gauss = self.p, self.rnd.gauss
        front = self.front_mm + p.sensor_noise_sd_mm * gauss(0.0, 1.0)
        rear = self.rear_mm + p.sensor_noise_sd_mm * gauss(0.0, 1.0)
        if signal == "pad_remaining_frac_est":
            return min((front - p.pad_replace_mm) / (p.pad_front_new_mm - p.pad_replace_mm),
                       (rear - p.pad_replace_mm) / (p.pad_rear_new_mm - p.pad_replace_mm))
        if signal == "pad_front_mm_est":
            return front
        if signal == "pad_rear_mm_est":
            return rear
        raise unknown_signal("brakes", signal)

    def repair(self, cause: str) -> None:
        """Fit new pads on both axles."""
        p, gauss = self.p, self.rnd.gauss
        self.front_mm = p.pad_front_new_mm + p.pad_new_sd_mm * gauss(0.0, 1.0)
        self.rear_mm = p.pad_rear_new_mm + p.pad_new_sd_mm * gauss(0.0, 1.0)


class Coolant:
    """Coolant loop: Weibull leak onset by loop age, then progressive flow loss."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.age_days = 0.0
        self.leak_rate = 0.0
        self.flow = 1.0

    def _cum_hazard(self, age_days: float) -> float:
        years = age_days / DAYS_PER_YEAR
        return (years / self.p.leak_weibull_scale_years) ** self.p.leak_weibull_shape

    def step(self, u: Usage, dt: float) -> None:
        """Age the loop, maybe start a leak, lose flow."""
        p, rnd = self.p, self.rnd
        age0 = self.age_days
        self.age_days += dt
        if self.leak_rate > 0.0:
            self.flow = max(self.flow - self.leak_rate * dt, 0.0)
            return
        p_onset = 1.0 - math.exp(-(self._cum_hazard(self.age_days) - self._cum_hazard(age0)))
        if rnd.random() < p_onset:
            if rnd.random() < p.leak_fast_share:
                self.leak_rate = p.leak_fast_rate_frac_per_day
            else:
                self.leak_rate = p.leak_rate_median_frac_per_day * math.exp(
                    p.leak_rate_log_sd * rnd.gauss(0.0, 1.0))
            # A leak starting today loses part of a day's flow.
            self.flow = max(1.0 - self.leak_rate * min(rnd.random(), dt), 0.0)

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        out = ["overheat"] if self.flow < self.p.overheat_flow_frac else []
        if self.flow < self.p.warning_flow_frac:
            out.append("coolant_low")
        return out

    def sense(self, signal: str) -> float:
        """``pack_temp_rise_c_est`` (from the lost flow) or ``flow_frac_est``, with noise."""
        p = self.p
        if signal == "pack_temp_rise_c_est":
            return (p.pack_temp_rise_c_per_flow_loss_frac * (1.0 - self.flow)
                    + p.sensor_temp_noise_sd_c * self.rnd.gauss(0.0, 1.0))
        if signal == "flow_frac_est":
            return self.flow + p.sensor_flow_noise_sd_frac * self.rnd.gauss(0.0, 1.0)
        raise unknown_signal("coolant", signal)

    def repair(self, cause: str) -> None:
        """Seal the leak and refill (the loop keeps its age)."""
        self.leak_rate = 0.0
        self.flow = 1.0


class Tires:
    """Tires: tread wear per km, slow pressure loss, owner top-ups, punctures."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.tread_mm = p.tread_new_mm
        self.pressure_psi = p.pressure_nominal_psi
        self.puncture = 0  # 0 none, 1 drivable, 2 roadside
        self.temp_c = p.pressure_fill_ref_temp_c

    def step(self, u: Usage, dt: float) -> None:
        """Wear tread, leak pressure, maybe top up, maybe puncture."""
        p, rnd = self.p, self.rnd
        wear_per_km = p.wear_mm_per_10000_km * p.ev_wear_factor / 10_000.0
        self.tread_mm = max(self.tread_mm - u.km * u.aggressiveness * wear_per_km * dt, 0.0)
        self.pressure_psi = max(
            self.pressure_psi - p.pressure_loss_psi_per_month / DAYS_PER_MONTH * dt, 0.0)
        self.temp_c = u.temp_c
        if rnd.random() < hazard(1.0 / p.owner_topup_interval_days, dt):
            self.pressure_psi = p.pressure_nominal_psi
        if rnd.random() < hazard(p.puncture_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            level = 2 if rnd.random() < p.puncture_roadside_share else 1
            self.puncture = max(self.puncture, level)

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        p, out = self.p, []
        if self.puncture == 2:
            out.append("puncture_roadside")
        if self.pressure_psi < p.pressure_flat_frac * p.pressure_nominal_psi:
            out.append("flat")
        if self.puncture == 1:
            out.append("puncture")
        if self.tread_mm < p.tread_min_mm:
            out.append("tread_worn")
        return out

    def sense(self, signal: str) -> float:
        """Tread estimate or TPMS pressure (hot, at the tire's temperature), with noise."""
        p = self.p
        if signal == "tread_mm_est":
            return self.tread_mm + p.sensor_tread_noise_sd_mm * self.rnd.gauss(0.0, 1.0)
        if signal in ("pressure_psi_est", "pressure_low_frac_est"):
            hot = self.pressure_psi + p.pressure_psi_per_deg_f * (
                (self.temp_c - p.pressure_fill_ref_temp_c) * F_PER_C)
            pressure = hot + p.sensor_pressure_noise_sd_psi * self.rnd.gauss(0.0, 1.0)
            if signal == "pressure_psi_est":
                return pressure
            return 1.0 - pressure / p.pressure_nominal_psi
        raise unknown_signal("tires", signal)

    def repair(self, cause: str) -> None:
        """Repair the puncture and re-inflate; new tires when the tread is worn."""
        self.puncture = 0
        self.pressure_psi = self.p.pressure_nominal_psi
        if cause == "tread_worn":
            self.tread_mm = self.p.tread_new_mm


class Aux12v:
    """12 V battery: Q10 temperature-accelerated wear to end of life, sudden failures."""

    def __init__(self, p: Any, rnd: random.Random) -> None:
        self.p, self.rnd = p, rnd
        self.repair("no_start")

    def step(self, u: Usage, dt: float) -> None:
        """Accrue wear and maybe fail suddenly."""
        p = self.p
        accel = p.ageing_q10 ** ((u.temp_c - p.ageing_ref_temp_c) / 10.0)
        self.wear += accel * dt / self.life_days
        if self.rnd.random() < hazard(p.sudden_failure_rate_per_vehicle_year / DAYS_PER_YEAR, dt):
            self.sudden = True

    def faults(self) -> list[str]:
        """Active fault causes, most severe first."""
        eol = self.wear >= 1.0
        out = ["no_start"] if eol and self.strands_at_eol else []
        if self.sudden:
            out.append("sudden_failure")
        if eol and not self.strands_at_eol:
            out.append("weak_battery")
        return out

    def sense(self, signal: str) -> float:
        """Battery-sensor ``health_est`` (remaining life 1 .. 0) or ``rest_voltage_v_est``."""
        p = self.p
        health = min(max(1.0 - self.wear, 0.0), 1.0)
        if signal == "health_est":
            return health + p.sensor_health_noise_sd_frac * self.rnd.gauss(0.0, 1.0)
        if signal == "rest_voltage_v_est":
            return (p.rest_voltage_new_v - p.rest_voltage_drop_at_eol_v * (1.0 - health)
                    + p.sensor_voltage_noise_sd_v * self.rnd.gauss(0.0, 1.0))
        raise unknown_signal("aux12v", signal)

    def repair(self, cause: str) -> None:
        """Fit a new unit with its own life."""
        p, rnd = self.p, self.rnd
        self.wear = 0.0
        self.life_days = p.life_years_ref * DAYS_PER_YEAR * math.exp(
            p.life_log_sd * rnd.gauss(0.0, 1.0))
        self.strands_at_eol = rnd.random() < p.eol_no_start_share
        self.sudden = False

"""Structured-config schemas for fleetsim, registered in Hydra's ConfigStore.

Every numeric field carries its unit in its name. Allowed ranges live in the
field metadata (``lo``/``hi``, ``choices``) so one generic validator
(:mod:`configs.validate`) checks every value; cross-field rules live in each
schema's ``cross_checks``. Default values here are only fall-backs: the YAML
parameter sets under ``configs/<group>/`` hold the sourced defaults.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from omegaconf import MISSING

from configs.alerts_schema import AlertsConfig
from configs.demand_schema import DemandConfig
from configs.experiment_schema import ExperimentConfig
from configs.fields import (  # noqa: F401 (re-exported)
    choice,
    must_be_below,
    must_not_exceed,
    num,
    prob,
)
from configs.ota_schema import OtaConfig
from configs.prognostics_schema import PrognosticsConfig
from configs.run_schema import RunConfig
from configs.service_schema import ServiceConfig


# --------------------------------------------------------------------- fleet
@dataclass
class ProfileConfig:
    """A driver profile: how far and how hard a vehicle is driven."""

    share: float = prob(1.0)
    km_per_day_mean: float = num(33.0, 0.0, 2000.0)
    km_per_day_cv: float = num(0.6, 0.0, 5.0)
    aggressiveness_mean: float = num(1.0, 0.1, 5.0, lo_open=True)
    aggressiveness_sd: float = num(0.1, 0.0, 2.0)
    dc_fast_share_mean: float = prob(0.1)
    soc_high_frac: float = prob(0.9)


@dataclass
class RegionConfig:
    """A home region: climate and city tier (0 = remote, 1..3 = city tier)."""

    share: float = prob(1.0)
    city_tier: int = num(1, 0, 3)
    temp_mean_c: float = num(12.0, -40.0, 50.0)
    temp_amplitude_c: float = num(10.0, 0.0, 40.0)
    temp_daily_sd_c: float = num(3.0, 0.0, 20.0)
    temp_peak_day_of_year: int = num(200, 0, 365)
    service_radius_km: float = num(30.0, 0.0, 1000.0, lo_open=True)


@dataclass
class FleetConfig:
    """Fleet size, vehicle constants and the usage model's populations."""

    size: int = num(10_000, 1, 50_000_000)
    age_min_years: float = num(0.0, 0.0, 30.0)
    age_max_years: float = num(4.0, 0.0, 30.0)
    start_day_of_year: int = num(0, 0, 365)
    battery_capacity_kwh: float = num(75.0, 1.0, 500.0)
    consumption_kwh_per_km: float = num(0.17, 0.01, 2.0)
    braking_demand_kwh_per_km: float = num(0.07, 0.0, 2.0)
    regen_share: float = prob(0.85)
    profiles: dict[str, ProfileConfig] = field(default_factory=dict)
    regions: dict[str, RegionConfig] = field(default_factory=dict)
    # Shares of vehicles per hardware configuration and per owner cohort (OTA targeting, waves).
    hw_configs: dict[str, float] = field(default_factory=dict)
    cohorts: dict[str, float] = field(default_factory=dict)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = must_not_exceed(cfg, path, "age_min_years", "age_max_years")
        for name in ("profiles", "regions", "hw_configs", "cohorts"):
            items = cfg[name]
            if not items:
                errs.append(f"{path}.{name} is empty: at least one entry is required")
                continue
            shares = {k: float(v.share if hasattr(v, "share") else v) for k, v in items.items()}
            bad = {k: v for k, v in shares.items() if not 0.0 <= v <= 1.0}
            if bad:
                errs.append(f"{path}.{name}: shares must be in [0, 1]; got {bad}")
            total = sum(shares.values())
            if abs(total - 1.0) > 1e-6:
                errs.append(f"{path}.{name}: shares sum to {total:.6g}; they must sum to 1")
        return errs


# ------------------------------------------------------------------- battery
@dataclass
class BatteryConfig:
    """Traction battery ageing parameters (semi-empirical, Smith et al. family).

    The defaults are fall-backs equal to ``configs/battery/nmc.yaml``, where
    each value's source is given; ``nmc``, ``lfp`` and ``nca`` are the shipped sets.
    """

    chemistry: str = choice("nmc", "nmc", "lfp", "nca")
    calendar_loss_frac_per_sqrt_year: float = num(0.0236, 0.0, 1.0)
    calendar_ref_temp_c: float = num(25.0, -40.0, 80.0)
    calendar_ref_soc_frac: float = prob(0.6)
    calendar_activation_energy_j_per_mol: float = num(37_000.0, 0.0, 200_000.0)
    calendar_soc_stress_per_soc_frac: float = num(0.0, -20.0, 20.0)
    pack_setpoint_temp_c: float = num(20.0, -40.0, 80.0)
    pack_thermal_coupling_frac: float = prob(0.65)
    cycle_loss_frac_per_efc_pow: float = num(5.45e-3, 0.0, 1.0)
    cycle_efc_exponent: float = num(0.5, 0.1, 1.0)
    cycle_activation_energy_j_per_mol: float = num(-7600.0, -200_000.0, 200_000.0)
    cycle_soc_stress_per_soc_frac: float = num(0.0, -20.0, 20.0)
    cycle_dod_stress_exponent: float = num(0.93, 0.0, 5.0)
    cycle_throughput_stress_per_efc_per_day: float = num(0.0, 0.0, 100.0)
    cycle_dc_fast_stress_per_share: float = num(5.3, 0.0, 100.0)
    pack_fade_multiplier: float = num(1.45, 0.0, 10.0)
    loss_saturation_onset_frac: float = num(0.6, 0.05, 0.95)
    reference_model: str = "Nmc622_Gr_DENSO50Ah_Battery"
    resistance_growth_per_loss_frac: float = num(2.0, 0.0, 50.0)
    replace_soh_frac: float = prob(0.70)
    hv_fault_rate_per_vehicle_year: float = num(1.7e-4, 0.0, 10.0)
    sensor_soh_noise_sd_frac: float = num(0.01, 0.0, 0.5)


# -------------------------------------------------------------------- brakes
@dataclass
class BrakesConfig:
    """Brake pad wear from friction braking energy."""

    pad_front_new_mm: float = num(11.0, 0.1, 50.0)
    pad_rear_new_mm: float = num(9.0, 0.1, 50.0)
    pad_new_sd_mm: float = num(0.3, 0.0, 5.0)
    pad_replace_mm: float = num(3.0, 0.0, 50.0)
    front_share_frac: float = prob(0.7)
    pad_wear_mm_per_friction_kwh: float = num(0.0075, 0.0, 10.0)
    sensor_noise_sd_mm: float = num(0.3, 0.0, 10.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        low = min(cfg.pad_front_new_mm, cfg.pad_rear_new_mm)
        if cfg.pad_replace_mm >= low:
            return [f"{path}.pad_replace_mm={cfg.pad_replace_mm} must be below the new pad "
                    f"thickness ({low} mm)"]
        return []


# ------------------------------------------------------------------- coolant
@dataclass
class CoolantConfig:
    """Coolant loop: Weibull leak onset, progressive flow loss, pack temperature rise."""

    leak_weibull_shape: float = num(2.0, 0.1, 20.0, lo_open=True)
    leak_weibull_scale_years: float = num(60.0, 0.01, 1e6)
    leak_rate_median_frac_per_day: float = num(0.002, 0.0, 1.0)
    leak_rate_log_sd: float = num(1.0, 0.0, 5.0)
    leak_fast_share: float = prob(0.002)
    leak_fast_rate_frac_per_day: float = num(0.5, 0.0, 1.0)
    pack_temp_rise_c_per_flow_loss_frac: float = num(40.0, 0.0, 1000.0)
    warning_flow_frac: float = prob(0.85)
    overheat_flow_frac: float = prob(0.6)
    sensor_flow_noise_sd_frac: float = num(0.005, 0.0, 0.5)
    sensor_temp_noise_sd_c: float = num(0.3, 0.0, 10.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_be_below(cfg, path, "overheat_flow_frac", "warning_flow_frac")


# --------------------------------------------------------------------- tires
@dataclass
class TiresConfig:
    """Tread wear, slow pressure loss with owner top-ups, punctures."""

    tread_new_mm: float = num(8.0, 0.5, 30.0)
    tread_min_mm: float = num(1.6, 0.0, 30.0)
    wear_mm_per_10000_km: float = num(0.8, 0.0, 20.0)
    ev_wear_factor: float = num(1.2, 0.0, 5.0)
    pressure_nominal_psi: float = num(38.0, 1.0, 150.0)
    pressure_loss_psi_per_month: float = num(1.0, 0.0, 50.0)
    pressure_psi_per_deg_f: float = num(0.1, 0.0, 5.0)
    pressure_fill_ref_temp_c: float = num(20.0, -40.0, 60.0)
    owner_topup_interval_days: float = num(45.0, 1.0, 10_000.0)
    pressure_flat_frac: float = prob(0.5)
    puncture_rate_per_vehicle_year: float = num(0.02, 0.0, 100.0)
    puncture_roadside_share: float = prob(0.04)
    sensor_pressure_noise_sd_psi: float = num(0.3, 0.0, 20.0)
    sensor_tread_noise_sd_mm: float = num(0.3, 0.0, 10.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_be_below(cfg, path, "tread_min_mm", "tread_new_mm")


# -------------------------------------------------------------------- aux12v
@dataclass
class Aux12vConfig:
    """12 V auxiliary battery: temperature-accelerated ageing, no-start failures."""

    life_years_ref: float = num(4.5, 0.0, 50.0, lo_open=True)
    life_log_sd: float = num(0.2, 0.0, 3.0)
    ageing_ref_temp_c: float = num(15.0, -40.0, 60.0)
    ageing_q10: float = num(1.4, 1.0, 10.0)
    eol_no_start_share: float = prob(0.02)
    sudden_failure_rate_per_vehicle_year: float = num(5.0e-4, 0.0, 10.0)
    rest_voltage_new_v: float = num(12.7, 0.0, 20.0)
    rest_voltage_drop_at_eol_v: float = num(0.6, 0.0, 5.0)
    sensor_voltage_noise_sd_v: float = num(0.03, 0.0, 2.0)
    sensor_health_noise_sd_frac: float = num(0.01, 0.0, 1.0)


# ----------------------------------------------------------------- electrics
@dataclass
class ElectricsConfig:
    """Low-voltage electrics: constant-hazard faults."""

    roadside_fault_rate_per_vehicle_year: float = num(5.7e-4, 0.0, 10.0)
    drivable_fault_rate_per_vehicle_year: float = num(0.01, 0.0, 10.0)


# ------------------------------------------------------------------ software
@dataclass
class SoftwareConfig:
    """Vehicle software (ECU, infotainment): constant-hazard bugs, scaled per vehicle by OTA."""

    drivable_fault_rate_per_vehicle_year: float = num(0.04, 0.0, 10.0)
    roadside_fault_rate_per_vehicle_year: float = num(2.0e-5, 0.0, 10.0)


# ---------------------------------------------------------------------- body
@dataclass
class BodyConfig:
    """Minor body damage (dents, scratches, bumpers): constant-hazard shocks."""

    damage_rate_per_vehicle_year: float = num(0.012, 0.0, 10.0)


# ----------------------------------------------------------------- telemetry
@dataclass
class TelemetryConfig:
    """What the server receives: upload success and sensor calibration bias."""

    enabled: bool = False
    upload_success_prob: float = prob(0.98)
    calibration_bias_max_frac: float = num(0.02, 0.0, 0.5)


# -------------------------------------------------------------------- output
@dataclass
class OutputConfig:
    """What a run writes besides kpis.json and run.json."""

    events: bool = True
    daily: bool = True
    daily_sample_vehicles: int = num(5000, 0, 50_000_000)
    fleet_state: bool = True
    report: bool = True
    progress: bool = True
    start_date: str = ""     # the calendar date of day 0 (YYYY-MM-DD) for the report's time axes
    # Days without install progress after which the report calls an OTA campaign stalled (WATCH).
    ota_stall_watch_days: int = num(21, 1, 100_000)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        if cfg.start_date:
            try:
                date.fromisoformat(str(cfg.start_date))
            except ValueError:
                return [f"{path}.start_date={cfg.start_date!r} is not a date; allowed: "
                        "'' (run days) or YYYY-MM-DD"]
        return []


# --------------------------------------------------------------------- root
@dataclass
class FleetsimConfig:
    """The root config: one scenario."""

    seed: int = num(2026, 0, 2**63 - 1)
    horizon_days: int = num(365, 1, 100_000)
    warmup_steps: int = num(12, 1, 1000)
    fleet: FleetConfig = MISSING
    battery: BatteryConfig = MISSING
    brakes: BrakesConfig = MISSING
    coolant: CoolantConfig = MISSING
    tires: TiresConfig = MISSING
    aux12v: Aux12vConfig = MISSING
    electrics: ElectricsConfig = MISSING
    software: SoftwareConfig = MISSING
    body: BodyConfig = MISSING
    telemetry: TelemetryConfig = MISSING
    service: ServiceConfig = MISSING
    demand: DemandConfig = MISSING
    alerts: AlertsConfig = MISSING
    ota: OtaConfig = MISSING
    prognostics: PrognosticsConfig = MISSING
    experiment: ExperimentConfig = field(default_factory=ExperimentConfig)
    output: OutputConfig = field(default_factory=OutputConfig)
    run: RunConfig = field(default_factory=RunConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        hw = cfg.demand.recall.hw_config
        if hw and hw not in cfg.fleet.hw_configs:
            return [f"demand.recall.hw_config={hw!r} is not a hardware configuration; allowed: "
                    f"'' or {', '.join(cfg.fleet.hw_configs)}"]
        return []


def register_configs() -> None:
    """Register the root schema so ``config.yaml`` can extend it."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="fleetsim_schema", node=FleetsimConfig)

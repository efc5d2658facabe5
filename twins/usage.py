"""Usage model: who drives how much, where, in what climate, and how they charge.

Static traits are drawn once per vehicle (:func:`build_population`); daily
usage (:meth:`UsageModel.day`) is numpy over the whole fleet: daily km,
ambient temperature from the home region's seasonal climate, state-of-charge
window, equivalent full cycles and friction braking energy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twins._random import standard_normal32

DAYS_PER_YEAR = 365.25
F32 = np.float32


@dataclass
class Usage:
    """One period's usage, per vehicle, as rates per day (all arrays ``(n,)``).

    Attributes:
        km: distance driven per day.
        temp_c: ambient temperature.
        soc_mean: mean state of charge over the day (0..1).
        dod: depth of discharge of the daily cycle (0..1).
        efc: equivalent full cycles per day.
        dc_share: share of charging energy from DC fast chargers.
        friction_kwh: friction braking energy per day (after regeneration).
        aggressiveness: driving-style factor (1 = average).
    """

    km: np.ndarray
    temp_c: np.ndarray
    soc_mean: np.ndarray
    dod: np.ndarray
    efc: np.ndarray
    dc_share: np.ndarray
    friction_kwh: np.ndarray
    aggressiveness: np.ndarray


def _shares(items: dict) -> tuple[list[str], np.ndarray]:
    names = list(items.keys())
    return names, np.array([float(items[k].share) for k in names])


def build_population(fleet_cfg, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw each vehicle's static traits: profile, region, age, style, charging habit.

    Args:
        fleet_cfg: the ``fleet`` config node.
        rng: the population stream.

    Returns:
        Per-vehicle attribute arrays of shape ``(n,)``.
    """
    n = int(fleet_cfg.size)
    prof_names, prof_p = _shares(fleet_cfg.profiles)
    reg_names, reg_p = _shares(fleet_cfg.regions)
    profile = rng.choice(len(prof_names), size=n, p=prof_p).astype(np.int16)
    region = rng.choice(len(reg_names), size=n, p=reg_p).astype(np.int16)
    profs = [fleet_cfg.profiles[k] for k in prof_names]

    def per_profile(attr: str) -> np.ndarray:
        return np.array([float(p[attr]) for p in profs])[profile]

    agg = rng.normal(per_profile("aggressiveness_mean"), per_profile("aggressiveness_sd"))
    # Beta with concentration 10 keeps each owner's DC share in (0, 1) around the profile mean.
    dc_mean = np.clip(per_profile("dc_fast_share_mean"), 1e-3, 1 - 1e-3)
    dc_share = rng.beta(dc_mean * 10.0, (1.0 - dc_mean) * 10.0)
    age_years = rng.uniform(fleet_cfg.age_min_years, fleet_cfg.age_max_years, n)
    tiers = np.array([int(fleet_cfg.regions[k].city_tier) for k in reg_names])
    return {
        "profile": profile,
        "region": region,
        "city_tier": tiers[region].astype(np.int8),
        "km_per_day_mean": per_profile("km_per_day_mean").astype(F32),
        "km_per_day_cv": per_profile("km_per_day_cv").astype(F32),
        "aggressiveness": np.clip(agg, 0.3, None).astype(F32),
        "dc_share": dc_share.astype(F32),
        "soc_high": per_profile("soc_high_frac").astype(F32),
        "age_days": (age_years * DAYS_PER_YEAR).astype(F32),
    }


class UsageModel:
    """Daily usage of the whole fleet, vectorized.

    Args:
        fleet_cfg: the ``fleet`` config node.
        attrs: the population from :func:`build_population`.
        rng: the usage stream (daily km and weather draws).
    """

    def __init__(self, fleet_cfg, attrs: dict[str, np.ndarray], rng: np.random.Generator):
        self.rng = rng
        self.attrs = attrs
        self.n = len(attrs["region"])
        regions = [fleet_cfg.regions[k] for k in fleet_cfg.regions]
        self.region_names = list(fleet_cfg.regions.keys())
        self.temp_mean = np.array([r.temp_mean_c for r in regions])
        self.temp_amp = np.array([r.temp_amplitude_c for r in regions])
        self.temp_sd = np.array([r.temp_daily_sd_c for r in regions])
        self.temp_peak = np.array([r.temp_peak_day_of_year for r in regions])
        self.start_doy = int(fleet_cfg.start_day_of_year)
        self.kwh_per_km = float(fleet_cfg.consumption_kwh_per_km)
        self.capacity_kwh = float(fleet_cfg.battery_capacity_kwh)
        self.friction_kwh_per_km = float(fleet_cfg.braking_demand_kwh_per_km) * (
            1.0 - float(fleet_cfg.regen_share))
        per_km = F32(self.friction_kwh_per_km)
        self._friction_per_km = (attrs["aggressiveness"] * per_km).astype(F32)
        self._dod_cap = (attrs["soc_high"] - F32(0.05)).astype(F32)
        cv = attrs["km_per_day_cv"]
        self._km_sigma = np.sqrt(np.log1p(cv * cv)).astype(F32)
        self._km_mu = (np.log(np.maximum(attrs["km_per_day_mean"], 1e-6))
                       - 0.5 * self._km_sigma**2).astype(F32)

    def region_temperature(self, day: int, noise: bool = True) -> np.ndarray:
        """Ambient temperature per region on simulation ``day`` (seasonal + weather)."""
        doy = (self.start_doy + day) % 365
        seasonal = self.temp_mean + self.temp_amp * np.cos(
            2.0 * np.pi * (doy - self.temp_peak) / 365.0)
        if noise:
            seasonal = seasonal + self.temp_sd * self.rng.standard_normal(len(seasonal))
        return seasonal

    def _assemble(self, km: np.ndarray, temp_c: np.ndarray) -> Usage:
        a = self.attrs
        efc = km * F32(self.kwh_per_km / self.capacity_kwh)
        dod = np.minimum(efc, self._dod_cap)
        return Usage(
            km=km,
            temp_c=temp_c,
            soc_mean=a["soc_high"] - F32(0.5) * dod,
            dod=dod,
            efc=efc,
            dc_share=a["dc_share"],
            friction_kwh=km * self._friction_per_km,
            aggressiveness=a["aggressiveness"],
        )

    def day(self, day: int, down: np.ndarray | None = None) -> Usage:
        """Usage on simulation ``day``; stranded vehicles (``down``) drive 0 km."""
        z = standard_normal32(self.rng, self.n)
        km = np.exp(self._km_mu + self._km_sigma * z)
        if down is not None and down.any():
            km[down] = 0.0
        temp = self.region_temperature(day).astype(F32)[self.attrs["region"]]
        return self._assemble(km, temp)

    def mean(self) -> Usage:
        """Long-run average usage (mean km, annual-mean temperature): used to age the fleet."""
        km = self.attrs["km_per_day_mean"].copy()
        temp = self.temp_mean.astype(F32)[self.attrs["region"]]
        return self._assemble(km, temp)

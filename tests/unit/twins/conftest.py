"""Shared inputs for the twin unit tests: default config, twin parameters, a small population.

Everything here is built from the shipped config (``sim.load_config([])``); no
numbers from a simulation run are copied into the tests.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
import twins
from sim.fleet import twin_params

N_VEHICLES = 1000
DAYS = 400


@pytest.fixture(scope="session")
def cfg():
    return sim.load_config([f"fleet.size={N_VEHICLES}"])


@pytest.fixture(scope="session")
def params(cfg):
    """Each twin's default parameter dataclass."""
    return twin_params(cfg)


STRESS = {
    "battery": {"hv_fault_rate_per_vehicle_year": 2.0, "cycle_loss_frac_per_efc_pow": 2e-2},
    "brakes": {"pad_wear_mm_per_friction_kwh": 0.1},
    "coolant": {"leak_weibull_scale_years": 1.5, "leak_fast_share": 0.3,
                "leak_rate_median_frac_per_day": 0.02},
    "tires": {"puncture_rate_per_vehicle_year": 3.0, "puncture_roadside_share": 0.5,
              "wear_mm_per_10000_km": 6.0, "owner_topup_interval_days": 400.0,
              "pressure_loss_psi_per_month": 4.0},
    "aux12v": {"sudden_failure_rate_per_vehicle_year": 2.0, "life_years_ref": 0.6,
               "eol_no_start_share": 0.5},
    "electrics": {"roadside_fault_rate_per_vehicle_year": 2.0,
                  "drivable_fault_rate_per_vehicle_year": 3.0},
    "software": {"roadside_fault_rate_per_vehicle_year": 2.0,
                 "drivable_fault_rate_per_vehicle_year": 3.0},
    "body": {"damage_rate_per_vehicle_year": 3.0},
}


@pytest.fixture(scope="session")
def stressed_params(params):
    """Parameters that make the random and clamping branches of each twin fire within a year."""
    return {name: dataclasses.replace(p, **STRESS[name]) for name, p in params.items()}


@pytest.fixture(scope="session")
def population(cfg):
    return twins.build_population(cfg.fleet, np.random.default_rng(11))


@pytest.fixture(scope="session")
def daily_usage(cfg, population):
    """``DAYS`` consecutive days of fleet usage (same for every test)."""
    model = twins.UsageModel(cfg.fleet, population, np.random.default_rng(12))
    return [model.day(d) for d in range(DAYS)]

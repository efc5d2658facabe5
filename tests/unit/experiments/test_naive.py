"""The naive per-vehicle model steps the same physics as the vectorized twins.

Two levels: one step of each scalar component against the twin's vectorized
``step`` (hazards switched off, so both are deterministic), and a whole run of
each model on the same scenario, compared statistically.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest
import simpy
from omegaconf import OmegaConf

import sim
from experiments.bench import naive
from sim.clock import DAYS_PER_YEAR
from sim.fleet import twin_params
from twins import TWINS, Usage

VEHICLES, DAYS, SEED = 4000, 180, 11
USAGE = {"km": 52.0, "temp_c": 31.0, "soc_mean": 0.71, "dod": 0.12, "efc": 0.118,
         "dc_share": 0.3, "friction_kwh": 0.62, "aggressiveness": 1.15}
# Hazards that would make one step random; zeroed for the deterministic comparison.
NO_HAZARDS = {"battery": {"hv_fault_rate_per_vehicle_year": 0.0},
              "brakes": {},
              "coolant": {"leak_weibull_scale_years": 1e6},
              "tires": {"owner_topup_interval_days": 10_000.0,
                        "puncture_rate_per_vehicle_year": 0.0},
              "aux12v": {"sudden_failure_rate_per_vehicle_year": 0.0},
              "electrics": {"roadside_fault_rate_per_vehicle_year": 0.0,
                            "drivable_fault_rate_per_vehicle_year": 0.0},
              "software": {"roadside_fault_rate_per_vehicle_year": 0.0,
                           "drivable_fault_rate_per_vehicle_year": 0.0},
              "body": {"damage_rate_per_vehicle_year": 0.0}}
# Scalar attribute of the naive part <-> state array of the vectorized twin.
STATE_MAP = {"battery": {"q_cal": "q_cal", "q_cyc": "q_cyc", "calendar_factor": "calendar_factor"},
             "brakes": {"front_mm": "pad_front_mm", "rear_mm": "pad_rear_mm"},
             "coolant": {"age_days": "age_days", "leak_rate": "leak_rate_frac_per_day",
                         "flow": "flow_frac"},
             "tires": {"tread_mm": "tread_mm", "pressure_psi": "pressure_cold_psi"},
             "aux12v": {"wear": "wear_frac", "life_days": "life_days"},
             "electrics": {"fault": "fault"},
             "software": {"fault": "fault", "ota_fault": "ota_fault",
                          "fault_rate_factor": "fault_rate_factor"},
             "body": {"damage": "damage"}}
# A worn mid-life state to step from (zero states would hide the sqrt-law's equivalent time).
START = {"battery": {"q_cal": 0.031, "q_cyc": 0.006, "calendar_factor": 0.9},
         "brakes": {"front_mm": 7.5, "rear_mm": 6.0},
         "coolant": {"age_days": 900.0, "leak_rate": 0.004, "flow": 0.93},
         "tires": {"tread_mm": 5.2, "pressure_psi": 35.0},
         "aux12v": {"wear": 0.4, "life_days": 1600.0},
         "electrics": {"fault": 1},
         "software": {"fault": 1, "ota_fault": 2, "fault_rate_factor": 1.5},
         "body": {"damage": 1}}


@pytest.fixture(scope="module")
def cfg():
    return sim.load_config([f"fleet.size={VEHICLES}", f"horizon_days={DAYS}", f"seed={SEED}",
                            "output.progress=false", "alerts=none"])


@pytest.mark.parametrize("name", list(TWINS))
@pytest.mark.parametrize("dt", [1.0, 97.5])
def test_one_step_matches_the_vectorized_twin(cfg, name, dt):
    params = dataclasses.replace(twin_params(cfg)[name], **NO_HAZARDS[name])
    part = naive.COMPONENTS[name](params, random.Random(0))
    twin = TWINS[name]
    state = twin.initial_state(1, params, np.random.default_rng(0))
    for attr, key in STATE_MAP[name].items():
        setattr(part, attr, START[name][attr])
        state[key][:] = START[name][attr]

    part.step(naive.Usage(**USAGE), dt)
    vec_usage = Usage(**{k: np.array([v], np.float32) for k, v in USAGE.items()})
    twin.step(state, vec_usage, dt, params, np.random.default_rng(0))

    for attr, key in STATE_MAP[name].items():
        assert getattr(part, attr) == pytest.approx(float(state[key][0]), rel=1e-5, abs=1e-7), attr
    assert part.faults() == [c for c, m in twin.faults(state, params).items() if m[0]]


def test_naive_software_faults_scale_with_the_fault_rate_factor(cfg):
    params = dataclasses.replace(twin_params(cfg)["software"],
                                 drivable_fault_rate_per_vehicle_year=1e6)
    clean, buggy = (naive.COMPONENTS["software"](params, random.Random(0)) for _ in range(2))
    clean.fault_rate_factor = 0.0
    for _ in range(10):
        clean.step(naive.Usage(**USAGE), 1.0)
    buggy.step(naive.Usage(**USAGE), 1.0)
    assert clean.faults() == [] and buggy.faults() == ["software_fault"]
    buggy.fault_rate_factor = 1.7
    buggy.repair("software_fault")
    assert buggy.faults() == [] and buggy.fault_rate_factor == 1.7


def test_warm_up_ages_the_coolant_loop_to_the_vehicle_age(cfg):
    car = naive.Vehicle(OmegaConf.to_object(cfg.fleet), twin_params(cfg),
                        random.Random(3))
    car.warm_up(int(cfg.warmup_steps))
    assert car.age_days > 0.0
    assert car.parts["coolant"].age_days == pytest.approx(car.age_days)
    assert 0.7 < car.parts["battery"].soh() < 1.0
    assert 0.0 < car.parts["aux12v"].wear < 1.0


def test_a_fault_waits_for_a_technician_then_resets_the_part(cfg):
    rnd = random.Random(2)
    fleet, service = OmegaConf.to_object(cfg.fleet), OmegaConf.to_object(cfg.service)
    car = naive.Vehicle(fleet, twin_params(cfg), rnd)
    aux = car.parts["aux12v"]
    aux.wear, aux.strands_at_eol = 0.9999, False
    env = simpy.Environment()
    shop = naive.Workshop(env, fleet, service, [car], rnd)
    failures: dict = {}
    env.process(naive.vehicle_life(env, car, 3, shop, failures))
    env.run()
    assert failures == {("aux12v", "weak_battery"): 1}
    assert 0.0 < aux.wear < 0.01  # a new unit, two days old
    assert 3.0 < env.now < 4.0  # three days plus one technician visit


@pytest.fixture(scope="module")
def both_runs(cfg):
    return sim.simulate(cfg, progress=False).kpis, naive.run_naive(cfg, VEHICLES, DAYS, SEED)


def test_end_of_run_mean_battery_soh_agrees(both_runs):
    vec, nai = both_runs
    assert 0.85 < nai["battery_soh_mean_end"] < 0.99
    assert nai["battery_soh_mean_end"] == pytest.approx(vec["battery_soh_mean_end"], abs=0.01)


@pytest.mark.parametrize("component", ["aux12v", "tires"])
def test_failure_rates_agree_within_a_statistical_band(both_runs, component):
    vec, nai = both_runs
    vehicle_years = VEHICLES * DAYS / DAYS_PER_YEAR
    key = f"failures_by_component_{component}"
    rate_vec = 1000.0 * vec[key] / vehicle_years
    rate_nai = 1000.0 * nai[key] / vehicle_years
    assert vec[key] >= 50  # enough events for the band to mean something
    assert rate_vec / 1.5 <= rate_nai <= rate_vec * 1.5, (rate_nai, rate_vec)


def test_counts_are_consistent(both_runs):
    _, nai = both_runs
    assert nai["vehicle_days"] == VEHICLES * DAYS
    assert nai["failures_total"] == sum(nai["failures_by_cause"].values())
    assert nai["failures_total"] == sum(nai[f"failures_by_component_{c}"] for c in TWINS)


def test_tiny_fleet_with_empty_regions_runs(cfg):
    out = naive.run_naive(cfg, 2, 10, 1)
    assert out["vehicle_days"] == 20
    assert 0.7 < out["battery_soh_mean_end"] <= 1.0


def test_same_seed_same_result(cfg):
    a = naive.run_naive(cfg, 50, 30, 5)
    b = naive.run_naive(cfg, 50, 30, 5)
    a.pop("wall_s"), b.pop("wall_s")
    assert a == b

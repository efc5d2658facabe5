"""Each driver pushes wear the way the physics says it should."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import sim
import twins
from configs import parameter_sets
from twins import aux12v, battery, brakes
from twins.usage import DAYS_PER_YEAR

N = 1000


@pytest.fixture(scope="module")
def params():
    """Each twin's default parameter set."""
    return sim.fleet.twin_params(sim.load_config([]))


def _usage(n: int = N, **fields) -> twins.Usage:
    """A constant usage day; fields not given take ordinary values."""
    base = {"km": 40.0, "temp_c": 20.0, "soc_mean": 0.6, "dod": 0.1, "efc": 0.1,
            "dc_share": 0.1, "friction_kwh": 0.5, "aggressiveness": 1.0}
    base.update(fields)
    return twins.Usage(**{k: np.full(n, v, np.float32) for k, v in base.items()})


def test_hotter_and_fuller_battery_ages_faster_on_the_calendar(params):
    p = params["battery"]
    temps = np.array([-10.0, 0.0, 10.0, 20.0, 30.0, 40.0])
    k_t = battery.calendar_rate(temps, np.full(6, 0.6), p)
    assert (np.diff(k_t) > 0).all()
    # NMC622 (BLAST-Lite DENSO, the NMC reference) ages nearly alike at any SOC; LFP's
    # graphite potential falls with SOC, so a fuller LFP pack ages faster.
    socs = np.array([0.2, 0.4, 0.6, 0.8, 0.95])
    k_s = battery.calendar_rate(np.full(5, 25.0), socs, p)
    np.testing.assert_allclose(k_s, k_s[0], rtol=1e-6)
    k_lfp = battery.calendar_rate(np.full(5, 25.0), socs, parameter_sets.load("battery", "lfp"))
    assert (np.diff(k_lfp) > 0).all()
    # At the reference cell temperature and SOC the rate is the configured coefficient.
    sp = p.pack_setpoint_temp_c
    ambient = sp + (p.calendar_ref_temp_c - sp) / p.pack_thermal_coupling_frac
    assert battery.cell_temperature(ambient, p) == pytest.approx(p.calendar_ref_temp_c)
    k_ref = battery.calendar_rate(np.array([ambient]), np.array([p.calendar_ref_soc_frac]), p)
    assert k_ref[0] == pytest.approx(p.calendar_loss_frac_per_sqrt_year)


def test_hot_climate_loses_more_capacity_in_a_year(params):
    p = params["battery"]
    rng = np.random.default_rng(0)
    cold = battery.initial_state(N, p, rng)
    hot = battery.initial_state(N, p, rng)
    for _ in range(365):
        battery.step(cold, _usage(temp_c=5.0), 1.0, p, rng)
        battery.step(hot, _usage(temp_c=35.0), 1.0, p, rng)
    assert (hot["q_cal"] > cold["q_cal"]).all()
    # Cycle fade is the other way round (lithium plating when cold: negative activation energy).
    assert p.cycle_activation_energy_j_per_mol < 0
    assert (hot["q_cyc"] < cold["q_cyc"]).all()


def test_calendar_loss_follows_sqrt_time_under_constant_stress(params):
    p = params["battery"]
    u = _usage(temp_c=25.0, soc_mean=0.7)
    # The pack's calendar coefficient: the cell's times the pack's excess fade.
    k = float(battery.calendar_rate(u.temp_c[:1], u.soc_mean[:1], p)[0]) * p.pack_fade_multiplier
    s = battery.initial_state(N, p, np.random.default_rng(1))
    rng = np.random.default_rng(2)
    q = []
    for _ in range(2 * 365):
        battery.step(s, u, 1.0, p, rng)
        q.append(float(s["q_cal"][0]))
    assert q[364] == pytest.approx(k * np.sqrt(365 / DAYS_PER_YEAR), rel=2e-3)
    assert q[-1] == pytest.approx(k * np.sqrt(730 / DAYS_PER_YEAR), rel=2e-3)
    assert q[-1] - q[364] < q[364]  # the first year loses more than the second


def test_deeper_cycles_lose_more_per_equivalent_full_cycle(params):
    p = params["battery"]
    dods = np.array([0.05, 0.1, 0.3, 0.6, 0.9])
    # The cycle-fade coefficient at one cell temperature, SOC and throughput: only DoD differs.
    c = battery.cycle_rate_cell(np.full(5, 25.0), np.full(5, 0.6), dods, np.full(5, 0.3),
                                np.full(5, 0.1), p)
    assert (np.diff(c) > 0).all()


def test_more_dc_fast_charging_loses_more_capacity(params):
    p = params["battery"]
    shares = np.array([0.0, 0.1, 0.3, 0.6, 1.0])
    c = battery.cycle_rate_cell(np.full(5, 25.0), np.full(5, 0.6), np.full(5, 0.3),
                                np.full(5, 0.3), shares, p)
    assert (np.diff(c) > 0).all()
    rng = np.random.default_rng(3)
    low, high = battery.initial_state(N, p, rng), battery.initial_state(N, p, rng)
    for _ in range(100):
        battery.step(low, _usage(dc_share=0.05), 1.0, p, rng)
        battery.step(high, _usage(dc_share=0.5), 1.0, p, rng)
    assert (high["q_cyc"] > low["q_cyc"]).all()


@pytest.mark.parametrize("regen", [(0.5, 0.95), (0.0, 0.85)])
def test_more_regeneration_wears_pads_less(params, regen):
    low, high = regen
    pads = []
    for share in (low, high):
        cfg = sim.load_config([f"fleet.size={N}", f"fleet.regen_share={share}"])
        pop = twins.build_population(cfg.fleet, np.random.default_rng(4))
        model = twins.UsageModel(cfg.fleet, pop, np.random.default_rng(5))
        p = params["brakes"]
        s = brakes.initial_state(N, p, np.random.default_rng(6))
        start = s["pad_front_mm"].copy()
        for d in range(200):
            brakes.step(s, model.day(d), 1.0, p, np.random.default_rng(7))
        pads.append(start - s["pad_front_mm"])
    wear_low_regen, wear_high_regen = pads
    assert (wear_high_regen < wear_low_regen).all()
    ratio = wear_high_regen.sum() / wear_low_regen.sum()
    assert ratio == pytest.approx((1 - high) / (1 - low), rel=1e-3)


def test_harder_driving_wears_pads_and_tires_faster(params):
    rng = np.random.default_rng(8)
    b, t = params["brakes"], params["tires"]
    soft = _usage(aggressiveness=0.8, friction_kwh=0.4)
    hard = _usage(aggressiveness=1.3, friction_kwh=0.65)
    sb, hb = brakes.initial_state(N, b, rng), brakes.initial_state(N, b, rng)
    sb["pad_front_mm"][:] = hb["pad_front_mm"][:] = b.pad_front_new_mm
    st, ht = twins.tires.initial_state(N, t, rng), twins.tires.initial_state(N, t, rng)
    for _ in range(100):
        brakes.step(sb, soft, 1.0, b, rng)
        brakes.step(hb, hard, 1.0, b, rng)
        twins.tires.step(st, soft, 1.0, t, rng)
        twins.tires.step(ht, hard, 1.0, t, rng)
    assert (hb["pad_front_mm"] < sb["pad_front_mm"]).all()
    assert (ht["tread_mm"] < st["tread_mm"]).all()


def test_12v_battery_ages_faster_when_hot(params):
    p = dataclasses.replace(params["aux12v"], sudden_failure_rate_per_vehicle_year=0.0)
    s = aux12v.initial_state(N, p, np.random.default_rng(9))
    cool, hot = {k: v.copy() for k, v in s.items()}, {k: v.copy() for k, v in s.items()}
    rng = np.random.default_rng(10)
    for _ in range(365):
        aux12v.step(cool, _usage(temp_c=p.ageing_ref_temp_c), 1.0, p, rng)
        aux12v.step(hot, _usage(temp_c=p.ageing_ref_temp_c + 20.0), 1.0, p, rng)
    assert (hot["wear_frac"] > cool["wear_frac"]).all()
    # At the reference temperature a unit wears 1/life per day; +20 degC is Q10 squared.
    np.testing.assert_allclose(cool["wear_frac"], 365 / s["life_days"], rtol=1e-3)
    np.testing.assert_allclose(hot["wear_frac"] / cool["wear_frac"], p.ageing_q10**2, rtol=1e-3)

"""``battery.simulate_profile``: shapes, physics directions, equality with the twin, errors."""

from __future__ import annotations

import numpy as np
import pytest

import sim
import twins
from configs import parameter_sets
from sim.fleet import twin_params
from twins import battery
from twins.usage import DAYS_PER_YEAR

YEAR = 365


def simulate(*args, chemistry: str = "nmc", **kwargs) -> np.ndarray:
    """``battery.simulate_profile`` with a shipped parameter set."""
    return battery.simulate_profile(*args, params=parameter_sets.load("battery", chemistry),
                                    **kwargs)


def loss(q: np.ndarray) -> np.ndarray:
    """Capacity lost by the last day."""
    return 1.0 - q[..., -1]


def test_scalar_arguments_give_one_capacity_per_day():
    q = simulate(30, 20.0, 0.9, 0.7)
    assert q.shape == (30,)
    assert q.dtype == np.float64
    q0d = simulate(30, np.float64(20.0), np.array(0.9), 0.7, np.array(1.0))
    assert q0d.shape == (30,)
    np.testing.assert_array_equal(q0d, q)


def test_array_arguments_broadcast_to_a_common_shape():
    temps = np.array([0.0, 15.0, 30.0])
    soc_low = np.array([[0.5], [0.7]])
    q = simulate(10, temps, 0.9, soc_low, dc_fast_share=0.2)
    assert q.shape == (2, 3, 10)
    # Each element is an independent pack: equal to its own scalar run.
    for i, low in enumerate(soc_low[:, 0]):
        for j, t in enumerate(temps):
            np.testing.assert_array_equal(
                q[i, j], simulate(10, t, 0.9, low, dc_fast_share=0.2))
    assert simulate(4, [[20.0]], [0.9, 0.8], 0.6, [1.0, 2.0]).shape == (1, 2, 4)


def test_capacity_starts_near_one_and_never_increases():
    temps = np.array([-10.0, 10.0, 25.0, 40.0])
    q = simulate(3 * YEAR, temps, 0.95, 0.3, 1.5, 0.4)
    # Entry 0 is after one day; cycle loss ~ sqrt(EFC) is steepest at the start, so a day of
    # 1.5 deep cycles with 40 % DC charging may already cost up to ~2.5 %.
    assert (q[:, 0] < 1.0).all() and (q[:, 0] > 0.97).all()
    assert (np.diff(q, axis=-1) <= 0.0).all()


def test_idle_pack_follows_the_calendar_sqrt_law():
    p = parameter_sets.load("battery", "nmc")
    days = 2 * YEAR
    q = simulate(days, 25.0, 0.7, 0.5, cycles_per_day=0.0)
    k = battery.calendar_rate(np.array([25.0]), np.array([0.6]), p)[0] * p.pack_fade_multiplier
    t_years = np.arange(1, days + 1) / DAYS_PER_YEAR
    np.testing.assert_allclose(1.0 - q, k * np.sqrt(t_years), rtol=2e-3)


def test_hotter_packs_lose_more():
    temps = np.array([-10.0, 0.0, 10.0, 20.0, 30.0, 40.0])
    q = simulate(YEAR, temps, 0.9, 0.7, 1.0, 0.1)
    assert (np.diff(loss(q)) > 0).all()


def test_deeper_cycles_lose_more_per_equivalent_full_cycle():
    # Same mean SOC (0.6) and the same 0.4 EFC a day: one deep cycle vs several shallow ones.
    dod = np.array([0.1, 0.2, 0.4])
    q = simulate(YEAR, 20.0, 0.6 + dod / 2, 0.6 - dod / 2, 0.4 / dod, 0.1)
    idle = simulate(YEAR, 20.0, 0.6 + dod / 2, 0.6 - dod / 2, 0.0, 0.1)
    cycle_loss = loss(q) - loss(idle)
    assert (cycle_loss > 0).all()
    assert (np.diff(cycle_loss) > 0).all()


def test_more_dc_fast_charging_loses_more():
    shares = np.array([0.0, 0.1, 0.3, 0.6, 1.0])
    q = simulate(YEAR, 20.0, 0.9, 0.6, 1.0, shares)
    assert (np.diff(loss(q)) > 0).all()
    # An idle pack is not charged at all, so its DC share does not matter.
    idle = simulate(YEAR, 20.0, 0.9, 0.6, 0.0, shares)
    np.testing.assert_array_equal(idle, np.broadcast_to(idle[0], idle.shape))


def test_more_cycles_lose_more():
    q = simulate(YEAR, 20.0, 0.9, 0.6, np.array([0.0, 0.5, 1.0, 2.0]))
    assert (np.diff(loss(q)) > 0).all()


def test_matches_stepping_the_twin_directly():
    p = parameter_sets.load("battery", "nmc")
    days, temp, high, low, cycles, dc = 200, 27.0, 0.85, 0.55, 1.3, 0.25
    q = simulate(days, temp, high, low, cycles, dc)

    def one(x: float) -> np.ndarray:
        return np.array([x], np.float32)

    f32 = np.float32
    dod = f32(high) - f32(low)
    soc_mean = f32(0.5) * (f32(high) + f32(low))
    usage = twins.Usage(km=one(0.0), temp_c=one(temp), soc_mean=one(soc_mean),
                        dod=one(dod), efc=one(f32(cycles) * dod), dc_share=one(dc),
                        friction_kwh=one(0.0), aggressiveness=one(1.0))
    rng = np.random.default_rng(3)
    state = battery.initial_state(1, p, rng)
    direct = []
    for _ in range(days):
        battery.step(state, usage, 1.0, p, rng)
        direct.append(float(battery.soh(state, p)[0]))
    np.testing.assert_allclose(q, direct, rtol=1e-6)


@pytest.mark.parametrize("chemistry", ["nmc", "lfp", "nca"])
def test_parameter_sets_are_the_ones_the_simulator_composes(chemistry):
    cfg = sim.load_config([f"battery={chemistry}"])
    assert parameter_sets.load("battery", chemistry) == twin_params(cfg)["battery"]
    assert parameter_sets.load("battery", chemistry).chemistry == chemistry


def test_shipped_chemistries_are_the_config_groups_battery_sets():
    assert {"nmc", "lfp", "nca"} <= set(parameter_sets.names("battery"))


def test_chemistry_selects_the_parameter_set():
    q = {c: simulate(YEAR, 25.0, 0.9, 0.6, 1.0, 0.1, chemistry=c)
         for c in ("nmc", "lfp", "nca")}
    assert loss(q["lfp"]) < loss(q["nmc"])
    assert loss(q["nca"]) != loss(q["nmc"])


def test_unknown_chemistry_lists_the_valid_ones():
    with pytest.raises(ValueError) as info:
        simulate(10, 20.0, 0.9, 0.6, chemistry="nmc811")
    message = str(info.value)
    for word in ("battery", "nmc811", "nmc", "lfp", "nca"):
        assert word in message, message


@pytest.mark.parametrize(("kwargs", "word"), [
    ({"days": 0}, "days"),
    ({"days": -3}, "days"),
    ({"days": 10.0}, "days"),
    ({"days": True}, "days"),
    ({"days": "10"}, "days"),
    ({"soc_high": 1.2}, "soc_high"),
    ({"soc_low": -0.1}, "soc_low"),
    ({"soc_low": 0.95}, "soc_low must not exceed soc_high"),
    ({"soc_low": np.array([0.5, 0.95])}, "soc_low must not exceed soc_high"),
    ({"cycles_per_day": -1.0}, "cycles_per_day"),
    ({"dc_fast_share": 1.5}, "dc_fast_share"),
    ({"dc_fast_share": -0.2}, "dc_fast_share"),
    ({"temperature_c": np.nan}, "temperature_c"),
    ({"temperature_c": 150.0}, "temperature_c"),
    ({"temperature_c": "hot"}, "temperature_c"),
    ({"temperature_c": [10.0, 20.0, 30.0], "soc_low": [0.5, 0.6]}, "broadcast"),
])
def test_bad_inputs_raise_value_error_naming_the_argument(kwargs, word):
    args = {"days": 10, "temperature_c": 20.0, "soc_high": 0.9, "soc_low": 0.6} | kwargs
    with pytest.raises(ValueError, match=word):
        simulate(**args)

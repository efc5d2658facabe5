"""The usage model: population traits and daily usage match the configured fleet."""

from __future__ import annotations

import numpy as np
import pytest

import sim
import twins
from twins.usage import DAYS_PER_YEAR

N_POP = 20_000


@pytest.fixture(scope="module")
def big_cfg():
    return sim.load_config([f"fleet.size={N_POP}"])


@pytest.fixture(scope="module")
def big_pop(big_cfg):
    return twins.build_population(big_cfg.fleet, np.random.default_rng(31))


def _within_binomial(count: int, n: int, p: float, z: float = 5.0) -> bool:
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p)) + 1


@pytest.mark.parametrize("group", ["profiles", "regions"])
def test_population_shares_match_the_config(big_cfg, big_pop, group):
    items = big_cfg.fleet[group]
    codes = big_pop["profile" if group == "profiles" else "region"]
    assert codes.shape == (N_POP,)
    counts = np.bincount(codes, minlength=len(items))
    assert len(counts) == len(items)
    for i, (name, item) in enumerate(items.items()):
        assert _within_binomial(int(counts[i]), N_POP, float(item.share)), (name, counts[i])


def test_population_traits_follow_profile_and_region(big_cfg, big_pop):
    profiles = list(big_cfg.fleet.profiles.values())
    regions = list(big_cfg.fleet.regions.values())
    for key, arr in big_pop.items():
        assert arr.shape == (N_POP,), key
    expected_km = np.array([p.km_per_day_mean for p in profiles], np.float32)[big_pop["profile"]]
    np.testing.assert_array_equal(big_pop["km_per_day_mean"], expected_km)
    expected_tier = np.array([r.city_tier for r in regions])[big_pop["region"]]
    np.testing.assert_array_equal(big_pop["city_tier"], expected_tier)
    lo, hi = big_cfg.fleet.age_min_years, big_cfg.fleet.age_max_years
    age_years = big_pop["age_days"] / DAYS_PER_YEAR
    assert age_years.min() >= lo - 1e-6 and age_years.max() <= hi + 1e-6
    assert ((big_pop["dc_share"] > 0) & (big_pop["dc_share"] < 1)).all()
    for i, p in enumerate(profiles):
        dc = big_pop["dc_share"][big_pop["profile"] == i]
        assert abs(dc.mean() - p.dc_fast_share_mean) < 0.02
        agg = big_pop["aggressiveness"][big_pop["profile"] == i]
        assert abs(agg.mean() - p.aggressiveness_mean) < 0.02


def test_mean_daily_km_matches_each_profile(big_cfg, big_pop):
    model = twins.UsageModel(big_cfg.fleet, big_pop, np.random.default_rng(32))
    km = np.mean([model.day(d).km for d in range(30)], axis=0, dtype=np.float64)
    for i, (name, p) in enumerate(big_cfg.fleet.profiles.items()):
        got = km[big_pop["profile"] == i].mean()
        assert got == pytest.approx(p.km_per_day_mean, rel=0.02), name
    cv = next(iter(big_cfg.fleet.profiles.values())).km_per_day_cv
    day0 = model.day(30).km[big_pop["profile"] == 0].astype(np.float64)
    assert day0.std() / day0.mean() == pytest.approx(cv, rel=0.1)


def test_daily_usage_is_consistent(big_cfg, big_pop):
    fleet = big_cfg.fleet
    model = twins.UsageModel(fleet, big_pop, np.random.default_rng(33))
    down = np.zeros(N_POP, bool)
    down[::10] = True
    u = model.day(5, down)
    assert (u.km[down] == 0).all() and (u.km[~down] > 0).all()
    np.testing.assert_allclose(u.efc, u.km * fleet.consumption_kwh_per_km
                               / fleet.battery_capacity_kwh, rtol=1e-5)
    assert (u.dod <= big_pop["soc_high"] - 0.05 + 1e-6).all()
    assert ((u.soc_mean >= 0) & (u.soc_mean <= 1)).all()
    np.testing.assert_allclose(
        u.friction_kwh,
        u.km * big_pop["aggressiveness"] * fleet.braking_demand_kwh_per_km
        * (1 - fleet.regen_share), rtol=1e-5)
    mean = model.mean()
    np.testing.assert_array_equal(mean.km, big_pop["km_per_day_mean"])


def test_seasonal_temperature_follows_each_region(big_cfg, big_pop):
    model = twins.UsageModel(big_cfg.fleet, big_pop, np.random.default_rng(34))
    start = big_cfg.fleet.start_day_of_year
    year = np.array([model.region_temperature(d, noise=False) for d in range(365)])
    for i, r in enumerate(big_cfg.fleet.regions.values()):
        assert year[:, i].mean() == pytest.approx(r.temp_mean_c, abs=0.05)
        assert year[:, i].max() - year[:, i].min() == pytest.approx(2 * r.temp_amplitude_c,
                                                                    rel=0.01)
        assert (start + int(year[:, i].argmax())) % 365 == pytest.approx(
            r.temp_peak_day_of_year, abs=1)

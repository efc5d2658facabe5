"""sim.service.demand: non-fault service contacts per vehicle-year, by source, synthetic fleet."""

from __future__ import annotations

import copy
import functools
from collections import Counter
from importlib import resources

import numpy as np
import pytest
from omegaconf import OmegaConf

import sim
from configs.demand_schema import DemandConfig
from configs.parameter_sets import load
from configs.service_schema import JobTypeConfig
from configs.validate import ConfigError, validate
from sim.records import REPORTED, SCHEDULED
from sim.service.demand import ServiceDemand

N, DAYS = 5000, 365
REGION_TIER = [1, 1, 2, 0]        # as configs/fleet/default.yaml
FLEET_RNG = np.random.default_rng(1)
REGION = FLEET_RNG.choice(4, N, p=[0.35, 0.25, 0.25, 0.15])
AGE = FLEET_RNG.uniform(0.0, 4 * 365.0, N)
MEAN_KM = FLEET_RNG.gamma(4.0, 33.0 / 4.0, N)    # ~33 km/day, as a commuter


def cfg_of(name: str) -> DemandConfig:
    return copy.deepcopy(load("demand", name))   # load() shares its instance


def simulate(cfg: DemandConfig, age: np.ndarray = AGE, seed: int = 7) -> dict:
    """One year of the synthetic fleet: contacts and expected visits per source and cause."""
    demand = ServiceDemand(cfg, REGION, REGION_TIER, age, np.random.default_rng(seed))
    jobs = demand.job_types()
    usage = np.random.default_rng(seed + 100)
    contacts, visits, total_km = Counter(), Counter(), np.zeros(N)
    extra_h = 0.0
    for day in range(DAYS):
        km = (MEAN_KM * usage.gamma(2.0, 0.5, N)).astype(np.float32)
        total_km += km
        batches = demand.day(day, km, np.ones(N))
        maint = np.concatenate([b.vehicles for b in batches if b.component == "maintenance"]
                               or [np.empty(0, np.int64)])
        assert np.unique(maint).size == maint.size, "two maintenance contacts of one vehicle-day"
        for b in batches:
            assert b.vehicles.dtype == np.int64 and np.all(np.diff(b.vehicles) > 0)
            assert b.severity == (REPORTED if b.component == "owner_issue" else SCHEDULED)
            contacts[b.component, b.cause] += b.vehicles.size
            contacts[b.component] += b.vehicles.size
            remote = jobs[b.component][b.cause].remote_fix_prob
            visits[b.component] += b.vehicles.size * (1 - remote)
            if b.extra_h is not None:
                extra_h += float(b.extra_h.sum())
    years = N * DAYS / 365.0
    return {"contacts": {k: v / years for k, v in contacts.items()},
            "total": sum(v for k, v in contacts.items() if isinstance(k, str)) / years,
            "visits": sum(visits.values()) / years, "km": total_km, "extra_h": extra_h}


@functools.cache
def run(name: str) -> dict:
    return simulate(cfg_of(name))


def test_default_brand_lands_in_its_band():
    """Seed 002:63 industry 2.1 contacts, of which faults and alerts give ~0.3-0.5 elsewhere."""
    out = run("default")
    assert 1.2 <= out["total"] <= 2.3
    assert 0.6 <= out["visits"] <= 1.5
    for source in ("maintenance", "condition", "owner_issue"):
        assert out["contacts"][source] > 0.1, source


def test_high_touch_brand_is_nio_like():
    """Seed 002:63 NIO 8.3 contacts in all: ~7.5-8 from these sources, >= 3x the default brand."""
    high, default = run("high_touch"), run("default")
    assert 7.5 <= high["total"] <= 8.0
    assert high["total"] >= 3 * default["total"]
    assert high["contacts"]["maintenance"] >= 3 * default["contacts"]["maintenance"]


@pytest.mark.parametrize("name", ["default", "high_touch"])
def test_owner_issues_follow_their_poisson_rates(name):
    cfg, out = cfg_of(name), run(name)
    for cause, issue in cfg.owner_issues.items():
        expected = N * DAYS * -np.expm1(-issue.rate_per_vehicle_year / 365.0)
        got = out["contacts"].get(("owner_issue", cause), 0.0) * N
        assert abs(got - expected) <= 4 * np.sqrt(expected), (cause, got, expected)


def test_maintenance_follows_the_schedule():
    """Without bundling each item is due interval-wise and kept with its compliance."""
    cfg = cfg_of("default")
    cfg.maintenance.bundle_days = cfg.maintenance.bundle_km = 0.0
    cfg.condition.air_filter.maintenance_item = ""      # only the schedule resets the cabin filter
    out = simulate(cfg, age=np.full(N, 3650.0))         # old enough that no clock is capped by age
    tier = np.asarray(REGION_TIER)[REGION]
    for name, item in cfg.maintenance.schedule.items():
        per_year = np.zeros(N)
        if item.interval_days:
            per_year = np.maximum(per_year, 365.0 / item.interval_days)
        if item.interval_km:
            per_year = np.maximum(per_year, out["km"] / item.interval_km)
        expected = item.compliance_prob * per_year[np.isin(tier, item.tiers)].sum()
        got = out["contacts"].get(("maintenance", name), 0.0) * N
        assert abs(got - expected) <= max(4 * np.sqrt(expected), 0.05 * expected), (name, got,
                                                                                  expected)


def test_bundling_makes_fewer_contacts_with_the_others_hours():
    cfg = cfg_of("high_touch")
    cfg.maintenance.bundle_days = cfg.maintenance.bundle_km = 0.0
    bundled, alone = run("high_touch"), simulate(cfg)
    assert bundled["contacts"]["maintenance"] < 0.8 * alone["contacts"]["maintenance"]
    # Without a look-ahead only items due on the same day share a visit.
    assert bundled["extra_h"] > 10 * alone["extra_h"]


def _filter_case(compliance: float, interval_days: float, days: int = 400) -> dict:
    """Three new vehicles (tiers 1, 2, 0) driving 70 km every day, every offer accepted."""
    cfg = cfg_of("default")
    cfg.owner_issues = {}
    cfg.condition.air_filter.vehicle_sigma = 0.0
    cfg.condition.air_filter.accept_prob = 1.0
    cabin = cfg.maintenance.schedule["cabin_filter"]
    cabin.compliance_prob, cabin.interval_days = compliance, interval_days
    cfg.maintenance.schedule = {"cabin_filter": cabin}
    demand = ServiceDemand(cfg, np.array([0, 2, 3]), REGION_TIER, np.zeros(3),
                           np.random.default_rng(0))
    fired: dict[str, list[list[int]]] = {"air_filter": [[], [], []], "cabin_filter": [[], [], []]}
    for day in range(days):
        for b in demand.day(day, np.full(3, 70.0, np.float32), np.ones(3)):
            for v in b.vehicles:
                fired[b.cause][v].append(day)
    return fired


def test_filter_efficiency_decline_triggers_a_replacement():
    """Loss/day = pollution x (0.0004 + 70 x 0.012 / 1000); past 0.2 the filter is replaced."""
    fired = _filter_case(compliance=0.0, interval_days=365.0)
    # tier 1: 0.2 / 0.00124 = 161.3 days; tier 2 (x1.3): 124.1; tier 0 (x0.8): 201.6
    assert fired["air_filter"] == [[161, 323], [124, 249, 374], [201]]
    assert fired["cabin_filter"] == [[], [], []]      # due, but skipped: the filter is not reset


def test_the_scheduled_cabin_filter_resets_the_efficiency():
    fired = _filter_case(compliance=1.0, interval_days=100.0)
    assert fired["cabin_filter"] == [[99, 199, 299, 399]] * 3
    assert fired["air_filter"] == [[], [], []]        # at most 0.161 lost in 100 days (tier 2)


@pytest.mark.parametrize("accept", [1.0, 0.5])
def test_battery_check_is_offered_once_when_soh_crosses(accept):
    cfg = cfg_of("default")
    cfg.condition.battery_check.accept_prob = accept
    n, r = 2000, np.random.default_rng(3)
    start, fade = r.uniform(0.84, 0.95, n), r.uniform(0.0, 0.1 / 365, n)
    demand = ServiceDemand(cfg, np.zeros(n, np.int64), REGION_TIER, np.full(n, 500.0),
                           np.random.default_rng(4))
    first_day = np.full(n, -1)
    for day in range(365):
        for b in demand.day(day, np.zeros(n, np.float32), start - fade * day):
            if b.cause == "battery_check":
                assert np.all(first_day[b.vehicles] == -1), "a second battery check"
                first_day[b.vehicles] = day
    soh = start[:, None] - fade[:, None] * np.arange(365)
    crossing = np.where((soh < 0.85).any(axis=1), (soh < 0.85).argmax(axis=1), -1)
    crossing[start < 0.85] = -1                       # below before the start: offered then
    crossed = crossing > 0
    assert crossed.sum() > 300
    checked = first_day >= 0
    assert np.all(first_day[checked] == crossing[checked])
    assert checked.sum() == pytest.approx(accept * crossed.sum(), abs=4 * np.sqrt(crossed.sum()))


def test_disabled_demand_is_silent_and_same_seed_same_demand():
    cfg = cfg_of("default")
    cfg.enabled = False
    off = ServiceDemand(cfg, REGION, REGION_TIER, AGE, np.random.default_rng(5))
    assert off.day(0, np.full(N, 30.0, np.float32), np.ones(N)) == []

    def batches(seed):
        d = ServiceDemand(cfg_of("default"), REGION, REGION_TIER, AGE, np.random.default_rng(seed))
        return [(b.cause, b.vehicles.tolist()) for day in range(20)
                for b in d.day(day, np.full(N, 30.0, np.float32), np.ones(N))]
    assert batches(5) == batches(5) != batches(6)


def test_job_types_cover_every_item():
    cfg = cfg_of("high_touch")
    jobs = ServiceDemand(cfg, REGION, REGION_TIER, AGE, np.random.default_rng(0)).job_types()
    assert set(jobs["maintenance"]) == set(cfg.maintenance.schedule)
    assert set(jobs["owner_issue"]) == set(cfg.owner_issues) >= {"valet_charging"}
    assert set(jobs["condition"]) == {"air_filter", "battery_check"}
    assert all(isinstance(j, JobTypeConfig) for c in jobs.values() for j in c.values())
    assert jobs["condition"]["air_filter"].channel == "mobile"     # seed 002:60


def _validated(key: str, value) -> str:
    text = resources.files("configs").joinpath("demand", "default.yaml").read_text()
    node = OmegaConf.merge(OmegaConf.structured(DemandConfig), OmegaConf.create(text))
    root = OmegaConf.create({"demand": node})
    OmegaConf.update(root, key, value)
    with pytest.raises(ConfigError) as info:
        validate(root)
    return str(info.value)


@pytest.mark.parametrize(("key", "value", "fragments"), [
    ("demand.owner_issues.noise.rate_per_vehicle_year", -0.5, ["=-0.5", "[0, 365]"]),
    ("demand.maintenance.schedule.tire_rotation.interval_km", 0.0, ["interval_km=0.0",
                                                                    "at least one interval"]),
    ("demand.maintenance.schedule.wipers.interval_days", -1.0, ["=-1.0", "[0, 36500]"]),
    ("demand.owner_issues.rattle.job.channel", "van", ["='van'", "mobile, center, body"]),
    ("demand.condition.air_filter.job.skill", "master", ["='master'", "junior, senior, expert"]),
    ("demand.maintenance.schedule.inspection.tiers", [1, 5], ["=[1, 5]", "0, 1, 2, 3"]),
    ("demand.condition.air_filter.pollution_by_tier", [1.0, 1.0], ["=[1.0, 1.0]", "4 factors"]),
    ("demand.condition.air_filter.maintenance_item", "hepa", ["='hepa'", "cabin_filter"]),
    ("demand.condition.battery_check.soh_below", 1.5, ["=1.5", "[0, 1]"]),
])
def test_a_bad_value_is_named(key, value, fragments):
    message = _validated(key, value)
    assert key in message and "\n" not in message
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} missing from: {message}"


def test_the_demand_group_is_composed_and_checked():
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config(["demand=high_touch", "demand.owner_issues.noise.rate_per_vehicle_year=-1"])
    assert "demand.owner_issues.noise.rate_per_vehicle_year=-1" in str(info.value)
    assert sim.load_config(["demand=high_touch"]).demand.owner_issues.valet_charging.job.channel \
        == "mobile"


def test_an_empty_schedule_leaves_the_condition_triggers():
    cfg = cfg_of("default")
    cfg.maintenance.schedule, cfg.owner_issues = {}, {}
    cfg.condition.air_filter.maintenance_item = ""   # the filter's age is then drawn below 20 %
    demand = ServiceDemand(cfg, REGION[:500], REGION_TIER, AGE[:500], np.random.default_rng(2))
    causes = Counter(b.cause for day in range(365)
                     for b in demand.day(day, np.full(500, 40.0, np.float32), np.ones(500)))
    assert set(causes) == {"air_filter"} and causes["air_filter"] > 20
    assert demand.job_types()["maintenance"] == {}

"""The technicians in the seats: hazard, hiring, academy, ramp-up (sim/service/workforce.py)."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pytest
import simpy

from configs.workforce_schema import WorkforceConfig
from sim.service.dispatch import Tech
from sim.service.workforce import Workforce


class Region:
    """What the workforce uses of a region's vans."""

    def __init__(self, techs: list[Tech], wanted_per_day: float = 1e9) -> None:
        self.region = 0
        self.vans = [SimpleNamespace(tech=t, route=[]) for t in techs]
        self.released = 0
        self.wanted_today = self.wanted_per_day = wanted_per_day   # van requests a day

    def release(self, van) -> None:
        self.released += 1


def make(n: int = 400, support: bool = True, academy: bool = True, tenure: float = 0.0,
         seed: int = 3, **attrition):
    cfg = WorkforceConfig(initial_tenure_days_mean=tenure)
    cfg.academy.enabled = academy
    for k, v in attrition.items():
        setattr(cfg.attrition, k, v)
    env = simpy.Environment()
    log: list[tuple] = []
    techs = [Tech(i, 0, 0) for i in range(n)]
    net = SimpleNamespace(
        env=env, record=log.append, region_names=["city"],
        cfg=SimpleNamespace(first_time_fix=SimpleNamespace(remote_expert_support=support)),
        dispatchers=[SimpleNamespace(techs=techs)],
        shift=SimpleNamespace(works_on=lambda day: day % 7 != 6, work_days_per_week=6))
    wf = Workforce(net, cfg, np.random.default_rng(seed))
    return wf, Region(techs), env, log


def run_days(wf, region, env, days: int, visits_per_day: int = 0, fail_share: float = 0.0):
    for day in range(days):
        env.run(until=day + 0.75)
        for van in region.vans:
            t = van.tech
            if t.staffed and visits_per_day:
                for k in range(visits_per_day):       # 9 hands-on hours a day in all
                    wf.after_visit(t, 9.0 / visits_per_day, k < fail_share * visits_per_day)
        wf.evening(region, day)


def left_within(log: list[tuple], days: float) -> int:
    """Technicians of the first cohort (started on day 0) gone within ``days`` (their
    replacements' departures are not theirs)."""
    return sum(1 for r in log if r[1] == "tech_left" and r[11] == 0.0 and r[12] <= days)


def test_support_and_training_lower_the_quitting_hazard():
    base = make()[0]
    t = Tech(0, 0, 0, start_d=0.0, trained=True, fail_ewma=0.15)
    supported = base.hazard_per_day(t, 10.0)
    isolated = make(support=False)[0].hazard_per_day(t, 10.0)
    assert isolated == pytest.approx(supported * 2.3, rel=1e-3)
    t.trained = False
    assert base.hazard_per_day(t, 10.0) == pytest.approx(supported * 1.5, rel=1e-3)
    t.trained, t.fail_ewma = True, 0.45
    assert base.hazard_per_day(t, 10.0) == pytest.approx(supported * math.exp(0.6), rel=1e-3)
    t.fail_ewma, t.load_ewma = 0.15, 11.0
    assert base.hazard_per_day(t, 10.0) == pytest.approx(supported * math.exp(0.6), rel=1e-3)
    t.load_ewma = 0.0
    assert base.hazard_per_day(t, 200.0) == pytest.approx(supported / 4.3, rel=1e-3)


def test_three_month_attrition_of_a_new_line_responds_to_support():
    """Seed 001: 45 % of new technicians gone within 3 months alone and untrained, 12 % with
    the academy and the platform (the calibration of configs/service/default.yaml)."""
    out = {}
    for name, support, academy, fail in (("2015", False, False, 0.36),
                                         ("2023", True, True, 0.17)):
        wf, region, env, log = make(n=600, support=support, academy=academy)
        run_days(wf, region, env, 91, visits_per_day=100, fail_share=fail)
        out[name] = left_within(log, 90.0) / 600
    assert out["2015"] == pytest.approx(0.45, abs=0.07)
    assert out["2023"] == pytest.approx(0.12, abs=0.04)


def test_vacancies_are_refilled_through_the_academy():
    wf, region, env, log = make(n=60, seed=5, novice_factor=40.0)
    run_days(wf, region, env, 200)
    events = [r[1] for r in log]
    assert events.count("tech_left") > 20
    assert events.count("tech_hired") >= events.count("tech_left") - 5
    passed, failed = events.count("academy_passed"), events.count("academy_failed")
    assert passed + failed > 10 and 0.5 < passed / (passed + failed) < 0.95
    graduates = [r for r in log if r[1] == "tech_started" and r[10] == "graduate"]
    assert len(graduates) == passed - sum(1 for r in wf.recruits if r.stage == "ready")
    # a graduate starts no earlier than the recruiting lead time plus 8 weeks after a review
    assert min(r[11] for r in graduates) >= 30.0 + 56.0
    assert all(r[12] == wf.cfg.academy.graduate_xp for r in graduates)
    assert region.released == events.count("tech_left")


def test_without_an_academy_recruits_start_untrained_after_the_lead_time():
    wf, region, env, log = make(n=60, academy=False, novice_factor=40.0)
    run_days(wf, region, env, 120)
    started = [r for r in log if r[1] == "tech_started" and r[10] == "untrained"]
    assert started and all(r[12] == 0.0 for r in started)
    assert min(r[11] for r in started) == pytest.approx(31.0)   # hired on day 0, + 30 d lead


def test_novices_ramp_up_with_experience():
    wf, region, env, log = make(n=1)
    t = region.vans[0].tech
    t.xp = 0.0
    assert wf.slowdown(t) == pytest.approx(1.4)
    assert wf.novice_fail_factor(t) == pytest.approx(2.0)
    for _ in range(400):
        wf.after_visit(t, 1.0, False)
    assert wf.slowdown(t) < 1.001 and wf.novice_fail_factor(t) < 1.002
    assert t.skill == 0
    wf.coach(t.id, 600.0)
    assert t.xp == pytest.approx(1000.0) and t.skill == 1


def test_the_daily_row_counts_the_seats():
    wf, region, env, log = make(n=50, seed=2, novice_factor=40.0)
    run_days(wf, region, env, 60)
    row = wf.row(60.0)
    assert row["technicians_active"] + row["vans_unstaffed"] == 50
    assert row["technicians_junior"] + row["technicians_senior"] + row["technicians_expert"] \
        == row["technicians_active"]
    assert 0 < row["technician_tenure_days_mean"] <= 60.0


def test_hiring_follows_the_demand_forecast():
    """22 requests a day at 4 jobs per technician-day (6 working days), +20 % headroom:
    ceil(22 x 1.2 / (4 x 6 / 7)) = ceil(7.7) = 8 technicians needed of 60 seats.
    Demand-driven hiring lets the leavers' seats empty; seat filling refills all 60."""
    out = {}
    for demand_driven in (True, False):
        wf, region, env, log = make(n=60, seed=5, novice_factor=40.0)
        wf.cfg.hiring.demand_driven = demand_driven
        region.wanted_today = region.wanted_per_day = 22.0
        assert wf.headcount_needed(region) == (8 if demand_driven else 60)
        run_days(wf, region, env, 240)
        out[demand_driven] = (wf.row(240.0)["technicians_active"],
                              sum(r[1] == "tech_hired" for r in log))
        region.wanted_today = region.wanted_per_day = 1e9   # demand returns: up to the vans
        assert wf.headcount_needed(region) == 60
    (active_dd, hired_dd), (active_seats, hired_seats) = out[True], out[False]
    assert 8 <= active_dd < 0.5 * active_seats
    assert hired_dd < 0.3 * hired_seats

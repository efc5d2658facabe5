"""Triage confusion, the owner's channel choice, the center calendar, planned durations,
customer locations and the automatic sizing rule."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.service.calendar import Shift
from sim.service.city import customer_radius_km
from sim.service.facilities import Facility
from sim.service.planner import DurationModel
from sim.service.triage import assign, can_do, prefers_mobile
from sim.sizing import choose

CONFUSION = {"center": {"mobile": 0.1, "body": 0.05}, "remote": {"mobile": 0.2}}


def test_triage_confusion_frequencies():
    u = np.random.default_rng(1).random(100_000)
    got = pd.Series([assign(CONFUSION, "center", x) for x in u]).value_counts(normalize=True)
    assert got["mobile"] == pytest.approx(0.10, abs=0.005)
    assert got["body"] == pytest.approx(0.05, abs=0.005)
    assert got["center"] == pytest.approx(0.85, abs=0.005)
    assert assign(CONFUSION, "mobile", 0.0) == "mobile"     # no row: always right


def test_which_channel_can_do_what():
    assert can_do("center", "mobile") and can_do("mobile", "remote")
    assert not can_do("mobile", "center") and not can_do("center", "body")


def test_owner_prefers_van_more_far_from_center():
    cfg = SimpleNamespace(channel=SimpleNamespace(mobile_preference_by_tier=[0, 0.5, 0.5, 0.5],
                                                  mobile_preference_per_km=0.01,
                                                  mobile_wait_tolerance_d=0.0))
    u = np.random.default_rng(2).random(20_000)
    near = np.mean([prefers_mobile(cfg, 1, (1.0, 0.0), 30.0, x) for x in u])
    far = np.mean([prefers_mobile(cfg, 1, (29.0, 0.0), 30.0, x) for x in u])
    assert near == pytest.approx(0.5 + 0.01 * (1 - 15), abs=0.015)
    assert far == pytest.approx(0.5 + 0.01 * (29 - 15), abs=0.015)


def test_owners_turn_from_a_van_backlog_to_the_center():
    cfg = SimpleNamespace(channel=SimpleNamespace(mobile_preference_by_tier=[0, 0.8, 0.8, 0.8],
                                                  mobile_preference_per_km=0.0,
                                                  mobile_wait_tolerance_d=3.0))
    u = np.random.default_rng(4).random(20_000)
    share = {d: np.mean([prefers_mobile(cfg, 1, (15.0, 0.0), 30.0, x, d) for x in u])
             for d in (-2.0, 0.0, 3.0, 9.0)}
    assert share[-2.0] == share[0.0] == pytest.approx(0.8, abs=0.01)   # no longer than the center
    assert share[3.0] == pytest.approx(0.8 * np.exp(-1.0), abs=0.01)
    assert share[9.0] == pytest.approx(0.8 * np.exp(-3.0), abs=0.01)
    cfg.channel.mobile_wait_tolerance_d = 0.0                          # 0: the backlog is ignored
    assert np.mean([prefers_mobile(cfg, 1, (15.0, 0.0), 30.0, x, 9.0) for x in u]) == \
        pytest.approx(0.8, abs=0.01)


def test_center_calendar_fills_days_in_order():
    env = simpy.Environment()
    shift = Shift(8.0, 18.0, 0)
    site = Facility(env, [0, 1], shift, appointment_lead_days=1.0, first_time_fix_prob=1.0,
                    booking_fill_frac=0.5)            # 2 bays x 10 h x 0.5 = 10 bay-hours a day
    times = [site.book(0.0, 2.0) for _ in range(12)]
    days = [math.floor(t) for t in times]
    assert days == [1] * 5 + [2] * 5 + [3] * 2
    # Within a day, appointments are spread as the bays' hours fill: 0, 1, 2, 3, 4 h after 8:00.
    hours = [(t - 1) * 24 for t in times[:5]]
    assert hours == pytest.approx([8, 9, 10, 11, 12])


def test_durations_learned_per_job_type():
    d = DurationModel(prior_h=1.0, prior_weight=5.0, learned=True)
    for _ in range(95):
        d.observe(("maintenance", "tire_rotation"), 2.0)
    assert d.planned_h(("maintenance", "tire_rotation")) == pytest.approx((5 + 190) / 100)
    assert d.planned_h(("owner_issue", "noise")) == 1.0
    fixed = DurationModel(prior_h=1.5, prior_weight=5.0, learned=False)
    fixed.observe(("maintenance", "tire_rotation"), 9.0)
    assert fixed.planned_h(("maintenance", "tire_rotation")) == 1.5


def test_customers_follow_clark_density():
    u = np.random.default_rng(3).random(400_000)
    r = customer_radius_km(u, 30.0, 6.0)
    assert r.max() <= 30.0
    # Radial law r exp(-r/b) truncated at R: P(r < b) = (1 - 2/e) / F(R/b).
    f = lambda x: 1 - math.exp(-x) * (1 + x)   # noqa: E731
    assert np.mean(r < 6.0) == pytest.approx(f(1.0) / f(5.0), abs=0.003)
    uniform = customer_radius_km(u, 30.0, 0.0)
    assert np.mean(uniform < 15.0) == pytest.approx(0.25, abs=0.003)


def test_sizing_picks_fewest_vans_under_target():
    demand = pd.DataFrame({"van_visits_per_day": [20.0, 0.0], "busy_h_per_visit": [2.0, 0.0],
                           "center_h_per_day": [30.0, 5.0]}, index=["city", "remote"])
    sizing = SimpleNamespace(target="utilization", utilization=0.8, jobs_per_van_day=4.0,
                             bay_utilization=0.75)
    out = choose(demand, sizing, 10.0, [True, False])
    assert out["vans"] == {"city": 5, "remote": 0}          # 40 h / (10 h x 0.8) = 5
    assert out["bays"] == {"city": 4, "remote": 1}          # 30 / 7.5 = 4
    curve = out["curves"]["city"]
    assert curve["utilization"][4] == pytest.approx(0.8)
    strict = choose(demand, SimpleNamespace(**{**vars(sizing), "utilization": 0.6}), 10.0,
                    [True, False])
    assert strict["vans"]["city"] == 7                       # 40 / 6 -> 7
    per_job = choose(demand, SimpleNamespace(**{**vars(sizing), "target": "jobs_per_van_day"}),
                     10.0, [True, False])
    assert per_job["vans"]["city"] == 5                      # 20 / 4

"""sim.service.experts: the remote expert desk as a finite pool, and its KPIs."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import simpy

from sim.service.experts import MINUTES_PER_DAY, ExpertDesk, expert_count
from sim.service.kpis import ServiceCapacity, expert_kpis


def _cfg(**kw):
    base = dict(per_100_vans=1.0, min_experts=1, shift_start_h=8.0, shift_end_h=20.0,
                ask_prob_by_skill=[1.0, 1.0, 1.0], answer_min=20.0, patience_min=30.0)
    return SimpleNamespace(**{**base, **kw})


class _Net:
    def __init__(self, env):
        self.env, self.events = env, []

    def log(self, job, event, technician=-1, outcome="", due=math.nan, value=math.nan):
        self.events.append((round(self.env.now * MINUTES_PER_DAY, 6), event, job.id, outcome,
                            value if math.isnan(value) else round(value, 6)))


def _job(i: int, difficulty: float = 1.0):
    return SimpleNamespace(id=i, job_type=SimpleNamespace(fix_difficulty=difficulty))


def _calls(desk, net, env, start_h: float, n: int):
    results = {}

    def call(i):
        yield env.timeout(start_h / 24.0 - env.now)
        results[i] = yield from desk.help(net, SimpleNamespace(id=i, skill=0), _job(i))
    for i in range(n):
        env.process(call(i))
    env.run()
    return results


def test_one_expert_answers_in_turn_and_a_caller_gives_up_after_patience():
    env = simpy.Environment()
    desk = ExpertDesk(env, _cfg(), vans=10, rng=np.random.default_rng(0))
    net = _Net(env)
    helped = _calls(desk, net, env, 9.0, 3)
    assert desk.experts == 1
    assert helped == {0: True, 1: True, 2: False}
    nine = 9 * 60.0
    answers = [(t - nine, v) for t, e, _, _, v in net.events if e == "help_answered"]
    assert answers == [(0.0, 0.0), (20.0, 20.0)]         # the second waits the first's call
    gave_up = [(t - nine, o, v) for t, e, _, o, v in net.events if e == "help_abandoned"]
    assert gave_up == [(30.0, "no_answer", 30.0)]          # 40 min needed, patience 30


def test_nobody_answers_outside_the_experts_hours():
    env = simpy.Environment()
    net = _Net(env)
    helped = _calls(ExpertDesk(env, _cfg(), 10, np.random.default_rng(0)), net, env, 22.0, 1)
    assert helped == {0: False}
    assert [(e, o) for _, e, _, o, _ in net.events] == [("help_requested", ""),
                                                      ("help_abandoned", "off_shift")]


def test_who_calls_depends_on_skill_and_difficulty():
    env = simpy.Environment()
    desk = ExpertDesk(env, _cfg(ask_prob_by_skill=[0.6, 0.3, 0.0]), 10,
                      np.random.default_rng(1))
    net = _Net(env)
    asked = {}
    for skill, difficulty in ((0, 1.0), (1, 1.0), (1, 2.0), (2, 5.0)):
        n0 = len(net.events)
        for i in range(4000):
            gen = desk.help(net, SimpleNamespace(id=i, skill=skill), _job(i, difficulty))
            try:
                next(gen)                      # a call was made: it waits on the pool
            except StopIteration:
                pass
        asked[(skill, difficulty)] = sum(e == "help_requested"
                                         for _, e, *_ in net.events[n0:]) / 4000
    assert asked[(0, 1.0)] == pytest.approx(0.6, abs=0.03)
    assert asked[(1, 1.0)] == pytest.approx(0.3, abs=0.03)
    assert asked[(1, 2.0)] == pytest.approx(0.6, abs=0.03)
    assert asked[(2, 5.0)] == 0.0


def test_expert_count_scales_with_vans_and_keeps_a_minimum():
    assert expert_count(5.0, 40, 1) == 2
    assert expert_count(5.0, 41, 1) == 3
    assert expert_count(0.1, 10, 2) == 2


def test_expert_kpis_from_events():
    rows = [("job_started", "mobile", "", np.nan)] * 8 + [
        ("help_requested", "mobile", "", np.nan)] * 4 + [
        ("help_answered", "mobile", "", 0.0), ("help_answered", "mobile", "", 10.0),
        ("help_abandoned", "mobile", "no_answer", 30.0),
        ("help_abandoned", "mobile", "off_shift", 0.0)]
    ev = pd.DataFrame(rows, columns=["event", "channel", "outcome", "value"])
    cap = ServiceCapacity(4, 10.0, 10, 2.0, None, expert_desk_min_per_day=2 * 10.0 * 60.0,
                          expert_answer_min=30.0)
    k = expert_kpis(ev, cap)
    assert k["help_requests_per_job"] == pytest.approx(0.5)
    assert k["expert_response_min_p90"] == pytest.approx(np.quantile([0.0, 10.0, 30.0], 0.9))
    assert k["expert_utilization"] == pytest.approx(2 * 30.0 / (2 * 10.0 * 60.0 * 2.0))
    none = expert_kpis(ev, ServiceCapacity(4, 10.0, 10, 2.0, None))
    assert all(math.isnan(v) for v in none.values())

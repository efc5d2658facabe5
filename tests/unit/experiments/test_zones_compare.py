"""experiments.bench.zones_compare: the two-stage planner and its outranked test."""

from __future__ import annotations

import numpy as np

from experiments.bench.zones_compare import CONFIGS, outranked, plan_two_stage
from sim.service.routing import DayPlan, plan_engine
from sim.service.zones import subproblem, sweep_zones
from tests.unit.sim.test_routing import check_common, problem


def test_outranked_compares_left_out_and_served_priorities() -> None:
    p = problem(1, 2, 4, parts=False)
    p.job_priority[:] = [30, 10, 20, 0]
    plan = DayPlan([[(1, 9.0, 9.0)], [(3, 9.0, 9.0)]], np.array([0, 2]))
    assert outranked(p, plan, 0)            # 30 left out, 0 served
    assert outranked(p, plan, 20)           # 30 > 0 + 20
    assert not outranked(p, plan, 30)
    p.job_priority[:] = [0, 10, 0, 20]
    assert not outranked(p, plan, 0)        # every left-out visit ranks below the served
    everything = DayPlan([[(0, 9.0, 9.0), (1, 10.0, 10.0)], [(2, 9.0, 9.0), (3, 10.0, 10.0)]],
                         np.array([], np.int64))
    assert not outranked(p, everything, 0)


def test_two_stage_replans_only_outranked_zones_with_three_searches() -> None:
    p = problem(4, 12, 150)
    plan = plan_two_stage(p, 6)
    check_common(p, plan)
    for vans, jobs in sweep_zones(p, 6):
        sub = subproblem(p, vans, jobs)
        cheap = plan_engine(sub, exploration_level=1, searches=1)
        want = (plan_engine(sub, exploration_level=1, searches=3)
                if outranked(sub, cheap, 0) else cheap)
        got = [[(int(np.flatnonzero(jobs == j)[0]), a, s) for j, a, s in plan.routes[int(v)]]
               for v in vans]
        assert got == want.routes


def test_the_new_configurations_are_listed() -> None:
    assert "zones of 5, 3 searches, depth 1" in CONFIGS
    assert sum("outranked" in name for name in CONFIGS) == 2


def test_from_day_keeps_the_later_region_days_of_the_same_run() -> None:
    from experiments.bench.zones_compare import captured_region_days

    every = captured_region_days(1500, 12, [], 0)
    later = captured_region_days(1500, 12, [], 6)
    assert 0 < len(later) < len(every)
    tail = every[len(every) - len(later):]
    assert all(np.array_equal(a.job_pos, b.job_pos) for a, b in zip(tail, later, strict=True))

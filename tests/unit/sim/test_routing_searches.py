"""The solver's search effort (``service.solver_searches``) and VROOM's fast job path.

Fewer VROOM searches must still give feasible plans (windows, skills, parts,
no overlapping stops, back by the shift end), the same plan on every call, and
``searches = 4 x (level + 1)`` must be VROOM's own level; the compiled-class job
path must plan exactly as pyvroom's public classes do.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest

from sim.service import routing_solvers
from sim.service.routing import plan_engine
from sim.service.zones import plan_zoned
from tests.unit.sim.test_routing import CASES, check_common, check_timed, problem, served

EFFORTS = [(1, 1), (2, 2), (3, 1), (1, 3)]   # (searches, depth)


@pytest.mark.parametrize(("searches", "depth"), EFFORTS)
@pytest.mark.parametrize(("seed", "n_vans", "n_jobs", "mid_day"), CASES)
def test_fewer_searches_still_plan_feasible_routes(searches: int, depth: int, seed: int,
                                                   n_vans: int, n_jobs: int,
                                                   mid_day: bool) -> None:
    p = problem(seed, n_vans, n_jobs, mid_day=mid_day)
    plan = plan_engine(p, exploration_level=depth, searches=searches)
    check_common(p, plan)
    check_timed(p, plan)
    assert len(served(plan)) >= min(n_jobs, 2 * n_vans) // 2


@pytest.mark.parametrize(("searches", "depth"), EFFORTS)
def test_a_reduced_search_plans_the_same_on_every_call(searches: int, depth: int) -> None:
    p = problem(11, 6, 60)
    first = plan_engine(p, exploration_level=depth, searches=searches)
    for _ in range(4):
        again = plan_engine(p, exploration_level=depth, searches=searches)
        assert again.routes == first.routes
        assert np.array_equal(again.unassigned, first.unassigned)


@pytest.mark.parametrize("level", [0, 1])
def test_searches_of_a_level_are_that_level(level: int) -> None:
    """VROOM runs 4 x (level + 1) searches of depth ``level``: the same plan."""
    for seed in range(3):
        p = problem(20 + seed, 5, 45)
        by_level = plan_engine(p, exploration_level=level)
        explicit = plan_engine(p, exploration_level=level, searches=4 * (level + 1))
        assert explicit.routes == by_level.routes


def test_one_search_is_not_the_full_level() -> None:
    """The knob does change the search: on some region-day one search plans otherwise."""
    differs = 0
    for seed in range(8):
        p = problem(40 + seed, 5, 50)
        differs += (plan_engine(p, exploration_level=1, searches=1).routes
                    != plan_engine(p, exploration_level=1).routes)
    assert differs > 0


def test_the_compiled_job_path_plans_as_the_public_classes() -> None:
    for seed, n_vans, n_jobs, mid_day in CASES[::2]:
        for parts in (True, False):
            p = problem(seed, n_vans, n_jobs, mid_day=mid_day, parts=parts)
            fast = plan_engine(p, exploration_level=1, searches=2)
            with mock.patch.object(routing_solvers, "_raw_jobs", side_effect=AttributeError):
                public = plan_engine(p, exploration_level=1, searches=2)
            assert fast.routes == public.routes


def test_zones_pass_the_search_effort_to_each_call() -> None:
    p = problem(7, 10, 80)
    with mock.patch.object(routing_solvers, "_solve_searches",
                           wraps=routing_solvers._solve_searches) as spy:
        plan = plan_zoned(p, 4, exploration_level=2, searches=2)
    assert spy.call_count == 3                        # 10 vans in zones of at most 4
    assert all(call.args[1:3] == (2, 2) for call in spy.call_args_list)
    check_common(p, plan)
    check_timed(p, plan)


def test_zones_under_the_minimum_vans_keep_the_full_search() -> None:
    p = problem(7, 10, 80)                            # zones of 4, 3 and 3 vans
    with mock.patch.object(routing_solvers, "_solve_searches",
                           wraps=routing_solvers._solve_searches) as spy:
        plan_zoned(p, 4, exploration_level=1, searches=2, searches_min_vans=4)
    assert spy.call_count == 1                        # only the 4-van zone is reduced
    small = problem(8, 3, 30)
    assert (plan_zoned(small, 6, exploration_level=1, searches=1, searches_min_vans=4).routes
            == plan_engine(small, exploration_level=1).routes)

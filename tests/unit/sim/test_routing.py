"""sim.service.city and sim.service.routing: the travel model and the region-day planners.

Every plan of seeded random region-days is checked stop by stop against the
problem it solved; the checks are written here from the problem's arrays, not
borrowed from the module under test.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.service.city import City, random_points
from sim.service.routing import DayPlan, DayProblem, plan_engine, plan_manual, plan_travel_h

TOL_H = 1e-6
START_H, END_H = 8.0, 18.0
SOLVERS = ("vroom", "ortools")
RUSH = {7: 20.0, 8: 20.0, 16: 25.0, 17: 20.0}
SPEEDS = tuple(RUSH.get(h, 40.0) for h in range(24))


def city(radius_km: float = 15.0) -> City:
    return City(radius_km, 1.35, SPEEDS, 0.8)


def problem(seed: int, n_vans: int, n_jobs: int, *, radius_km: float = 15.0,
            mid_day: bool = False, window_h: float = 2.0, parts: bool = True) -> DayProblem:
    """A seeded region-day: ``window_h`` windows tiling the shift, mixed skills and parts."""
    rng = np.random.default_rng(seed)
    c = city(radius_km)
    depot = np.zeros(2)
    if mid_day:  # a re-plan: vans out in the region, free from late morning
        starts, ready = random_points(rng, radius_km, n_vans), rng.uniform(10.0, 13.0, n_vans)
    else:
        starts, ready = np.repeat(depot[None, :], n_vans, axis=0), np.full(n_vans, START_H)
    pos = random_points(rng, radius_km, n_jobs)
    n_windows = int((END_H - START_H) // window_h)
    opens = START_H + window_h * rng.integers(0, n_windows, n_jobs)
    n_parts = 2 if parts else 0
    speed = c.mean_speed_kmh(START_H, END_H, rain=False)
    return DayProblem(
        van_skill=rng.integers(0, 3, n_vans), van_start=starts, van_ready_h=ready,
        shift_end_h=END_H, depot=depot,
        van_parts=rng.integers(0, 3, (n_vans, n_parts)),
        job_pos=pos, job_min_skill=rng.choice(3, n_jobs, p=[0.6, 0.3, 0.1]),
        job_window=np.column_stack([opens, opens + window_h]),
        job_service_h=rng.uniform(0.3, 1.5, n_jobs),
        job_priority=rng.choice([0, 10, 20, 60, 100], n_jobs),
        job_part=(rng.choice([-1, 0, 1], n_jobs, p=[0.5, 0.25, 0.25]) if parts
                  else np.full(n_jobs, -1)),
        travel=c.matrix_h(np.vstack([starts, depot[None, :], pos]), speed))


def served(plan: DayPlan) -> list[int]:
    return [j for route in plan.routes for j, _, _ in route]


def check_common(p: DayProblem, plan: DayPlan) -> None:
    """Both generations: a partition of the jobs, windows, skills, parts."""
    jobs = served(plan)
    assert len(jobs) == len(set(jobs)), "a job planned twice"
    assert sorted(jobs + list(plan.unassigned)) == list(range(p.n_jobs))
    assert len(plan.routes) == p.n_vans
    for v, route in enumerate(plan.routes):
        for j, arrive, start in route:
            assert p.job_window[j, 0] - TOL_H <= arrive <= p.job_window[j, 1] + TOL_H
            assert start >= arrive - TOL_H
            assert p.job_min_skill[j] <= p.van_skill[v]
        used = np.zeros(p.van_parts.shape[1], int)
        for j, _, _ in route:
            if p.job_part[j] >= 0:
                used[p.job_part[j]] += 1
        assert np.all(used <= p.van_parts[v])


def check_timed(p: DayProblem, plan: DayPlan) -> None:
    """Travel and planned service times: no overlapping stops, back by the shift end."""
    for v, route in enumerate(plan.routes):
        free_h, at = float(p.van_ready_h[v]), v
        for j, arrive, start in route:
            node = p.job_node(j)
            assert arrive >= free_h + p.travel[at, node] - TOL_H, f"van {v} job {j} overlaps"
            free_h, at = start + p.job_service_h[j], node
        assert free_h + p.travel[at, p.n_vans] <= p.shift_end_h + TOL_H, f"van {v} back late"


def check_slots(p: DayProblem, plan: DayPlan, slot_h: float) -> None:
    """The manual plan's own model: slots of slot_h from the van's ready hour, within the shift."""
    for v, route in enumerate(plan.routes):
        free_h = float(p.van_ready_h[v])
        for _, arrive, _ in route:
            assert arrive >= free_h - TOL_H
            free_h = arrive + slot_h
        assert free_h <= p.shift_end_h + TOL_H


CASES = [(seed, n_vans, n_jobs, mid) for seed, (n_vans, n_jobs) in enumerate(
    [(1, 6), (2, 10), (3, 15), (4, 20), (5, 25), (3, 24)]) for mid in (False, True)]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize(("seed", "n_vans", "n_jobs", "mid_day"), CASES)
def test_engine_plans_are_feasible(solver: str, seed: int, n_vans: int, n_jobs: int,
                                   mid_day: bool) -> None:
    p = problem(seed, n_vans, n_jobs, mid_day=mid_day)
    plan = plan_engine(p, solver)
    check_common(p, plan)
    check_timed(p, plan)
    assert len(served(plan)) >= min(n_jobs, 2 * n_vans) // 2  # it does plan work


@pytest.mark.parametrize(("seed", "n_vans", "n_jobs", "mid_day"), CASES)
def test_manual_plans_keep_their_slots(seed: int, n_vans: int, n_jobs: int,
                                       mid_day: bool) -> None:
    p = problem(seed, n_vans, n_jobs, mid_day=mid_day)
    plan = plan_manual(p, slot_h=2.0)
    check_common(p, plan)
    check_slots(p, plan, 2.0)
    assert served(plan)


def test_manual_plan_is_travel_blind_so_the_travel_check_can_fail() -> None:
    # 1 h slots for ~1 h of work plus up to an hour's drive: the check must catch it.
    p = problem(3, 3, 24, radius_km=30.0)
    plan = plan_manual(p, slot_h=1.0)
    check_common(p, plan)
    with pytest.raises(AssertionError):
        check_timed(p, plan)


def test_manual_takes_booking_order_first_van_and_slots() -> None:
    p = problem(0, 2, 5, window_h=10.0, parts=False)
    p.van_skill[:] = 2
    plan = plan_manual(p, slot_h=4.0)  # two 4 h slots fit in 8-18, a third would end at 20
    assert [[(j, a) for j, a, _ in r] for r in plan.routes] == [[(0, 8.0), (1, 12.0)],
                                                               [(2, 8.0), (3, 12.0)]]
    assert list(plan.unassigned) == [4]


@pytest.mark.parametrize("solver", SOLVERS)
def test_high_priority_jobs_are_kept_when_not_everything_fits(solver: str) -> None:
    p = problem(7, 1, 16, window_h=10.0, parts=False)
    p.van_skill[:], p.job_min_skill[:], p.job_service_h[:] = 2, 0, 1.0
    high = np.array([3, 8, 12, 15])
    p.job_priority[:] = 0
    p.job_priority[high] = 100
    plan = plan_engine(p, solver)
    check_timed(p, plan)
    assert len(plan.unassigned) >= 16 - 9          # at most 10 h of work in a 10 h shift
    assert set(high) <= set(served(plan))
    # booking order alone would not keep them: the manual plan drops some
    assert not set(high) <= set(served(plan_manual(p, slot_h=1.0)))


@pytest.mark.parametrize("solver", SOLVERS)
def test_parts_and_skills_bind(solver: str) -> None:
    p = problem(11, 2, 6, window_h=10.0)
    p.job_service_h[:], p.job_priority[:] = 0.2, 0
    p.van_skill[:] = [0, 2]
    p.van_parts[:] = [[1, 0], [1, 0]]
    p.job_part[:] = [0, 0, 0, 0, -1, -1]
    p.job_min_skill[:] = [0, 0, 0, 0, 0, 2]
    plan = plan_engine(p, solver)
    check_common(p, plan)
    assert sum(j < 4 for j in served(plan)) == 2      # one part unit on each van
    assert {4, 5} <= set(served(plan))
    assert 5 in [j for j, _, _ in plan.routes[1]]     # only the expert van can do job 5
    p.van_skill[:] = 1
    assert 5 in plan_engine(p, solver).unassigned


@pytest.mark.parametrize("solver", SOLVERS)
def test_windows_past_the_shift_end_still_need_the_van_home(solver: str) -> None:
    p = problem(5, 1, 3, window_h=10.0, parts=False)
    p.van_skill[:], p.job_min_skill[:], p.job_priority[:] = 2, 0, [0, 0, 10]
    p.job_window[:] = [[17.5, 22.0], [17.5, 22.0], [17.6, 22.0]]
    p.job_service_h[:] = [1.0, 0.3, 0.2]  # job 0 cannot fit; 1 and 2 each can, not both
    p.travel[:] = 0.1
    plan = plan_engine(p, solver)
    check_timed(p, plan)
    assert [[(j, round(a, 6)) for j, a, _ in r] for r in plan.routes] == [[(2, 17.6)]]
    assert list(plan.unassigned) == [0, 1]


@pytest.mark.parametrize("solver", SOLVERS)
@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_engine_travels_less_than_manual(solver: str, seed: int) -> None:
    p = problem(seed, 2, 8, window_h=10.0, parts=False)
    p.van_skill[:], p.job_min_skill[:], p.job_service_h[:] = 2, 0, 0.25
    engine, manual = plan_engine(p, solver), plan_manual(p, slot_h=1.0)
    assert len(served(engine)) == len(served(manual)) == 8
    assert plan_travel_h(p, engine) < 0.8 * plan_travel_h(p, manual)


def test_plan_travel_h_adds_the_legs_of_used_vans() -> None:
    p = problem(0, 2, 3, parts=False)
    plan = DayPlan([[(2, 9.0, 9.0), (0, 11.0, 11.0)], []], np.array([1]))
    t = p.travel
    assert plan_travel_h(p, plan) == pytest.approx(t[0, 5] + t[5, 3] + t[3, 2])


def test_bad_inputs_are_refused() -> None:
    p = problem(0, 2, 3)
    with pytest.raises(ValueError, match="solver"):
        plan_engine(p, "gurobi")
    p.travel = p.travel[:-1]
    with pytest.raises(ValueError, match="travel has shape"):
        plan_engine(p)


# ------------------------------------------------------------------ city


def test_road_km_is_detour_times_straight_line() -> None:
    c = city()
    a = np.array([[0.0, 0.0], [3.0, 4.0]])
    b = np.array([[3.0, 4.0], [0.0, 0.0], [6.0, 8.0]])
    assert c.road_km(a, b) == pytest.approx(1.35 * np.array([[5.0, 0.0, 10.0],
                                                             [0.0, 5.0, 5.0]]))
    # one leg, as the van day asks it: the same km from tuples, without arrays
    assert c.leg_km((3.0, 4.0), (6.0, 8.0)) == pytest.approx(1.35 * 5.0)
    assert c.leg_km((1.0, 2.0), (1.0, 2.0)) == 0.0


def test_road_km_gives_the_same_floats_as_the_plain_formula() -> None:
    # The planning matrix feeds whole-second rounding: a last-bit change would move plans.
    c = city()
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.0, 17.0, (41, 2)), rng.normal(0.0, 17.0, (29, 2))
    diff = a[:, None, :] - b[None, :, :]
    assert np.array_equal(c.road_km(a, b), 1.35 * np.sqrt((diff * diff).sum(axis=-1)))


def test_travel_integrates_speed_over_hour_boundaries() -> None:
    c, a, b = city(), np.zeros(2), np.array([10.0, 0.0])  # 13.5 road km
    assert c.travel_h(a, b, 11.0, rain=False) == pytest.approx(13.5 / 40.0)
    assert c.travel_h(a, b, 17.0, rain=False) == pytest.approx(13.5 / 20.0)  # rush hour
    # leave 15:45: 0.25 h x 40 = 10 km before 16:00, then 3.5 km at the 16:00 speed, 25 km/h
    assert c.travel_h(a, b, 15.75, rain=False) == pytest.approx(0.25 + 3.5 / 25.0)
    assert c.travel_h(a, a, 17.0, rain=True) == 0.0
    departs = np.arange(5.0, 20.0, 0.05)
    arrivals = [d + c.travel_h(a, b, d, rain=False) for d in departs]
    assert np.all(np.diff(arrivals) > 0)  # leaving later never arrives earlier


def test_rain_slows_travel_and_the_planning_speed() -> None:
    c, a, b = city(), np.zeros(2), np.array([0.0, 20.0])
    assert c.travel_h(a, b, 11.0, rain=True) == pytest.approx(c.travel_h(a, b, 11.0, False) / 0.8)
    assert c.mean_speed_kmh(8, 18, rain=True) == pytest.approx(0.8 * c.mean_speed_kmh(8, 18, False))


def test_mean_speed_is_the_harmonic_time_mean() -> None:
    c = city()
    assert c.mean_speed_kmh(16.0, 18.0, False) == pytest.approx(2.0 / (1 / 25 + 1 / 20))
    assert c.mean_speed_kmh(10.5, 12.0, False) == pytest.approx(40.0)
    assert c.mean_speed_kmh(8.5, 9.5, False) == pytest.approx(1.0 / (0.5 / 20 + 0.5 / 40))


def test_matrix_and_random_points() -> None:
    c = city(30.0)
    pts = random_points(np.random.default_rng(5), 30.0, 4000)
    r = np.hypot(pts[:, 0], pts[:, 1])
    assert r.max() <= 30.0
    assert abs(np.mean(r < 30.0 / np.sqrt(2.0)) - 0.5) < 0.03  # uniform in area
    m = c.matrix_h(pts[:5], 30.0)
    assert m == pytest.approx(c.road_km(pts[:5], pts[:5]) / 30.0)
    assert np.all(np.diag(m) == 0.0) and m == pytest.approx(m.T)
    with pytest.raises(ValueError, match="24 speeds"):
        City(30.0, 1.35, (30.0,) * 23, 0.8)

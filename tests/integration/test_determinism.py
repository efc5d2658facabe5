"""Same seed -> identical results; another seed -> different results."""

from __future__ import annotations

import math

import pandas as pd
import pytest

import sim

OVERRIDES = ["fleet.size=1000", "horizon_days=120", "output.progress=false"]


@pytest.fixture(scope="module")
def runs():
    first = sim.simulate(sim.load_config([*OVERRIDES, "seed=11"]))
    again = sim.simulate(sim.load_config([*OVERRIDES, "seed=11"]))
    other = sim.simulate(sim.load_config([*OVERRIDES, "seed=12"]))
    return first, again, other


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def test_same_seed_gives_identical_kpis(runs):
    first, again, _ = runs
    assert first.kpis.keys() == again.kpis.keys()
    diff = {k: (first.kpis[k], again.kpis[k]) for k in first.kpis
            if not _same(first.kpis[k], again.kpis[k])}
    assert not diff
    assert first.kpis["failures_total"] > 0  # the comparison covers a run with events


def test_same_seed_gives_identical_tables(runs):
    first, again, _ = runs
    assert len(first.events) > 0
    pd.testing.assert_frame_equal(first.events, again.events)
    pd.testing.assert_frame_equal(first.daily, again.daily)


def test_same_seed_gives_identical_metadata_except_timing(runs):
    first, again, _ = runs
    volatile = {"wall_s", "vehicle_days_per_s", "started_at", "routing_wall_s"}
    assert {k: v for k, v in first.meta.items() if k not in volatile} == {
        k: v for k, v in again.meta.items() if k not in volatile}


def test_another_seed_gives_different_results(runs):
    first, _, other = runs
    differing = [k for k in first.kpis if not _same(first.kpis[k], other.kpis[k])]
    assert "battery_soh_mean_end" in differing
    assert len(differing) >= 5
    assert not first.events.equals(other.events)
    assert first.meta["seed"] == 11 and other.meta["seed"] == 12

"""Seed 001's dispatch generations on the busy city: ordered, and near the seed's figures.

Same seeds for the three (common random numbers): the same owners, faults, traffic
and rain; only the planning differs; means over three seeds. Seed 001:227-228 (manual -> engine) and
588-589 (traffic- and weather-aware): productive hours 5.2 -> 7.1 -> 7.9 h per day,
on-time arrival 68 -> 91 -> 96 %. The issue's band: each within ±10 % relative.
"""

from __future__ import annotations

import pytest
from joblib import Parallel, delayed

from configs.load import load_config
from sim.engine import simulate

GENERATIONS = ("manual", "engine", "traffic_aware")
SEED_001 = {"manual": (5.2, 0.68), "engine": (7.1, 0.91), "traffic_aware": (7.9, 0.96)}
BAND = 0.10


SEEDS = (1, 2, 3)   # common random numbers: each seed runs all three generations


def _kpis(generation: str, seed: int) -> dict:
    cfg = load_config(["experiment=dispatch_generations", "output.progress=false",
                       f"service.dispatch={generation}", f"seed={seed}"])
    return simulate(cfg).kpis


@pytest.fixture(scope="module")
def kpis() -> dict[str, dict]:
    """Each generation's KPIs averaged over :data:`SEEDS`. One seed is not enough to order
    the engine and the traffic-aware generation on on-time arrival: their gap (~1 point)
    is the size of one seed's noise (seed 2 alone reverses it)."""
    jobs = [(g, s) for g in GENERATIONS for s in SEEDS]
    runs = Parallel(n_jobs=2)(delayed(_kpis)(g, s) for g, s in jobs)
    out = {}
    for g in GENERATIONS:
        ks = [k for (gg, _), k in zip(jobs, runs, strict=True) if gg == g]
        out[g] = {key: sum(k[key] for k in ks) / len(ks) for key in
                  ("technician_productive_hours_per_day", "on_time_arrival_rate",
                   "km_per_job", "jobs_per_van_day")}
    return out


@pytest.mark.parametrize("kpi", ["technician_productive_hours_per_day", "on_time_arrival_rate"])
def test_generations_are_ordered(kpis, kpi):
    values = [kpis[g][kpi] for g in GENERATIONS]
    assert values[0] < values[1] < values[2], values


@pytest.mark.parametrize("generation", GENERATIONS)
def test_generation_near_seed_001(kpis, generation):
    hours, on_time = SEED_001[generation]
    k = kpis[generation]
    assert k["technician_productive_hours_per_day"] == pytest.approx(hours, rel=BAND)
    assert k["on_time_arrival_rate"] == pytest.approx(on_time, rel=BAND)


def test_engine_drives_less_per_job_than_manual(kpis):
    assert kpis["engine"]["km_per_job"] < 0.6 * kpis["manual"]["km_per_job"]
    assert kpis["engine"]["jobs_per_van_day"] > kpis["manual"]["jobs_per_van_day"]

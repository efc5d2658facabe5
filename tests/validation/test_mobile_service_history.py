"""Seed 001's mobile service line, 2015 -> 2023: every lever moves its figures the seed's way,
and the figures of `experiment=mobile_service_history` land in their +-15 % bands.

Long (9 variants x 3 replications of a 26 000-vehicle, 270-day city): the ``slow`` tier,
``python -m pytest -m slow``. The README's table is the same experiment at 4 replications.
"""

from __future__ import annotations

import numpy as np
import pytest
from joblib import Parallel, delayed

import sim

pytestmark = pytest.mark.slow
SEEDS = (101, 202, 303)
BAND = 0.15


def _variants() -> dict[str, list[str]]:
    cfg = sim.load_config(["experiment=mobile_service_history"])
    return {k: list(v) for k, v in cfg.experiment.variants.items()}


def _run(variant: list[str], seed: int) -> dict:
    cfg = sim.load_config(["experiment=mobile_service_history", "output.progress=false",
                           f"seed={seed}", *variant])
    return sim.simulate(cfg).kpis


@pytest.fixture(scope="module")
def means() -> dict[str, dict[str, float]]:
    variants = _variants()
    jobs = [(name, seed) for name in variants for seed in SEEDS]
    runs = Parallel(n_jobs=2)(delayed(_run)(variants[n], s) for n, s in jobs)
    out: dict[str, dict[str, float]] = {}
    for name in variants:
        ks = [k for (n, _), k in zip(jobs, runs, strict=True) if n == name]
        out[name] = {key: float(np.nanmean([k[key] for k in ks])) for key in ks[0]
                     if isinstance(ks[0][key], (int, float))}
    return out


def test_each_lever_alone_moves_its_figures_the_seeds_way(means):
    base = means["mobile_2015"]
    eng, exp_, acad = means["dispatch_engine"], means["expert_platform"], means["academy"]
    hours = "technician_productive_hours_per_day"
    assert eng[hours] > base[hours] + 0.5
    assert eng["on_time_arrival_rate"] > base["on_time_arrival_rate"] + 0.08
    assert exp_["first_time_fix_mobile"] > base["first_time_fix_mobile"] + 0.03
    assert exp_["technician_attrition_3m_expected"] < 0.8 * base["technician_attrition_3m_expected"]
    assert acad["first_time_fix_mobile"] > base["first_time_fix_mobile"] + 0.01
    attrition = "technician_attrition_3m_expected"
    assert acad[attrition] < 0.85 * base[attrition]
    assert base["predictive_share_of_mobile_jobs"] == 0.0
    assert means["predictive_orders"]["predictive_share_of_mobile_jobs"] > 0.1
    assert means["rating_process"]["csat_mobile"] > base["csat_mobile"] + 0.04
    assert means["line_scaled"]["mobile_share_of_visits"] > 3 * base["mobile_share_of_visits"]


def test_2023_beats_2015_on_every_figure(means):
    old, new = means["mobile_2015"], means["mobile_2023"]
    for kpi in ("first_time_fix_mobile", "technician_productive_hours_per_day",
                "on_time_arrival_rate", "mobile_share_of_visits", "csat_mobile", "nps_mobile"):
        assert new[kpi] > old[kpi], kpi
    assert new["technician_attrition_3m_expected"] < 0.5 * old["technician_attrition_3m_expected"]


# Figures the model does not reach (README "The mobile service line"): strict xfails, so that
# reaching one turns the mark into a failure to remove.
KNOWN_MISSES: dict[tuple[str, str], str] = {}


def _targets() -> list:
    cfg = sim.load_config(["experiment=mobile_service_history"])
    rows = []
    for variant, figures in cfg.experiment.targets.items():
        for kpi, row in figures.items():
            miss = KNOWN_MISSES.get((variant, kpi))
            marks = [pytest.mark.xfail(strict=True, reason=miss)] if miss else []
            rows.append(pytest.param(variant, kpi, float(row["value"]), marks=marks,
                                     id=f"{variant}-{kpi}"))
    return rows


def test_the_known_misses_are_declared_targets():
    declared = {(p.values[0], p.values[1]) for p in _targets()}
    assert set(KNOWN_MISSES) <= declared


@pytest.mark.parametrize("variant, kpi, seed_value", _targets())
def test_figure_within_its_band(means, variant, kpi, seed_value):
    """Every figure the experiment declares (experiment.targets) is met within +-15 %."""
    assert means[variant][kpi] == pytest.approx(seed_value, rel=BAND)

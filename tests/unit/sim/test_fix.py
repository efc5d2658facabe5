"""A mobile visit's outcome and its revisit cause (sim/service/fix.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from configs.service_schema import FirstTimeFixConfig, JobTypeConfig
from sim.records import PREVENTIVE
from sim.service.fix import part_missing_prob, skill_fail_prob, visit_outcome

FTF = FirstTimeFixConfig(junior=0.8, senior=0.9, expert=0.95, missing_part_prob=0.2,
                         parts_matched_factor=0.5, predicted_part_factor=0.25,
                         other_fail_prob=0.05, expert_support_failure_factor=0.5)


def job(severity: str = "drivable", difficulty: float = 1.0, part_risk: float = 1.0):
    return SimpleNamespace(severity=severity, component="electrics",
                           job_type=JobTypeConfig(fix_difficulty=difficulty, part_risk=part_risk))


def outcomes(n: int = 40_000, seed: int = 1, **kw) -> dict[str, float]:
    u = np.random.default_rng(seed).random((n, 3))
    j = kw.pop("j", job())
    level = kw.pop("level", 0)
    out = [visit_outcome(FTF, row, j, level, **kw) for row in u]
    values, counts = np.unique(out, return_counts=True)
    return dict(zip(values.tolist(), (counts / n).tolist(), strict=True))


def test_the_cause_probabilities_follow_the_config():
    share = outcomes(cut=False, parts_matched=False)
    assert share["parts"] == pytest.approx(0.2, abs=0.01)
    assert share["skills"] == pytest.approx(0.8 * 0.2, abs=0.01)        # after the part was there
    assert share["other"] == pytest.approx(0.8 * 0.8 * 0.05, abs=0.005)
    assert share["fixed"] == pytest.approx(0.8 * 0.8 * 0.95, abs=0.01)
    assert "time" not in share


def test_a_cut_visit_is_a_revisit_for_time_whatever_the_draws():
    assert outcomes(n=200, cut=True, parts_matched=True) == {"time": 1.0}


def test_parts_planning_and_predictive_orders_cut_missing_parts():
    assert part_missing_prob(FTF, job(), parts_matched=False) == pytest.approx(0.2)
    assert part_missing_prob(FTF, job(), parts_matched=True) == pytest.approx(0.1)
    assert part_missing_prob(FTF, job(PREVENTIVE), parts_matched=True) == pytest.approx(0.025)
    assert part_missing_prob(FTF, job(part_risk=0.0), parts_matched=False) == 0.0


def test_skill_failure_by_level_novice_specialist_and_help():
    assert skill_fail_prob(FTF, 0, 1.0) == pytest.approx(0.2)
    assert skill_fail_prob(FTF, 2, 1.0) == pytest.approx(0.05)
    assert skill_fail_prob(FTF, 0, 2.0, novice=2.0) == pytest.approx(0.8)
    assert skill_fail_prob(FTF, 0, 1.0, specialist=0.5, helped=True) == pytest.approx(0.05)
    assert skill_fail_prob(FTF, 0, 10.0, novice=3.0) == 1.0                 # capped
    helped = outcomes(cut=False, parts_matched=False, helped=True)
    alone = outcomes(cut=False, parts_matched=False, helped=False)
    assert helped["skills"] < 0.6 * alone["skills"]

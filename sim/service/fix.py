"""Whether a mobile visit fixes the car, and if not, why (the revisit's cause).

A visit fails for one of four recorded reasons, tried in this order:

- ``time``: the shift (plus ``mobile.overtime_h``) ended before the work did; the
  technician stops and the job is rebooked (a night call on a rescue has no end);
- ``parts``: the job needs a part the van does not carry. With probability
  ``first_time_fix.missing_part_prob`` nobody knew the part in advance; the engine
  generations load the van with the part remote diagnosis predicts
  (``parts_matched_factor``), and a predictive order (a preventive job from an alert)
  names its part (``predicted_part_factor``);
- ``skills``: the technician could not fix it: ``1 - first_time_fix.<level>`` times the
  job type's ``fix_difficulty``, times the novice factor of a technician still
  ramping up (:meth:`sim.service.workforce.Workforce.novice_fail_factor`), times
  ``specialist_fail_factor`` for a specialist on a job of their component, times
  ``expert_support_failure_factor`` when an expert helped;
- ``other``: intermittent faults not reproduced, owner-side causes
  (``other_fail_prob``).

Published split of follow-up visits (Aberdeen 2012-2013, CALIBRATION.md): parts 51 %,
skills 25 %, time 13 %, the rest other causes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from configs.service_schema import SKILLS
from sim.records import PREVENTIVE

CAUSES = ("time", "parts", "skills", "other")


def skill_fail_prob(ftf: Any, level: int, difficulty: float, novice: float = 1.0,
                    specialist: float = 1.0, helped: bool = False) -> float:
    """Probability that a visit fails for lack of skill (see module)."""
    fail = (1.0 - float(getattr(ftf, SKILLS[level]))) * difficulty * novice * specialist
    if helped:
        fail *= float(ftf.expert_support_failure_factor)
    return min(max(fail, 0.0), 1.0)


def part_missing_prob(ftf: Any, job: Any, parts_matched: bool) -> float:
    """Probability that the job needs a part the van does not carry (see module)."""
    p = float(ftf.missing_part_prob) * float(job.job_type.part_risk)
    if parts_matched:
        p *= float(ftf.parts_matched_factor)
    if job.severity == PREVENTIVE:
        p *= float(ftf.predicted_part_factor)
    return min(max(p, 0.0), 1.0)


def visit_outcome(ftf: Any, u: np.ndarray, job: Any, level: int, *, cut: bool,
                  parts_matched: bool, novice: float = 1.0, specialist: float = 1.0,
                  helped: bool = False) -> str:
    """``fixed`` or the revisit cause; ``u`` is three uniforms (parts, skills, other)."""
    if cut:
        return "time"
    if u[0] < part_missing_prob(ftf, job, parts_matched):
        return "parts"
    difficulty = float(job.job_type.fix_difficulty)
    if u[1] < skill_fail_prob(ftf, level, difficulty, novice, specialist, helped):
        return "skills"
    if u[2] < float(ftf.other_fail_prob):
        return "other"
    return "fixed"

"""Remote experts as a capacity: the video-link desk that mobile technicians call.

Seed 001's expert platform (help within 15 minutes, video) as a finite pool
(``service.experts.mode: pool``): a simpy ``Resource`` of experts on duty
between ``shift_start_h`` and ``shift_end_h`` every day. On a mobile job a
technician calls with probability ``ask_prob_by_skill[skill]`` times the job
type's ``fix_difficulty`` (capped at 1); a call outside the experts' hours finds
nobody; otherwise the technician waits for a free expert at most
``patience_min`` minutes, then works alone. An answered call takes
``answer_min`` minutes of both the expert and the technician. Only a helped job
gets ``first_time_fix.expert_support_failure_factor``: a saturated desk means
longer jobs and more revisits.

Events (job records): ``help_requested``; ``help_answered`` (value = minutes
waited); ``help_abandoned`` (outcome ``off_shift`` or ``no_answer``, value =
minutes waited).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import simpy

from sim.clock import HOURS_PER_DAY

MINUTES_PER_DAY = HOURS_PER_DAY * 60.0


def expert_count(per_100_vans: float, vans: int, minimum: int) -> int:
    """Experts on the desk for ``vans`` vans."""
    return max(int(minimum), int(math.ceil(per_100_vans * vans / 100.0 - 1e-9)))


class ExpertDesk:
    """The pool of remote experts (one for the whole fleet: they work over video)."""

    def __init__(self, env: simpy.Environment, cfg: Any, vans: int,
                 rng: np.random.Generator) -> None:
        self.env, self.cfg, self.rng = env, cfg, rng
        self.pool = simpy.Resource(env, capacity=expert_count(cfg.per_100_vans, vans,
                                                              cfg.min_experts))

    @property
    def experts(self) -> int:
        """Experts on the desk."""
        return self.pool.capacity

    @property
    def minutes_per_day(self) -> float:
        """Expert-minutes on duty per day (the denominator of ``expert_utilization``)."""
        return self.experts * (float(self.cfg.shift_end_h) - float(self.cfg.shift_start_h)) * 60.0

    def on_duty(self, t: float) -> bool:
        """Whether experts are on duty at simulation time ``t`` (days)."""
        hour = (t - math.floor(t)) * HOURS_PER_DAY
        return float(self.cfg.shift_start_h) <= hour < float(self.cfg.shift_end_h)

    def help(self, net: Any, tech: Any, job: Any):
        """Process step of one mobile job: whether the technician got an expert's help."""
        cfg, env = self.cfg, self.env
        ask = float(cfg.ask_prob_by_skill[tech.skill]) * float(job.job_type.fix_difficulty)
        if self.rng.random() >= min(ask, 1.0):
            return False
        net.log(job, "help_requested", tech.id)
        if not self.on_duty(env.now):
            net.log(job, "help_abandoned", tech.id, outcome="off_shift", value=0.0)
            return False
        asked = env.now
        request = self.pool.request()
        got = yield request | env.timeout(float(cfg.patience_min) / MINUTES_PER_DAY)
        waited = (env.now - asked) * MINUTES_PER_DAY
        if request not in got:
            request.cancel()
            net.log(job, "help_abandoned", tech.id, outcome="no_answer", value=waited)
            return False
        net.log(job, "help_answered", tech.id, value=waited)
        yield env.timeout(float(cfg.answer_min) / MINUTES_PER_DAY)
        self.pool.release(request)
        return True

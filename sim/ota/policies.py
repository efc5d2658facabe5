"""Who gets a release when: waves (staged, big bang) or a release rate (exponential).

A wave's members are drawn when it starts, at random among the targets not
yet assigned that match its cohort / regions / hw configs; the last wave
takes every remaining match (hawkBit, Mender: the last group takes the rest).
The exponential rate follows AWS IoT Jobs' ``exponentialRate``: a base rate,
multiplied by ``increment_factor`` for every ``increase_after_succeeded``
reported successes, capped at ``max_rate_per_day``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from sim.ota.targets import FleetAttributes, member_mask


class Wave(NamedTuple):
    """A wave's planned size (vehicles), minimum duration, cohort label and fleet filter."""

    size: int
    min_days: int
    cohort: str
    match: np.ndarray    # bool over the fleet


def _size(size: float, n_targets: int) -> int:
    return int(size) if size > 1 else max(1, int(round(size * n_targets)))


class WavePlan:
    """The waves of a staged rollout (big bang: one wave of every target).

    Args:
        rollout: the rollout config (policy, waves).
        targets: int64 indices of the release's targets.
        attrs: the fleet's attributes (for the wave filters).
        rng: stream of the wave draws.
        path: config path of the rollout, for error messages.
    """

    def __init__(self, rollout: Any, targets: np.ndarray, attrs: FleetAttributes,
                 rng: np.random.Generator, path: str) -> None:
        self.targets = targets
        self.rng = rng
        everyone = np.ones(attrs.n, bool)
        if rollout.policy == "big_bang":
            self.waves = [Wave(len(targets), 0, "any", everyone)]
            return
        self.waves = []
        for i, w in enumerate(rollout.waves):
            key = f"{path}.waves[{i}]"
            cohort = [] if w.cohort == "any" else [w.cohort]
            match = member_mask(attrs.cohort, cohort, attrs.cohort_names, f"{key}.cohort")
            match &= member_mask(attrs.region, list(w.regions), attrs.region_names,
                                 f"{key}.regions")
            match &= member_mask(attrs.hw_config, list(w.hw_configs), attrs.hw_config_names,
                                 f"{key}.hw_configs")
            self.waves.append(Wave(_size(float(w.size), len(targets)), int(w.min_days),
                                   str(w.cohort), match))

    def __len__(self) -> int:
        return len(self.waves)

    def members(self, i: int, unassigned: np.ndarray) -> np.ndarray:
        """Draw wave ``i``'s vehicles among the ``unassigned`` targets (bool over the fleet)."""
        wave = self.waves[i]
        t = self.targets
        cand = t[unassigned[t] & wave.match[t]]
        if i == len(self.waves) - 1 or wave.size >= len(cand):
            return cand
        return np.sort(self.rng.choice(cand, wave.size, replace=False))


class RatePlan:
    """An exponential release rate over the targets in a random order.

    Args:
        exp: the ``exponential`` config.
        targets: int64 indices of the release's targets.
        rng: stream of the release order.
    """

    def __init__(self, exp: Any, targets: np.ndarray, rng: np.random.Generator) -> None:
        self.order = rng.permutation(targets)
        self.base = float(exp.base_rate_per_day)
        self.factor = float(exp.increment_factor)
        self.per_step = int(exp.increase_after_succeeded)
        self.max = float(exp.max_rate_per_day)
        self._carry = 0.0

    def rate(self, n_succeeded: int) -> tuple[int, float]:
        """The rate step and rate per day after ``n_succeeded`` reported successes."""
        step = n_succeeded // self.per_step
        if self.factor <= 1.0:
            return step, min(self.base, self.max)
        cap_step = np.log(self.max / self.base) / np.log(self.factor)
        return step, self.max if step >= cap_step else min(self.base * self.factor ** step,
                                                           self.max)

    def take(self, rate: float, eligible: np.ndarray) -> np.ndarray:
        """Today's vehicles at ``rate`` per day (fractions carry over) among ``eligible``."""
        self._carry += rate
        k = int(self._carry)
        self._carry -= k
        cand = self.order[eligible[self.order]]
        return cand[:k]

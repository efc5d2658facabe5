"""Owner behaviour: who acts on an alert, and alert fatigue from false alarms.

Each owner's belief in the alerts' accuracy is a Beta distribution: prior
pseudo-counts ``trust_prior_true`` / ``trust_prior_false`` plus the alerts
the owner has seen turn out true or false. The response probability of a
level is ``levels.<level>.response_prob`` times a fatigue factor that falls
linearly from 1 at ``full_response_accuracy`` to 0 at
``stop_responding_accuracy`` (seed 002: at 65 % accuracy users ignored
every alert).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from configs.alerts_schema import LEVELS

F32 = np.float32


class Owners:
    """Alert responses and trust of every vehicle's owner.

    Args:
        cfg: the ``alerts`` config (levels.*.response_prob, trust_prior_*, *_accuracy).
        n: fleet size.
        rng: the stream the responses are drawn from.
    """

    def __init__(self, cfg: Any, n: int, rng: np.random.Generator) -> None:
        self.rng = rng
        self.prob = {level: float(cfg.levels[level].response_prob) for level in LEVELS}
        self.prior_true = F32(cfg.trust_prior_true)
        self.prior_false = F32(cfg.trust_prior_false)
        self.stop = F32(cfg.stop_responding_accuracy)
        self.full = F32(cfg.full_response_accuracy)
        self.n_true = np.zeros(n, F32)
        self.n_false = np.zeros(n, F32)

    def trust(self, vehicles: np.ndarray) -> np.ndarray:
        """Each owner's expected alert accuracy (the Beta posterior mean)."""
        t = self.prior_true + self.n_true[vehicles]
        return t / (t + self.prior_false + self.n_false[vehicles])

    def fatigue_factor(self, vehicles: np.ndarray) -> np.ndarray:
        """1 at full trust .. 0 at or below the accuracy where owners stop responding."""
        return np.clip((self.trust(vehicles) - self.stop) / (self.full - self.stop), 0.0, 1.0)

    def respond(self, vehicles: np.ndarray, level: str) -> np.ndarray:
        """Which owners act on a ``level`` alert (bool mask aligned with ``vehicles``)."""
        p = F32(self.prob[level]) * self.fatigue_factor(vehicles)
        return self.rng.random(len(vehicles), dtype=F32) < p

    def learn(self, vehicles: np.ndarray, was_true: np.ndarray) -> None:
        """Owners learn whether their alerts were right (a vehicle may repeat)."""
        was_true = np.asarray(was_true, bool)
        np.add.at(self.n_true, vehicles[was_true], 1)
        np.add.at(self.n_false, vehicles[~was_true], 1)

"""Schema of ``service.quality``: visit ratings, the review desk and coaching (seed 001)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from configs.fields import each, must_be_below, num, prob

SCORES = 5   # CSAT 1..5: four cut points


@dataclass
class ReviewConfig:
    """The fleet-wide desk that reviews low ratings, then coaches the technician."""

    enabled: bool = True
    reviewers: int = num(2, 1, 10_000)
    shift_start_h: float = num(9.0, 0.0, 24.0)
    shift_end_h: float = num(18.0, 0.0, 24.0)
    review_h: float = num(1.0, 0.0, 100.0, lo_open=True)
    target_h: float = num(48.0, 0.0, 10_000.0, lo_open=True)
    coaching_xp: float = num(5.0, 0.0, 1e6)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_be_below(cfg, path, "shift_start_h", "shift_end_h")


@dataclass
class QualityConfig:
    """How owners rate visits (an ordered logit on a latent score in stars) and what follows."""

    promise_factor: float = num(1.5, 0.1, 10.0)
    survey_response_prob: float = prob(1.0)
    base: float = num(5.2, -20.0, 20.0)
    per_wait_day: float = num(0.03, 0.0, 100.0)
    wait_grace_h: float = num(48.0, 0.0, 8760.0)
    per_late_h: float = num(1.0, 0.0, 100.0)
    not_fixed_penalty: float = num(0.5, 0.0, 100.0)
    per_over_promise_h: float = num(0.3, 0.0, 100.0)
    under_promise_bonus: float = num(0.4, 0.0, 100.0)
    per_owner_h: float = num(0.4, 0.0, 100.0)
    center_trip_h: float = num(1.0, 0.0, 24.0)
    noise_scale: float = num(0.4, 0.0, 10.0)
    thresholds: list[float] = each(lambda: [1.5, 2.5, 3.5, 4.5], -20.0, 20.0)
    low_rating_max: int = num(3, 1, SCORES)
    review: ReviewConfig = field(default_factory=ReviewConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        cuts = list(cfg.thresholds)
        if len(cuts) != SCORES - 1 or any(b <= a for a, b in itertools.pairwise(cuts)):
            return [f"{path}.thresholds={cuts}: give {SCORES - 1} strictly increasing cut "
                    f"points (latent stars separating ratings 1..{SCORES})"]
        return []

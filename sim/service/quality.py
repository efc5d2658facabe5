"""The quality loop: every visit rated, low ratings reviewed and their technician coached.

Seed 001's 2018 process (CSAT 72 % -> 92 %, lines 353-360; 520-521): one hour
after a visit the owner rates it 1..5 (CSAT); every low rating goes to a
review desk that must find its cause within 48 hours, and the technician is
coached. Seed 001:462 adds expectation management: the owner is promised
``promise_factor`` x the internal estimate (1.5 h for 1 h), so most jobs
finish early.

The rating is an ordered-logit model. A latent satisfaction (in stars)::

    base - per_wait_day x days waited beyond wait_grace_h
         - per_late_h x hours late (0 inside the window)
         - not_fixed_penalty (if not fixed) - per_over_promise_h x hours beyond the promise
         + under_promise_bonus (if it finished before the promise)
         - per_owner_h x hours of the owner's own time (center: trip + the work)
         + noise_scale x logit(u)

is cut at four increasing ``thresholds`` into 1..5 (above the k-th cut: k+1).
A share ``survey_response_prob`` of owners answers; an unanswered survey
leaves no record.

The review desk is one fleet-wide simpy ``Resource`` of ``review.reviewers``
working ``review.shift_start_h`` .. ``shift_end_h`` every day. A rating of at
most ``low_rating_max`` waits for a reviewer in turn; its review takes
``review.review_h`` of on-duty time (split over shifts when it does not fit in
one), and then the technician is coached (``coach(tech_id, review.coaching_xp)``).

Events (job records, ``log(job, event, technician, outcome=, due=, value=)``):
``job_rated`` (outcome = rated channel, value = score; ``due`` = the review
deadline, rating time + ``review.target_h``, if the rating went to review,
else NaN: the log alone then says which ratings were low);
``rating_reviewed`` (outcome ``in_48h`` or ``late`` against
``review.target_h``, value = hours from rating to the review's end);
``tech_coached`` (value = experience credited).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import simpy

from sim.clock import HOURS_PER_DAY, hours

RATED, REVIEWED, COACHED = "job_rated", "rating_reviewed", "tech_coached"
IN_TARGET, LATE = "in_48h", "late"
SATISFIED_MIN = 4      # CSAT: a rating of 4 or 5 is a satisfied owner
PROMOTER, DETRACTOR_MAX = 5, 3   # the CSAT -> NPS mapping
_U_EPS = 1e-12
# Scalar types whose arithmetic in Python floats is numpy's float64 arithmetic (not float32).
_SCALARS = frozenset({float, int, bool, np.float64, np.int64, np.bool_})
_EDGE_D = 1e-9   # days (~0.1 ms): shift edges tolerate the rounding of simpy times


def promised_duration_h(estimate_h: float, cfg: Any) -> float:
    """The duration promised to the owner: the internal estimate x ``promise_factor``."""
    return estimate_h * float(cfg.promise_factor)


def rating_score(u, wait_h, late_h, fixed, over_promise_h, under_promise_h, cfg: Any,
                 owner_h=0.0):
    """The owner's CSAT rating 1..5 of one visit (an int; an int array for array inputs).

    Args:
        u: uniform draw(s) in (0, 1) behind the logistic noise.
        wait_h: hours from the job's creation to the visit.
        late_h: hours the arrival came after the promised window's end (<= 0: on time).
        fixed: whether the visit fixed the car.
        over_promise_h: hours the job took beyond the promised duration.
        under_promise_h: hours it finished before the promised duration (> 0: a bonus).
        cfg: ``service.quality``.
        owner_h: hours of the owner's own time the visit took (a center visit: the trip
            and the wait while the car is worked on; a van at home: none).
    """
    if all(type(x) in _SCALARS for x in (u, wait_h, late_h, fixed, over_promise_h,
                                         under_promise_h, owner_h)):
        # One visit (the simulation's case, once per visit): Python floats, ~10x cheaper than
        # 0-d arrays, through the same formula (so the same score).
        u = min(max(float(u), _U_EPS), 1.0 - _U_EPS)
        latent = _latent(u, float(wait_h), float(late_h), not fixed, float(over_promise_h),
                         float(under_promise_h) > 0.0, float(owner_h), cfg, max)
        if latent != latent:          # NaN sorts after every cut, as in np.searchsorted
            return 1 + len(cfg.thresholds)
        return 1 + bisect.bisect_left([float(t) for t in cfg.thresholds], latent)
    u = np.clip(np.asarray(u, dtype=float), _U_EPS, 1.0 - _U_EPS)
    latent = _latent(u, np.asarray(wait_h, dtype=float), late_h, ~np.asarray(fixed, dtype=bool),
                     over_promise_h, np.asarray(under_promise_h) > 0.0, owner_h, cfg, np.maximum)
    # Ratings above k of the (sorted) cut points are k + 1.
    score = 1 + np.searchsorted(np.asarray(cfg.thresholds, dtype=float), latent, side="left")
    return int(score) if np.ndim(score) == 0 else score.astype(int)


def _latent(u, wait_h, late_h, not_fixed, over_promise_h, under_promised, owner_h, cfg: Any,
            maximum: Callable):
    """The latent satisfaction behind a rating, for one visit (``maximum=max``) or an array
    of visits (``maximum=np.maximum``): one formula, so both paths give the same floats."""
    return (float(cfg.base)
            - float(cfg.per_wait_day) * maximum(wait_h - float(cfg.wait_grace_h), 0.0)
            / HOURS_PER_DAY
            - float(cfg.per_late_h) * maximum(late_h, 0.0)
            - float(cfg.not_fixed_penalty) * not_fixed
            - float(cfg.per_over_promise_h) * maximum(over_promise_h, 0.0)
            + float(cfg.under_promise_bonus) * under_promised
            - float(cfg.per_owner_h) * maximum(owner_h, 0.0)
            + float(cfg.noise_scale) * np.log(u / (1.0 - u)))


class QualityLoop:
    """Ratings of finished visits, the fleet-wide review desk and coaching.

    Args:
        env: the simulation environment (time in days).
        cfg: ``service.quality`` (:class:`configs.quality_schema.QualityConfig`).
        rng: the loop's own random stream.
        log: ``ServiceNetwork.log``-like callback, ``log(job, event, technician,
            outcome=, due=, value=)``.
        coach: ``coach(tech_id, xp)``, raises a technician's experience.
    """

    def __init__(self, env: simpy.Environment, cfg: Any, rng: np.random.Generator,
                 log: Callable[..., None], coach: Callable[[int, float], None]) -> None:
        self.env, self.cfg, self.rng, self.log, self.coach = env, cfg, rng, log, coach
        review = cfg.review
        self.desk = simpy.Resource(env, capacity=int(review.reviewers)) if review.enabled \
            else None

    def rate(self, job: Any, tech_id: int, channel: str, wait_h: float, late_h: float,
             fixed: bool, duration_h: float, estimate_h: float,
             owner_h: float = 0.0) -> int | None:
        """Rate one finished visit now; a low rating goes to the review desk.

        Args:
            job: the job (passed through to ``log``).
            tech_id: the technician who did the visit (coached after a low rating if >= 0).
            channel: the visit's channel (``mobile``, ``center``, ...), logged as outcome.
            wait_h: hours from the job's creation to the visit.
            late_h: hours after the promised arrival window's end (<= 0: on time).
            fixed: whether the visit fixed the car.
            duration_h: how long the job actually took.
            estimate_h: the internal estimate of its duration.

        Returns:
            The score 1..5, or None when the owner did not answer the survey.
        """
        cfg = self.cfg
        # Both draws every time: whether the owner answers never shifts the scores' stream.
        answer, u = self.rng.random(2)
        promised = promised_duration_h(estimate_h, cfg)
        score = rating_score(u, wait_h, late_h, fixed, duration_h - promised,
                             promised - duration_h, cfg, owner_h)
        if answer >= float(cfg.survey_response_prob):
            return None
        low = cfg.review.enabled and score <= int(cfg.low_rating_max)
        now = self.env.now
        due = now + hours(float(cfg.review.target_h)) if low else math.nan
        self.log(job, RATED, tech_id, outcome=channel, due=due, value=float(score))
        if low:
            self.env.process(self.review(job, tech_id, now))
        return score

    def _work(self, need_d: float):
        """Process step: ``need_d`` days of on-duty reviewer time, split over shifts."""
        env, r = self.env, self.cfg.review
        start_d, end_d = hours(float(r.shift_start_h)), hours(float(r.shift_end_h))
        while need_d > _EDGE_D:
            into = env.now - math.floor(env.now + _EDGE_D)    # time of day, in days
            if into < start_d - _EDGE_D:                      # before today's shift
                yield env.timeout(start_d - into)
            elif end_d - into <= _EDGE_D:                     # after it: tomorrow's
                yield env.timeout(1.0 + start_d - into)
            else:
                step = min(need_d, end_d - into)
                yield env.timeout(step)
                need_d -= step

    def review(self, job: Any, tech_id: int, rated_at: float):
        """Process: review one low rating in turn, then coach the technician."""
        r = self.cfg.review
        with self.desk.request() as req:
            yield req
            yield from self._work(hours(float(r.review_h)))
        took_h = (self.env.now - rated_at) * HOURS_PER_DAY
        verdict = IN_TARGET if took_h <= float(r.target_h) + 1e-9 else LATE
        self.log(job, REVIEWED, tech_id, outcome=verdict, value=took_h)
        if tech_id >= 0:
            xp = float(r.coaching_xp)
            self.coach(tech_id, xp)
            self.log(job, COACHED, tech_id, value=xp)


def _share(hits: int, total: int) -> float:
    return hits / total if total else math.nan


def _nps(score: np.ndarray) -> float:
    n = len(score)
    return (100.0 * ((score >= PROMOTER).sum() - (score <= DETRACTOR_MAX).sum()) / n
            if n else math.nan)


def quality_kpis(ev: pd.DataFrame) -> dict:
    """CSAT by channel, NPS and the low ratings reviewed within target, from the event log.

    ``csat_<channel>``: ratings >= 4 / ratings of that channel. ``nps``: the
    CSAT -> NPS mapping, % of 5s - % of ratings <= 3, over all ratings
    (-100..+100); ``nps_mobile`` the same over the mobile ratings (seed 001's +78).
    ``low_rating_reviewed_48h_share``: reviews ended within target / ratings sent to
    review (``job_rated`` with a deadline in ``due_d``).
    All NaN without ratings; the share NaN with the review desk off.
    """
    rated = ev[ev["event"] == RATED]
    score = rated["value"].to_numpy(float)
    channel = rated["outcome"].to_numpy()
    out = {f"csat_{c}": _share(int((score[channel == c] >= SATISFIED_MIN).sum()),
                               int((channel == c).sum())) for c in ("mobile", "center")}
    out["nps"] = _nps(score)
    out["nps_mobile"] = _nps(score[channel == "mobile"])
    low = int(rated["due_d"].notna().sum())
    reviewed = int(((ev["event"] == REVIEWED) & (ev["outcome"] == IN_TARGET)).sum())
    out["low_rating_reviewed_48h_share"] = _share(reviewed, low)
    return out

"""sim.service.quality: visit ratings, the review desk, coaching and the quality KPIs."""

from __future__ import annotations

import dataclasses
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import simpy

import sim
from configs.quality_schema import QualityConfig, ReviewConfig
from sim.clock import HOURS_PER_DAY, hours
from sim.service.quality import QualityLoop, promised_duration_h, quality_kpis, rating_score

N = 20_000


# The mechanism is tested with round weights of its own (the defaults are a calibration that
# may move): a late, unfixed or over-promise visit costs whole stars here.
TEST_WEIGHTS = dict(base=4.8, per_wait_day=0.25, not_fixed_penalty=2.0, per_over_promise_h=0.8)


def _cfg(review: dict | None = None, **kw) -> QualityConfig:
    return dataclasses.replace(QualityConfig(), review=ReviewConfig(**(review or {})),
                               **(TEST_WEIGHTS | kw))


def _scores(cfg=None, **kw) -> np.ndarray:
    """Scores of N owners (the same N uniform draws every call) for one kind of visit
    (half a day beyond the 48 h the line promises)."""
    visit = dict(wait_h=60.0, late_h=0.0, fixed=True, over_promise_h=0.0, under_promise_h=0.3)
    visit.update(kw)
    u = np.random.default_rng(7).random(N)
    return rating_score(u, **visit, cfg=cfg or _cfg())


class _Log:
    """A list-collecting ``log`` callback: (hour, event, job, technician, outcome, due_h, value)."""

    def __init__(self, env):
        self.env, self.rows = env, []

    def __call__(self, job, event, technician=-1, outcome="", due=math.nan, value=math.nan):
        due_h = due if math.isnan(due) else round(due * HOURS_PER_DAY, 6)
        self.rows.append((round(self.env.now * HOURS_PER_DAY, 6), event, job.id, technician,
                          outcome, due_h, round(value, 6)))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([(e, o, d, v) for _, e, _, _, o, d, v in self.rows],
                            columns=["event", "outcome", "due_d", "value"])


def _loop(cfg, seed=0):
    env = simpy.Environment()
    log, coached = _Log(env), []
    loop = QualityLoop(env, cfg, np.random.default_rng(seed), log,
                       lambda tech, xp: coached.append((round(env.now * 24, 6), tech, xp)))
    return env, loop, log, coached


def _burst(cfg, n: int, at_h: float, tech: int = 3):
    """``n`` unfixed visits rated together at ``at_h`` (all low); the log after the run."""
    env, loop, log, coached = _loop(cfg)

    def finish():
        yield env.timeout(hours(at_h))
        for i in range(n):
            loop.rate(SimpleNamespace(id=i), tech, "mobile", 0.0, 0.0, False, 1.0, 1.0)
    env.process(finish())
    env.run()
    return log, coached


def test_promised_duration_is_the_estimate_times_the_factor():
    assert promised_duration_h(1.0, QualityConfig()) == 1.5          # seed 001:462
    assert promised_duration_h(2.0, _cfg(promise_factor=1.0)) == 2.0


def test_without_noise_the_latent_score_is_cut_at_the_thresholds():
    cfg = _cfg(noise_scale=0.0)
    # 4.8 - 0.25 x 0.5 d + 0.4 = 5.075 -> 5; 2 h late -> 3.075 -> 3; not fixed, 1 h over -> 2.0 -> 2
    assert rating_score(0.5, 12.0, 0.0, True, 0.0, 0.3, cfg) == 5
    assert rating_score(0.5, 12.0, 2.0, True, 0.0, 0.3, cfg) == 3
    assert rating_score(0.5, 12.0, 0.0, False, 1.0, 0.0, cfg) == 2
    assert rating_score(0.5, 0.0, -3.0, True, -1.0, 0.0, cfg) == 5   # early: no penalty
    assert list(rating_score(np.full(3, 0.5), 0.0, [0.0, 1.0, 5.0], True, 0.0, 0.0, cfg)) == \
        [5, 4, 1]
    assert isinstance(rating_score(0.5, 0.0, 0.0, True, 0.0, 0.0, cfg), int)


def test_one_visit_scores_as_the_same_visit_in_an_array():
    # A single visit takes the Python-float path; it must give the array path's score,
    # near the cuts too (the same operations in the same order) and for a NaN lateness.
    cfg = _cfg(per_owner_h=0.3)
    rng = np.random.default_rng(11)
    n = 5000
    u, wait, late = rng.random(n), rng.exponential(40.0, n), rng.normal(0.0, 2.0, n)
    fixed, over, under = rng.random(n) < 0.8, rng.normal(0.0, 1.0, n), rng.normal(0.0, 1.0, n)
    owner = np.where(rng.random(n) < 0.5, rng.exponential(1.0, n), 0.0)
    late[::97] = np.nan
    want = rating_score(u, wait, late, fixed, over, under, cfg, owner)
    got = [rating_score(float(u[i]), float(wait[i]), float(late[i]), bool(fixed[i]),
                        float(over[i]), float(under[i]), cfg, float(owner[i]))
           for i in range(n)]
    assert got == want.tolist()
    assert len(set(got)) == 5


def test_a_typical_good_visit_mostly_rates_five():
    s = _scores()
    assert (s == 5).mean() > 0.75
    assert (s >= 4).mean() > 0.97


def test_lateness_lowers_the_mean_score():
    on_time, late = _scores(), _scores(late_h=1.5)
    assert late.mean() < on_time.mean() - 1.0
    assert (late <= 3).mean() > 0.4 > (on_time <= 3).mean()


def test_an_unfixed_visit_rates_lower():
    fixed, unfixed = _scores(), _scores(fixed=False)
    assert unfixed.mean() < fixed.mean() - 1.5
    assert (unfixed <= 3).mean() > 0.65


def test_a_promise_buffer_raises_the_scores_of_the_same_jobs():
    durations = np.random.default_rng(3).gamma(1 / 0.3**2, 0.3**2, 3000)   # mean 1 h, cv 0.3
    means = {}
    for factor in (1.0, 1.5):
        _, loop, log, _ = _loop(_cfg(promise_factor=factor, review={"enabled": False}), seed=5)
        scores = [loop.rate(SimpleNamespace(id=i), 0, "mobile", 12.0, 0.0, True, d, 1.0)
                  for i, d in enumerate(durations)]
        means[factor] = np.array(scores)
    assert means[1.5].mean() > means[1.0].mean() + 0.1
    assert (means[1.5] == 5).mean() > (means[1.0] == 5).mean() + 0.1
    assert (means[1.5] >= means[1.0]).all()          # same draws: a buffer never hurts


def test_every_answered_survey_is_logged_with_its_channel_and_score():
    env, loop, log, _ = _loop(_cfg(survey_response_prob=0.3, review={"enabled": False}))
    got = [loop.rate(SimpleNamespace(id=i), 1, "center", 0.0, 0.0, True, 1.0, 1.0)
           for i in range(4000)]
    answered = [s for s in got if s is not None]
    assert len(answered) / 4000 == pytest.approx(0.3, abs=0.03)
    assert [(r[1], r[4], r[6]) for r in log.rows] == [("job_rated", "center", float(s))
                                                       for s in answered]
    assert all(math.isnan(r[5]) for r in log.rows)    # review off: no deadline


def test_one_reviewer_reviews_in_turn_over_shifts_and_coaches():
    """Two low ratings at 17:30; one reviewer on 9-18, 1 h each: the first straddles the night."""
    cfg = _cfg(noise_scale=0.0, review={"reviewers": 1, "coaching_xp": 2.5})
    log, coached = _burst(cfg, 2, 17.5)
    nan = math.nan
    assert log.rows == [
        (17.5, "job_rated", 0, 3, "mobile", 65.5, 3.0),      # deadline 17:30 + 48 h
        (17.5, "job_rated", 1, 3, "mobile", 65.5, 3.0),
        (33.5, "rating_reviewed", 0, 3, "in_48h", nan, 16.0),  # 17:30-18:00, then 9:00-9:30
        (33.5, "tech_coached", 0, 3, "", nan, 2.5),
        (34.5, "rating_reviewed", 1, 3, "in_48h", nan, 17.0),  # waits its turn: 9:30-10:30
        (34.5, "tech_coached", 1, 3, "", nan, 2.5),
    ]
    assert coached == [(33.5, 3, 2.5), (34.5, 3, 2.5)]


def test_no_coaching_without_a_technician():
    log, coached = _burst(_cfg(noise_scale=0.0), 1, 10.0, tech=-1)
    assert [r[1] for r in log.rows] == ["job_rated", "rating_reviewed"]
    assert coached == []


@pytest.mark.parametrize(("reviewers", "share"), [(1, 18 / 60), (10, 1.0)])
def test_a_small_desk_misses_the_48_h_target_in_a_burst(reviewers, share):
    # 60 low ratings at 9:00; 1 reviewer does 9 a day: 18 end by day 1 18:00 (33 h), the
    # 19th at day 2 10:00 (49 h) is late. 10 reviewers clear them all on day 0.
    log, _ = _burst(_cfg(noise_scale=0.0, review={"reviewers": reviewers}), 60, 9.0)
    k = quality_kpis(log.frame())
    assert k["low_rating_reviewed_48h_share"] == pytest.approx(share)
    late = [r[6] for r in log.rows if r[1] == "rating_reviewed" and r[4] == "late"]
    assert len(late) == round(60 * (1 - share))
    assert all(h > 48.0 for h in late)


def test_high_ratings_are_not_reviewed_and_a_disabled_desk_reviews_nothing():
    cfg = _cfg(noise_scale=0.0)
    env, loop, log, coached = _loop(cfg)
    assert loop.rate(SimpleNamespace(id=0), 1, "mobile", 0.0, 0.0, True, 1.0, 1.0) == 5
    env.run()
    assert [r[1] for r in log.rows] == ["job_rated"] and coached == []
    log, coached = _burst(_cfg(noise_scale=0.0, review={"enabled": False}), 5, 9.0)
    assert {r[1] for r in log.rows} == {"job_rated"} and coached == []
    assert math.isnan(quality_kpis(log.frame())["low_rating_reviewed_48h_share"])


def test_quality_kpis_on_a_hand_built_log():
    late, nan = "late", math.nan
    rows = [("job_rated", "mobile", nan, 5.0), ("job_rated", "mobile", nan, 5.0),
            ("job_rated", "mobile", nan, 4.0), ("job_rated", "mobile", 3.0, 3.0),
            ("job_rated", "center", nan, 5.0), ("job_rated", "center", 4.0, 2.0),
            ("job_finished", "fixed", nan, nan),
            ("rating_reviewed", "in_48h", nan, 20.0), ("rating_reviewed", late, nan, 50.0),
            ("tech_coached", "", nan, 5.0)]
    k = quality_kpis(pd.DataFrame(rows, columns=["event", "outcome", "due_d", "value"]))
    assert k == {"csat_mobile": 0.75, "csat_center": 0.5,
                 "nps": pytest.approx(100 * (3 - 2) / 6),      # 5,5,5 promoters; 3,2 detractors
                 "nps_mobile": pytest.approx(100 * (2 - 1) / 4),  # 5,5 promoters; 3 detractor
                 "low_rating_reviewed_48h_share": 0.5}


def test_quality_kpis_without_ratings_are_undefined():
    empty = pd.DataFrame(columns=["event", "outcome", "due_d", "value"])
    assert all(math.isnan(v) for v in quality_kpis(empty).values())
    only_center = pd.DataFrame([("job_rated", "center", math.nan, 1.0)],
                               columns=["event", "outcome", "due_d", "value"])
    k = quality_kpis(only_center)
    assert math.isnan(k["csat_mobile"]) and k["csat_center"] == 0.0 and k["nps"] == -100.0


# override -> fragments the message must contain (key, value, what is allowed)
BAD = {
    "service.quality.promise_factor=0": ["service.quality.promise_factor", "0", "[0.1, 10]"],
    "service.quality.survey_response_prob=1.5": ["service.quality.survey_response_prob",
                                                 "1.5", "[0, 1]"],
    "service.quality.low_rating_max=6": ["service.quality.low_rating_max", "6", "[1, 5]"],
    "service.quality.thresholds=[1,3,2,4]": ["service.quality.thresholds", "[1.0, 3.0, 2.0, 4.0]",
                                             "4 strictly increasing"],
    "service.quality.review.reviewers=0": ["service.quality.review.reviewers", "0",
                                           "[1, 10000]"],
    "service.quality.review.shift_start_h=20": ["service.quality.review.shift_start_h=20",
                                                "service.quality.review.shift_end_h=18"],
    "service.quality.review.target_hh=3": ["service.quality.review.target_hh", "target_h",
                                           "review_h"],
    "service.quality.review.enabled=maybe": ["service.quality.review.enabled", "maybe",
                                             "true or false"],
}


@pytest.mark.parametrize("override", list(BAD))
def test_bad_quality_config_names_key_value_and_allowed(override):
    with pytest.raises(sim.ConfigError) as info:
        sim.load_config([override])
    message = str(info.value)
    for fragment in BAD[override]:
        assert fragment in message, f"{fragment!r} missing from: {message}"
    assert "\n" not in message.strip()


def test_the_default_config_is_the_2023_process():
    q = sim.load_config([]).service.quality
    assert (q.promise_factor, q.review.enabled, q.review.target_h) == (1.5, True, 48.0)
    assert dict(q) | {"review": dict(q.review)} == dataclasses.asdict(QualityConfig())


def test_waits_inside_the_promised_48_h_cost_nothing():
    inside = _scores(wait_h=0.0).mean()
    assert _scores(wait_h=47.0).mean() == inside
    assert _scores(wait_h=48.0 + 4 * 24.0).mean() < inside - 0.5          # 4 days late: -1 star
    assert _scores(_cfg(wait_grace_h=0.0), wait_h=47.0).mean() < inside


def test_the_owners_own_time_at_the_center_costs_stars():
    at_home = _scores(_cfg(per_owner_h=0.4), owner_h=0.0).mean()
    at_center = _scores(_cfg(per_owner_h=0.4), owner_h=3.0).mean()       # 1 h trip + 2 h of work
    assert at_center < at_home - 0.3
    assert _scores(_cfg(per_owner_h=0.0), owner_h=3.0).mean() == at_home

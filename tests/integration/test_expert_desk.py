"""The expert desk in a run: saturating it raises answer times and lowers first-time fix."""

from __future__ import annotations

import math

import pytest

import sim

BASE = ["fleet.size=6000", "horizon_days=90", "output.progress=false",
        "service.experts.mode=pool", "service.experts.answer_min=120",
        # skill, which the experts help with, causes most failures here (not parts)
        "service.first_time_fix.junior=0.6", "service.first_time_fix.senior=0.7",
        "service.first_time_fix.missing_part_prob=0.05",
        # Every technician calls and help matters a lot, so the desk's effect (~0.11 first-time
        # fix) stands well clear of the run-to-run noise. With the default asking (0.6/0.35/0.15)
        # and factor 0.58 it was ~0.03 +- 0.02 over seeds: 0.8.0 itself failed the 0.03 margin
        # on seeds 1 and 4, and any change of the routes' random path could flip seed 0.
        "service.experts.ask_prob_by_skill=[1.0,1.0,1.0]",
        "service.first_time_fix.expert_support_failure_factor=0.3"]


@pytest.fixture(scope="module")
def runs() -> dict[str, sim.RunResult]:
    return {name: sim.simulate(sim.load_config([*BASE, f"service.experts.per_100_vans={per}"]))
            for name, per in (("ample", 1000.0), ("saturated", 1.0))}


def test_a_saturated_desk_answers_later_and_fixes_less(runs):
    ample, tight = runs["ample"].kpis, runs["saturated"].kpis
    assert ample["expert_response_min_p90"] < 1.0
    assert tight["expert_response_min_p90"] > 20.0
    assert tight["expert_utilization"] > 5 * ample["expert_utilization"]
    assert tight["first_time_fix_mobile"] < ample["first_time_fix_mobile"] - 0.03
    assert tight["revisits"] > 1.05 * ample["revisits"]
    skills = {name: int(((r.events["event"] == "revisit_cause")
                         & (r.events["outcome"] == "skills")).sum()) for name, r in runs.items()}
    assert skills["saturated"] > 1.2 * skills["ample"]   # the desk helps with skill, not parts
    # who calls does not depend on the desk: the same share of jobs asks in both
    assert tight["help_requests_per_job"] == pytest.approx(ample["help_requests_per_job"],
                                                           rel=0.1)


def test_unanswered_calls_are_in_the_event_log(runs):
    ev = runs["saturated"].events
    gave_up = ev[(ev["event"] == "help_abandoned") & (ev["outcome"] == "no_answer")]
    assert len(gave_up) > 50
    assert gave_up["value"].round(6).eq(30.0).all()          # each waited the patience
    ample = runs["ample"].events
    assert not ((ample["event"] == "help_abandoned") & (ample["outcome"] == "no_answer")).any()


def test_instant_help_has_no_desk():
    k = sim.simulate(sim.load_config(["fleet.size=3000", "horizon_days=30",
                                      "output.progress=false"])).kpis
    assert all(math.isnan(k[x]) for x in ("help_requests_per_job", "expert_response_min_p90",
                                          "expert_utilization"))

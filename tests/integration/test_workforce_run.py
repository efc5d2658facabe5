"""The workforce in whole runs: the academy ramps new technicians up, support keeps them,
the daily table counts the seats, and every revisit has its cause (issue 14)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import sim
from sim.service.dayplan_kpis import hands_on_hours

# A new line (everybody just hired) of 5 vans on one city, phone dispatch (no solver: fast).
# The ramp-up is slowed (ramp_xp 200, novices fail 3x on skill) so that 90 days show it.
# The review desk is off, so that only the academy and the platform differ between variants.
BASE = ["fleet.size=6000", "horizon_days=90", "seed=11", "output.progress=false",
        "fleet.regions.tier1_east.share=1.0", "fleet.regions.tier1_south.share=0.0",
        "fleet.regions.tier2_north.share=0.0", "fleet.regions.remote_west.share=0.0",
        "service.dispatch=manual", "service.mobile.vans_per_10000_vehicles=8",
        "service.workforce.initial_tenure_days_mean=0", "service.workforce.ramp_xp=200",
        "service.workforce.novice_fail_factor=3", "service.workforce.academy.enabled=false",
        "service.first_time_fix.remote_expert_support=false",
        # no rating review: its coaching would also raise the untrained line's skill
        "service.quality.review.enabled=false"]
VARIANTS = {"alone": [], "academy": ["service.workforce.academy.enabled=true"],
            "supported": ["service.first_time_fix.remote_expert_support=true"]}


@pytest.fixture(scope="module")
def runs() -> dict[str, sim.RunResult]:
    return {name: sim.simulate(sim.load_config([*BASE, *extra]))
            for name, extra in VARIANTS.items()}


def _mobile_hands_on_h(r: sim.RunResult) -> float:
    mobile = r.events[r.events["channel"] == "mobile"]
    return float(np.nanmean(hands_on_hours(mobile, 90.0).to_numpy()))


def test_academy_graduates_ramp_up_faster_and_fix_more(runs):
    alone, academy = runs["alone"].kpis, runs["academy"].kpis
    assert academy["first_time_fix_mobile"] > alone["first_time_fix_mobile"] + 0.03
    assert academy["revisit_share_skills"] < alone["revisit_share_skills"]
    # untrained novices work slower (workforce.novice_slowdown): longer hands-on time
    assert _mobile_hands_on_h(runs["alone"]) > 1.05 * _mobile_hands_on_h(runs["academy"])


def test_support_lowers_the_attrition_of_new_technicians(runs):
    alone = runs["alone"].kpis["technician_attrition_3m_expected"]
    supported = runs["supported"].kpis["technician_attrition_3m_expected"]
    academy = runs["academy"].kpis["technician_attrition_3m_expected"]
    assert 0.2 < alone < 0.8
    assert supported < 0.7 * alone          # the expert platform: isolation_factor 2.3, fewer fails
    assert academy < 0.8 * alone            # trained (untrained_factor 1.5)


def test_the_daily_table_counts_every_seat(runs):
    d = runs["alone"].daily
    vans = runs["alone"].kpis["technicians"]
    assert (d["technicians_active"] + d["vans_unstaffed"] == vans).all()
    assert (d[["technicians_junior", "technicians_senior", "technicians_expert"]].sum(axis=1)
            == d["technicians_active"]).all()
    assert d["technician_tenure_days_mean"].iloc[0] == pytest.approx(1.0)
    assert d["technicians_left"].sum() == runs["alone"].kpis["technicians_left"]


def test_every_mobile_revisit_has_one_cause(runs):
    ev = runs["alone"].events
    causes = ev[ev["event"] == "revisit_cause"]
    revisits = ev[(ev["event"] == "job_finished") & (ev["outcome"] == "revisit")
                  & (ev["channel"] == "mobile")]
    assert len(causes) == len(revisits) > 50
    assert set(causes["outcome"]) <= {"time", "parts", "skills", "other"}
    key = ["job", "time_d"]
    assert causes[key].reset_index(drop=True).equals(revisits[key].reset_index(drop=True))
    k = runs["alone"].kpis
    shares = [k[f"revisit_share_{c}"] for c in ("time", "parts", "skills", "other")]
    assert sum(shares) == pytest.approx(1.0)
    assert k["revisit_share_parts"] > 0.3           # no parts planning in phone dispatch


def test_every_worked_visit_is_rated(runs):
    ev = runs["academy"].events
    worked = ev[(ev["event"] == "job_finished") & ev["outcome"].isin(["fixed", "revisit"])
                & (ev["vehicle"] >= 0)]
    rated = ev[ev["event"] == "job_rated"]
    assert len(rated) == len(worked)
    assert set(rated["value"].unique()) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert not math.isnan(runs["academy"].kpis["csat_mobile"])
    assert np.isnan(runs["academy"].kpis["low_rating_reviewed_48h_share"]) or \
        0.0 <= runs["academy"].kpis["low_rating_reviewed_48h_share"] <= 1.0

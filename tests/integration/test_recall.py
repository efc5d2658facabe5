"""A hardware recall: discovered through failures, kits ramp up, owners book, the campaign
completes and displaces regular jobs (issue 15, deliverable 6; sim/service/recall.py)."""

from __future__ import annotations

import numpy as np
import pytest

import sim

# One city of 3 000 vehicles, 200 days; a third of the fleet (built 0-400 days before day 0, any
# hardware) carries a defect failing at 0.5 a year until remedied.
BASE = ["fleet.size=3000", "horizon_days=200", "seed=5", "output.progress=false",
        "fleet.regions.tier1_east.share=1.0", "fleet.regions.tier1_south.share=0.0",
        "fleet.regions.tier2_north.share=0.0", "fleet.regions.remote_west.share=0.0"]
RECALL = ["demand.recall.enabled=true", "demand.recall.hw_config=",
          "demand.recall.built_days_ago_min=0", "demand.recall.built_days_ago_max=400",
          "demand.recall.defect_failures_per_vehicle_year=0.5",
          "demand.recall.discovery_failures=10", "demand.recall.investigation_days=20",
          "demand.recall.kits_per_week_full=200", "demand.recall.kit_ramp_weeks=4",
          "demand.recall.booking_prob_per_week=0.5"]


@pytest.fixture(scope="module")
def runs() -> dict[str, sim.RunResult]:
    return {name: sim.simulate(sim.load_config([*BASE, *extra]))
            for name, extra in (("none", []), ("recall", RECALL))}


def _recall_jobs(ev, cause: str):
    created = ev[(ev["event"] == "job_created") & (ev["component"] == "recall")]
    return created[created["cause"] == cause]


def test_the_recall_is_announced_after_the_discovery_failures_and_the_investigation(runs):
    r = runs["recall"]
    k, ev = r.kpis, r.events
    defects = _recall_jobs(ev, "defect").sort_values("time_d")
    tenth = int(np.floor(defects["time_d"].iloc[9]))
    assert k["recall_days_to_announce"] == tenth + 20
    campaign = _recall_jobs(ev, "campaign")
    assert len(campaign) > 0.5 * k["recall_vehicles"]
    assert campaign["time_d"].min() >= k["recall_days_to_announce"]
    # no more bookings than kits shipped, day by day (the supplier's ramp-up)
    d = r.daily
    assert (d["recall_booked"].cumsum() <= d["recall_kits_shipped"].cumsum() + 1e-9).all()
    first_weeks = d[(d["day"] >= k["recall_days_to_announce"])
                    & (d["day"] < k["recall_days_to_announce"] + 7)]
    assert first_weeks["recall_kits_shipped"].max() < 200 / 7 * 0.3   # still ramping up


def test_the_campaign_completes_and_remedied_vehicles_stop_failing(runs):
    r = runs["recall"]
    k, ev = r.kpis, r.events
    assert 700 < k["recall_vehicles"] < 1300
    assert k["recall_completion_share"] >= 0.9
    assert 0 < k["recall_days_to_90pct"] < 200 - k["recall_days_to_announce"]
    fixed = ev[(ev["event"] == "job_finished") & (ev["outcome"] == "fixed")
               & (ev["component"] == "recall")]
    first_fix = fixed.groupby("vehicle")["time_d"].min()
    defects = _recall_jobs(ev, "defect")
    later = defects["time_d"].to_numpy() > first_fix.reindex(defects["vehicle"]).to_numpy()
    assert not later.any()                       # a remedied vehicle has no defect any more
    assert k["recall_defect_failures"] == len(defects)


def test_the_recall_displaces_regular_jobs(runs):
    base, recall = runs["none"].kpis, runs["recall"].kpis
    assert np.isnan(base["recall_vehicles"])
    assert base["regular_mean_wait_h"] == pytest.approx(base["mean_wait_h"])
    assert recall["regular_mean_wait_h"] > base["regular_mean_wait_h"] + 5.0


def test_the_run_report_draws_the_completion_curve(runs, tmp_path):
    import reports

    run_dir = runs["recall"].save(tmp_path / "run")
    html = reports.build_report(run_dir, tmp_path / "report.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="recall">'):]
    section = section[:section.index("</section>")]
    day = int(runs["recall"].kpis["recall_days_to_announce"])
    assert f"announced on day {day}" in section and "data:image/png;base64," in section

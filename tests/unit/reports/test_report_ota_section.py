"""OTA campaign section: curve, decisions and marks, problem table, exposure, findings, branches."""

from __future__ import annotations

import base64
import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import reports
from reports.ota.counts import exposed_installs, jobs_by_period, ota_jobs, problem_rows
from reports.ota.figures import adoption_figure, shown_until
from reports.ota.findings import gate_finding, ota_data_checks, server_view_finding
from reports.ota.section import NO_LOG, ota_section
from reports.ota.view import (
    Mark,
    adoption_curve,
    curve_marks,
    decisions,
    gate_numbers,
    mark_label,
    ota_state,
    releases,
    rollout_text,
    still_stopped,
)
from reports.page.loader import RunFiles, load_run

if TYPE_CHECKING:
    from conftest import SyntheticRun

NAN = math.nan
DAYS, RELEASE_DAY, R = 40, 10, "r1"
HW = pd.Series(["hw3"] * 5 + ["hw4"] * 5, index=pd.RangeIndex(10, name="vehicle"))
COLUMNS = ["time_d", "event", "vehicle", "component", "cause", "severity", "channel", "outcome"]
ROLLOUT = {
    "policy": "staged",
    "waves": [{"size": 0.4, "min_days": 1, "cohort": "employee"}, {"size": 1.0, "min_days": 0}],
    "gates": {"error_threshold_frac": 0.05, "min_executed": 2, "error_action": "pause",
              "per_cohort_pause": True, "cloud_rollback": False,
              "success_counts_on": "after_reboot"},
}
RUN_ON = {
    "seed": 1,
    "overrides": [],
    "config": {"seed": 1, "ota": {
        "enabled": True, "report_delay_days": 1, "rollout": ROLLOUT,
        "releases": {R: {"version": "1.2", "release_day": RELEASE_DAY, "size_mb": 1000.0,
                         "defect_prob_by_hw_config": {"hw3": 0.1, "hw4": 0.0}, "rollout": None}},
    }},
}
PAUSE = ("hw3: error rate 0.500 = 1 errors / 2 executed >= 0.05; other hw configs 0.000 "
         "(0 errors / 2 executed)")
RESUME = "hw3: error rate 0.020 = 1 errors / 50 executed < 0.025 after 8 days"


def _ev(t: float, event: str, vehicle: int = -1, cause: str = R, channel: str = "",
        outcome: str = "", component: str = "software") -> tuple:
    return (t, event, vehicle, component, cause, "", channel, outcome)


@pytest.fixture
def events() -> pd.DataFrame:
    """Ten targets (0-4 on hw3 with the defect, 5-9 on hw4); hw3 is paused on day 12."""
    rows = [
        _ev(10.0, "ota_wave_started", channel="employee", outcome="wave 1/2: 4 vehicles"),
        _ev(10.5, "ota_installed", 0), _ev(10.5, "ota_installed", 5),
        _ev(10.5, "ota_install_failed", 1, outcome="stuck_download"),
        _ev(11.5, "ota_installed", 1), _ev(11.5, "ota_installed", 6),
        _ev(11.5, "ota_install_failed", 7, outcome="ecu_comm_error"),
        _ev(12.0, "ota_cohort_paused", channel="hw3", outcome=PAUSE),
        _ev(12.0, "ota_wave_started", channel="any", outcome="wave 2/2: 6 vehicles (any)"),
        _ev(12.5, "ota_installed", 2), _ev(12.5, "ota_installed", 7),
        _ev(12.5, "ota_installed", 8), _ev(12.5, "ota_rolled_back", 9),
        _ev(12.5, "ota_install_failed", 4, outcome="ecu_comm_error"),
        _ev(13.5, "ota_defect_fault", 0),
        _ev(13.6, "job_created", 0, cause="ota_fault"),
        _ev(14.0, "job_created", 3, cause="software_fault"),
        _ev(14.2, "job_created", 3, cause="ota_fault", component="brakes"),
        _ev(20.0, "ota_resumed", channel="hw3", outcome=RESUME),
        _ev(20.5, "ota_dealer_flash", 4),
        _ev(21.0, "job_created", 4, cause="ota_dealer_flash"),
        _ev(22.0, "ota_installed", 4, outcome="dealer_flash"),
        _ev(25.5, "ota_installed", 9), _ev(25.5, "ota_installed", 3),
        _ev(30.0, "ota_completed", outcome="10 vehicles released, all reported"),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def _daily(events: pd.DataFrame, overcount: int = 0) -> pd.DataFrame:
    """Adoption columns from the log: installed by the end of each day, reported a day later."""
    day = np.arange(DAYS)
    installs = np.floor(events.loc[events["event"] == "ota_installed", "time_d"]).astype(int)
    installed = np.array([(installs <= d).sum() for d in day], float)
    released = np.where(day >= 12, 10.0, 4.0)
    reported = np.concatenate([[0.0], installed[:-1]]) + overcount
    live = day >= RELEASE_DAY
    daily = pd.DataFrame({"day": day})
    for key, values in {"targeted": np.full(DAYS, 10.0), "released_to_vehicle": released,
                        "installed": installed, "reported_succeeded": reported,
                        "reported_failed": np.full(DAYS, 1.0)}.items():
        daily[f"ota_{R}_{key}"] = np.where(live, values, NAN)
    return daily


KPIS = {
    "vehicles": 10, "horizon_days": DAYS,
    "ota_days_to_95pct": 16.0, f"ota_days_to_95pct_{R}": 16.0, "ota_installed_share_end": 1.0,
    "ota_install_failures": 3, "ota_rollbacks": 1, "ota_vehicles_exposed_to_defect": 5,
    "ota_vehicles_bricked": 0, "ota_service_jobs": 2, "ota_campaign_paused": 1,
    "ota_data_cost": 5.0,
}


def _files(events: pd.DataFrame | None, daily: pd.DataFrame | None = None, kpis: dict | None = None,
           run: dict | None = None, hw: pd.Series | None = HW) -> RunFiles:
    return RunFiles(Path("run"), dict(KPIS if kpis is None else kpis),
                    RUN_ON if run is None else run, daily=daily, ota_events=events, vehicle_hw=hw)


# --------------------------------------------------------------- state, releases
def test_state_on_off_and_older_runs() -> None:
    assert ota_state(KPIS, RUN_ON) == ("on", "")
    off = {"overrides": ["fleet.size=10", "ota=none"], "config": {"ota": {"enabled": False}}}
    assert ota_state(KPIS, off) == ("off", "ota=none")
    assert ota_state(KPIS, {"config": {"ota": {"enabled": False}}}) == ("off", "ota.enabled=false")
    empty = {"config": {"ota": {"enabled": True, "releases": {}}}}
    assert ota_state(KPIS, empty) == ("off", "no release in ota.releases")
    # a release train (ota=train) builds its releases at run start: on, releases from daily
    train = {"config": {"ota": {"enabled": True, "releases": {}, "train": {"enabled": True}}}}
    assert ota_state(KPIS, train) == ("on", "")
    assert ota_state({"vehicles": 10}, {"config": {"seed": 1}}) == ("missing", "")
    # No run.json, but OTA KPIs: on, the releases come from the daily columns.
    assert ota_state(KPIS, {}) == ("on", "")


def test_releases_from_config_and_from_daily_columns(events: pd.DataFrame) -> None:
    (rel,) = releases(RUN_ON, None)
    assert (rel.name, rel.release_day, rel.version, rel.defect_hw) == (R, 10, "1.2", ("hw3",))
    assert rel.rollout == ROLLOUT
    (bare,) = releases({}, _daily(events))
    assert (bare.name, bare.release_day, bare.defect_hw, bare.rollout) == (R, 10, (), None)
    assert rollout_text(ROLLOUT) == (
        "staged, 2 waves (40 %, rest); error gate 5 % of executed (min 2) → pause per hw config; "
        "success counted after the reboot"
    )
    assert rollout_text({"policy": "big_bang", "gates": {"error_action": "none"}}) == (
        "big bang: every target released on the release day; no error gate"
    )


# ------------------------------------------------------------ curve, decisions, marks
def test_adoption_curve_starts_on_the_release_day(events: pd.DataFrame) -> None:
    curve = adoption_curve(_daily(events), R)
    assert curve["day"].tolist() == list(range(10, DAYS))
    head = curve.iloc[:4]
    assert head["installed"].tolist() == [2, 4, 7, 7]
    assert head["installed_share"].tolist() == pytest.approx([0.2, 0.4, 0.7, 0.7])
    assert head["reported_share"].tolist() == pytest.approx([0.0, 0.2, 0.4, 0.7])
    assert adoption_curve(_daily(events).drop(columns=[f"ota_{R}_installed"]), R) is None
    assert adoption_curve(None, R) is None


def test_decisions_in_order_and_marks_from_them(events: pd.DataFrame) -> None:
    decided = decisions(events)
    assert list(decided.itertuples(index=False, name=None)) == [
        (10, R, "wave_started", "employee", "wave 1/2: 4 vehicles"),
        (12, R, "cohort_paused", "hw3", PAUSE),
        (12, R, "wave_started", "any", "wave 2/2: 6 vehicles (any)"),
        (20, R, "resumed", "hw3", RESUME),
        (30, R, "completed", "", "10 vehicles released, all reported"),
    ]
    # Same-day decisions share a line of the most serious kind; completion is not drawn.
    assert curve_marks(decided, R) == [
        Mark(10, "wave 1", "wave"), Mark(12, "hw3 paused, wave 2", "stop"),
        Mark(20, "hw3 resumed", "resume"),
    ]
    assert curve_marks(decided, "other") == [] and curve_marks(None, R) == []
    assert still_stopped(decided.iloc[:3], R) == [("hw3", "paused", 12)]
    assert still_stopped(decided.iloc[:4], R) == []


def test_mark_labels_and_gate_numbers() -> None:
    assert mark_label("wave_started", "any", "release rate 2000/day (step 1) after 1369") == (
        "rate 2000/d")
    assert mark_label("cloud_rollback", "", "revert 45 released vehicles (all)") == "rollback"
    assert mark_label("cloud_rollback", "hw3", "revert") == "rollback hw3"
    assert mark_label("aborted", "", "x") == "aborted"
    g = gate_numbers("error rate 0.087 = 2 errors / 23 executed (min_executed 10) >= 0.05")
    assert (g.rate, g.errors, g.sample, g.over, g.threshold) == (0.087, 2, 23, "executed", 0.05)
    g = gate_numbers("error rate 0.600 = 3 errors / 5 released (whole wave) >= 0.5; 2 cancelled")
    assert (g.errors, g.sample, g.over, g.threshold) == (3, 5, "released", 0.5)
    assert gate_numbers("wave 1/4: 5 vehicles") is None


# ------------------------------------------------------ problems, exposure, jobs
def test_problem_rows_count_events_and_vehicles(events: pd.DataFrame) -> None:
    rows = {r.key: (r.events, r.vehicles) for r in problem_rows(events, R)}
    assert rows == {
        "stuck_download": (1, 1), "insufficient_storage": (0, 0), "low_battery": (0, 0),
        "ecu_comm_error": (2, 2), "all": (3, 3), "ota_rolled_back": (1, 1),
        "ota_cloud_rolled_back": (0, 0), "ota_defect_fault": (1, 1),
        "ota_defect_no_start": (0, 0), "ota_bricked": (0, 0), "ota_dealer_flash": (1, 1),
        "flashed": (1, 1),
    }
    assert [r.group for r in problem_rows(events, R)] == (
        ["failures"] * 5 + ["rollbacks"] * 2 + ["consequences"] * 5)


def test_exposed_installs_before_a_decision(events: pd.DataFrame) -> None:
    (rel,) = releases(RUN_ON, None)
    assert exposed_installs(events, rel, HW) == 5          # vehicles 0-4 all installed on hw3
    assert exposed_installs(events, rel, HW, before_day=12) == 2
    assert exposed_installs(events, rel, None) is None
    (bare,) = releases({}, _daily(events))
    assert exposed_installs(events, bare, HW) == 0         # no defect known


def test_ota_jobs_by_week(events: pd.DataFrame) -> None:
    jobs = ota_jobs(events)
    assert jobs.values.tolist() == [[13.6, "ota_fault"], [21.0, "ota_dealer_flash"]]
    weeks = jobs_by_period(jobs, DAYS, 7)
    assert weeks["start_d"].tolist() == [0, 7, 14, 21, 28, 35]
    assert weeks["days"].tolist() == [7, 7, 7, 7, 7, 5]
    assert weeks["ota_fault"].tolist() == [0, 1, 0, 0, 0, 0]
    assert weeks["ota_dealer_flash"].tolist() == [0, 0, 0, 1, 0, 0]
    assert weeks["ota_no_start"].sum() == 0


# ---------------------------------------------------------------- section
def test_section_tiles_tables_and_findings(events: pd.DataFrame) -> None:
    section = ota_section(_files(events, _daily(events)))
    assert section.state == "on" and section.message == ""
    assert {t.key: t.value for t in section.tiles} == {
        "ota_days_to_95pct": "16 d", "ota_installed_share_end": "100.0 %",
        "ota_vehicles_exposed_to_defect": "5", "ota_vehicles_bricked": "0",
        "ota_service_jobs": "2", "ota_data_cost": "5 CNY",
    }
    (block,) = section.releases
    assert block.title == "r1 (1.2), released on day 10"
    assert block.days_to_95 == 16 and block.image
    assert base64.b64decode(block.image)[:8] == b"\x89PNG\r\n\x1a\n"
    assert block.marks == tuple(curve_marks(decisions(events), R))
    problems = {r.name: r.cells for r in block.problems}
    assert problems["ECU communication error"] == ("2", "2", "20.00 %")
    assert problems["All failed install attempts"] == ("3", "3", "30.00 %")
    assert problems["A/B rollback (failed boot, back on the old version)"] == ("1", "1", "10.00 %")
    assert [r.first_of_group for r in block.problems].count(True) == 2
    assert [(r.name, *r.cells) for r in section.decisions] == [
        ("10", R, "wave started", "employee", "wave 1/2: 4 vehicles"),
        ("12", R, "hw config paused", "hw3", PAUSE),
        ("12", R, "wave started", "any", "wave 2/2: 6 vehicles (any)"),
        ("20", R, "resumed", "hw3", RESUME),
        ("30", R, "completed", "all", "10 vehicles released, all reported"),
    ]
    assert section.jobs_image and section.jobs_caption.endswith("stacked by cause: 2 in all.")
    texts = [f.text for f in section.findings]
    assert texts == [
        "r1: the server paused hw3 on day 12 after 1 error in 2 results (50.0 % ≥ 5.0 %); 2 hw3 "
        "vehicles had installed its latent defect by then (20.0 % of the 10 targets), 5 by the "
        "end of the run.",
        "r1 reached 95 % of its 10 targets 16 days after its release on day 10; 100.0 % (10) had "
        "it installed at the end.",
        "Install problems: 3 failed install attempts on 3 vehicles (ECU communication error 2, "
        "download stuck (network) 1); 1 A/B rollback, 0 cloud rollbacks, 0 bricked vehicles, "
        "1 dealer flash.",
        "The OTA campaigns caused 2 service jobs (1 defect: software fault, 1 dealer flash); the "
        "busiest week, days 7–13, opened 1.",
    ]
    assert [f.level for f in section.findings] == ["watch", "info", "info", "info"]


def test_pause_of_a_hw_config_without_the_defect_is_a_false_alarm(events: pd.DataFrame) -> None:
    hw4 = PAUSE.replace("hw3", "hw4")
    wrong = events.copy()
    wrong.loc[wrong["event"] == "ota_cohort_paused", ["channel", "outcome"]] = ["hw4", hw4]
    wrong = wrong[wrong["event"] != "ota_resumed"]
    (rel,) = releases(RUN_ON, None)
    finding = gate_finding(rel, decisions(wrong), wrong, HW, 10.0)
    assert (finding.text, finding.level) == (
        "No gate stopped r1 on hw3: 5 hw3 vehicles installed it with its latent defect (50.0 % "
        "of the 10 targets). It had also paused hw4 on day 12 after 1 error in 2 results "
        "(50.0 % ≥ 5.0 %), a hw config without the defect.", "watch")
    # A later campaign-wide pause is the one that stopped the defect.
    late = pd.DataFrame([_ev(21.0, "ota_paused", outcome="error rate 0.300 = 3 errors / 10 "
                             "executed (min_executed 2) >= 0.05")], columns=COLUMNS)
    both = pd.concat([wrong, late], ignore_index=True).sort_values("time_d", kind="stable")
    assert gate_finding(rel, decisions(both), both, HW, 10.0).text == (
        "r1: the server paused the campaign on day 21 after 3 errors in 10 results (30.0 % ≥ "
        "5.0 %); 3 hw3 vehicles had installed its latent defect by then (30.0 % of the 10 "
        "targets), 5 by the end of the run. It had also paused hw4 on day 12 after 1 error in 2 "
        "results (50.0 % ≥ 5.0 %), a hw config without the defect.")
    assert gate_finding(rel, None, wrong, HW, 10.0) is None


def test_data_checks_flag_kpis_that_disagree(events: pd.DataFrame) -> None:
    kpis = KPIS | {"ota_install_failures": 4, "ota_vehicles_exposed_to_defect": 7,
                   f"ota_days_to_95pct_{R}": None}
    section = ota_section(_files(events, _daily(events), kpis))
    checks = [f.text for f in section.findings if f.level == "check"]
    assert checks == [
        "Data check: ota_install_failures is 4 in kpis.json but 3 from the event log.",
        "Data check: ota_vehicles_exposed_to_defect is 7 in kpis.json but 5 from the installs "
        "and fleet_state's hw configs.",
        "Data check: ota_days_to_95pct_r1 is undefined in kpis.json but 16 from the daily "
        "adoption columns.",
    ]
    assert ota_data_checks(KPIS, events, ota_jobs(events), 5, 1.0, {R: 16.0}) == []


def test_never_reaching_95_names_what_is_still_paused(events: pd.DataFrame) -> None:
    held = events[events["time_d"] < 15].reset_index(drop=True)   # hw3 never resumed
    section = ota_section(_files(held, _daily(held)))
    adoption = section.findings[2]   # after the stall (WATCH) and the gate
    assert adoption.text == (
        "r1 did not reach 95 % of its 10 targets: 70.0 % (7) had it installed at the end; hw3 "
        "was still paused (since day 12)."
    )
    assert section.tiles[0].value == "16 d"  # the KPI tile shows kpis.json as it is
    assert "Data check: ota_days_to_95pct_r1 is 16 in kpis.json but undefined" in " ".join(
        f.text for f in section.findings)


def test_server_over_count_is_a_finding(events: pd.DataFrame) -> None:
    (rel,) = releases(RUN_ON, None)
    curve = adoption_curve(_daily(events, overcount=2), R)
    finding = server_view_finding(rel, curve)
    # Reported = yesterday's installs + 2: day 13 is the first day without new installs.
    assert finding.text == (
        "The server over-counted r1: on day 13 it had 9 reported successes for 7 vehicles "
        "running the release (2 too many).")
    assert finding.level == "watch"
    assert server_view_finding(rel, adoption_curve(_daily(events), R)) is None


def test_server_over_count_reason_names_the_cloud_rollback(events: pd.DataFrame) -> None:
    rollout = {**ROLLOUT, "gates": {**ROLLOUT["gates"], "success_counts_on": "report"}}
    (rel,) = releases({"config": {"ota": {**RUN_ON["config"]["ota"], "rollout": rollout}}}, None)
    curve = adoption_curve(_daily(events), R).assign(reverted=0.0)
    curve.loc[curve["day"] == 15, ["installed", "reverted"]] = [3.0, 4.0]
    assert server_view_finding(rel, curve).text == (
        "The server over-counted r1: on day 15 it had 7 reported successes for 3 vehicles running "
        "the release (4 too many; it counts a success on the vehicle's report, before the reboot "
        "that can fail and 4 vehicles reverted by its cloud rollback still counted as successes)."
    )


def test_off_and_older_runs_are_graceful(events: pd.DataFrame) -> None:
    off = {"overrides": ["ota=none"], "config": {"ota": {"enabled": False, "releases": {}}}}
    section = ota_section(_files(events, _daily(events), run=off))
    assert (section.state, section.message) == ("off", "OTA campaigns were off in this run "
                                                 "(ota=none).")
    assert section.tiles == () and section.findings == ()
    old = ota_section(_files(None, None, kpis={"vehicles": 10}, run={"config": {"seed": 1}}))
    assert old.state == "missing" and old.message.startswith("Not available: kpis.json has no OTA")
    # OTA configured, but a log and daily table without the OTA columns.
    bare = ota_section(_files(None, pd.DataFrame({"day": range(DAYS)}), hw=None))
    (block,) = bare.releases
    assert block.image is None and block.caption.startswith("Not available: daily.parquet lacks")
    assert block.problems == () and bare.decisions == ()
    assert bare.decisions_note == NO_LOG and bare.jobs_caption == NO_LOG
    assert len(bare.tiles) == 6 and bare.findings == ()


def test_curve_is_cut_after_the_late_tail(events: pd.DataFrame) -> None:
    curve = adoption_curve(_daily(events), R)
    marks = curve_marks(decisions(events), R)
    # 98 % of the 10 installs is reached on day 25; the margin is max(5, 15 // 5) days.
    assert shown_until(curve, marks) == 30
    assert shown_until(curve, [*marks, Mark(36, "aborted", "stop")]) == 39
    empty = curve.iloc[:0]
    assert adoption_figure(empty, marks, "x") is None


def test_report_renders_the_section(run: SyntheticRun, events: pd.DataFrame,
                                    tmp_path: Path) -> None:
    page = reports.build_report(run.path).read_text(encoding="utf-8")
    section = page[page.index('<section id="ota">') : page.index('<section id="alerts">')]
    assert 'id="ota-message">Not available: kpis.json has no OTA KPIs' in section
    files = load_run(run.path)
    assert files.ota_events is not None and set(files.ota_events["event"]) == {"job_created"}
    assert (files.ota_events["component"] == "software").all() and files.vehicle_hw is None

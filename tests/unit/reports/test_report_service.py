"""Service quality and cost: the event-log view, its findings and the report section."""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest

import reports
from reports.page.components import label
from reports.page.loader import load_run
from reports.service.findings import (
    first_time_fix,
    mobile_share,
    on_time_arrival,
    remote_resolution,
    rescue_within_target,
    service_checks,
    service_data_checks,
    service_findings,
    van_productivity,
)
from reports.service.tiles import service_tiles
from reports.service.view import ServiceView, service_view

if TYPE_CHECKING:
    from conftest import SyntheticRun

NAN = math.nan
COLUMNS = ["time_d", "event", "job", "severity", "component", "channel", "outcome", "due_d"]


@pytest.fixture
def log() -> pd.DataFrame:
    """Five jobs, one per case, times in days."""
    rows = [
        # 0: software, fixed by remote diagnosis.
        (1.00, "job_created", 0, "drivable", "software", "", "", NAN),
        (1.02, "job_finished", 0, "drivable", "software", "remote", "remote_fixed", NAN),
        # 1: tire, mobile, fixed at the first visit, on time (due 1.60).
        (1.00, "job_created", 1, "drivable", "tires", "", "", NAN),
        (1.01, "job_triaged", 1, "drivable", "tires", "mobile", "", NAN),
        (1.50, "job_assigned", 1, "drivable", "tires", "mobile", "", NAN),
        (1.55, "job_arrived", 1, "drivable", "tires", "mobile", "", 1.60),
        (1.60, "job_finished", 1, "drivable", "tires", "mobile", "fixed", NAN),
        # 2: 12 V, roadside, mobile: first visit 1 h after the call (target 2 h) fails,
        #    the booked return visit arrives late (due 2.40) and fixes it.
        (2.00, "job_created", 2, "roadside", "aux12v", "", "", NAN),
        (2.01, "job_triaged", 2, "roadside", "aux12v", "mobile", "", NAN),
        (2.02, "job_assigned", 2, "roadside", "aux12v", "mobile", "", NAN),
        (2.00 + 1 / 24, "job_arrived", 2, "roadside", "aux12v", "mobile", "", 2.00 + 2 / 24),
        (2.10, "job_finished", 2, "roadside", "aux12v", "mobile", "revisit", NAN),
        (2.30, "job_assigned", 2, "roadside", "aux12v", "mobile", "", NAN),
        (2.45, "job_arrived", 2, "roadside", "aux12v", "mobile", "", 2.40),
        (2.50, "job_finished", 2, "roadside", "aux12v", "mobile", "fixed", NAN),
        # 3: HV battery, roadside: towed 3 h after the call (target 2 h), center, still open.
        (3.00, "job_created", 3, "roadside", "battery", "", "", NAN),
        (3.01, "job_triaged", 3, "roadside", "battery", "center", "", NAN),
        (3.125, "tow_arrived", 3, "roadside", "battery", "center", "", 3.00 + 2 / 24),
        (3.50, "job_arrived", 3, "roadside", "battery", "center", "", NAN),
        (3.50, "job_assigned", 3, "roadside", "battery", "center", "", NAN),
        # 4: body damage, body shop, created just before the end: still in diagnosis.
        (4.00, "job_created", 4, "drivable", "body", "", "", NAN),
        # 5: roadside tire, nobody there yet at the end.
        (4.10, "job_created", 5, "roadside", "tires", "", "", NAN),
        (4.11, "job_triaged", 5, "roadside", "tires", "mobile", "", NAN),
    ]
    # Shuffled on purpose: nothing may depend on row order.
    return pd.DataFrame(rows, columns=COLUMNS).sample(frac=1.0, random_state=3)


def test_each_job_gets_its_channel_and_final_outcome(log: pd.DataFrame) -> None:
    view = service_view(log)
    assert view is not None
    assert view.jobs[["channel", "outcome"]].to_dict("index") == {
        0: {"channel": "remote", "outcome": "remote_fixed"},
        1: {"channel": "mobile", "outcome": "fixed_first_visit"},
        2: {"channel": "mobile", "outcome": "fixed_after_revisit"},
        3: {"channel": "center", "outcome": "open"},
        4: {"channel": "", "outcome": "open"},
        5: {"channel": "mobile", "outcome": "open"},
    }
    assert view.channel_share("mobile") == pytest.approx(3 / 4)
    assert view.remote_share() == pytest.approx(1 / 6)
    assert view.first_time_fix() == (1, 2)


def test_rescue_response_is_first_arrival_with_a_deadline(log: pd.DataFrame) -> None:
    view = service_view(log)
    assert view is not None and view.rescues is not None
    rescues = view.rescues
    assert list(rescues.index) == [2, 3, 5]
    assert rescues.loc[2].to_dict() == pytest.approx({"response_h": 1.0, "target_h": 2.0})
    assert rescues.loc[3].to_dict() == pytest.approx({"response_h": 3.0, "target_h": 2.0})
    assert rescues.loc[5].isna().all()  # not reached: counts as missed
    assert view.rescue_within_target() == (1, 3)
    # Only booked (non-roadside) mobile arrivals count for on-time arrival.
    assert (view.booked_on_time, view.booked_visits) == (1, 1)


def test_old_event_log_gives_no_view(log: pd.DataFrame) -> None:
    assert service_view(log.drop(columns=["channel", "outcome"])) is None
    assert service_view(None) is None
    no_deadline = service_view(log.drop(columns=["due_d"]))
    assert no_deadline is not None and no_deadline.rescues is None
    assert no_deadline.booked_visits == 0


@pytest.mark.parametrize(
    ("rate", "level", "words"),
    [
        (0.70, "watch", "First-time fix 70.0 %: below the average"),
        (0.60, "watch", "First-time fix 60.0 %: at or below the laggards"),
        (0.83, "ok", "First-time fix 83.0 %: above the average, below best-in-class"),
        (0.90, "ok", "First-time fix 90.0 %: at or above best-in-class"),
    ],
)
def test_first_time_fix_against_aberdeen_tiers(rate: float, level: str, words: str) -> None:
    finding = first_time_fix({"first_time_fix_rate": rate, "revisits": 42})
    assert finding is not None
    assert finding.level == level
    assert finding.text.startswith(words)
    assert (
        "(Aberdeen field-service studies: laggards 63 %, average 80 %, best-in-class 88 %). "
        "42 return visits were needed." in finding.text
    )


def test_first_time_fix_below_average_but_uncertain_is_info() -> None:
    view = _view_with_ftf(first=7, after_revisit=3)  # 70 % of 10: CI reaches past 80 %
    finding = first_time_fix({"first_time_fix_rate": 0.70}, view)
    assert finding is not None and finding.level == "info"
    assert "(95 % CI 34.8–93.3 %, 10 jobs fixed with a visit)" in finding.text
    assert "Few cases" in finding.text


def _view_with_ftf(first: int, after_revisit: int) -> ServiceView:
    outcomes = ["fixed_first_visit"] * first + ["fixed_after_revisit"] * after_revisit
    jobs = pd.DataFrame(
        {"channel": "mobile", "outcome": outcomes, "severity": "drivable", "component": "tires"}
    )
    return ServiceView(jobs, None, 0, 0)


def test_response_compliance_findings() -> None:
    on_time = on_time_arrival({"on_time_arrival_rate": 0.95})
    rescue = rescue_within_target({"rescue_within_target_rate": 0.5})
    assert on_time is not None and rescue is not None
    assert on_time.level == "ok" and "at or above best-in-class" in on_time.text
    assert "(Aberdeen 2012, response-time compliance: average 78 %, best-in-class 92 %)" in (
        on_time.text
    )
    assert rescue.level == "watch"
    assert rescue.text.startswith("Roadside rescues reached within the response target 50.0 %")


def test_mobile_share_cites_seed_and_jd_power() -> None:
    finding = mobile_share({"mobile_share": 0.81})
    assert finding is not None and finding.level == "info"
    assert finding.text.startswith("Mobile vans served 81 % of the jobs that needed a visit, above")
    assert "~70 % of demand planned as mobile work (seed 001, L1 mobile triage)" in finding.text
    assert "32.3 % of NEV owners used mobile on-site service" in finding.text


def test_remote_resolution_compares_software_faults_with_seed_003(log: pd.DataFrame) -> None:
    kpis = {"remote_resolution_rate": 1 / 6, "service_jobs": 6}
    plain = remote_resolution(kpis)
    assert plain is not None and plain.level == "info"
    assert plain.text.startswith("Remote diagnosis fixed 17 % of all jobs (1 of 6) without a visit")
    assert "seed 003: 85 % of software faults" in plain.text
    with_log = remote_resolution(kpis, service_view(log))
    assert with_log is not None and with_log.level == "ok"
    assert "Software faults: 100.0 % fixed remotely (95 % CI 2.5–100.0 %, 1 jobs)" in with_log.text


@pytest.mark.parametrize(
    ("per_day", "level", "words"),
    [(1.5, "watch", "1.5 visits per working day, below the seeds' 3–5"), (4.0, "ok", "4.0 visits")],
)
def test_visits_per_van_day_against_seeds(per_day: float, level: str, words: str) -> None:
    finding = van_productivity({"jobs_per_technician_day": per_day})
    assert finding is not None and finding.level == level
    assert words in finding.text and "(vendor claims: 4–8)" in finding.text


def test_runs_without_service_kpis_give_no_service_findings() -> None:
    assert service_findings({"vehicles": 3.0}) == []
    assert service_data_checks({"first_time_fix_rate": 0.5}, None) == []


def test_fixture_kpis_agree_with_the_event_log(run: SyntheticRun) -> None:
    files = load_run(run.path)
    view = service_view(files.service_events)
    assert view is not None
    assert service_data_checks(run.kpis, view) == []
    checks = [f.text for f in service_checks(run.kpis | {"first_time_fix_rate": 0.5}, view)]
    assert checks == [
        "Data check: first_time_fix_rate is 50.0 % in kpis.json but 80.0 % from the event log."
    ]


def test_new_components_have_labels() -> None:
    assert (label("software"), label("body"), label("electrics")) == (
        "Software",
        "Body",
        "LV electrics",
    )


def test_service_tiles_need_their_kpis() -> None:
    assert service_tiles({"mean_wait_h": 3.0}) == []
    tiles = service_tiles({"service_cost_per_vehicle_year": 257.7, "service_cost_total": 1.2875e6})
    assert [(t.label, t.value) for t in tiles] == [("Service cost per vehicle-year", "258 CNY")]
    assert tiles[0].meaning.endswith("1.29 M CNY over the run.")


def _section(html: str) -> str:
    match = re.search(r'<section id="service-quality">(.*?)</section>', html, re.S)
    assert match is not None
    return match.group(1)


def test_section_shows_formatted_tiles_and_a_png(run: SyntheticRun) -> None:
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    section = _section(html)
    k = run.kpis
    assert k["first_time_fix_rate"] == pytest.approx(0.8)
    expected = {
        "mobile_share": f"{k['mobile_share'] * 100:.0f} %",  # 82 %
        "remote_resolution_rate": "9 %",
        "first_time_fix_rate": "80 %",
        "on_time_arrival_rate": f"{k['on_time_arrival_rate'] * 100:.0f} %",
        "rescue_within_target_rate": "31 %",
        "service_cost_per_vehicle_year": "300 CNY",
        "jobs_per_technician_day": "3.4",
        "parts_stockouts": "4",
    }
    for key, value in expected.items():
        tile = re.search(rf'id="tile-{key}">.*?class="value">([^<]*)<', section, re.S)
        assert tile is not None, key
        assert tile.group(1) == value, key
    assert "29 return visits." in section and "1 cars towed." in section
    (payload,) = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", section)
    assert base64.b64decode(payload).startswith(b"\x89PNG\r\n\x1a\n")
    assert "2 jobs still in remote diagnosis at the end are not shown." in section


def test_section_findings_appear_in_the_report(run: SyntheticRun) -> None:
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert re.search(r'<li class="ok"><span class="badge">ok</span>First-time fix 80.0 %', html)
    assert "Mobile vans did 3.4 visits per working day, consistent with the seeds" in html
    assert "Data check" not in html


def test_legacy_run_builds_without_the_section(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(legacy=True)
    assert "mobile_share" not in run.kpis and "channel" not in run.events.columns
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert "Service quality and cost" not in html and 'id="service-quality"' not in html
    assert html.count('<img src="data:image/png;base64,') == 4
    assert "First-time fix" not in html.split('<section id="glossary">')[0]
    waits = np.asarray(run.waits_h)
    assert f"from the event log: mean {waits.mean():.1f} h" in html
    assert "fixed remotely needed no visit" not in html


def test_new_kpis_with_an_old_event_log_show_tiles_only(
    make_run: Callable[..., SyntheticRun],
) -> None:
    kpis = {"first_time_fix_rate": 0.9, "mobile_share": 0.7}
    run = make_run(legacy=True, kpi_overrides=kpis)
    section = _section(reports.build_report(run.path).read_text(encoding="utf-8"))
    assert "data:image/png" not in section
    assert "events.parquet is missing or has no channel / outcome columns" in section
    assert re.search(r'id="tile-first_time_fix_rate">.*?class="value">90 %<', section, re.S)

"""Predictive-alert quality: scored view, table, tiles against targets, findings, section."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import reports
from reports.alerts.findings import (
    alert_data_checks,
    alert_tiles,
    prevention,
    recall,
    response_and_volume,
    target_text,
    weak_groups,
)
from reports.alerts.section import NO_ALERTS, NO_LOG, alert_section
from reports.alerts.targets import ALERT_PRECISION, ALERTS_PER_VEHICLE_MONTH
from reports.alerts.view import AlertView, alert_state, alert_view, monthly_volume, quality_rows
from reports.page.loader import RunFiles, load_run

if TYPE_CHECKING:
    from conftest import SyntheticRun

NAN = math.nan
VEHICLES, DAYS = 10, 60
MONTH = 365.25 / 12
COLUMNS = ["time_d", "event", "vehicle", "component", "cause", "severity", "job", "outcome",
           "due_d"]


def _alert(t: float, vehicle: int, comp: str, level: str, outcome: str, window: float) -> tuple:
    return (t, "alert", vehicle, comp, "wear", level, -1, outcome, t + window)


def _failure(t: float, vehicle: int, comp: str, prevented: bool = False) -> tuple:
    event = "failure_prevented" if prevented else "failure"
    return (t, event, vehicle, comp, "wear", "drivable", -1, "", NAN)


@pytest.fixture
def events() -> pd.DataFrame:
    """Five alerts: three come true (lead 9, 3 and 4 days), two do not."""
    rows = [
        _failure(0.5, 3, "tires"),                             # before vehicle 3's alert
        _alert(1.0, 1, "aux12v", "blue", "accepted", 30),      # true: prevented at day 10
        _alert(2.0, 2, "aux12v", "blue", "ignored", 30),       # true: failed at day 5
        _alert(3.0, 3, "tires", "blue", "accepted", 30),       # false: no later failure
        _failure(5.0, 2, "aux12v"),
        _failure(10.0, 1, "aux12v", prevented=True),
        _failure(20.0, 6, "tires"),                            # never alerted
        _alert(40.0, 4, "brakes", "yellow", "accepted", 7),    # true: prevented at day 44
        _failure(44.0, 4, "brakes", prevented=True),
        _alert(50.0, 5, "brakes", "red", "ignored", 2),        # false: fails after its window
        _failure(53.0, 5, "brakes"),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def kpis() -> dict[str, float | None]:
    """KPIs consistent with ``events``."""
    return {
        "vehicles": VEHICLES,
        "horizon_days": DAYS,
        "alerts": 5,
        "alert_precision": 0.6,
        "alert_recall": 0.5,
        "alert_median_lead_days": 4.0,
        "alerts_per_vehicle_month": 5 / (VEHICLES * DAYS / MONTH),
        "owner_response_rate": 0.6,
        "breakdowns_avoided_share": 2 / 3,
        "alert_precision_red": 0.0,
        "alert_precision_yellow": 1.0,
        "alert_precision_blue": 2 / 3,
        "alert_recall_aux12v": 1.0,
        "alert_recall_brakes": 0.5,
        "alert_recall_tires": 0.0,
        "alert_recall_battery": None,
    }


RUN_ON = {"seed": 7, "config": {"alerts": {"enabled": True, "horizon_days_red": 2.0},
                                "service": {"demand": "failures"}}}


def _files(kpis: dict, run: dict | None = None, events: pd.DataFrame | None = None) -> RunFiles:
    return RunFiles(Path("run"), kpis, RUN_ON if run is None else run, alert_events=events)


# ------------------------------------------------------------------ scored view and table


def test_view_counts_prevented_and_alerted_failures(events: pd.DataFrame) -> None:
    view = alert_view(events, RUN_ON)
    assert view is not None
    assert (len(view.alerts), view.n_true, view.n_accepted) == (5, 3, 3)
    assert view.alerts["true"].tolist() == [True, True, False, True, False]
    assert view.alerts["lead_days"].tolist()[:2] == [9.0, 3.0]
    # Prevented: vehicles 1 and 4; alerted and failed anyway: vehicle 2 (vehicle 5 failed late).
    assert (view.prevented, view.alerted_failures) == (2, 1)
    assert view.avoided_share() == pytest.approx(2 / 3)


def test_quality_table_counts(events: pd.DataFrame, kpis: dict) -> None:
    rows = quality_rows(alert_view(events, RUN_ON), kpis)
    got = [(r.group, r.key, r.alerts, r.true, r.accepted, r.median_lead_d, r.recall) for r in rows]
    assert got == [
        ("all", "all", 5, 3, 3, 4.0, 0.5),
        ("level", "red", 1, 0, 0, pytest.approx(NAN, nan_ok=True), None),
        ("level", "yellow", 1, 1, 1, 4.0, None),
        ("level", "blue", 3, 2, 2, 6.0, None),
        ("component", "aux12v", 2, 2, 1, 6.0, 1.0),
        ("component", "brakes", 2, 1, 1, 4.0, 0.5),
        ("component", "tires", 1, 0, 1, pytest.approx(NAN, nan_ok=True), 0.0),
    ]
    assert [r.precision for r in rows[4:]] == [1.0, 0.5, 0.0]


def test_table_is_formatted_with_group_breaks(events: pd.DataFrame, kpis: dict) -> None:
    section = alert_section(_files(kpis, events=events))
    table = {row.name: row.cells for row in section.table}
    assert table["All alerts"] == ("5", "100.0 %", "3", "0", "60.0 %", "3", "60.0 %", "4.0 d",
                                   "50.0 %")
    assert table["Red level"] == ("1", "20.0 %", "0", "0", "0.0 %", "0", "0.0 %", "n/a", "—")
    assert table["Brakes"] == ("2", "40.0 %", "1", "0", "50.0 %", "1", "50.0 %", "4.0 d",
                               "50.0 %")
    assert table["12 V battery"][:5] == ("2", "40.0 %", "2", "0", "100.0 %")
    starts = [row.name for row in section.table if row.first_of_group]
    assert starts == ["Red level", "12 V battery"]
    assert "(red 2 d)" in section.table_caption


def test_monthly_volume_splits_accepted_and_scales_the_partial_month(
    events: pd.DataFrame,
) -> None:
    view = alert_view(events, RUN_ON)
    monthly = monthly_volume(view.alerts, VEHICLES, DAYS)
    assert monthly[["accepted", "ignored"]].to_numpy().tolist() == [[2, 1], [1, 1]]
    assert monthly["days"].tolist() == pytest.approx([MONTH, DAYS - MONTH])
    assert monthly["accepted_rate"].tolist() == pytest.approx(
        [2 / VEHICLES, 1 / (VEHICLES * (DAYS - MONTH) / MONTH)]
    )
    # Summed over the run, the monthly counts give the KPI's fleet rate.
    total = monthly[["accepted", "ignored"]].to_numpy().sum()
    assert total / (VEHICLES * DAYS / MONTH) == pytest.approx(5 / (VEHICLES * DAYS / MONTH))


# ------------------------------------------------------------------ tiles and targets


@pytest.mark.parametrize(
    ("value", "text", "level"),
    [
        (0.9, "Seed 002 target > 85 %: met.", "ok"),
        (0.85, "Seed 002 target > 85 %: missed.", "watch"),  # the bar is strict
        (0.6, "Seed 002 target > 85 %: missed.", "watch"),
        (None, "Seed 002 target > 85 %: nothing to score.", ""),
    ],
)
def test_precision_tile_against_its_target(value: float | None, text: str, level: str) -> None:
    tile = next(t for t in alert_tiles({"alert_precision": value}) if t.key == "alert_precision")
    assert tile.value == ("n/a" if value is None else f"{value * 100:.1f} %")
    assert tile.meaning.endswith(text)
    assert tile.level == level


def test_volume_tile_is_a_cap(kpis: dict) -> None:
    low = {t.key: t for t in alert_tiles(kpis)}["alerts_per_vehicle_month"]
    assert low.value == "0.25" and low.level == "ok"
    assert low.meaning.endswith("Seed 002 target < 2: met.")
    high = alert_tiles({"alerts_per_vehicle_month": 2.5})[0]
    assert (high.value, high.level) == ("2.50", "watch")
    assert high.meaning.endswith("Seed 002 target < 2: missed.")


def test_every_tile_of_a_run_with_alerts(kpis: dict) -> None:
    tiles = {t.key: (t.value, t.level) for t in alert_tiles(kpis)}
    assert tiles == {
        "alert_precision": ("60.0 %", "watch"),
        "alert_recall": ("50.0 %", ""),
        "owner_response_rate": ("60.0 %", "watch"),  # the bar is > 60 %
        "breakdowns_avoided_share": ("66.7 %", "watch"),
        "alerts_per_vehicle_month": ("0.25", "ok"),
    }


def test_target_text() -> None:
    assert target_text(ALERT_PRECISION, 0.86) == "seed 002 target > 85 %: met"
    assert target_text(ALERTS_PER_VEHICLE_MONTH, 1.99, percent=False) == (
        "seed 002 target < 2: met"
    )


# ------------------------------------------------------------------ findings


def _view(n_alerts: int, n_true: int, accepted: int, prevented: int, failed: int) -> AlertView:
    alerts = pd.DataFrame(
        {
            "level": ["blue"] * n_alerts,
            "component": ["aux12v"] * n_alerts,
            "true": [i < n_true for i in range(n_alerts)],
            "outcome": ["accepted" if i < accepted else "ignored" for i in range(n_alerts)],
            "lead_days": [5.0 if i < n_true else NAN for i in range(n_alerts)],
        }
    )
    return AlertView(alerts, prevented, failed)


def test_prevention_leads_with_the_answer(events: pd.DataFrame) -> None:
    found = prevention(alert_view(events, RUN_ON))
    assert found.text.startswith(
        "Alerts prevented 2 failures (66.7 % of the 3 they warned of) at precision 60.0 %."
    )
    # 3 of 5 and 2 of 3 are far from the bars, but so few that the intervals reach them.
    assert "misses the seed 002 bar of > 80 %" in found.text
    assert "misses the seed 002 bar of > 85 %" in found.text
    assert "within the uncertainty of this run" in found.text
    assert found.level == "info"


def test_prevention_meets_and_misses_clearly() -> None:
    good = prevention(_view(1000, 950, 700, 900, 50))
    assert "Prevention meets the seed 002 bar of > 80 % (95 % CI" in good.text
    assert "reaching" not in good.text and good.level == "ok"
    bad = prevention(_view(1000, 700, 700, 500, 500))
    assert "Prevention misses the seed 002 bar of > 80 % (95 % CI 46.9–53.1 %" in bad.text
    assert bad.level == "watch"
    assert prevention(_view(0, 0, 0, 0, 0)).text == "No predictive alert was raised in this run."


def test_a_met_target_with_a_wide_interval_says_so() -> None:
    found = prevention(_view(100, 87, 80, 90, 10))
    assert found.text.endswith(
        "precision meets the seed 002 bar of > 85 % (95 % CI 78.8–92.9 % over 100 alerts, "
        "reaching below the bar)."
    )
    assert found.level == "ok"


def test_response_and_volume(kpis: dict) -> None:
    found = response_and_volume(kpis | {"alerts_per_vehicle_month": 3.0}, _view(100, 90, 80, 1, 1))
    assert found.text.startswith("Owners acted on 80.0 % of the alerts (80), which meets")
    assert found.text.endswith("the fleet got 3.00 alerts per vehicle-month, above the seed 002 "
                               "limit < 2.")
    assert found.level == "watch"


def test_weak_groups_name_each_level_and_component(events: pd.DataFrame, kpis: dict) -> None:
    found = weak_groups(quality_rows(alert_view(events, RUN_ON), kpis))
    assert found.text == (
        "Precision below the seed 002 bar of > 85 %: red alerts 0.0 % (0 of 1); tires 0.0 % "
        "(0 of 1); brakes 50.0 % (1 of 2); blue alerts 66.7 % (2 of 3). Each is within the "
        "uncertainty of its few alerts."
    )
    assert found.level == "info"
    assert "battery" not in found.text and "yellow" not in found.text
    # With many alerts, a group clearly below the bar is a "watch".
    many = quality_rows(_view(200, 100, 100, 1, 1), {})
    assert weak_groups(many).level == "watch"


def test_recall_names_the_weakest_component(events: pd.DataFrame, kpis: dict) -> None:
    rows = quality_rows(alert_view(events, RUN_ON), kpis | {"alert_recall_electrics": 0.0})
    found = recall(kpis, rows)
    assert found.text == (
        "Alerts predicted 50.0 % of the failures their detectors target, with a median warning "
        "of 4.0 days (no seed target: seed 002 prefers a miss to a false alarm). Lowest: LV "
        "electrics (0 %)."
    )
    assert found.level == "info"
    assert recall({"alert_recall": None}, rows) is None


def test_data_check_flags_kpis_that_disagree_with_the_log(
    events: pd.DataFrame, kpis: dict
) -> None:
    view = alert_view(events, RUN_ON)
    assert alert_data_checks(kpis, view) == []
    checks = alert_data_checks(kpis | {"alerts": 6, "alert_precision": 0.7}, view)
    assert [c.level for c in checks] == ["check", "check"]
    assert checks[0].text == "Data check: kpis.json counts 6 alerts but the event log holds 5."
    assert checks[1].text == (
        "Data check: alert_precision is 70.0 % in kpis.json but 60.0 % from the event log."
    )


# ------------------------------------------------------------------ section branches


def test_section_with_alerts(events: pd.DataFrame, kpis: dict) -> None:
    section = alert_section(_files(kpis, events=events))
    assert (section.state, section.message) == ("on", "")
    assert len(section.tiles) == 5 and len(section.rows) == 7
    assert section.lead_image and section.volume_image
    assert "far above these bars" in section.volume_caption
    assert section.findings[0].text.startswith("Alerts prevented 2 failures")
    assert section.comparison is None


@pytest.mark.parametrize(
    ("run", "why"),
    [
        ({"overrides": ["alerts=none"], "config": {"alerts": {"enabled": False}}}, "alerts=none"),
        ({"overrides": [], "config": {"alerts": {"enabled": False}}}, "alerts.enabled=false"),
        (
            {"config": {"alerts": {"enabled": True}, "service": {"demand": "poisson"}}},
            "service.demand=poisson: alerts act only on failure-driven demand",
        ),
    ],
)
def test_section_when_alerts_were_off(
    events: pd.DataFrame, kpis: dict, run: dict, why: str
) -> None:
    off_kpis = kpis | {"alerts": 0, "alert_precision": None}
    section = alert_section(_files(off_kpis, run, events))
    assert section.state == "off"
    assert section.message == f"Predictive alerts were off in this run ({why})."
    assert (section.tiles, section.table, section.findings) == ((), (), ())
    assert section.lead_image is None and section.volume_image is None


def test_section_of_an_older_run_without_alert_kpis() -> None:
    section = alert_section(_files({"vehicles": 10, "breakdowns": 3}, run={}))
    assert section.state == "missing"
    assert section.message == (
        "Not available: kpis.json has no alert KPIs (a run made before predictive alerts)."
    )
    assert alert_state({"alerts": 0}, {}) == ("on", "")
    assert (section.tiles, section.table, section.findings) == ((), (), ())


def test_section_without_an_alert_log_keeps_the_tiles(kpis: dict) -> None:
    section = alert_section(_files(kpis, events=None))
    assert section.message == NO_LOG
    assert [t.key for t in section.tiles][0] == "alert_precision"
    assert section.table == () and section.findings == ()


def test_section_without_any_alert(events: pd.DataFrame) -> None:
    failures_only = events[events["event"] != "alert"]
    section = alert_section(_files({"alerts": 0, "alert_precision": None}, events=failures_only))
    assert section.message == NO_ALERTS
    assert section.table == () and section.lead_image is None
    assert [f.text for f in section.findings] == ["No predictive alert was raised in this run."]


def test_synthetic_older_run_renders_the_not_available_line(run: SyntheticRun) -> None:
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    section = html[html.index('<section id="alerts">') : html.index('<section id="all-kpis"')]
    assert "<h2>Predictive alert quality</h2>" in section
    assert "Not available: kpis.json has no alert KPIs" in section
    assert "<img" not in section and "<table" not in section
    assert load_run(run.path).alert_events is not None  # the log has failures, no alerts


def test_tile_level_is_a_css_class(events: pd.DataFrame, kpis: dict, tmp_path: Path) -> None:
    from reports.build import build_context
    from reports.page import html as html_mod

    files = RunFiles(tmp_path, kpis, RUN_ON, alert_events=events)
    page = html_mod.render(build_context(files))
    assert re.search(r'<div class="tile watch" id="tile-alert_precision">', page)
    assert re.search(r'<div class="tile ok" id="tile-alerts_per_vehicle_month">', page)
    assert '<div class="tile" id="tile-alert_recall">' in page


def test_a_run_whose_alerts_are_all_censored_says_so(events: pd.DataFrame, kpis: dict) -> None:
    import dataclasses

    from reports.alerts.findings import prevention

    view = alert_view(events, {**RUN_ON, "config": {**RUN_ON["config"], "horizon_days": 0.5}})
    open_only = dataclasses.replace(view, alerts=view.alerts[view.alerts["censored"]])
    assert open_only.n_scored == 0 and len(open_only.alerts) == 2   # the two false alerts
    assert "Every one of the 2 alerts is censored" in prevention(open_only).text

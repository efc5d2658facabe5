"""Formatting, tiles and component discovery."""

from __future__ import annotations

import pytest

from reports.headline import headline_tiles
from reports.page.components import color_map, components_from_names, label
from reports.page.formatting import fmt_auto, fmt_duration, fmt_pct, fmt_share, fmt_si
from reports.page.summary import kpi_rows, scenario_line


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, "n/a"), (1000.0, "1,000"), (4.1, "4.1"), (0.63123, "0.6312"), (12345.678, "12,345.7")],
)
def test_fmt_auto(value: float | None, text: str) -> None:
    assert fmt_auto(value) == text


def test_other_formats() -> None:
    assert fmt_pct(0.631, 0) == "63 %"
    assert fmt_share(4e-5) == "0.004 %"
    assert fmt_share(0.014) == "1.4 %"
    assert fmt_si(2.4e6) == "2.40 M"
    assert fmt_duration(200) == "3 min 20 s"
    assert fmt_duration(3900) == "1 h 05 min"


def test_components_come_from_name_patterns() -> None:
    names = ["health_tires_mean", "health_heat_pump_mean", "health_x_p05", "failures"]
    assert components_from_names(names, "health_", "_mean") == ["heat_pump", "tires"]
    assert label("aux12v") == "12 V battery" and label("heat_pump") == "Heat pump"
    assert color_map(["b", "a"]) == color_map(["a", "b", "b"])


def test_tiles_skip_absent_kpis_and_show_na_for_null() -> None:
    tiles = headline_tiles({"mean_wait_h": None, "technician_utilization": 0.5})
    assert [(t.key, t.value) for t in tiles] == [
        ("mean_wait_h", "n/a"),
        ("technician_utilization", "50 %"),
    ]


def test_scenario_line_without_run_json() -> None:
    assert scenario_line({"vehicles": 1200, "horizon_days": 365}, {}) == "1,200 vehicles · 365 days"


def test_kpi_rows_follow_the_catalogue_with_unknown_kpis_last() -> None:
    rows = kpi_rows({"zz_new": 1.0, "mean_wait_h": 3.25, "vehicles": 1000.0,
                     "first_time_fix_rate": 0.8125, "a_new": None,
                     "failures_by_component_aux12v": 7.0})
    assert [(r.key, r.label, r.value, r.unit) for r in rows] == [
        ("vehicles", "Vehicles", "1,000", ""),
        ("failures_by_component_aux12v", "Failures: 12 V battery", "7", ""),
        ("first_time_fix_rate", "First-time fix", "81.2 %", ""),
        ("mean_wait_h", "Mean wait", "3.25", "h"),
        ("a_new", "a_new", "n/a", ""),
        ("zz_new", "zz_new", "1", ""),
    ]
    assert rows[3].definition and rows[-1].definition == ""

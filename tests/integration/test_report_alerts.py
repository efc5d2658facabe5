"""The alert section of a real run's report, compared with the same run without alerts.

Two small runs with the same seed, default alerts and ``alerts=none``, are
simulated, saved and reported with ``--baseline``; the section's numbers must
be the ones in kpis.json and the counts of :func:`sim.alerts.alert_truth`.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pandas as pd
import pytest

import reports
import sim
from sim.alerts import alert_truth
from sim.dataset import read_events

BASE = ["fleet.size=2000", "horizon_days=240", "output.progress=false"]
OFF = [*BASE, "alerts=none"]
LEVEL_ROWS = {"red": "Red level", "yellow": "Yellow level", "blue": "Blue level"}
# (table label, KPI, count KPI, decimals)
COMPARED = (
    ("Breakdowns per 1,000 vehicle-years", "breakdowns_per_1000_vehicle_years", "breakdowns", 2),
    ("Failures per 1,000 vehicle-years", "failures_per_1000_vehicle_years", "failures_total", 1),
    ("Service cost per vehicle-year (CNY)", "service_cost_per_vehicle_year", None, 0),
)
COMPONENT_ROWS = {"aux12v": "12 V battery", "brakes": "Brakes", "coolant": "Coolant loop",
                  "tires": "Tires"}


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f} %"


def _rate(value: float) -> str:
    return f"{value:.2f}" if value >= 0.1 else f"{value:.2g}"


def _with_count(value: float, digits: int, count: float | None) -> str:
    return f"{value:,.{digits}f}" + ("" if count is None else f" ({count:,})")


def _save(overrides: list[str], out: Path) -> Path:
    sim.simulate(sim.load_config(overrides)).save(out, overrides=overrides)
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("alerts")
    return _save(BASE, base / "with"), _save(OFF, base / "without")


@pytest.fixture(scope="module")
def kpis(runs: tuple[Path, Path]) -> tuple[dict, dict]:
    return tuple(json.loads((d / "kpis.json").read_text()) for d in runs)


@pytest.fixture(scope="module")
def section(runs: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("report") / "report.html"
    page = reports.build_report(runs[0], out, baseline=runs[1]).read_text(encoding="utf-8")
    return page[page.index('<section id="alerts">') : page.index('<section id="all-kpis"')]


@pytest.fixture(scope="module")
def truth(runs: tuple[Path, Path], kpis: tuple[dict, dict]) -> pd.DataFrame:
    return alert_truth(read_events(runs[0]),
                       end_d=kpis[0]["horizon_days"])


def _table(section: str, table_id: str) -> dict[str, list[str]]:
    body = re.search(rf'<table id="{table_id}">(.*?)</table>', section, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
        if cells:
            rows[cells[0]] = cells[1:]
    return rows


def test_the_run_raised_alerts_that_came_true(kpis: tuple[dict, dict], truth: pd.DataFrame):
    with_alerts, without = kpis
    assert with_alerts["alerts"] == len(truth) > 50
    assert 0 < truth["true"].sum() < len(truth)
    assert without["alerts"] == 0


def test_tiles_show_the_kpis(section: str, kpis: tuple[dict, dict]) -> None:
    k = kpis[0]
    tiles = dict(re.findall(r'id="tile-(\w+)">.*?class="value">([^<]*)<', section, re.S))
    assert tiles == {
        "alert_precision": _pct(k["alert_precision"]),
        "alert_recall": _pct(k["alert_recall"]),
        "owner_response_rate": _pct(k["owner_response_rate"]),
        "breakdowns_avoided_share": _pct(k["breakdowns_avoided_share"]),
        "alerts_per_vehicle_month": _rate(k["alerts_per_vehicle_month"]),
    }
    met = "met" if k["alert_precision"] > 0.85 else "missed"
    assert f"Seed 002 target &gt; 85 %: {met}." in section


def test_quality_table_matches_alert_truth_and_kpis(
    section: str, kpis: tuple[dict, dict], truth: pd.DataFrame
) -> None:
    k, table = kpis[0], _table(section, "alert-quality")
    outcome_accepted = truth["outcome"] == "accepted"
    expected = {"All alerts": (truth, k["alert_precision"], k["alert_recall"])}
    for level, name in LEVEL_ROWS.items():
        expected[name] = (truth[truth["level"] == level], k[f"alert_precision_{level}"], "—")
    for comp in truth["component"].unique():
        mine = truth[truth["component"] == comp]
        expected[COMPONENT_ROWS[comp]] = (
            mine, k[f"alert_precision_{comp}"], k[f"alert_recall_{comp}"]
        )
    assert set(expected) <= set(table)
    for name, (rows, precision, recall) in expected.items():
        accepted = int(outcome_accepted[rows.index].sum())
        alerts, _, came_true, censored, prec, acc, _, _, rec = table[name]
        assert censored == f"{int(rows['censored'].sum()):,}", name
        assert (alerts, came_true, acc) == (
            f"{len(rows):,}", f"{int(rows['true'].sum()):,}", f"{accepted:,}"
        ), name
        assert prec == _pct(precision), name
        assert rec == (recall if recall == "—" else _pct(recall)), name
    assert int(table["All alerts"][0].replace(",", "")) == k["alerts"]


def test_figures_are_embedded(section: str) -> None:
    assert section.count('<img src="data:image/png;base64,') == 2


def test_baseline_comparison_matches_both_kpi_files(
    section: str, kpis: tuple[dict, dict]
) -> None:
    with_alerts, without = kpis
    table = _table(section, "alert-baseline")
    for label, key, count, digits in COMPARED:
        this, other = with_alerts[key], without[key]
        assert table[label][:2] == [
            _with_count(this, digits, with_alerts.get(count)),
            _with_count(other, digits, without.get(count)),
        ], label
        diff = f"{abs(this - other):,.{digits}f}"
        change = f"{abs(this - other) / other * 100:.0f} %"
        sign = "−" if this < other else "+"
        assert table[label][2] == f"{sign}{diff} ({sign}{change})", label
    assert "The baseline had predictive alerts off (alerts=none)." in section
    assert "same seed (2026), same fleet size (2,000 vehicles), same horizon (240 days)" in section
    assert 'class="warning"' not in section


def test_log_and_kpis_agree(runs: tuple[Path, Path]) -> None:
    page = (reports.build_report(runs[0], runs[0] / "r.html")).read_text(encoding="utf-8")
    assert "Data check" not in page
    assert "Alerts prevented " in page


def test_run_without_alerts_says_so(runs: tuple[Path, Path]) -> None:
    page = reports.build_report(runs[1]).read_text(encoding="utf-8")
    section = page[page.index('<section id="alerts">') : page.index('<section id="all-kpis"')]
    assert "Predictive alerts were off in this run (alerts=none)." in section
    assert "<table" not in section and "<img" not in section

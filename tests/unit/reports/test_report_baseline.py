"""Comparison with a baseline run (``--baseline``): rows, pairing checks, finding, CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import reports
from reports import cli
from reports.alerts.compare import compare, comparison_finding
from reports.page.loader import ReportInputError, RunFiles

if TYPE_CHECKING:
    from conftest import SyntheticRun

WITH = {
    "breakdowns_per_1000_vehicle_years": 1.4,
    "breakdowns": 7,
    "failures_per_1000_vehicle_years": 166.1,
    "failures_total": 830,
    "service_cost_per_vehicle_year": 194.0,
    "vehicles": 5000,
    "horizon_days": 365,
    "alerts": 895,
}
WITHOUT = WITH | {
    "breakdowns_per_1000_vehicle_years": 3.4,
    "breakdowns": 17,
    "failures_per_1000_vehicle_years": 292.0,
    "failures_total": 1459,
    "service_cost_per_vehicle_year": 253.0,
    "alerts": 0,
}
CONFIG = {"seed": 2026, "fleet": {"size": 5000}, "service": {"demand": "failures", "vans": 8}}


def _run(alerts: bool, seed: int = 2026, **config: object) -> dict:
    overrides = [] if alerts else ["fleet.size=5000", "alerts=none"]
    cfg = CONFIG | {"alerts": {"enabled": alerts, "rules": {"x": 1} if alerts else {}}} | config
    return {"seed": seed, "overrides": overrides, "config": cfg}


def _files(name: str, kpis: dict, run: dict) -> RunFiles:
    return RunFiles(Path(name), kpis, run)


def test_paired_comparison_rows_and_statements() -> None:
    cmp = compare(_files("a", WITH, _run(True)), _files("b", WITHOUT, _run(False)))
    rows = {r.key: (r.this_text, r.other_text, r.diff_text) for r in cmp.rows}
    assert rows == {
        "breakdowns_per_1000_vehicle_years": ("1.40 (7)", "3.40 (17)", "−2.00 (−59 %)"),
        "failures_per_1000_vehicle_years": ("166.1 (830)", "292.0 (1,459)", "−125.9 (−43 %)"),
        "service_cost_per_vehicle_year": ("194", "253", "−59 (−23 %)"),
    }
    assert cmp.statements == (
        "This run had predictive alerts on. The baseline had predictive alerts off (alerts=none).",
        "Both runs have the same seed (2026), same fleet size (5,000 vehicles), same horizon "
        "(365 days).",
    )
    assert cmp.warnings == ()
    assert (cmp.alerts_off, cmp.baseline_alerts_off) == (False, True)
    assert cmp.baseline_dir == Path("b")
    found = comparison_finding(cmp)
    assert found.text == (
        "Against the baseline run without alerts: breakdowns −59 % (1.40 vs 3.40 per 1,000 "
        "vehicle-years; 7 vs 17), failures −43 % (166.1 vs 292.0 per 1,000 vehicle-years; "
        "830 vs 1,459), service cost −23 % (194 vs 253 CNY per vehicle-year). Few breakdowns: "
        "that difference is uncertain."
    )
    assert found.level == "info"


def test_unpaired_runs_are_warned_about() -> None:
    other = _run(False, seed=7, service={"demand": "failures", "vans": 12})
    cmp = compare(_files("a", WITH, _run(True)), _files("b", WITHOUT | {"vehicles": 2000}, other))
    assert cmp.warnings == (
        "The seeds differ (2026 here, 7 in the baseline): a paired comparison needs the same "
        "seed, so the difference mixes the effect of alerts with chance.",
        "The fleet sizes differ (5,000 vehicles here, 2,000 vehicles in the baseline): rates "
        "compare, counts do not.",
        "Other settings differ: service.vans (8 vs 12).",
    )
    assert cmp.statements[1] == "Both runs have the same horizon (365 days)."
    found = comparison_finding(cmp)
    assert found.level == "watch"
    assert "Not a paired comparison: The seeds differ (2026 here, 7 in the baseline)" in found.text


def test_both_runs_with_alerts() -> None:
    cmp = compare(_files("a", WITH, _run(True)), _files("b", WITHOUT, _run(True)))
    assert cmp.warnings == (
        "Both runs had alerts on: the difference is not the effect of alerts.",
    )
    assert comparison_finding(cmp).text.startswith(
        "Against the baseline run (alerts on in both): breakdowns −59 %"
    )


def test_older_baseline_without_seed_counts_as_alerts_off() -> None:
    old = {k: v for k, v in WITHOUT.items() if k != "alerts"}
    cmp = compare(_files("a", WITH, _run(True)), _files("b", old, {}))
    assert cmp.statements[0] == (
        "This run had predictive alerts on. The baseline was made before predictive alerts "
        "(none were raised)."
    )
    assert cmp.baseline_alerts_off
    assert cmp.warnings == (
        "The seed of the baseline is unknown: a paired comparison needs the same seed, so the "
        "difference mixes the effect of alerts with chance.",
    )


def test_missing_kpi_gives_na_not_an_error() -> None:
    this = {k: v for k, v in WITH.items() if k != "service_cost_per_vehicle_year"}
    cmp = compare(_files("a", this, _run(True)), _files("b", WITHOUT, _run(False)))
    cost = next(r for r in cmp.rows if r.key == "service_cost_per_vehicle_year")
    assert (cost.this_text, cost.other_text, cost.diff_text) == ("n/a", "253", "n/a")
    assert "service cost" not in comparison_finding(cmp).text


# ------------------------------------------------------------------ build_report and CLI


@pytest.fixture
def pair(make_run: Callable[..., SyntheticRun]) -> tuple[SyntheticRun, SyntheticRun]:
    extra = {"failures_per_1000_vehicle_years": 1460.0}
    on = make_run("on", kpi_overrides=extra | {"alerts": 0, "alert_precision": None})
    off = make_run(
        "off",
        kpi_overrides={"failures_per_1000_vehicle_years": 1500.0, "breakdowns": 20,
                       "breakdowns_per_1000_vehicle_years": 4.8667},
        run_overrides={"overrides": ["alerts=none"],
                       "config": {"seed": 7, "alerts": {"enabled": False}}},
    )
    return on, off


def test_report_shows_the_baseline_table(pair: tuple[SyntheticRun, SyntheticRun]) -> None:
    on, off = pair
    page = reports.build_report(on.path, baseline=off.path).read_text(encoding="utf-8")
    row = re.search(
        r'id="baseline-breakdowns_per_1000_vehicle_years">(.*?)</tr>', page, re.S
    ).group(1)
    cells = re.findall(r'<td class="num">([^<]*)</td>', row)
    assert cells == ["3.89 (16)", "4.87 (20)", "−0.97 (−20 %)"]
    assert f"Baseline: {off.path}." in page
    assert "The baseline had predictive alerts off (alerts=none)." in page
    assert "Against the baseline run without alerts: breakdowns −20 %" in page


def test_cli_baseline_option(
    pair: tuple[SyntheticRun, SyntheticRun], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    on, off = pair
    out = tmp_path / "cmp.html"
    assert cli.main([str(on.path), "--baseline", str(off.path), "--out", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert 'id="baseline-failures_per_1000_vehicle_years"' in out.read_text(encoding="utf-8")


def test_cli_baseline_that_is_not_a_run_dir_exits_2(
    run: SyntheticRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([str(run.path), "--baseline", str(tmp_path)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        f"fleetsim-report: error: baseline {tmp_path}: kpis.json not found; expected a run "
        "directory containing kpis.json (and optionally run.json, daily.parquet, "
        "events.parquet)\n"
    )
    assert not (run.path / "report.html").exists()


def test_build_report_names_a_missing_baseline(run: SyntheticRun, tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(ReportInputError, match=rf"^baseline {re.escape(str(missing))}: no such"):
        reports.build_report(run.path, baseline=missing)

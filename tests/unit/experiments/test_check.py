"""fleetsim-check: comparison verdicts, exit codes, table and --update."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from experiments import check


def test_compare_applies_abs_plus_rel_tolerance_per_kpi():
    tol = {"*": {"rel": 0.1}, "wait": {"abs": 1.0, "rel": 0.0}}
    rows = {r["kpi"]: r for r in check.compare(
        {"a": 100.0, "b": 100.0, "wait": 5.0, "gone": 1.0},
        {"a": 109.0, "b": 111.0, "wait": 6.5, "fresh": 3.0}, tol)}
    assert rows["a"]["verdict"] == "ok" and rows["a"]["tolerance"] == pytest.approx(10.0)
    assert rows["b"]["verdict"] == "REGRESSION" and rows["b"]["change"] == pytest.approx(11.0)
    assert rows["wait"]["verdict"] == "REGRESSION" and rows["wait"]["tolerance"] == 1.0
    assert rows["gone"]["verdict"] == "missing"
    assert rows["fresh"]["verdict"] == "new"


def test_nan_matches_only_nan():
    rows = check.compare({"x": math.nan, "y": math.nan}, {"x": math.nan, "y": 1.0}, {})
    assert [r["verdict"] for r in rows] == ["ok", "REGRESSION"]


def test_table_has_one_line_per_kpi_with_all_columns():
    rows = check.compare({"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 3.0}, {"*": {"rel": 0.0}})
    lines = check.format_table(rows).splitlines()
    assert lines[0].split() == ["kpi", "better", "baseline", "now", "change", "tolerance",
                                "verdict"]
    assert len(lines) == 2 + 2
    assert lines[3].split()[0] == "b" and lines[3].split()[-1] == "REGRESSION"
    assert lines[3].split()[1] == "?"  # not in the KPI catalogue


def test_better_column_comes_from_the_kpi_catalogue():
    kpis = {"mean_wait_h": 5.0, "first_time_fix_rate": 0.8, "technicians": 3,
            "failures_by_component_tires": 7, "mystery": 1.0}
    rows = check.compare(kpis, kpis, {})
    assert {r["kpi"]: r["better"] for r in rows} == {
        "mean_wait_h": "lower", "first_time_fix_rate": "higher", "technicians": "",
        "failures_by_component_tires": "lower", "mystery": None}
    assert [r["verdict"] for r in rows] == ["ok"] * 5  # the tolerance verdicts are unchanged
    table = {line.split()[0]: line.split()[1]
             for line in check.format_table(rows).splitlines()[2:]}
    assert table == {"mean_wait_h": "lower", "first_time_fix_rate": "higher",
                     "technicians": "-", "failures_by_component_tires": "lower", "mystery": "?"}


@pytest.fixture(scope="module")
def small_baseline(tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "baseline.json"
    path.write_text(json.dumps({
        "scenario": {"overrides": ["fleet.size=400", "horizon_days=40", "seed=3"]},
        "tolerance": {"*": {"rel": 0.0, "abs": 1e-9}}, "kpis": {}}))
    assert check.main(["--baseline", str(path), "--update"]) == 0
    return path


def test_update_writes_the_scenario_kpis(small_baseline):
    data = json.loads(small_baseline.read_text())
    assert data["kpis"]["vehicle_days"] == 400 * 40
    assert data["scenario"]["overrides"][0] == "fleet.size=400"


def test_unchanged_model_passes_and_a_shifted_baseline_fails(small_baseline, tmp_path, capsys):
    assert check.main(["--baseline", str(small_baseline)]) == 0
    assert "OK" in capsys.readouterr().out
    tampered = tmp_path / "tampered.json"
    shutil.copy(small_baseline, tampered)
    data = json.loads(tampered.read_text())
    data["kpis"]["failures_total"] = data["kpis"]["failures_total"] * 1.5 + 1
    tampered.write_text(json.dumps(data))
    assert check.main(["--baseline", str(tampered)]) == check.EXIT_REGRESSION
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("failures_total "))
    assert line.split()[-1] == "REGRESSION"
    assert "failures_total" in out.splitlines()[-1]


def test_unreadable_baseline_exits_2(tmp_path, capsys):
    assert check.main(["--baseline", str(tmp_path / "nope.json")]) == check.EXIT_USAGE
    assert "nope.json" in capsys.readouterr().err


def test_a_kpi_missing_from_the_catalogue_fails_the_check(small_baseline, tmp_path,
                                                          monkeypatch, capsys):
    kpis = json.loads(small_baseline.read_text())["kpis"]
    monkeypatch.setattr(check, "run_scenario", lambda overrides: dict(kpis))
    assert check.main(["--baseline", str(small_baseline)]) == 0  # the same KPIs pass
    capsys.readouterr()
    monkeypatch.setattr(check, "run_scenario",
                        lambda overrides: dict(kpis, brand_new_kpi=1.0))
    assert check.main(["--baseline", str(small_baseline)]) == check.EXIT_REGRESSION
    out = capsys.readouterr().out
    assert "FAILED, 1 KPI(s) of the run not in the KPI catalogue: brand_new_kpi" in out
    assert "add them to the catalogue" in out
    row = next(x for x in out.splitlines() if x.startswith("brand_new_kpi "))
    assert row.split()[1] == "?" and row.split()[-1] == "new"
    copy = tmp_path / "copy.json"
    shutil.copy(small_baseline, copy)
    before = copy.read_text()
    assert check.main(["--baseline", str(copy), "--update"]) == check.EXIT_REGRESSION
    assert "brand_new_kpi" in capsys.readouterr().out
    assert copy.read_text() == before  # not written


def test_the_committed_baseline_has_only_catalogue_kpis():
    base = check.load_baseline(check.DEFAULT_BASELINE)
    rows = check.compare(base["kpis"], base["kpis"], base["tolerance"])
    assert len(rows) == 152 and all(r["better"] is not None for r in rows)

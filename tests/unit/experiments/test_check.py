"""fleetsim-check: direction-aware verdicts, catalogue tolerances, order, exit codes, --update."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from experiments import check, verdicts
from experiments.verdicts import compare

VD = {"vehicle_days": 720_000}   # 3000 vehicles x 240 days: 1971 vehicle-years


def _rows(baseline, now, tolerance=None, noise=None):
    return {r["kpi"]: r for r in compare({**VD, **baseline}, {**VD, **now}, tolerance, noise)}


def test_an_improvement_is_marked_as_an_improvement_and_passes():
    rows = _rows({"mean_wait_h": 50.0, "first_time_fix_rate": 0.80, "failures_total": 300},
                 {"mean_wait_h": 40.0, "first_time_fix_rate": 0.85, "failures_total": 200})
    assert [rows[k]["verdict"] for k in ("mean_wait_h", "first_time_fix_rate",
                                         "failures_total")] == ["IMPROVED"] * 3
    assert verdicts.failing(list(rows.values())) == []
    assert {r["kpi"] for r in verdicts.failing(list(rows.values()), strict=True)} == {
        "mean_wait_h", "first_time_fix_rate", "failures_total"}


def test_one_breakdown_more_or_less_is_within_tolerance():
    base = {"breakdowns": 5, "breakdowns_per_1000_vehicle_years": 5 / 1971.25 * 1000,
            "breakdowns_by_component_tires": 1}
    for delta in (-1, 1):
        now = {"breakdowns": 5 + delta,
               "breakdowns_per_1000_vehicle_years": (5 + delta) / 1971.25 * 1000,
               "breakdowns_by_component_tires": 1 + delta}
        rows = _rows(base, now)
        assert [rows[k]["verdict"] for k in base] == ["ok"] * 3
        assert rows["breakdowns"]["rule"] == "Poisson"


def test_a_real_regression_fails():
    rows = _rows({"breakdowns": 5, "failures_total": 300, "battery_soh_mean_end": 0.944,
                  "mean_wait_h": 50.0},
                 {"breakdowns": 20, "failures_total": 380, "battery_soh_mean_end": 0.933,
                  "mean_wait_h": 55.0})
    assert [rows[k]["verdict"] for k in ("breakdowns", "failures_total",
                                         "battery_soh_mean_end", "mean_wait_h")] == [
        "REGRESSION"] * 4
    # the 1.1-point drop of a fraction near 1 is judged in points, not relative (1.2 %)
    assert rows["battery_soh_mean_end"]["tolerance"] == pytest.approx(0.005)
    assert rows["battery_soh_mean_end"]["rel_change"] == pytest.approx(-0.011 / 0.944)


def test_poisson_band_is_the_exact_conditional_test():
    lo, hi = verdicts.poisson_band(5)
    assert (lo, hi) == (0, 18)   # binomtest(k, 5 + k, 0.5) p >= 0.01 for k in 0..18
    assert verdicts.poisson_same_rate(5, 18) and not verdicts.poisson_same_rate(5, 19)
    assert verdicts.poisson_same_rate(0, 0) and verdicts.poisson_band(0) == (0, 7)
    assert verdicts.poisson_band(300) == (240, 367)   # about 300 ± 2.6 sqrt(600)


def test_regressions_come_first_largest_relative_change_first():
    rows = compare({**VD, "mean_wait_h": 50.0, "p90_wait_h": 100.0, "first_time_fix_rate": 0.8,
                    "mobile_share": 0.5, "technician_utilization": 0.8, "zzz_gone": 1.0},
                   {**VD, "mean_wait_h": 60.0, "p90_wait_h": 150.0, "first_time_fix_rate": 0.9,
                    "mobile_share": 0.6, "technician_utilization": 0.8, "brand_new": 2.0})
    assert [(r["kpi"], r["verdict"]) for r in rows] == [
        ("p90_wait_h", "REGRESSION"), ("mean_wait_h", "REGRESSION"),
        ("mobile_share", "CHANGED"), ("zzz_gone", "missing"),
        ("first_time_fix_rate", "IMPROVED"), ("brand_new", "new"),
        ("technician_utilization", "ok"), ("vehicle_days", "ok")]
    table = check.format_table(rows).splitlines()
    assert table[0].split() == ["kpi", "better", "baseline", "now", "change", "rel",
                                "tolerance", "verdict"]
    assert table[2].split()[0] == "p90_wait_h" and "+50.0%" in table[2].split()


def test_replicated_noise_widens_the_band_and_a_set_tolerance_replaces_the_rule():
    base, now = {"rescue_within_target_rate": 1.0}, {"rescue_within_target_rate": 0.8}
    assert _rows(base, now)["rescue_within_target_rate"]["verdict"] == "REGRESSION"
    noisy = _rows(base, now, noise={"rescue_within_target_rate": 0.1})
    assert noisy["rescue_within_target_rate"]["verdict"] == "ok"
    assert noisy["rescue_within_target_rate"]["tolerance"] == pytest.approx(
        verdicts.Z * math.sqrt(2) * 0.1)
    # the spread over seeds of a KPI over many events is the fleet each seed draws, which a
    # rerun of the same seed keeps: it does not widen the band
    many = _rows({"first_time_fix_rate": 0.84, "breakdowns": 5},
                 {"first_time_fix_rate": 0.829, "breakdowns": 30},
                 noise={"first_time_fix_rate": 0.005, "breakdowns": 30.0})
    assert verdicts.effective_events("points", 0.84, 0.005) == pytest.approx(5376)
    assert many["first_time_fix_rate"]["verdict"] == "REGRESSION"
    assert many["first_time_fix_rate"]["tolerance"] == pytest.approx(0.005)
    assert many["breakdowns"]["verdict"] == "REGRESSION"   # counts: the Poisson test alone
    set_ = _rows({"mean_wait_h": 50.0}, {"mean_wait_h": 53.0},
                 tolerance={"mean_wait_h": {"abs": 0.25, "rel": 0.1}})
    assert set_["mean_wait_h"]["verdict"] == "ok"
    assert set_["mean_wait_h"]["tolerance"] == pytest.approx(5.25)


def test_run_size_must_match_and_nan_matches_only_nan():
    rows = _rows({"vehicles": 3000, "van_payback_months": math.nan, "csat_mobile": math.nan},
                 {"vehicles": 3001, "van_payback_months": math.nan, "csat_mobile": 0.9})
    assert rows["vehicles"]["verdict"] == "CHANGED"
    assert rows["van_payback_months"]["verdict"] == "ok"
    assert rows["csat_mobile"]["verdict"] == "CHANGED"


def test_better_column_comes_from_the_kpi_catalogue():
    kpis = {"mean_wait_h": 5.0, "first_time_fix_rate": 0.8, "technicians": 3,
            "failures_by_component_tires": 7, "mystery": 1.0}
    rows = compare(kpis, kpis, {})
    assert {r["kpi"]: r["better"] for r in rows} == {
        "mean_wait_h": "lower", "first_time_fix_rate": "higher", "technicians": "",
        "failures_by_component_tires": "lower", "mystery": None}
    table = {line.split()[0]: line.split()[1]
             for line in check.format_table(rows).splitlines()[2:]}
    assert table == {"mean_wait_h": "lower", "first_time_fix_rate": "higher",
                     "technicians": "-", "failures_by_component_tires": "lower", "mystery": "?"}


def test_another_checkout_than_the_imported_package_is_an_error(tmp_path, monkeypatch,
                                                                capsys):
    other = tmp_path / "other"
    (other / "sim").mkdir(parents=True)
    (other / "sim" / "__init__.py").write_text("")
    (other / "pyproject.toml").write_text('[project]\nname = "fleetsim"\n')
    (other / "reports").mkdir()
    monkeypatch.chdir(other / "reports")
    assert check.main(["--baseline", str(tmp_path / "unused.json")]) == check.EXIT_USAGE
    err = capsys.readouterr().err
    assert f"the fleetsim package imported is {check.package_root()}, not this checkout " \
           f"{other}" in err and f"PYTHONPATH={other}" in err
    monkeypatch.chdir(check.package_root())
    assert check.tree_mismatch(check.package_root(), check.package_root()) is None
    assert check.tree_mismatch(tmp_path, check.package_root()) is None   # not a checkout


@pytest.fixture(scope="module")
def small_baseline(tmp_path_factory):
    path = tmp_path_factory.mktemp("check") / "baseline.json"
    path.write_text(json.dumps({
        "scenario": {"overrides": ["fleet.size=400", "horizon_days=40", "seed=3"]},
        "tolerance": {}, "kpis": {}}))
    assert check.main(["--baseline", str(path), "--update", "--replications", "2"]) == 0
    return path


def test_update_writes_the_scenario_kpis_and_their_noise(small_baseline):
    data = json.loads(small_baseline.read_text())
    assert data["format"] == check.FORMAT
    assert data["kpis"]["vehicle_days"] == 400 * 40
    assert data["scenario"]["overrides"][0] == "fleet.size=400"
    reps = data["replications"]
    assert len(reps["seeds"]) == 2 and reps["sd"]["vehicle_days"] == 0.0
    assert reps["sd"]["failures_total"] > 0


def test_unchanged_model_passes_and_a_shifted_baseline_fails(small_baseline, tmp_path,
                                                              monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert check.main(["--baseline", str(small_baseline)]) == 0
    out = capsys.readouterr().out
    assert "fleetsim-check: OK" in out
    assert f"package  {check.package_root()}" in out
    assert f"baseline {small_baseline.resolve()} (2 replications" in out
    tampered = tmp_path / "tampered.json"
    shutil.copy(small_baseline, tampered)
    data = json.loads(tampered.read_text())
    assert data["kpis"]["failures_total"] >= 10
    data["kpis"]["failures_total"] = 0   # ten or more failures now: outside the Poisson band
    data["replications"]["sd"]["failures_total"] = 0.0
    tampered.write_text(json.dumps(data))
    assert check.main(["--baseline", str(tampered)]) == check.EXIT_REGRESSION
    out = capsys.readouterr().out
    table = out.split("\n\n")[0].splitlines()
    assert table[6].split()[0] == "failures_total" and table[6].split()[-1] == "REGRESSION"
    assert "failures_total (REGRESSION)" in out.splitlines()[-1]


def test_unreadable_baseline_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert check.main(["--baseline", str(tmp_path / "nope.json")]) == check.EXIT_USAGE
    assert "nope.json" in capsys.readouterr().err


def test_a_kpi_missing_from_the_catalogue_fails_the_check(small_baseline, tmp_path,
                                                          monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    kpis = json.loads(small_baseline.read_text())["kpis"]
    monkeypatch.setattr(check, "run_scenario", lambda overrides: dict(kpis))
    assert check.main(["--baseline", str(small_baseline)]) == 0  # the same KPIs pass
    capsys.readouterr()
    monkeypatch.setattr(check, "run_scenario",
                        lambda overrides: dict(kpis, brand_new_kpi=1.0))
    assert check.main(["--baseline", str(small_baseline)]) == check.EXIT_REGRESSION
    out = capsys.readouterr().out
    assert "FAILED, 1 KPI(s) of the run not in the KPI catalogue: brand_new_kpi" in out
    row = next(x for x in out.splitlines() if x.startswith("brand_new_kpi "))
    assert row.split()[1] == "?" and row.split()[-1] == "new"
    copy = tmp_path / "copy.json"
    shutil.copy(small_baseline, copy)
    before = copy.read_text()
    assert check.main(["--baseline", str(copy), "--update"]) == check.EXIT_REGRESSION
    assert "brand_new_kpi" in capsys.readouterr().out
    assert copy.read_text() == before  # not written


def test_strict_fails_an_improvement(small_baseline, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    data = json.loads(small_baseline.read_text())
    del data["replications"]   # the rule's 2 % band, not two replications' noise
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(data))
    better = dict(data["kpis"], mean_wait_h=data["kpis"]["mean_wait_h"] * 0.5)
    monkeypatch.setattr(check, "run_scenario", lambda overrides: dict(better))
    assert check.main(["--baseline", str(plain)]) == 0
    assert "improvements pass" in capsys.readouterr().out
    assert check.main(["--baseline", str(plain), "--strict"]) == check.EXIT_REGRESSION
    assert "mean_wait_h (IMPROVED)" in capsys.readouterr().out


def test_the_committed_baseline_has_only_catalogue_kpis():
    base = check.load_baseline(check.DEFAULT_BASELINE)
    rows = compare(base["kpis"], base["kpis"], base["tolerance"])
    assert len(rows) == len(base["kpis"]) and all(r["better"] is not None for r in rows)
    assert all(r["verdict"] == "ok" for r in rows)

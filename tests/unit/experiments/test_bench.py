"""``fleetsim-bench``: one JSON object on stdout, consistent numbers, clear argument errors."""

from __future__ import annotations

import json

import pytest

from experiments.bench import cli as bench

KEYS = {"vehicles", "days", "vehicle_days", "wall_s", "vehicle_days_per_s", "naive_vehicles",
        "naive_days", "naive_wall_s", "naive_vehicle_days_per_s", "speedup", "peak_rss_mb",
        "cpu_count", "python", "numpy", "overrides", "routing_s", "routing_share", "cpu_s",
        "peak_rss_children_mb"}


def run(capsys, *args: str) -> dict:
    assert bench.main(list(args)) == 0
    out = capsys.readouterr().out
    assert len(out.strip().splitlines()) == 1  # nothing else on stdout
    return json.loads(out)


def test_prints_one_consistent_json_record(capsys, tmp_path):
    target = tmp_path / "sub" / "bench.json"
    rec = run(capsys, "--vehicles", "300", "--days", "20", "--naive-vehicles", "100",
              "--seed", "4", "--out", str(target))
    assert set(rec) == KEYS
    assert rec["vehicle_days"] == 6000
    assert (rec["vehicles"], rec["days"]) == (300, 20)
    assert (rec["naive_vehicles"], rec["naive_days"]) == (100, 20)
    assert rec["vehicle_days_per_s"] == pytest.approx(6000 / rec["wall_s"], rel=1e-2)
    assert rec["naive_vehicle_days_per_s"] == pytest.approx(2000 / rec["naive_wall_s"],
                                                            rel=1e-2)
    assert rec["speedup"] == pytest.approx(
        rec["vehicle_days_per_s"] / rec["naive_vehicle_days_per_s"], rel=1e-3)
    # The routed van days plan once per region-day: part of the wall time, never more.
    assert 0.0 < rec["routing_s"] < rec["wall_s"]
    assert rec["routing_share"] == pytest.approx(rec["routing_s"] / rec["wall_s"], rel=1e-2)
    assert rec["peak_rss_mb"] > 10
    # One process on one core: its CPU time is near its wall time, never far above it.
    assert 0.0 < rec["cpu_s"] < 1.5 * rec["wall_s"] + 0.5
    assert json.loads(target.read_text()) == rec
    assert rec["overrides"] == []


def test_naive_fleet_defaults_to_at_most_5000_and_can_be_skipped(capsys):
    rec = run(capsys, "--vehicles", "50", "--days", "3")
    assert rec["naive_vehicles"] == 50
    rec = run(capsys, "--vehicles", "50", "--days", "3", "--no-naive")
    assert rec["speedup"] is None and rec["naive_wall_s"] is None
    assert rec["vehicle_days"] == 150


def test_overrides_reach_both_models(capsys, monkeypatch):
    seen = {}

    def fake_naive(cfg, vehicles, days, seed):
        seen["alerts"] = bool(cfg.alerts.enabled)
        seen["ota"] = bool(cfg.ota.enabled)
        return {}

    monkeypatch.setattr(bench, "run_naive", fake_naive)
    rec = run(capsys, "--vehicles", "60", "--days", "3", "--set", "alerts=none",
              "--set", "ota=none")
    assert rec["overrides"] == ["alerts=none", "ota=none"]
    assert seen == {"alerts": False, "ota": False}
    with_alerts = run(capsys, "--vehicles", "60", "--days", "3")
    assert with_alerts["overrides"] == [] and seen == {"alerts": True, "ota": True}


@pytest.mark.parametrize("args, word", [
    (["--vehicles", "10", "--days", "5", "--set", "alerts=bogus"], "alerts"),
    (["--vehicles", "0", "--days", "5"], "--vehicles"),
    (["--vehicles", "10", "--days", "-3"], "--days"),
    (["--vehicles", "ten", "--days", "5"], "not an integer"),
    (["--vehicles", "10", "--days", "5", "--naive-vehicles", "0"], "--naive-vehicles"),
])
def test_bad_arguments_exit_2_with_a_clear_message(capsys, args, word):
    with pytest.raises(SystemExit) as ex:
        bench.main(args)
    assert ex.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert word in captured.err


def test_replications_report_the_parallel_efficiency(capsys):
    rec = run(capsys, "--vehicles", "200", "--days", "10", "--replications", "2", "--seed", "3")
    runs = {r["n_jobs"]: r for r in rec["runs"]}
    assert 1 in runs and rec["replications"] == 2
    assert all(r["identical"] and r["tasks"] == 2 for r in runs.values())
    serial = runs[1]["wall_s"]
    for n, r in runs.items():
        assert r["speedup"] == pytest.approx(serial / r["wall_s"])
        assert r["efficiency"] == pytest.approx(r["speedup"] / n)
        assert r["start_s"] > 0 and r["cpu_s"] > 0 and r["other_cores"] >= 0
        assert 0 < r["occupancy"] <= 1.0 + 1e-9 and r["task_slowdown"] > 0

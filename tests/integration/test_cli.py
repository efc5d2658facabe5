"""``fleetsim`` end to end: exit code, output, result files, report rebuild; atomic writes."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

import sim
from reports.app import HEADLINE
from sim.dataset import read_daily, read_events
from sim.io import atomic_write, write_json
from sim.kpis.catalogue import format_value, kpi

# The results dataset (sim.dataset): events parts, the daily part, the manifest.
FILES = ("kpis.json", "run.json", "_SUCCESS", "events/src=fleet/part-00000.parquet",
         "daily/part-00000.parquet", "report.html")


@pytest.fixture(scope="module")
def run_dir(cli_run) -> Path:
    assert cli_run.proc.returncode == 0, cli_run.proc.stderr
    return cli_run.run_dir


@pytest.fixture(scope="module")
def kpis(run_dir) -> dict:
    return json.loads((run_dir / "kpis.json").read_text())


def test_exit_code_and_stdout(cli_run, run_dir, kpis):
    out = cli_run.proc.stdout
    assert "Traceback" not in cli_run.proc.stderr
    assert f"results: {run_dir}" in out
    assert f"{cli_run.vehicles:,} vehicles x {cli_run.days} days" in out
    lines = dict(line.strip().partition("  ")[::2] for line in out.splitlines()
                 if line.startswith("  "))
    lines = {label: value.strip() for label, value in lines.items()}
    assert lines["Vehicle-days"] == f"{cli_run.vehicles * cli_run.days:,}"
    assert lines["Breakdowns per 1,000 vehicle-years"] == (
        f"{kpis['breakdowns_per_1000_vehicle_years']:.2f}")
    assert lines["Component failures"] == f"{kpis['failures_total']:,}"
    assert lines["Mean wait"] == f"{kpis['mean_wait_h']:.2f} h"
    # every headline line: the catalogue's label and its formatting of the kpis.json value
    assert lines == {kpi(key).label: format_value(key, kpis.get(key)) for key in HEADLINE}


def test_result_files_exist_without_leftover_temp_files(run_dir):
    for name in FILES:
        assert (run_dir / name).is_file(), name
        assert (run_dir / name).stat().st_size > 0, name
    assert not list(run_dir.rglob(".*.tmp")), "temp files left in the run dir"
    assert not list(run_dir.rglob("*.tmp"))


def test_kpis_json_is_flat_numbers(kpis, cli_run):
    assert (cli_run.vehicles, cli_run.days) == (1500, 60)
    assert kpis["vehicle_days"] == 90_000
    assert kpis["vehicles"] == cli_run.vehicles and kpis["horizon_days"] == cli_run.days
    for name, value in kpis.items():
        assert value is None or isinstance(value, (int, float)), name


def test_run_json_records_the_run(run_dir, cli_run):
    run = json.loads((run_dir / "run.json").read_text())
    assert run["seed"] == sim.load_config([]).seed == run["config"]["seed"]
    assert run["wall_s"] > 0
    assert run["vehicle_days"] == cli_run.vehicles * cli_run.days
    assert run["vehicle_days_per_s"] == pytest.approx(run["vehicle_days"] / run["wall_s"],
                                                      rel=0.01)
    assert run["versions"]["numpy"] == np.__version__
    assert run["config"]["fleet"]["size"] == cli_run.vehicles
    assert f"fleet.size={cli_run.vehicles}" in run["overrides"]


def test_daily_table_has_one_row_per_day(run_dir, kpis, cli_run):
    daily = read_daily(run_dir)
    assert len(daily) == cli_run.days
    assert daily["day"].tolist() == list(range(cli_run.days))
    assert daily["failures"].sum() == kpis["failures_total"]
    assert daily["jobs_created"].sum() == kpis["service_jobs"]


def test_daily_table_is_consistent(run_dir, cli_run):
    daily = read_daily(run_dir)
    assert daily["day"].is_monotonic_increasing and daily["day"].iloc[0] == 0
    assert (daily["vehicles_on_road"] + daily["vehicles_down"] == cli_run.vehicles).all()
    comps = [c for c in daily.columns if c.startswith("failures_")]
    assert (daily[comps].sum(axis=1) == daily["failures"]).all()


def test_kpis_can_be_recomputed_from_events_alone(run_dir, kpis):
    ev = read_events(run_dir)
    fails = ev[ev["event"] == "failure"]
    assert kpis["failures_total"] > 0
    assert len(fails) == kpis["failures_total"]
    assert (fails["severity"] == "roadside").sum() == kpis["breakdowns"]
    for comp in ("battery", "brakes", "coolant", "tires", "aux12v"):
        assert (fails["component"] == comp).sum() == kpis[f"failures_by_component_{comp}"]
    jobs = ev[ev["job"] >= 0]
    created = jobs[jobs["event"] == "job_created"].set_index("job")["time_d"]
    # A job may have several visits: its wait runs to the first assignment.
    assigned = jobs[jobs["event"] == "job_assigned"].groupby("job")["time_d"].min()
    wait_h = (assigned - created.loc[assigned.index]) * 24.0
    assert len(created) == kpis["service_jobs"]
    assert abs(wait_h.mean() - kpis["mean_wait_h"]) <= 1e-9
    finished = jobs[(jobs["event"] == "job_finished")
                    & jobs["outcome"].isin(["fixed", "remote_fixed"])]
    assert len(finished) == kpis["service_jobs_finished"]
    assert finished["job"].is_unique


def test_report_can_be_rebuilt_from_the_run_dir(run_dir, tmp_path, fleetsim_cmd):
    target = tmp_path / "r2.html"
    proc = subprocess.run([*fleetsim_cmd("fleetsim-report"), str(run_dir), "--out",
                           str(target)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert target.is_file()
    assert '<img src="data:image/png;base64,' in target.read_text(encoding="utf-8")


# ---------------------------------------------------------------- atomic_write
def _boom(path: Path) -> None:
    path.write_text("partial")
    raise RuntimeError("disk full")


def test_atomic_write_failure_leaves_no_file(tmp_path):
    target = tmp_path / "kpis.json"
    with pytest.raises(RuntimeError, match="disk full"):
        atomic_write(target, _boom)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_failure_keeps_the_old_file(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        atomic_write(target, _boom)
    assert target.read_text() == "old"
    assert list(tmp_path.iterdir()) == [target]


def test_atomic_write_interrupt_leaves_no_temp_file(tmp_path):
    def interrupted(path: Path) -> None:
        path.write_text("partial")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "sub" / "daily.parquet", interrupted)
    assert list((tmp_path / "sub").iterdir()) == []


def test_atomic_write_success_replaces_content(tmp_path):
    target = tmp_path / "kpis.json"
    target.write_text("old")
    assert atomic_write(target, lambda p: p.write_text("new")) == target
    assert target.read_text() == "new"
    assert list(tmp_path.iterdir()) == [target]
    write_json(target, {"a": 1.5, "b": float("nan")})
    assert json.loads(target.read_text()) == {"a": 1.5, "b": None}


def test_atomic_write_respects_the_umask(tmp_path):
    umask = os.umask(0o022)
    try:
        plain = tmp_path / "plain.json"
        plain.write_text("x")
        target = atomic_write(tmp_path / "kpis.json", lambda p: p.write_text("x"))
    finally:
        os.umask(umask)
    assert (target.stat().st_mode & 0o777) == (plain.stat().st_mode & 0o777) == 0o644

"""``fleetsim`` experiments and Hydra multiruns (joblib launcher) merged into one comparison."""

from __future__ import annotations

import json
import subprocess

import pandas as pd
import pytest

from experiments import merge_multirun
from reports.cli import main as report_main
from reports.cli import path_kind
from reports.experiment import multirun_report

SMALL = ["fleet.size=200", "horizon_days=10", "output.report=false", "output.events=false",
         "output.daily=false", "output.fleet_state=false"]


def test_multirun_with_the_joblib_launcher_merges_into_a_paired_comparison(tmp_path,
                                                                            fleetsim_cmd):
    sweep = tmp_path / "sweep"
    cmd = [*fleetsim_cmd(), "-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2", *SMALL,
           "service.mobile.vans_per_10000_vehicles=1,300", "seed=1,2", f"hydra.sweep.dir={sweep}"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Joblib.Parallel" in proc.stderr + proc.stdout  # Hydra logs the launcher it used
    df = merge_multirun(sweep)
    assert len(df) == 4 and df.attrs["incomplete"] == []
    assert sorted(df["seed"]) == [1, 1, 2, 2]
    few = df[df.variant == "service.mobile.vans_per_10000_vehicles=1"]
    many = df[df.variant == "service.mobile.vans_per_10000_vehicles=300"]
    assert (many["technicians"].to_numpy() > few["technicians"].to_numpy()).all()
    for _, row in df.iterrows():  # each row is that point's kpis.json
        kpis = json.loads((sweep / row["point"] / "kpis.json").read_text())
        assert row["vehicle_days"] == kpis["vehicle_days"] == 2000
    report = multirun_report(sweep, headline={"technicians": "higher"})
    s = pd.read_parquet(sweep / "summary.parquet")
    row = s[(s.kpi == "technicians") & ~s.is_baseline].iloc[0]
    assert row["diff_n"] == 2
    assert row["diff_mean"] == pytest.approx(
        (many.sort_values("seed")["technicians"].to_numpy()
         - few.sort_values("seed")["technicians"].to_numpy()).mean())
    assert "technicians (higher is better): service.mobile.vans_per_10000_vehicles=300" in (
        report.read_text())
    # fleetsim-report on the sweep directory builds the same comparison.
    report.unlink()
    assert path_kind(sweep) == "multirun" and path_kind(sweep / "0") == "run"
    assert report_main([str(sweep)]) == 0
    assert "service.mobile.vans_per_10000_vehicles=300" in report.read_text()


def test_fleetsim_runs_a_named_experiment_and_resumes_it(tmp_path, fleetsim_cmd):
    out = tmp_path / "sizing"
    cmd = [*fleetsim_cmd(), "experiment=technician_fleet_sizing", "fleet.size=300",
           "horizon_days=20", "experiment.replications=2", f"hydra.run.dir={out}"]
    first = subprocess.run([*cmd, "experiment.n_jobs=1"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    assert "task/s" not in first.stderr  # no progress bar when stderr is not a terminal
    lines = first.stdout.splitlines()
    assert lines[0].startswith("fleetsim experiment technician_fleet_sizing: 5 variants x 2 "
                               "replications (10 tasks: 10 run, 0 reused)")
    assert lines[1].startswith("  mean_wait_h (lower is better): ")
    assert f"report:  {out / 'report.html'}" in first.stdout
    assert len(list((out / "kpis").glob("variant=*/replication=*.parquet"))) == 10
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["base_overrides"] == ["experiment=technician_fleet_sizing", "fleet.size=300",
                                      "horizon_days=20"]
    again = subprocess.run([*cmd, "experiment.n_jobs=2"], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "(10 tasks: 0 run, 10 reused)" in again.stdout
    # fleetsim-report on the experiment directory rebuilds its comparison report.
    (out / "report.html").unlink()
    assert path_kind(out) == "experiment" and report_main([str(out)]) == 0
    assert "technician_fleet_sizing" in (out / "report.html").read_text()


def test_fleetsim_experiment_variant_typo_exits_2_naming_the_variant(tmp_path, fleetsim_cmd):
    cmd = [*fleetsim_cmd(), "experiment=technician_fleet_sizing", "fleet.size=300",
           "horizon_days=20", "+experiment.variants.bad=['service.mobile.vanz=1']",
           f"hydra.run.dir={tmp_path / 'typo'}"]
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert proc.stderr.startswith("fleetsim: config error: variant 'bad': "
                                  "'service.mobile.vanz' is not a known config key")
    assert not (tmp_path / "typo" / "kpis").exists()

"""run_experiment end to end: common random numbers, n_jobs invariance, resume, interruption."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
import sim.engine
from experiments import StaleResultError, replication_seeds, run_experiment
from experiments.stats import kpi_columns
from reports.experiment import build_report

BASE = ["fleet.size=300", "horizon_days=30", "seed=11"]
VANS = "service.mobile.vans_per_10000_vehicles"
VARIANTS = {"few": [f"{VANS}=1"], "many": [f"{VANS}=300"], "noalerts": ["alerts=none"]}
REPS = 3
HEADLINE = {"technicians": "higher", "mean_wait_h": "lower"}


def _run(out: Path, **kw):
    args = {"baseline": "few", "headline": HEADLINE, "progress": False}
    return run_experiment(BASE, kw.pop("variants", VARIANTS), REPS, out, **{**args, **kw})


def _values(kpis: pd.DataFrame) -> pd.DataFrame:
    """Everything but the timing columns, in a fixed order."""
    cols = ["variant", "replication", "seed", "fingerprint", *kpi_columns(kpis)]
    return kpis[cols].sort_values(["variant", "replication"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("exp") / "serial"
    result = _run(out)
    build_report(out)  # the reports layer writes the comparison page from the files
    return result


def test_tasks_run_on_common_random_numbers(serial):
    k = serial.kpis
    assert len(k) == len(VARIANTS) * REPS
    seeds = replication_seeds(11, REPS)
    assert serial.seeds == seeds
    for v in VARIANTS:
        assert k[k.variant == v].sort_values("replication")["seed"].tolist() == seeds
    # Each variant's override reached its tasks: 300 vans per 10 000 vehicles is 9 vans.
    tech = k.groupby("variant")["technicians"].first()
    assert tech["many"] > tech["few"] == tech["noalerts"]
    assert k[k.variant == "noalerts"]["alerts"].eq(0).all()
    assert k[k.variant == "few"]["alerts"].sum() > 0


def test_a_task_equals_the_direct_run_of_its_overrides(serial):
    row = serial.kpis.query("variant == 'many' and replication == 1").iloc[0]
    cfg = sim.load_config([*BASE, *VARIANTS["many"], f"seed={row['seed']}",
                           "output.progress=false"])
    direct = sim.simulate(cfg).kpis
    for name, value in direct.items():
        stored = row[name]
        assert (pd.isna(stored) and value != value) or stored == pytest.approx(value), name


def test_results_are_identical_whatever_n_jobs(serial, tmp_path):
    parallel = _run(tmp_path / "par", n_jobs=2)
    pd.testing.assert_frame_equal(_values(parallel.kpis), _values(serial.kpis))
    pd.testing.assert_frame_equal(parallel.summary, serial.summary)


def test_summary_and_experiment_files(serial):
    out = serial.out_dir
    s = pd.read_parquet(out / "summary.parquet")
    pd.testing.assert_frame_equal(s, serial.summary)
    csv = pd.read_csv(out / "summary.csv")
    assert len(csv) == len(s) and list(csv.columns) == list(s.columns)
    row = s[(s.variant == "many") & (s.kpi == "technicians")].iloc[0]
    k = serial.kpis
    many, few = (k[k.variant == v].sort_values("replication") for v in ("many", "few"))
    assert row["n"] == REPS and row["mean"] == pytest.approx(many["technicians"].mean())
    d = many["technicians"].to_numpy() - few["technicians"].to_numpy()
    assert row["diff_mean"] == pytest.approx(d.mean()) and row["diff_n"] == REPS
    meta = json.loads((out / "experiment.json").read_text())
    assert meta["seeds"] == serial.seeds and meta["seed"] == 11
    assert meta["base_overrides"] == BASE and meta["variants"] == VARIANTS
    assert meta["tasks"] == {"total": 9, "run": 9, "reused": 0}
    assert meta["baseline"] == "few" and meta["wall_s"] > 0
    ds = pd.read_parquet(out / "kpis")
    assert len(ds) == 9 and set(ds["variant"].astype(str)) == set(VARIANTS)
    html = (out / "report.html").read_text()
    assert html.index("technicians (higher is better): many") < html.index('id="charts"')


def test_resume_after_lost_files_and_a_stray_temp_file(serial, tmp_path):
    out = tmp_path / "resume"
    shutil.copytree(serial.out_dir, out)
    kdir = out / "kpis"
    (kdir / "variant=many" / "replication=2.parquet").unlink()
    (kdir / "variant=few" / "replication=0.parquet").unlink()
    stray = kdir / "variant=few" / ".replication=0.parquet.k3j2.tmp"
    stray.write_bytes(b"PAR1 half a file")
    again = _run(out)
    assert again.meta["tasks"] == {"total": 9, "run": 2, "reused": 7}
    assert not stray.exists() and not list(kdir.rglob("*.tmp"))
    pd.testing.assert_frame_equal(_values(again.kpis), _values(serial.kpis))
    pd.testing.assert_frame_equal(again.summary, serial.summary)


def test_an_interrupted_run_keeps_finished_tasks_and_resumes(serial, tmp_path, monkeypatch):
    out = tmp_path / "interrupted"
    real = sim.engine.simulate
    calls = []

    def ctrl_c_on_the_fourth_task(cfg, progress=None):
        calls.append(1)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(cfg, progress)

    monkeypatch.setattr(sim.engine, "simulate", ctrl_c_on_the_fourth_task)
    with pytest.raises(KeyboardInterrupt):
        _run(out)
    monkeypatch.setattr(sim.engine, "simulate", real)
    files = sorted(p.relative_to(out).as_posix() for p in (out / "kpis").rglob("*"))
    assert [f for f in files if f.endswith(".parquet")] == [
        "kpis/variant=few/replication=0.parquet", "kpis/variant=many/replication=0.parquet",
        "kpis/variant=noalerts/replication=0.parquet"]
    assert not [f for f in files if f.endswith(".tmp")]
    assert not (out / "experiment.json").exists()
    done = _run(out)
    assert done.meta["tasks"] == {"total": 9, "run": 6, "reused": 3}
    pd.testing.assert_frame_equal(_values(done.kpis), _values(serial.kpis))


def test_a_changed_variant_is_not_silently_reused(serial, tmp_path):
    out = tmp_path / "stale"
    shutil.copytree(serial.out_dir, out)
    before = (out / "kpis" / "variant=many" / "replication=0.parquet").read_bytes()
    changed = {**VARIANTS, "many": [f"{VANS}=200"]}
    with pytest.raises(StaleResultError, match=r"variant=many/replication=0\.parquet holds"):
        _run(out, variants=changed)
    assert (out / "kpis" / "variant=many" / "replication=0.parquet").read_bytes() == before


def test_a_variant_typo_fails_before_any_task(tmp_path):
    out = tmp_path / "typo"
    with pytest.raises(sim.ConfigError, match=r"^variant 'bad': 'service.mobile.vanz'"):
        _run(out, variants={"ok": [], "bad": ["service.mobile.vanz=1"]}, baseline="ok")
    assert not out.exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_over_tasks_on_a_terminal_only(tmp_path, monkeypatch, capsys):
    one = {"few": VARIANTS["few"]}
    monkeypatch.setattr(sys, "stderr", _Terminal())
    _run(tmp_path / "tty", variants=one, progress=None)
    shown = sys.stderr.getvalue()
    assert "3/3" in shown and "task" in shown
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # not a terminal: hidden
    _run(tmp_path / "pipe", variants=one, progress=None)
    assert sys.stderr.getvalue() == ""
    monkeypatch.setattr(sys, "stderr", _Terminal())
    _run(tmp_path / "off", variants=one, progress=False)
    assert sys.stderr.getvalue() == ""

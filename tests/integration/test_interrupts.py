"""``fleetsim`` under faults (issue 16, item 5): Ctrl-C, a full disk, a run dir in use.

Each ends with one line on stderr, no traceback, and its own exit code.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports import app
from sim.io import LOCK_NAME, locked_dir

APP = [sys.executable, "-m", "reports.app"]


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    # A session of its own, so that SIGINT goes to the run and its workers as Ctrl-C
    # would; SIGINT at its default even when the test runner was started in the background.
    return subprocess.Popen([*APP, *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for(condition, proc: subprocess.Popen, timeout: float = 120.0) -> None:
    end = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "timed out"
        time.sleep(0.1)


def _ctrl_c(proc: subprocess.Popen) -> tuple[str, str]:
    os.killpg(proc.pid, signal.SIGINT)
    return proc.communicate(timeout=120)


def test_a_second_run_into_a_locked_dir_fails_at_once(tmp_path):
    run = tmp_path / "run"
    with locked_dir(run):
        t0 = time.monotonic()
        proc = subprocess.run([*APP, "fleet.size=50", "horizon_days=5", f"hydra.run.dir={run}"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=120)
        took = time.monotonic() - t0
    assert proc.returncode == app.EXIT_BUSY
    assert proc.stderr.splitlines() == [
        f"fleetsim: {run.resolve()} is being written by another fleetsim run (pid "
        f"{os.getpid()}); wait for it to finish or choose another hydra.run.dir"]
    assert not (run / ".hydra").exists() and not (run / "kpis.json").exists()
    assert took < 60
    # the lock goes with its holder: the same command now runs
    proc = subprocess.run([*APP, "fleet.size=50", "horizon_days=5", "output.report=false",
                           f"hydra.run.dir={run}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (run / "run.json").is_file() and (run / LOCK_NAME).is_file()


def test_ctrl_c_ends_a_run_with_one_line_and_exit_130(tmp_path):
    run = tmp_path / "run"
    proc = _start(["fleet.size=40000", "horizon_days=730", f"hydra.run.dir={run}"], tmp_path)
    _wait_for(lambda: (run / ".hydra" / "overrides.yaml").is_file(), proc)
    time.sleep(1.0)
    out, err = _ctrl_c(proc)
    assert proc.returncode == app.EXIT_INTERRUPTED, err
    assert err.splitlines() == [f"fleetsim: interrupted: the run in {run} did not finish; "
                                "rerun the same command to run it"]
    assert not (run / "run.json").exists()


def test_ctrl_c_ends_an_experiment_saying_how_many_tasks_it_kept(tmp_path):
    run = tmp_path / "exp"
    proc = _start(["fleet.size=3000", "horizon_days=150", "experiment.replications=6",
                   "experiment.n_jobs=2", f"hydra.run.dir={run}"], tmp_path)
    _wait_for(lambda: any((run / "kpis").rglob("*.parquet")), proc, timeout=300)
    out, err = _ctrl_c(proc)
    kept = len(list((run / "kpis").rglob("*.parquet")))
    assert proc.returncode == app.EXIT_INTERRUPTED, err
    assert 1 <= kept < 6
    assert err.splitlines() == [f"fleetsim: interrupted: {kept} of 6 tasks kept in {run}; "
                                "rerun the same command to resume"]   # no leaked-semaphore
    assert not (run / "experiment.json").exists()


PATCHED_DISK = """
import errno, sys
import pandas as pd
def full(self, *args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")
pd.DataFrame.to_parquet = full
import pyarrow.parquet as pq
pq.write_table = full
from reports.app import main
main(sys.argv[1:])
"""


def test_a_full_disk_ends_with_one_line_naming_the_file(tmp_path):
    run = tmp_path / "run"
    proc = subprocess.run([sys.executable, "-c", PATCHED_DISK, "fleet.size=50", "horizon_days=5",
                           f"hydra.run.dir={run}"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == app.EXIT_DISK_FULL
    assert proc.stderr.splitlines() == [
        f"fleetsim: disk full: no space left on the device writing "
        f"{run}/events/src=fleet/part-00000.parquet; "
        "free some space and rerun the same command"]
    assert not list(run.glob("*.tmp")) and not list(run.glob(".*.tmp"))


@pytest.mark.parametrize(("args", "expected"), [
    (["hydra.run.dir=out/a", "fleet.size=5"], Path("out/a")),
    (["++hydra.run.dir='out/b'"], Path("out/b")),
    (["-m", "hydra.run.dir=out/a"], None),
    (["--cfg", "job", "hydra.run.dir=out/a"], None),
    (["hydra.run.dir=outputs/${now:%H}"], None),
    (["fleet.size=5"], None),
])
def test_the_run_dir_locked_before_hydra_starts(args, expected):
    assert app.explicit_run_dir(args) == expected

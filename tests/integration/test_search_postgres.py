"""Two worker processes on one study in a real local PostgreSQL server.

The fixture starts Debian's ``postgresql`` server binaries (``.ci/run`` installs them)
in a temporary data directory, as the ``postgres`` user when run as root (initdb
refuses root), on a free port; the test is skipped, saying why, only where the
binaries or psycopg2 are missing.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import optuna
import pytest

HERE = Path(__file__).resolve().parents[1] / "unit" / "experiments"
TRIALS = 8


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return versions[-1] if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres_url():
    pytest.importorskip("psycopg2", reason="psycopg2 is not installed (pip install '.[test]')")
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries not found (Debian: apt-get install postgresql; "
                    ".ci/run installs them)")
    prefix: list[str] = []
    root = tempfile.mkdtemp(prefix="fleetsim-pg-")
    if os.geteuid() == 0:   # initdb refuses root: run the server as the postgres user
        try:
            import pwd
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run the server")
        os.chown(root, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(root, "data"), _free_port()
    run = subprocess.run([*prefix, initdb, "-D", data, "-A", "trust", "-U", "postgres"],
                         capture_output=True, text=True)
    if run.returncode:
        pytest.skip(f"initdb failed: {run.stderr.strip()[-300:]}")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    start = subprocess.run([*prefix, pg_ctl, "-D", data, "-o", opts, "-l",
                            os.path.join(root, "log"), "-w", "start"],
                           capture_output=True, text=True)
    if start.returncode:
        pytest.skip(f"the PostgreSQL server did not start: {start.stderr.strip()[-300:]}")
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, pg_ctl, "-D", data, "-m", "fast", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def test_two_workers_share_one_study(postgres_url, tmp_path):
    code = ("import sys; sys.path.insert(0, {here!r}); import test_search_engine as t; "
            "t.worker({url!r}, {out!r}, {trials})")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = []
    for i in range(2):
        cmd = code.format(here=str(HERE), url=postgres_url, out=str(tmp_path / f"w{i}"),
                          trials=TRIALS)
        procs.append(subprocess.Popen([sys.executable, "-c", cmd], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True))
        time.sleep(0.1)            # both start on an empty database: they race to create it
    results = [p.communicate(timeout=180) for p in procs]
    for p, (_, err) in zip(procs, results, strict=True):
        assert p.returncode == 0, err
    study = optuna.load_study(study_name="synthetic", storage=postgres_url)
    trials = study.get_trials()
    complete = [t for t in trials if t.state.name == "COMPLETE"]
    # both workers may ask for the last trial at once: the later number is marked over
    # budget, told FAIL and not evaluated, so exactly the budget is evaluated
    over = [t for t in trials if t.user_attrs.get("over_budget")]
    assert len(complete) == TRIALS and len(trials) == TRIALS + len(over) and len(over) <= 1
    assert all(t.state.name == "FAIL" and "result" not in t.user_attrs for t in over)
    assert [t.number for t in trials] == list(range(len(trials)))
    pids = {p.pid for p in procs}
    workers = {int(t.user_attrs["worker"].rpartition(":")[2]) for t in trials}
    assert workers == pids                                  # both did trials
    assert all(t.user_attrs["result"]["kpis"]["cost_per_job_mobile"] ==
               pytest.approx(t.params["service.mobile.vans_per_10000_vehicles"], abs=0.2)
               for t in complete)

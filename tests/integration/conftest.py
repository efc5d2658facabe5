"""Whole runs shared by the integration tests (each is simulated once per session)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.engine import Simulation, build, collect, run_clock


def fleetsim_command(name: str = "fleetsim") -> list[str]:
    """The installed console script, or the module behind it."""
    exe = shutil.which(name)
    if exe:
        return [exe]
    module = {"fleetsim": "sim.cli", "fleetsim-report": "reports.cli"}[name]
    return [sys.executable, "-m", module]


# ------------------------------------------------------------------ CLI run
CLI_VEHICLES, CLI_DAYS = 1500, 60


@dataclass
class CliRun:
    proc: subprocess.CompletedProcess
    run_dir: Path
    vehicles: int
    days: int


@pytest.fixture(scope="session")
def fleetsim_cmd():
    """``fleetsim_cmd(name)``: the argv prefix that runs a console script."""
    return fleetsim_command


@pytest.fixture(scope="session")
def cli_run(tmp_path_factory) -> CliRun:
    """``fleetsim fleet.size=1500 horizon_days=60`` into a fresh Hydra run dir."""
    base = tmp_path_factory.mktemp("cli")
    run_dir = base / "run"
    cmd = [*fleetsim_command(), f"fleet.size={CLI_VEHICLES}", f"horizon_days={CLI_DAYS}",
           f"hydra.run.dir={run_dir}"]
    proc = subprocess.run(cmd, cwd=base, capture_output=True, text=True, timeout=300)
    return CliRun(proc, run_dir, CLI_VEHICLES, CLI_DAYS)


# -------------------------------------------------------- service network run
SERVICE_OVERRIDES = [
    "fleet.size=3000", "horizon_days=200", "seed=4242", "output.progress=false",
    # A small, busy technician pool so jobs queue, wait for the shift and stay open at the end.
    "service.technicians_per_10000_vehicles=1.0",
    "service.repair.aux12v_h=8", "service.repair.tires_h=8", "service.repair.brakes_h=10",
    "fleet.age_min_years=2", "fleet.age_max_years=6",
]


@dataclass
class ServiceRun:
    cfg: object
    sim: Simulation
    events: pd.DataFrame
    kpis: dict
    repairs: list[dict] = field(default_factory=list)


@pytest.fixture(scope="session")
def service_run() -> ServiceRun:
    """A busy service network, run through the engine's own build + fleet clock.

    ``on_repair`` is wrapped so each repair's effect on the twin is recorded the
    moment the technician finishes.
    """
    cfg = sim.load_config(SERVICE_OVERRIDES)
    s = build(cfg)
    repairs: list[dict] = []
    original = s.service.on_repair

    def spy(vehicle: int, component: str, cause: str, severity: str) -> None:
        original(vehicle, component, cause, severity)
        twin, st = s.fleet.twins[component], s.fleet.state.twins[component]
        p = s.fleet.params[component]
        repairs.append({
            "time": s.env.now, "vehicle": vehicle, "component": component, "cause": cause,
            "faults": {c: bool(m[vehicle]) for c, m in twin.faults(st, p).items()},
            "health": float(twin.health(st, p)[vehicle]),
            "state": {k: v[vehicle].item() for k, v in st.items()},
            "open_job": bool(s.fleet.state.open_job[component][vehicle]),
        })

    s.service.on_repair = spy
    run_clock(s)
    res = collect(s, wall_s=1.0)
    return ServiceRun(cfg, s, res.events, res.kpis, repairs)


@pytest.fixture(scope="session")
def service_jobs(service_run) -> pd.DataFrame:
    """One row per job of ``service_run``: the time of each job event and who/what it is."""
    jobs = service_run.events[service_run.events["job"] >= 0]
    times = jobs.pivot_table(index="job", columns="event", values="time_d", aggfunc="first")
    first = jobs.groupby("job")[["vehicle", "component", "cause", "severity", "region"]].first()
    tech = jobs[jobs["event"] == "job_assigned"].groupby("job")["technician"].first()
    out = times.join(first).join(tech)
    out["technician"] = out["technician"].fillna(-1).astype(np.int64)
    return out

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
    module = {"fleetsim": "reports.app", "fleetsim-report": "reports.cli"}[name]
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
    "fleet.size=6000", "horizon_days=300", "seed=4242", "output.progress=false",
    # The on-demand network (a free technician takes the next waiting job) on fault demand
    # alone; the routed van day and the other demand have tests/integration/test_van_day.py.
    "service.dispatch=priority", "demand.enabled=false",
    # Triage that never errs: no wasted trip or rebooking (test_van_day.py has those).
    "service.triage.confusion.remote.mobile=0", "service.triage.confusion.remote.center=0",
    "service.triage.confusion.mobile.center=0", "service.triage.confusion.center.mobile=0",
    "service.triage.confusion.body.center=0",
    # An old fleet with many electrical faults, served by two vans per region (a junior and
    # a senior), so jobs queue, wait for the shift, revisit and escalate.
    "fleet.age_min_years=4", "fleet.age_max_years=8",
    "electrics.drivable_fault_rate_per_vehicle_year=0.6",
    "service.mobile.vans_per_10000_vehicles=8", "service.center.bays_per_10000_vehicles=6",
    # Many strandings (rescues, tows in the remote region) ...
    "electrics.roadside_fault_rate_per_vehicle_year=0.05",
    "tires.puncture_roadside_share=0.5",
    "software.roadside_fault_rate_per_vehicle_year=0.01",
    # ... and scarce parts, so jobs wait for deliveries.
    "service.parts.stock_per_1000_vehicles.aux12v_battery=1",
    "service.parts.stock_per_1000_vehicles.tire=2",
]
TERMINAL = ("fixed", "remote_fixed")
AFTERCARE = ("job_rated", "rating_reviewed", "tech_coached", "revisit_cause")


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

    The repair queue's ``apply`` is wrapped so each repair's effect on the twin
    is recorded when the clock applies it (``time``, a day boundary).
    """
    cfg = sim.load_config(SERVICE_OVERRIDES)
    s = build(cfg)
    repairs: list[dict] = []
    original = s.repairs.apply

    def spy() -> list:
        batches = original()
        for component, cause, severity, idx in batches:
            twin, st = s.fleet.twins[component], s.fleet.state.twins[component]
            p = s.fleet.params[component]
            faults = twin.faults(st, p)
            health = twin.health(st, p)
            for vehicle in idx.tolist():
                repairs.append({
                    "time": s.env.now, "vehicle": vehicle, "component": component,
                    "cause": cause, "severity": severity,
                    "faults": {c: bool(m[vehicle]) for c, m in faults.items()},
                    "health": float(health[vehicle]),
                    "state": {k: v[vehicle].item() for k, v in st.items()},
                    "open_job": bool(s.fleet.state.open_job[component][vehicle]),
                    "down": bool(s.fleet.state.down[vehicle]),
                })
        return batches

    s.repairs.apply = spy
    run_clock(s)
    res = collect(s, wall_s=1.0)
    return ServiceRun(cfg, s, res.events, res.kpis, repairs)


@pytest.fixture(scope="session")
def service_jobs(service_run) -> pd.DataFrame:
    """One row per job of ``service_run``.

    Columns: the first time of each job event (NaN if never reached), who/what
    the job is, its channel after triage (``remote`` if fixed remotely), its
    terminal outcome ("" while open), the number of visits and the technician
    of the first assignment (-1 if none).
    """
    ev = service_run.events
    jobs = ev[ev["job"] >= 0]
    times = jobs.pivot_table(index="job", columns="event", values="time_d", aggfunc="min")
    first = jobs.groupby("job")[["vehicle", "component", "cause", "severity", "region"]].first()
    out = times.join(first)
    chan = jobs[jobs["channel"] != ""].groupby("job")["channel"].first()
    out["channel"] = chan.reindex(out.index).fillna("").astype(str)
    fin = jobs[jobs["event"] == "job_finished"]
    end = fin[fin["outcome"].isin(TERMINAL)].groupby("job")  # one each: see the tests
    out["outcome"] = end["outcome"].first().reindex(out.index).fillna("").astype(str)
    out["fixed_at"] = end["time_d"].first().reindex(out.index)
    out["visits"] = fin[fin["outcome"].isin(["fixed", "revisit"])].groupby("job").size(
        ).reindex(out.index).fillna(0).astype(np.int64)
    tech = jobs[jobs["event"] == "job_assigned"].groupby("job")["technician"].first()
    out["technician"] = tech.reindex(out.index).fillna(-1).astype(np.int64)
    return out


# ------------------------------------------- views of the service run
VISIT_STAGES = ("job_assigned", "job_arrived", "job_started")


@pytest.fixture(scope="module")
def jobs(service_jobs) -> pd.DataFrame:
    return service_jobs


@pytest.fixture(scope="module")
def job_ev(service_run) -> pd.DataFrame:
    """The records of the jobs' lives: the owner's rating, its review and coaching (which
    may come after the job is closed) and the revisit causes are checked elsewhere
    (tests/integration/test_workforce_run.py, tests/unit/sim/test_quality.py)."""
    ev = service_run.events
    return ev[(ev["job"] >= 0) & ~ev["event"].isin(AFTERCARE)]


@pytest.fixture(scope="module")
def visits(job_ev) -> pd.DataFrame:
    """One row per (job, visit k): time and technician of each visit stage and its end."""
    parts = []
    fin = job_ev[(job_ev["event"] == "job_finished")
                 & job_ev["outcome"].isin(["fixed", "revisit"])]
    for name, rows in [*((s, job_ev[job_ev["event"] == s]) for s in VISIT_STAGES),
                       ("job_finished", fin)]:
        rows = rows.assign(k=rows.groupby("job").cumcount()).set_index(["job", "k"])
        cols = {"time_d": name, "technician": f"{name}_tech"}
        if name == "job_arrived":
            cols["due_d"] = "due_d"
        if name == "job_finished":
            cols["outcome"] = "outcome"
        parts.append(rows[list(cols)].rename(columns=cols))
    out = pd.concat(parts, axis=1).reset_index()
    first = job_ev.groupby("job")[["severity", "region", "vehicle"]].first()
    chan = job_ev[job_ev["channel"] != ""].groupby("job")["channel"].first()
    out = out.join(first, on="job").join(chan, on="job")
    out["tech"] = out["job_assigned_tech"].fillna(-1).astype(np.int64)
    return out.sort_values(["job", "k"]).reset_index(drop=True)

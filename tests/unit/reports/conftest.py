"""Synthetic run directories following the simulator's result-file contract.

The run: 50,000 vehicles for 30 days. Failures of four components (aux12v, tires,
brakes, software) with fixed severity counts; every non-silent failure opens a
service job whose wait is drawn at random. KPIs and the daily table are derived
from the events, so the files agree with each other as a real run's would.

The service network (the default) adds remote fixes, triage to a channel, return
visits, appointment windows and rescue targets (``channel`` / ``outcome`` /
``due_d`` columns and the service-quality KPIs); ``legacy=True`` writes the
schema of runs made before it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

VEHICLES = 50_000
DAYS = 30
ALL_COMPONENTS = ("aux12v", "battery", "brakes", "coolant", "software", "tires")
# component -> (roadside, drivable, silent) failure counts
SEVERITY_COUNTS = {
    "aux12v": (9, 60, 11),
    "tires": (6, 40, 4),
    "brakes": (1, 25, 4),
    "software": (0, 18, 0),
}
REPAIR_H = 2.0
UTILIZATION = 0.63
# Service network: which channel each component goes to after triage.
CHANNEL = {"aux12v": "mobile", "tires": "mobile", "brakes": "center", "software": "mobile"}
REMOTE_FIX_EVERY = 6  # 5 of every 6 software jobs are fixed remotely (seed 003: 85 %)
REVISIT_EVERY = 5  # every 5th visited job needs a return visit
LATE_EVERY = 7  # every 7th booked mobile visit arrives after its window
RESCUE_TARGET_H = 2.0
SERVICE_COST_TOTAL = 1_234_567.0
JOBS_PER_VAN_DAY = 3.4


@dataclass(frozen=True)
class SyntheticRun:
    """A written run directory and the values it was built from."""

    path: Path
    kpis: dict[str, float | None]
    waits_h: np.ndarray
    daily: pd.DataFrame
    events: pd.DataFrame


def _failure_events(rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for comp, counts in SEVERITY_COUNTS.items():
        for severity, n in zip(("roadside", "drivable", "silent"), counts, strict=True):
            for _ in range(n):
                rows.append((float(rng.uniform(0, DAYS - 0.5)), comp, severity))
    # Two jobs opened minutes before the end stay unassigned (right-censored waits).
    rows += [(DAYS - 0.01, "aux12v", "drivable"), (DAYS - 0.02, "tires", "drivable")]
    rows.sort()
    frame = pd.DataFrame(rows, columns=["time_d", "component", "severity"])
    frame["vehicle"] = rng.choice(VEHICLES, size=len(frame), replace=False)
    return frame


def _legacy_job(base: dict, row, job: int, rng: np.random.Generator, out: list) -> float | None:
    """Events of one job before the service network: one assignment, one visit."""
    out.append(base | {"time_d": row.time_d, "event": "job_created", "job": job})
    if row.time_d >= DAYS - 0.1:
        return None
    wait_h = float(rng.exponential(3.0))
    t = row.time_d + wait_h / 24
    tech = {"technician": job % 40}
    out.append(base | tech | {"time_d": t, "event": "job_assigned", "job": job})
    out.append(base | tech | {"time_d": t + 0.02, "event": "job_arrived", "job": job})
    out.append(base | tech | {"time_d": t + 0.03, "event": "job_started", "job": job})
    done = t + 0.03 + REPAIR_H / 24
    if done < DAYS:
        out.append(base | tech | {"time_d": done, "event": "job_finished", "job": job})
    return wait_h


def _service_job(base: dict, row, job: int, rng: np.random.Generator, out: list) -> float | None:
    """Events of one job in the service network: remote diagnosis, triage, visit(s)."""
    base = base | {"channel": "", "outcome": "", "due_d": math.nan}
    out.append(base | {"time_d": row.time_d, "event": "job_created", "job": job})
    if row.time_d >= DAYS - 0.1:
        return None  # still in remote diagnosis at the end
    if row.component == "software" and job % REMOTE_FIX_EVERY != 0:
        fix = {"channel": "remote", "outcome": "remote_fixed", "event": "job_finished"}
        out.append(base | fix | {"time_d": row.time_d + 0.025, "job": job})
        return None
    base = base | {"channel": CHANNEL[row.component]}
    out.append(base | {"time_d": row.time_d + 0.01, "event": "job_triaged", "job": job})
    rescue = row.severity == "roadside"
    if rescue and base["channel"] == "center":
        tow = {"job": job, "technician": 900}
        due = row.time_d + RESCUE_TARGET_H / 24
        out.append(base | tow | {"time_d": row.time_d + 0.02, "event": "tow_assigned"})
        out.append(base | tow | {"time_d": row.time_d + 0.05, "event": "tow_arrived", "due_d": due})
    wait_h = float(rng.exponential(3.0))
    t = row.time_d + wait_h / 24
    visits = 2 if job % REVISIT_EVERY == 1 else 1
    for visit in range(visits):
        tech = {"technician": job % 40, "job": job}
        arrive = t + 0.02
        if base["channel"] == "mobile":
            if rescue and visit == 0:
                due = row.time_d + RESCUE_TARGET_H / 24
            else:
                due = arrive - 0.01 if job % LATE_EVERY == 0 else arrive + 0.01
            out.append(base | tech | {"time_d": t, "event": "job_assigned"})
            out.append(base | tech | {"time_d": arrive, "event": "job_arrived", "due_d": due})
        else:  # the car arrives at the center, then a bay is assigned
            out.append(base | tech | {"time_d": t - 0.001, "event": "job_arrived"})
            out.append(base | tech | {"time_d": t, "event": "job_assigned"})
        out.append(base | tech | {"time_d": arrive + 0.01, "event": "job_started"})
        done = arrive + 0.01 + REPAIR_H / 24
        if done >= DAYS:
            break
        outcome = "fixed" if visit == visits - 1 else "revisit"
        out.append(base | tech | {"time_d": done, "event": "job_finished", "outcome": outcome})
        t = done + 0.5  # the return visit is booked for later
    return wait_h


def _event_log(
    failures: pd.DataFrame, rng: np.random.Generator, legacy: bool
) -> tuple[pd.DataFrame, list]:
    records: list[dict] = []
    waits, job = [], 0
    make_job = _legacy_job if legacy else _service_job
    for row in failures.itertuples(index=False):
        base = {"vehicle": int(row.vehicle), "component": row.component, "cause": "wear"}
        base |= {"severity": row.severity, "region": "city", "technician": -1}
        failure = base | {"time_d": row.time_d, "event": "failure", "job": -1}
        records.append(failure if legacy else failure | {"channel": "", "outcome": ""})
        if row.severity == "silent":
            continue
        wait_h = make_job(base, row, job, rng, records)
        if wait_h is not None:
            waits.append(wait_h)
        job += 1
    events = pd.DataFrame(records).sort_values("time_d", kind="stable").reset_index(drop=True)
    columns = ["time_d", "event", "vehicle", "component", "cause", "severity"]
    columns += ["job", "region", "technician"]
    if not legacy:
        columns += ["channel", "outcome", "due_d"]
    events = events[columns]
    return events.astype({"vehicle": "int64", "job": "int64", "technician": "int64"}), waits


def _daily(events: pd.DataFrame) -> pd.DataFrame:
    day = np.arange(DAYS, dtype="int64")
    daily = pd.DataFrame({"day": day})
    ev_day = np.floor(events["time_d"]).astype("int64")

    def per_day(mask: pd.Series) -> np.ndarray:
        return np.bincount(ev_day[mask], minlength=DAYS)[:DAYS].astype("int64")

    fail = events["event"] == "failure"
    for i, comp in enumerate(ALL_COMPONENTS):
        daily[f"health_{comp}_mean"] = 0.95 - (0.002 + 0.001 * i) * day
        daily[f"failures_{comp}"] = per_day(fail & (events["component"] == comp))
    daily["failures"] = per_day(fail)
    daily["breakdowns"] = per_day(fail & (events["severity"] == "roadside"))
    daily["jobs_created"] = per_day(events["event"] == "job_created")
    final = ~events.get("outcome", pd.Series("", index=events.index)).eq("revisit")
    daily["jobs_finished"] = per_day((events["event"] == "job_finished") & final)
    daily["jobs_open"] = (daily["jobs_created"].cumsum() - daily["jobs_finished"].cumsum()).astype(
        "int64"
    )
    daily["technicians_busy"] = (day % 3).astype("int64")
    daily["vehicles_down"] = np.minimum(daily["jobs_open"], 5).astype("int64")
    daily["vehicles_on_road"] = (VEHICLES - daily["vehicles_down"]).astype("int64")
    daily["km_mean"] = 33.0 + np.sin(day / 5)
    daily["temperature_mean_c"] = 12.0 + day * 0.1
    daily["battery_soh_mean"] = 0.95 - 0.02 * day / 365
    daily["battery_soh_p05"] = daily["battery_soh_mean"] - 0.04
    return daily


def _kpis(events: pd.DataFrame, daily: pd.DataFrame, waits: Sequence[float]) -> dict:
    fail = events[events["event"] == "failure"]
    vehicle_days = VEHICLES * DAYS
    kpis: dict[str, float | None] = {
        "vehicles": VEHICLES,
        "horizon_days": DAYS,
        "vehicle_days": vehicle_days,
        "breakdowns": int((fail["severity"] == "roadside").sum()),
        "failures_total": len(fail),
    }
    kpis["breakdowns_per_1000_vehicle_years"] = kpis["breakdowns"] / vehicle_days * 365_000
    for comp in ALL_COMPONENTS:
        mine = fail[fail["component"] == comp]
        kpis[f"failures_by_component_{comp}"] = len(mine)
        kpis[f"breakdowns_by_component_{comp}"] = int((mine["severity"] == "roadside").sum())
    jobs = int((events["event"] == "job_created").sum())
    done = events["event"] == "job_finished"
    if "outcome" in events.columns:
        done &= events["outcome"] != "revisit"
    finished = int(done.sum())
    kpis |= {
        "service_jobs": jobs,
        "service_jobs_finished": finished,
        "service_jobs_open_end": jobs - finished,
        "mean_wait_h": float(np.mean(waits)),
        "p90_wait_h": float(np.percentile(waits, 90)),
        "mean_repair_h": REPAIR_H,
        "technician_utilization": UTILIZATION,
        "technicians": 40,
        "battery_soh_mean_end": float(daily["battery_soh_mean"].iloc[-1]),
        "battery_soh_p05_end": float(daily["battery_soh_p05"].iloc[-1]),
        "vehicles_down_end": int(daily["vehicles_down"].iloc[-1]),
        "km_per_vehicle_year": float(daily["km_mean"].mean() * 365),
    }
    if "channel" in events.columns:
        kpis |= _service_kpis(events, vehicle_days / 365)
    return kpis


def _service_kpis(events: pd.DataFrame, vehicle_years: float) -> dict:
    """The service-quality KPIs, computed as the simulator defines them."""
    ev = events[events["job"] >= 0]
    fin = ev[ev["event"] == "job_finished"]
    triaged = ev[ev["event"] == "job_triaged"]
    revisit_jobs = set(fin.loc[fin["outcome"] == "revisit", "job"])
    fixed_jobs = list(fin.loc[fin["outcome"] == "fixed", "job"])
    arrived = ev[ev["event"] == "job_arrived"].dropna(subset=["due_d"])
    booked = arrived[(arrived["channel"] == "mobile") & (arrived["severity"] != "roadside")]
    helps = ev[ev["event"].isin(["job_arrived", "tow_arrived"])].dropna(subset=["due_d"])
    road = helps[helps["severity"] == "roadside"].groupby("job").first()
    road_jobs = ev.loc[(ev["event"] == "job_created") & (ev["severity"] == "roadside"), "job"]
    return {
        "remote_resolution_rate": float((fin["outcome"] == "remote_fixed").sum())
        / int((ev["event"] == "job_created").sum()),
        "mobile_share": float((triaged["channel"] == "mobile").mean()),
        "first_time_fix_rate": sum(j not in revisit_jobs for j in fixed_jobs) / len(fixed_jobs),
        "revisits": len(revisit_jobs),
        "on_time_arrival_rate": float((booked["time_d"] <= booked["due_d"]).mean()),
        "rescue_within_target_rate": float((road["time_d"] <= road["due_d"]).sum())
        / road_jobs.nunique(),
        "mean_response_h": 1.5,
        "tows": int((ev["event"] == "tow_assigned").sum()),
        "parts_stockouts": 4,
        "service_cost_total": SERVICE_COST_TOTAL,
        "service_cost_per_vehicle_year": SERVICE_COST_TOTAL / vehicle_years,
        "jobs_per_technician_day": JOBS_PER_VAN_DAY,
    }


def _run_json() -> dict:
    return {
        "seed": 7,
        "started_at": "2025-03-01T09:30:00+00:00",
        "wall_s": 1.25,
        "vehicle_days": VEHICLES * DAYS,
        "vehicle_days_per_s": VEHICLES * DAYS / 1.25,
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "versions": {"fleetsim": "0.1.0", "numpy": np.__version__, "pandas": pd.__version__},
        "overrides": ["fleet.vehicles=50000", "horizon_days=30"],
        "config": {"seed": 7, "fleet": {"vehicles": VEHICLES}, "service": {"technicians": 40}},
    }


def write_run(
    root: Path,
    *,
    kpi_overrides: Mapping[str, float | None] | None = None,
    drop_daily_columns: Sequence[str] = (),
    omit_files: Sequence[str] = (),
    run_overrides: Mapping[str, object] | None = None,
    legacy: bool = False,
) -> SyntheticRun:
    """Write a synthetic run directory under ``root`` and return what went into it.

    ``legacy=True`` writes the schema of runs made before the service network: no
    channel / outcome / due_d columns, no service-quality KPIs, one visit per job.
    """
    rng = np.random.default_rng(20250301)
    events, waits = _event_log(_failure_events(rng), rng, legacy)
    daily = _daily(events)
    kpis = _kpis(events, daily, waits) | dict(kpi_overrides or {})
    daily = daily.drop(columns=list(drop_daily_columns))
    root.mkdir(parents=True, exist_ok=True)
    if "kpis.json" not in omit_files:
        # allow_nan=False: the simulator writes undefined values as JSON null.
        clean = {k: (None if v is None or math.isnan(v) else v) for k, v in kpis.items()}
        (root / "kpis.json").write_text(json.dumps(clean, indent=2, allow_nan=False))
    if "run.json" not in omit_files:
        (root / "run.json").write_text(json.dumps(_run_json() | dict(run_overrides or {})))
    if "daily.parquet" not in omit_files:
        daily.to_parquet(root / "daily.parquet", index=False)
    if "events.parquet" not in omit_files:
        events.to_parquet(root / "events.parquet", index=False)
    return SyntheticRun(root, kpis, np.asarray(waits), daily, events)


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., SyntheticRun]:
    """Factory: ``make_run(name="run", **options)`` writes a run dir under tmp_path."""

    def factory(name: str = "run", **options: object) -> SyntheticRun:
        return write_run(tmp_path / name, **options)

    return factory


@pytest.fixture
def run(make_run: Callable[..., SyntheticRun]) -> SyntheticRun:
    """A complete synthetic run directory."""
    return make_run()


@pytest.fixture(scope="module")
def shared_run(tmp_path_factory: pytest.TempPathFactory) -> SyntheticRun:
    """The same run as ``run``, written once per module, for tests that only read it."""
    return write_run(tmp_path_factory.mktemp("shared") / "run")

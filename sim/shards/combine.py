"""The regions' outputs of a sharded run combined into one run's result.

Vehicle ids become fleet ids (region offset + local id), job and technician ids are
shifted the same way (each region's count of ids before it), so every id is dense and
unique: the shifts go to the run's dataset manifest, its reader applies them. The event
table is the coordinator's OTA decisions, then each region's events in region order,
sorted stably by time (:func:`sim.dataset.read_events`). The daily table sums the regions'
counts; means are fleet-weighted (a workforce's tenure: weighted by active technicians)
and the SOH p05 is the 5th percentile of the regions' pooled daily samples. The KPIs are
computed once on the combined tables by :func:`sim.kpis.compute.compute_kpis` and
:func:`sim.kpis.regions.region_kpis`, as for a single run.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig

from sim.collector import daily_frame
from sim.dataset import read_events, source, write_daily, write_manifest
from sim.fleet import Fleet, state_frame, twin_params
from sim.kpis.compute import KPI_EVENTS_FILTER, compute_kpis
from sim.kpis.regions import region_kpis
from sim.prognostics import prognostics_results
from sim.result import RunResult, run_metadata
from sim.service import service_config_object
from sim.service.kpis import ServiceCapacity
from sim.shards.region import RegionOutput
from twins import TWINS, FleetState

#: The source of the coordinator's OTA decisions in the run's dataset (first in its order).
SERVER = "ota_server"


def event_sources(decisions: list[dict], outs: list[RegionOutput],
                  offsets: np.ndarray) -> list[dict]:
    """The dataset's sources in fleet order: the decisions, then the regions with their
    id shifts (see module)."""
    sources = [source(SERVER, decisions)]
    jobs = ids = 0
    for r, o in enumerate(outs):
        sources.append(source(o.name, o.parts, {"vehicle": int(offsets[r]), "job": jobs,
                                                "technician": ids}))
        jobs += o.n_jobs
        ids += o.n_ids
    return sources


def combine_rows(outs: list[RegionOutput], reported: dict[int, dict[str, float]]) -> list[dict]:
    """The fleet's daily rows (see module); ``reported``: the server's columns per day."""
    frames = [pd.DataFrame(o.rows) for o in outs]
    days = len(frames[0])
    n = np.array([o.state.n for o in outs], float)[:, None]
    cols = list(dict.fromkeys(c for f in frames for c in f.columns))
    out: dict[str, np.ndarray] = {}
    for c in cols:
        m = np.stack([f[c].to_numpy(float) if c in f else np.full(days, np.nan) for f in frames])
        ok = ~np.isnan(m)
        vals = np.where(ok, m, 0.0)
        if c == "day":
            col = m[0]
        elif c == "battery_soh_p05":
            col = np.array([_p05(np.concatenate([o.soh_samples[i] for o in outs]))
                            for i in range(days)])
        elif c.endswith(("_mean", "_mean_c")):
            w = (np.stack([f["technicians_active"].to_numpy(float) for f in frames])
                 if c == "technician_tenure_days_mean" else np.broadcast_to(n, m.shape))
            w = np.where(ok, w, 0.0)
            tot = w.sum(axis=0)
            k = np.maximum(ok.sum(axis=0), 1)
            col = np.where(tot > 0, (vals * w).sum(axis=0) / np.where(tot > 0, tot, 1.0),
                           vals.sum(axis=0) / k)
        else:
            col = vals.sum(axis=0)
        col = np.where(ok.any(axis=0), col, np.nan) if c != "day" else col
        out[c] = col
    rows = []
    for i in range(days):
        row = {c: float(out[c][i]) for c in cols}
        row["day"] = int(out["day"][i])
        row.update(reported.get(row["day"], {}))
        rows.append(row)
    return rows


def _p05(x: np.ndarray) -> float:
    k = int(0.05 * (len(x) - 1))
    return float(np.partition(x, k)[k])


def combine_state(outs: list[RegionOutput]) -> FleetState:
    """The regions' fleet states, concatenated in region order (region codes: region order)."""
    states = [o.state for o in outs]
    attrs = {k: np.concatenate([s.attrs[k] for s in states]) for k in states[0].attrs}
    attrs["region"] = np.concatenate([np.full(s.n, r, states[0].attrs["region"].dtype)
                                      for r, s in enumerate(states)])
    st = FleetState(n=sum(s.n for s in states), attrs=attrs)
    for name in states[0].twins:
        st.add_twin(name, {k: np.concatenate([s.twins[name][k] for s in states])
                           for k in states[0].twins[name]})
        st.open_job[name] = np.concatenate([s.open_job[name] for s in states])
    st.down = np.concatenate([s.down for s in states])
    st.strand_count = np.concatenate([s.strand_count for s in states])
    return st


def _prognostics(outs: list[RegionOutput]) -> Any:
    """A stand-in for the prognostics loop with every region's vehicles (for its scoring)."""
    parts = [o.prognostics for o in outs]
    if parts[0] is None:
        return None
    targets = {}
    for name, t in parts[0]["targets"].items():
        ts = [p["targets"][name] for p in parts]
        snaps = np.concatenate([x["snaps"] for x in ts], axis=1)
        targets[name] = SimpleNamespace(
            cfg=t["cfg"], snaps=list(snaps), cross=np.concatenate([x["cross"] for x in ts]),
            start=np.concatenate([x["start"] for x in ts]),
            first_alert=np.concatenate([x["first_alert"] for x in ts]),
            alerts=sum(x["alerts"] for x in ts), accepted=sum(x["accepted"] for x in ts))
    return SimpleNamespace(cfg=parts[0]["cfg"], snap_days=parts[0]["snap_days"], targets=targets)


def combine(cfg: DictConfig, outs: list[RegionOutput], offsets: np.ndarray,
            decisions: list[dict], reported: dict[int, dict[str, float]], ota_cfg: Any,
            wall_s: float, root: Path) -> RunResult:
    """The run's result from its regions' outputs (see module); the dataset at ``root``
    (``decisions``: the coordinator's parts) is marked complete."""
    horizon = int(cfg.horizon_days)
    sources = event_sources(decisions, outs, offsets)
    events = read_events(root, filters=KPI_EVENTS_FILTER, sources=sources)
    daily = daily_frame(combine_rows(outs, reported), events)
    names = list(cfg.fleet.regions.keys())
    fleet = Fleet(combine_state(outs), None, twin_params(cfg), dict(TWINS), names,
                  list(cfg.fleet.profiles.keys()), list(cfg.fleet.hw_configs.keys()),
                  list(cfg.fleet.cohorts.keys()))
    svc = service_config_object(cfg.service)
    caps = [o.capacity for o in outs]
    poisson = caps[0]["poisson"]
    staffed = [c["staffed_van_days"] for c in caps]
    capacity = ServiceCapacity(
        vans=sum(c["vans"] for c in caps), shift_h_per_day=caps[0]["shift_h_per_day"],
        working_days=caps[0]["working_days"], horizon_days=horizon, costs=svc.costs,
        expert_desk_min_per_day=sum(c["expert_desk_min_per_day"] for c in caps),
        expert_answer_min=caps[0]["expert_answer_min"], bays=sum(c["bays"] for c in caps),
        economics=None if poisson else svc.economics,
        staffed_van_days=None if staffed[0] is None else float(sum(staffed)),
        trainee_cost=float(svc.workforce.academy.cost_per_trainee))
    kpis = compute_kpis(events, daily, fleet, capacity, horizon, cfg.alerts, ota_cfg)
    prog_kpis, prog_table = prognostics_results(_prognostics(outs))
    kpis |= prog_kpis
    by_region = {} if poisson else region_kpis(
        events, fleet.state.attrs["region"], names, [c["tier"] for c in caps], capacity,
        [c["region_vans"][0] for c in caps], [c["region_bays"][0] for c in caps], horizon)
    meta = run_metadata(cfg, wall_s, kpis["vehicle_days"])
    if prog_table:
        meta["prognostics"] = prog_table
    meta["routing_wall_s"] = round(sum(o.routing_wall_s for o in outs), 6)
    sample = next((o.van_day_sample for o in outs if o.van_day_sample), {})
    if sample:
        meta["van_day_sample"] = sample
    write_manifest(root, sources, write_daily(root, daily), int(cfg.seed), fleet.state.n,
                   horizon)
    return RunResult(kpis=kpis, daily=daily, config=cfg, kpis_by_region=by_region, meta=meta,
                     fleet_state=state_frame(fleet, horizon), dataset=root)

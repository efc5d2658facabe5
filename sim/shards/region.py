"""One service region's sub-simulation in a sharded run, stepped one day at a time.

:class:`RegionSim` builds the region with :func:`sim.engine.build` (its own simpy
environment, fleet, service network, alerts, demand, collector), its streams keyed by
(seed, region name) and its OTA campaigns' vehicle side (:class:`RegionOta`). The fleet
clock waits at the start of each day for the coordinator's go (:class:`LockStep`);
:meth:`RegionSim.step` gives it, with the day's OTA orders, and runs the region until
the day's row is recorded. :meth:`RegionSim.finish` returns the region's raw outputs
(:class:`RegionOutput`, plain arrays and lists: picklable for a worker process); its
events it streams to the run's dataset as it goes (:mod:`sim.dataset`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from omegaconf import DictConfig

from sim.dataset import SourceWriter
from sim.engine import build, fleet_clock, mark_sample_day, van_day_sample
from sim.rng import Streams
from sim.shards.ota_region import region_ota
from twins import FleetState


class RegionFailed(RuntimeError):
    """A region's day raised; the message names the region and the day."""


#: Fault injection for the recovery tests: ``<region>:<day>:raise|exit[:<marker file>]``
#: makes that region raise (or its process exit) at the start of that day, once if a
#: marker file is named (it is created first: a retry then runs through).
FAULT_ENV = "FLEETSIM_FAULT"


def _fault(name: str, day: int) -> None:
    spec = os.environ.get(FAULT_ENV, "")
    if not spec:
        return
    region, at, kind, *marker = spec.split(":", 3)
    if region != name or int(at) != day:
        return
    if marker:
        if Path(marker[0]).exists():
            return
        Path(marker[0]).touch()
    if kind == "exit":
        os._exit(70)
    raise RuntimeError(f"fault injected by {FAULT_ENV}")


class LockStep:
    """The gate the fleet clock waits at each morning, and the event that ends its day."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self.gate = env.event()
        self.done = env.event()

    def go(self) -> simpy.Event:
        """Open today's gate; returns the event that ends the day (run the env until it)."""
        self.done = self.env.event()
        self.gate.succeed()
        return self.done

    def day_over(self) -> None:
        """Called by the clock after the day's row: a fresh gate for tomorrow, and stop."""
        self.gate = self.env.event()
        self.done.succeed()


@dataclass
class RegionOutput:
    """What a region hands back after the horizon (its own numbering for vehicles, jobs and
    technician ids; :mod:`sim.shards.combine` shifts them)."""

    name: str
    parts: list[dict]     # the region's event parts in the run's dataset (sim.dataset)
    rows: list[dict]
    soh_samples: list[np.ndarray]
    state: FleetState
    n_ids: int            # technician ids used (vans, bays, tow trucks, hires)
    n_jobs: int
    capacity: dict[str, Any]
    prognostics: dict | None = None
    routing_wall_s: float = 0.0
    van_day_sample: dict = field(default_factory=dict)


class RegionSim:
    """One region's sub-simulation (see module).

    Args:
        cfg: the region's config (:func:`sim.shards.plan.region_config`).
        index: the region's code among ``names`` (the fleet's regions in order).
        names: the fleet's region names.
        sizing: the vans and bays per region (``{"vans": {name: k}, "bays": ...}``) or None.
        root: the run's dataset directory: the region streams its events there.
    """

    def __init__(self, cfg: DictConfig, index: int, names: list[str],
                 sizing: dict | None = None, root: str | Path | None = None) -> None:
        self.name = names[index]
        streams = Streams(int(cfg.seed)).region(self.name)
        sub = None if sizing is None else {k: {self.name: v[self.name]} for k, v in
                                           sizing.items() if k in ("vans", "bays")}
        self.sim = build(cfg, sub, streams, region_ota(index, names))
        self.sim.lockstep = LockStep(self.sim.env)
        self.sim.sink = None if root is None else SourceWriter(root, self.name)
        mark_sample_day(self.sim)
        self.sim.env.process(fleet_clock(self.sim, False))
        self.soh_samples: list[np.ndarray] = []

    @property
    def campaigns(self) -> Any:
        return self.sim.ota.campaigns if self.sim.ota is not None else None

    def inventory(self) -> dict[str, np.ndarray]:
        """The server's inventory of this region's vehicles (static codes)."""
        a = self.sim.fleet.state.attrs
        return {"hw_config": np.asarray(a["hw_config"]), "cohort": np.asarray(a["cohort"])}

    def step(self, day: int, orders: dict | None) -> dict:
        """Run ``day`` with the server's ``orders``; returns the command counts and the
        reports that reach the server tomorrow."""
        c = self.campaigns
        if c is not None:
            c.orders = orders or {}
        try:
            _fault(self.name, day)
            self.sim.env.run(until=self.sim.lockstep.go())
        except Exception as ex:
            raise RegionFailed(f"region {self.name} failed on day {day}: "
                               f"{type(ex).__name__}: {ex}") from ex
        self.soh_samples.append(np.array(self.sim.collector.soh_sample, np.float64))
        if c is None:
            return {"applied": [], "reports": {}}
        return {"applied": list(c.applied), "reports": c.arrivals(day + 1)}

    def finish(self) -> RegionOutput:
        """The region's outputs after the horizon."""
        sim = self.sim
        sim.repairs.apply()
        horizon = int(sim.cfg.horizon_days)
        svc = sim.service
        desk = svc.experts
        capacity = {"vans": svc.technicians, "shift_h_per_day": svc.shift.hours_per_day,
                    "working_days": svc.shift.working_days(horizon),
                    "expert_desk_min_per_day": desk.minutes_per_day if desk else 0.0,
                    "expert_answer_min": float(desk.cfg.answer_min) if desk else 0.0,
                    "bays": sum(f.size for f in svc.facilities["center"]),
                    "staffed_van_days": (float(svc.workforce.staffed_van_days)
                                         if svc.workforce is not None else None),
                    "tier": svc.region_tier[0] if len(svc.region_tier) else 0,
                    "region_vans": [len(d.techs) for d in svc.dispatchers],
                    "region_bays": [f.size for f in svc.facilities["center"]],
                    "poisson": bool(svc.poisson)}
        routed = [svc.routed(r) for r in range(len(svc.dispatchers))]
        parts = sim.sink.finish(sim.log, horizon) if sim.sink is not None else []
        return RegionOutput(
            name=self.name, parts=parts, rows=sim.collector.rows,
            soh_samples=self.soh_samples, state=sim.fleet.state, n_ids=next(svc._ids),
            n_jobs=next(svc._job_ids), capacity=capacity,
            prognostics=_prognostics(sim.prognostics),
            routing_wall_s=sum(v.plan_s for v in routed if v is not None),
            van_day_sample=van_day_sample(sim))


def _prognostics(loop: Any) -> dict | None:
    """The prognostics loop's scoring inputs as plain data (None without prognostics)."""
    if loop is None:
        return None
    targets = {}
    for name, ts in loop.targets.items():
        snaps = np.stack(ts.snaps) if ts.snaps else np.empty((0, ts.cross.size), np.float16)
        targets[name] = {"cfg": ts.cfg, "snaps": snaps, "cross": ts.cross, "start": ts.start,
                         "first_alert": ts.first_alert, "alerts": int(ts.alerts),
                         "accepted": int(ts.accepted)}
    return {"cfg": loop.cfg, "snap_days": list(loop.snap_days), "targets": targets}

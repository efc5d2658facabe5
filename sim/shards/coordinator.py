"""The coordinator of a sharded run: regions in lock-step days, the OTA server between them.

A run is one sub-simulation per region (:mod:`sim.shards.region`), held by shards
(:class:`ShardWorker`: a list of whole regions). Each simulated day, bulk-synchronous:

1. the OTA server (:class:`~sim.shards.ota_server.OtaServer`) decides on the reports that
   reach it today and cuts its commands by region;
2. every region runs the day with its commands (in whatever process holds it);
3. the regions return each command's count and the reports that reach the server
   tomorrow; the coordinator merges them in region order.

After the horizon the regions' outputs are combined (:mod:`sim.shards.combine`). How the
shards are run (in this process, worker processes, Dask) is a transport: a factory
registered under a ``run.backend`` name (:func:`register`; ``experiments.shards``
registers ``local`` processes and ``dask``). Without one, every region runs here, which
gives the same result: nothing in a region depends on the shard that holds it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf
from tqdm.auto import tqdm

from sim.dataset import SourceWriter, temporary
from sim.ota.targets import FleetAttributes
from sim.ota.train import with_train
from sim.records import EventLog
from sim.result import RunResult
from sim.rng import Streams
from sim.shards.combine import SERVER, combine
from sim.shards.ota_server import OtaServer, split_orders
from sim.shards.plan import assign, region_config, region_plan, shard_count
from sim.shards.region import RegionOutput, RegionSim

#: run.backend name -> factory(cfg, groups, sizing) of a transport (see :class:`InProcess`).
TRANSPORTS: dict[str, Callable[..., Any]] = {}


def register(name: str, factory: Callable[..., Any]) -> None:
    """Make ``run.backend=name`` run its shards with ``factory(cfg, groups, sizing)``."""
    TRANSPORTS[name] = factory


class ShardWorker:
    """The regions of one shard (``regions``: indices into the fleet's regions)."""

    def __init__(self, cfg: DictConfig, regions: list[int], sizing: dict | None,
                 root: str | Path | None = None) -> None:
        plan = region_plan(cfg)
        self.regions = list(regions)
        self.sims = {r: RegionSim(region_config(cfg, plan.names[r], plan.counts[r], plan), r,
                                  plan.names, sizing, root) for r in self.regions}

    def inventory(self) -> dict[int, dict[str, np.ndarray]]:
        return {r: s.inventory() for r, s in self.sims.items()}

    def step(self, day: int, orders: dict[int, Any]) -> dict[int, dict]:
        return {r: s.step(day, orders.get(r)) for r, s in self.sims.items()}

    def finish(self) -> dict[int, RegionOutput]:
        return {r: s.finish() for r, s in self.sims.items()}


class InProcess:
    """Every shard in this process (``run.shards=1``, or no transport registered)."""

    def __init__(self, cfg: DictConfig, groups: list[list[int]], sizing: dict | None,
                 root: str | Path | None = None) -> None:
        self.worker = ShardWorker(cfg, sorted(r for g in groups for r in g), sizing, root)

    def inventory(self) -> dict[int, dict[str, np.ndarray]]:
        return self.worker.inventory()

    def step(self, day: int, orders: dict[int, Any]) -> dict[int, dict]:
        return self.worker.step(day, orders)

    def finish(self) -> dict[int, RegionOutput]:
        return self.worker.finish()

    def close(self) -> None:
        pass


def transport_for(cfg: DictConfig, groups: list[list[int]], sizing: dict | None,
                  root: str | Path | None = None) -> Any:
    """The transport of ``run.backend`` for ``groups`` (in this process for one shard)."""
    factory = TRANSPORTS.get(str(cfg.run.backend)) if len(groups) > 1 else None
    return (factory or InProcess)(cfg, groups, sizing, root)


def _attributes(cfg: DictConfig, inv: dict[int, dict[str, np.ndarray]], names: list[str],
                counts: list[int]) -> FleetAttributes:
    regions = range(len(names))
    return FleetAttributes(
        np.concatenate([inv[r]["hw_config"] for r in regions]).astype(np.int64),
        tuple(cfg.fleet.hw_configs.keys()),
        np.concatenate([inv[r]["cohort"] for r in regions]).astype(np.int64),
        tuple(cfg.fleet.cohorts.keys()),
        np.repeat(np.arange(len(names)), counts).astype(np.int64), tuple(names))


def run_sharded(cfg: DictConfig, sizing: dict | None = None, progress: bool = False,
                root: str | Path | None = None) -> RunResult:
    """Run ``cfg`` as region sub-simulations in lock-step days (see module); the regions
    stream their events into the dataset at ``root`` (a temporary directory if None)."""
    owned = root is None
    if owned:
        root = temporary()
    t0 = time.perf_counter()
    plan = region_plan(cfg)
    offsets = plan.offsets
    groups = assign(plan.counts, shard_count(cfg, len(plan.names)))
    horizon = int(cfg.horizon_days)
    ota_cfg = with_train(OmegaConf.to_object(cfg.ota), horizon)
    transport = transport_for(cfg, groups, sizing, root)
    try:
        server = None
        if ota_cfg.enabled and ota_cfg.releases and cfg.service.demand == "failures":
            attrs = _attributes(cfg, transport.inventory(), plan.names, plan.counts)
            server = OtaServer(ota_cfg, attrs, Streams(int(cfg.seed)).get("ota"))
        log = EventLog()
        reported: dict[int, dict[str, float]] = {}
        reports: dict[str, list] = {}
        regions = range(len(plan.names))
        bar = tqdm(total=horizon, unit="day", disable=None if progress else True, leave=False)
        for day in range(horizon):
            if server is not None:
                orders = split_orders(server.decide(day, reports), offsets)
                results = transport.step(day, dict(enumerate(orders)))
                for d in server.settle([results[r]["applied"] for r in regions]):
                    log.append((float(day), f"ota_{d.action}", -1, "software", d.release, "",
                                -1, "", -1, d.hw_config or d.cohort, d.reason, np.nan, np.nan))
                reported[day] = {f"ota_{n}_reported_{k}": float(v) for n, (s, e) in
                                 server.reported.items() for k, v in (("succeeded", s),
                                                                      ("failed", e))}
                reports = _merge([results[r]["reports"] for r in regions], offsets)
            else:
                transport.step(day, {})
            bar.update(1)
        bar.close()
        outs = transport.finish()
    finally:
        transport.close()
    outs_list = [outs[r] for r in regions]
    decisions = SourceWriter(root, SERVER)
    decisions.write(log.to_table(until=horizon))
    result = combine(cfg, outs_list, offsets, decisions.parts, reported,
                     ota_cfg if server is not None else cfg.ota, time.perf_counter() - t0, root)
    result.meta["shards"] = {"count": len(groups), "backend": str(cfg.run.backend),
                             "regions": [[plan.names[r] for r in g] for g in groups]}
    if owned:
        result.own(root)
    return result


def _merge(parts: list[dict[str, list]], offsets: np.ndarray) -> dict[str, list]:
    """The regions' reports per release, in fleet numbering, in region order."""
    out: dict[str, list] = {}
    for r, part in enumerate(parts):
        for release, items in part.items():
            out.setdefault(release, []).extend((k, v + offsets[r]) for k, v in items)
    return out

"""Transports of a sharded run (issue 17): the shards in worker processes or on Dask.

``sim.shards`` runs a scenario as region sub-simulations in lock-step days; here is how
the shards (:class:`sim.shards.ShardWorker`, whole regions each) are placed:

- ``run.backend=local``: one persistent worker process per shard (``spawn`` context); the
  worker loop receives the day's orders, steps its regions one day and sends back their
  small results; at the end it sends its regions' outputs.
- ``run.backend=dask``: one ``dask.distributed`` actor per shard, on the cluster at
  ``run.scheduler_address`` (a ``LocalCluster`` with one worker process per shard when
  empty).

Importing this module registers both (``sim.shards.register``); the ``fleetsim`` program
imports it. With one shard nothing is spawned.
"""

from __future__ import annotations

import multiprocessing as mp
import traceback
from typing import Any

from omegaconf import DictConfig

from sim.shards import ShardWorker, register


def _serve(conn: Any, cfg: DictConfig, regions: list[int], sizing: dict | None) -> None:
    """A worker process: build the shard, then answer ``step`` / ``finish`` until done."""
    try:
        worker = ShardWorker(cfg, regions, sizing)
        conn.send(("ok", worker.inventory()))
        while True:
            msg = conn.recv()
            if msg[0] == "step":
                conn.send(("ok", worker.step(msg[1], msg[2])))
            else:
                conn.send(("ok", worker.finish()))
                return
    except BaseException:  # noqa: BLE001 - reported to the coordinator, which raises it
        conn.send(("error", traceback.format_exc()))
    finally:
        conn.close()


class ProcessShards:
    """One worker process per shard (``run.backend=local``)."""

    def __init__(self, cfg: DictConfig, groups: list[list[int]], sizing: dict | None) -> None:
        ctx = mp.get_context("spawn")
        self.groups = groups
        self.pipes, self.procs = [], []
        for regions in groups:
            here, there = ctx.Pipe()
            p = ctx.Process(target=_serve, args=(there, cfg, regions, sizing), daemon=True)
            p.start()
            there.close()
            self.pipes.append(here)
            self.procs.append(p)
        self._inventory = self._gather()

    def _gather(self) -> dict:
        out: dict = {}
        for pipe, proc in zip(self.pipes, self.procs, strict=True):
            while not pipe.poll(1.0):
                if not proc.is_alive():
                    raise RuntimeError(f"a shard worker exited with code {proc.exitcode} "
                                       f"(a spawned worker re-imports the main module: run "
                                       f"a script's work under `if __name__ == '__main__':`)")
            status, value = pipe.recv()
            if status != "ok":
                raise RuntimeError(f"a shard worker failed:\n{value}")
            out.update(value)
        return out

    def inventory(self) -> dict:
        return self._inventory

    def step(self, day: int, orders: dict) -> dict:
        for pipe, regions in zip(self.pipes, self.groups, strict=True):
            pipe.send(("step", day, {r: orders.get(r) for r in regions}))
        return self._gather()

    def finish(self) -> dict:
        for pipe in self.pipes:
            pipe.send(("finish",))
        return self._gather()

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.close()
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()


class DaskShards:
    """One ``dask.distributed`` actor per shard (``run.backend=dask``)."""

    def __init__(self, cfg: DictConfig, groups: list[list[int]], sizing: dict | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as ex:  # pragma: no cover - depends on the installed extras
            raise ImportError("run.backend=dask needs dask[distributed]: "
                              "pip install 'fleetsim[experiments]'") from ex
        self.groups = groups
        address = str(cfg.run.scheduler_address)
        self.cluster = None if address else LocalCluster(
            n_workers=len(groups), threads_per_worker=1, processes=True, dashboard_address=None)
        self.client = Client(address or self.cluster, set_as_default=False)
        try:
            futures = [self.client.submit(ShardWorker, cfg, regions, sizing, actor=True,
                                          pure=False) for regions in groups]
            with self.client.as_current():    # the actor handles need the client
                self.actors = [f.result() for f in futures]
            self._inventory = self._gather([a.inventory() for a in self.actors])
        except BaseException:
            self.close()
            raise

    @staticmethod
    def _gather(futures: list) -> dict:
        out: dict = {}
        for f in futures:
            out.update(f.result())
        return out

    def inventory(self) -> dict:
        return self._inventory

    def step(self, day: int, orders: dict) -> dict:
        return self._gather([a.step(day, {r: orders.get(r) for r in regions})
                             for a, regions in zip(self.actors, self.groups, strict=True)])

    def finish(self) -> dict:
        return self._gather([a.finish() for a in self.actors])

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


register("local", ProcessShards)
register("dask", DaskShards)

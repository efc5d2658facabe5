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
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from sim.shards import ShardWorker, register
from sim.shards.plan import region_plan


class ShardError(RuntimeError):
    """A shard failed (the message names it, its regions and the day)."""


def _serve(conn: Any, cfg: DictConfig, regions: list[int], sizing: dict | None,
           root: str | None) -> None:
    """A worker process: build the shard, then answer ``step`` / ``finish`` until done."""
    try:
        worker = ShardWorker(cfg, regions, sizing, root)
        conn.send(("ok", worker.inventory()))
        while True:
            msg = conn.recv()
            if msg[0] == "step":
                conn.send(("ok", worker.step(msg[1], msg[2])))
            else:
                conn.send(("ok", worker.finish()))
                return
    except BaseException as ex:  # noqa: BLE001 - reported to the coordinator, which raises it
        conn.send(("error", (f"{type(ex).__name__}: {ex}", traceback.format_exc())))
    finally:
        conn.close()


def _names(cfg: DictConfig, groups: list[list[int]]) -> list[str]:
    """Each shard's regions by name, for error messages."""
    names = region_plan(cfg).names
    return [", ".join(names[r] for r in g) for g in groups]


class ProcessShards:
    """One worker process per shard (``run.backend=local``)."""

    def __init__(self, cfg: DictConfig, groups: list[list[int]], sizing: dict | None,
                 root: str | Path | None = None) -> None:
        ctx = mp.get_context("spawn")
        self.groups, self.names = groups, _names(cfg, groups)
        self.pipes, self.procs = [], []
        self.stage = "start-up"
        for regions in groups:
            here, there = ctx.Pipe()
            p = ctx.Process(target=_serve, args=(there, cfg, regions, sizing,
                                                 None if root is None else str(root)),
                            daemon=True)
            p.start()
            there.close()
            self.pipes.append(here)
            self.procs.append(p)
        self._inventory = self._gather()

    def _gather(self) -> dict:
        out: dict = {}
        for k, (pipe, proc) in enumerate(zip(self.pipes, self.procs, strict=True)):
            where = f"shard {k} (regions {self.names[k]})"
            while not pipe.poll(1.0):
                if not proc.is_alive():
                    raise ShardError(f"{where} exited with code {proc.exitcode} at "
                                     f"{self.stage} (a spawned worker re-imports the main "
                                     "module: run a script's work under `if __name__ == "
                                     "'__main__':`); the run's dataset is not complete")
            try:
                status, value = pipe.recv()
            except EOFError:
                proc.join(timeout=10)
                raise ShardError(f"{where} exited with code {proc.exitcode} at {self.stage}; "
                                 "the run's dataset is not complete") from None
            if status != "ok":
                err = ShardError(f"{where} failed at {self.stage}: {value[0]}; the run's "
                                 "dataset is not complete")
                err.add_note(value[1])
                raise err
            out.update(value)
        return out

    def inventory(self) -> dict:
        return self._inventory

    def step(self, day: int, orders: dict) -> dict:
        self.stage = f"day {day}"
        for pipe, regions in zip(self.pipes, self.groups, strict=True):
            pipe.send(("step", day, {r: orders.get(r) for r in regions}))
        return self._gather()

    def finish(self) -> dict:
        self.stage = "the end of the run"
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


#: Times a Dask shard is rebuilt and replayed after a failure before the run gives up
#: (a lost worker is the usual cause; a region's own error fails again the same way).
DASK_RETRIES = 2


class DaskShards:
    """One ``dask.distributed`` actor per shard (``run.backend=dask``).

    A shard whose call fails (its worker died, or it raised) is retried: a new actor is
    built and replays the days so far with the orders it was given (a region's day depends
    on nothing else, so the replay rebuilds the same state and rewrites the same parts),
    then the day is asked again; after :data:`DASK_RETRIES` the run stops naming the shard.
    """

    def __init__(self, cfg: DictConfig, groups: list[list[int]], sizing: dict | None,
                 root: str | Path | None = None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as ex:  # pragma: no cover - depends on the installed extras
            raise ImportError("run.backend=dask needs dask[distributed]: "
                              "pip install 'fleetsim[experiments]'") from ex
        self.groups, self.names = groups, _names(cfg, groups)
        self.args = (cfg, sizing, None if root is None else str(root))
        self.history: list[tuple[int, dict]] = []     # (day, orders) asked so far
        self.retries = 0
        address = str(cfg.run.scheduler_address)
        self.cluster = None if address else LocalCluster(
            n_workers=len(groups), threads_per_worker=1, processes=True, dashboard_address=None)
        self.client = Client(address or self.cluster, set_as_default=False)
        try:
            self.actors = [self._actor(k) for k in range(len(groups))]
            self._inventory = self._call("inventory", lambda k: ())
        except BaseException:
            self.close()
            raise

    def _actor(self, k: int) -> Any:
        cfg, sizing, root = self.args
        future = self.client.submit(ShardWorker, cfg, self.groups[k], sizing, root, actor=True,
                                    pure=False)
        with self.client.as_current():    # the actor handles need the client
            return future.result()

    def _orders(self, k: int, orders: dict) -> dict:
        return {r: orders.get(r) for r in self.groups[k]}

    def _call(self, method: str, args: Any) -> dict:
        """``method(*args(k))`` on every shard, a failed shard retried (see class)."""
        with self.client.as_current():
            futures = [getattr(a, method)(*args(k)) for k, a in enumerate(self.actors)]
            out: dict = {}
            for k, f in enumerate(futures):
                while True:
                    try:
                        out.update(f.result())
                        break
                    except Exception as ex:
                        f = self._retry(k, method, args, ex)
        return out

    def _retry(self, k: int, method: str, args: Any, ex: Exception) -> Any:
        where = f"shard {k} (regions {self.names[k]})"
        if self.retries >= DASK_RETRIES:
            raise RuntimeError(f"{where} failed after {self.retries} retries: "
                               f"{type(ex).__name__}: {ex}; the run's dataset is not "
                               "complete") from ex
        self.retries += 1
        self.actors[k] = actor = self._actor(k)
        for day, orders in self.history[:-1] if method == "step" else self.history:
            actor.step(day, self._orders(k, orders)).result()
        return getattr(actor, method)(*args(k))

    def inventory(self) -> dict:
        return self._inventory

    def step(self, day: int, orders: dict) -> dict:
        self.history.append((day, orders))
        return self._call("step", lambda k: (day, self._orders(k, orders)))

    def finish(self) -> dict:
        return self._call("finish", lambda k: ())

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


register("local", ProcessShards)
register("dask", DaskShards)

"""Experiment tasks: one (variant, replication) each, and the function a worker runs.

Seeds: the base config's ``seed`` -> ``SeedSequence(seed).spawn(replications)``
-> one integer seed per replication, the same for every variant (common random
numbers). Spawned children are indexed, so replication ``r`` keeps its seed when
``replications`` grows and an experiment can be extended in place.
"""

from __future__ import annotations

import ctypes
import gc
import hashlib
import json
import math
import os
import signal
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
from omegaconf import DictConfig, OmegaConf

# Hydra's compose API keeps global state; threads of one process must not compose at once.
_COMPOSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Task:
    """One simulation of an experiment.

    Attributes:
        variant: variant name.
        replication: replication index (0-based); same index = same seed in every variant.
        seed: the replication's seed.
        overrides: base + variant overrides + ``seed=<seed>``: what the worker composes.
        fingerprint: hash of ``overrides``, stored with the result to detect stale files.
        config_hash: hash of the variant's resolved scenario (see :func:`config_hash`), so
            an edited config file or default is not silently reused either ("" = unchecked).
    """

    variant: str
    replication: int
    seed: int
    overrides: tuple[str, ...]
    fingerprint: str
    config_hash: str = ""


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back: the task, its KPIs, its wall time and its KPIs over time
    (:func:`sim.kpis.timeline.timeline`; ``None`` when not computed)."""

    task: Task
    kpis: dict[str, float]
    wall_s: float
    timeline: pd.DataFrame | None = None


def replication_seeds(seed: int, replications: int) -> list[int]:
    """One 63-bit integer seed per replication, spawned from ``seed``.

    Args:
        seed: the base config's seed.
        replications: how many.

    Returns:
        ``replications`` seeds; the first ``k`` do not depend on ``replications``.
    """
    children = np.random.SeedSequence(int(seed)).spawn(int(replications))
    # The config's seed range is [0, 2**63 - 1]: drop one bit of the 64-bit state word.
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in children]


def fingerprint(overrides: Sequence[str]) -> str:
    """A short stable hash of an override list (order matters, as it does for Hydra)."""
    text = json.dumps(list(overrides), separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# Keys that do not change a task's KPIs: how it runs and what it writes, and the seed
# (set per replication and checked through the overrides).
_NOT_SCENARIO = ("experiment", "output", "seed")


def config_hash(cfg: DictConfig) -> str:
    """A short stable hash of a composed config's scenario (all but experiment/output/seed)."""
    data = OmegaConf.to_container(cfg, resolve=True)
    for key in _NOT_SCENARIO:
        data.pop(key, None)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def make_tasks(base: Sequence[str], variants: Mapping[str, Sequence[str]],
               seeds: Sequence[int], config_hashes: Mapping[str, str] | None = None
               ) -> list[Task]:
    """Every (variant, replication) task, replication-major so a partial run holds pairs."""
    hashes = config_hashes or {}
    tasks = []
    for r, seed in enumerate(seeds):
        for name, extra in variants.items():
            overrides = (*base, *extra, f"seed={seed}")
            tasks.append(Task(name, r, int(seed), overrides, fingerprint(overrides),
                              hashes.get(name, "")))
    return tasks


def _as_float(value: object) -> float:
    if value is None:
        return math.nan
    return float(value)  # type: ignore[arg-type]


PARENT_PID = "FLEETSIM_EXPERIMENT_PID"   # set by the process that hands out the tasks


def _leave_ctrl_c_to_the_parent() -> None:
    """In a worker process, ignore Ctrl-C: the parent stops the experiment and ends its
    workers, instead of each worker printing its half-finished simulation's traceback."""
    parent = os.environ.get(PARENT_PID)
    if parent and parent != str(os.getpid()) \
            and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def run_task(task: Task) -> TaskResult:
    """Compose the task's config in this process, simulate it, return its KPIs.

    Runs in a joblib or Dask worker; it writes nothing (the caller stores the row).
    """
    from configs.load import load_config
    from sim.engine import simulate
    from sim.kpis.timeline import timeline

    _leave_ctrl_c_to_the_parent()
    t0 = time.perf_counter()
    with _COMPOSE_LOCK:
        cfg = load_config([*task.overrides, "output.progress=false"])
    result = simulate(cfg, progress=False)
    kpis = {k: _as_float(v) for k, v in result.kpis.items()}
    out = TaskResult(task, kpis, time.perf_counter() - t0, timeline(result.daily))
    del result
    give_back_memory()
    return out


def give_back_memory() -> None:
    """Return the heap a finished run freed to the operating system.

    A 20 000 x 365 run leaves its worker ~250-350 MB above its size after a tiny
    first task, held by Arrow's allocator (the event log's strings) and glibc's
    free lists, although nothing uses it. joblib's loky workers read that as a
    leak (more than 300 MB over the size after their first task) and are
    replaced: a new process, its imports and first-run costs for every task.
    Releasing Arrow's unused pages and ``malloc_trim`` bring the worker back
    within ~60 MB of its start (a few ms). Elsewhere than glibc it only collects.
    """
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):   # not glibc (macOS, musl): nothing to trim
        pass

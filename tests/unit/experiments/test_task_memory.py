"""A finished task gives its freed heap back, so loky's leak guard keeps the worker."""

from __future__ import annotations

import os

import numpy as np
import pyarrow as pa
import pytest

from experiments import tasks
from experiments.procstat import rss_kib

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/status"),
                                reason="reads the resident set from Linux /proc")


def _rss_mib() -> float:
    return rss_kib(os.getpid())[0] / 1024


def test_give_back_memory_returns_freed_arrow_and_small_object_heap():
    base, arrow_base = _rss_mib(), pa.default_memory_pool().bytes_allocated()
    # What a run leaves behind: an Arrow string column and many small Python objects.
    strings = pa.array([f"event-{i % 977}" for i in range(3_000_000)], type=pa.string())
    rows = [(float(i), "job_created", i) for i in range(1_000_000)]
    grown = _rss_mib()
    assert grown - base > 100
    del strings, rows
    tasks.give_back_memory()
    # (other tests of this worker process may still hold Arrow memory of their own)
    assert pa.default_memory_pool().bytes_allocated() <= arrow_base
    # Most of the growth is back with the system (loky allows 300 MB over a worker's start).
    assert _rss_mib() - base < 0.5 * (grown - base)


def test_run_task_gives_back_after_the_run(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks, "give_back_memory", lambda: calls.append(True))
    task = tasks.make_tasks(["fleet.size=100", "horizon_days=3"], {"base": []}, [7])[0]
    res = tasks.run_task(task)
    assert calls == [True]
    assert res.kpis["vehicle_days"] == 300 and np.isfinite(res.wall_s)

"""Where an experiment's tasks run: joblib on this machine, or a Dask cluster.

Both go through ``joblib.Parallel``; for Dask, joblib's own ``dask`` backend
submits the same calls to a ``distributed.Client`` (an existing scheduler, or a
``LocalCluster`` started here). Tasks come back as they finish
(``return_as="generator_unordered"``), so the caller stores each at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from joblib import Parallel, delayed, parallel_config

from configs.experiment_schema import BACKENDS


def check_backend(backend: str, n_jobs: int) -> None:
    """Raise ValueError for a backend or job count joblib would not accept."""
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is not allowed; allowed: {', '.join(BACKENDS)}")
    if n_jobs == 0 or n_jobs < -1:
        raise ValueError(f"n_jobs={n_jobs} is not allowed; expected -1 (all cores) or >= 1")


@contextlib.contextmanager
def _dask_client(scheduler_address: str | None, n_jobs: int) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as ex:  # pragma: no cover - depends on the installed extras
        raise ImportError("backend='dask' needs dask[distributed]: "
                          "pip install 'fleetsim[experiments]'") from ex
    cluster = None
    if scheduler_address:
        client = Client(scheduler_address, set_as_default=False)
    else:
        cluster = LocalCluster(n_workers=n_jobs if n_jobs > 0 else None, threads_per_worker=1,
                               processes=True, dashboard_address=None)
        client = Client(cluster, set_as_default=False)
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_parallel(fn: Callable[[Any], Any], items: Iterable[Any], *, n_jobs: int = 1,
                 backend: str = "loky", scheduler_address: str | None = None) -> Iterator[Any]:
    """Yield ``fn(item)`` for every item, in completion order.

    Args:
        fn: a picklable top-level function.
        items: its arguments.
        n_jobs: parallel workers (-1 = all cores); for Dask without an address,
            the LocalCluster's worker processes.
        backend: ``loky``, ``threading`` or ``dask``.
        scheduler_address: Dask scheduler to connect to (``None``: start a LocalCluster).
    """
    check_backend(backend, n_jobs)
    calls = (delayed(fn)(item) for item in items)
    if backend == "dask":
        with _dask_client(scheduler_address, n_jobs) as client, \
                parallel_config(backend="dask", client=client):
            yield from _drain(Parallel(n_jobs=-1, return_as="generator_unordered")(calls))
        return
    with parallel_config(backend=backend):
        yield from _drain(Parallel(n_jobs=n_jobs, return_as="generator_unordered")(calls))


def _drain(gen: Iterator[Any]) -> Iterator[Any]:
    # Closing the generator (on an error or Ctrl-C in the consumer) makes joblib
    # cancel what is still queued instead of finishing it in the background.
    with contextlib.closing(gen):
        yield from gen

"""Fewer garbage-collector passes while a run builds its event log and processes.

A 100 000 x 365 run allocates millions of container objects (simpy events, job
generators, event-log rows) that live to the end of the run. With CPython's
default thresholds (700, 10, 10) the cyclic collector walked them ~5 900 times,
32 of them over the whole heap: 8.2 of 87 CPU s (measured with ``gc.callbacks``,
README "Performance"). Reference counting still frees everything without cycles
at once; only the search for cycles runs less often, so memory stays bounded
and results are unchanged.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between young collections, and the two older generations' ratios,
#: while a run is simulating (CPython's defaults: 700, 10, 10).
RUN_THRESHOLDS = (100_000, 50, 100)


@contextmanager
def relaxed_gc() -> Iterator[None]:
    """Raise the collector's thresholds to :data:`RUN_THRESHOLDS`; restore them on exit.

    Usable as a decorator. Re-entrant: the outermost call restores the caller's thresholds.
    """
    before = gc.get_threshold()
    gc.set_threshold(*(max(a, b) for a, b in zip(RUN_THRESHOLDS, before, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)

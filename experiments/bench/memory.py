"""Peak memory of a process tree, sampled from Linux's ``/proc`` while it runs.

``fleetsim-bench --scaling`` runs each point in a child process, which may
start shard processes of its own. ``resource.getrusage(RUSAGE_CHILDREN)``
only knows the largest process that has been waited for, not what the tree
held at once, so a thread samples the tree: every ``interval_s`` it sums
the resident sets (``VmRSS``) of the root and all its descendants (the
total's peak is the largest sum seen) and keeps each process's own high-water
mark (``VmHWM``, exact up to the last sample before the process exits; it
covers the process's whole life, also before the sampling began, so the
bench samples fresh child processes).
Without ``/proc`` (macOS) nothing is sampled and the figures are ``None``.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from experiments.procstat import available, rss_kib, tree

KIB_PER_MIB = 1024


@dataclass
class TreeMemory:
    """Samples a process tree's memory in a background thread (``with`` block or start/stop).

    Attributes:
        root: pid of the tree's root.
        interval_s: seconds between samples.
        peak_total_kib: largest sum of the tree's resident sets seen.
        peak_kib: pid -> that process's high-water mark (VmHWM) at its last sample.
    """

    root: int
    interval_s: float = 0.1
    peak_total_kib: int = 0
    peak_kib: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    def sample(self) -> None:
        """One sample of the tree now."""
        total = 0
        for pid in tree(self.root):
            got = rss_kib(pid)
            if got is None:
                continue
            rss, hwm = got
            total += rss
            self.peak_kib[pid] = max(self.peak_kib.get(pid, 0), hwm)
        self.peak_total_kib = max(self.peak_total_kib, total)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.sample()

    def start(self) -> TreeMemory:
        if available():
            self.sample()
            self._thread = threading.Thread(target=self._loop, daemon=True,
                                            name=f"tree-memory-{self.root}")
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> TreeMemory:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def peak_process_mib(self) -> float | None:
        """The largest single process's peak (MiB), ``None`` without samples."""
        return max(self.peak_kib.values()) / KIB_PER_MIB if self.peak_kib else None

    def peak_total_mib(self) -> float | None:
        """The tree's peak total (MiB), ``None`` without samples."""
        return self.peak_total_kib / KIB_PER_MIB if self.peak_kib else None

"""Linux ``/proc`` readings of a process tree: its pids, memory and CPU, and the machine's load.

Used by ``fleetsim-bench --scaling`` (peak memory of a run and its shard
processes) and by the replication scale check (the CPU the experiment's own
processes used against what the whole machine was busy with: on a shared
machine the rest is other people's work, which no parallel efficiency
survives). Every reader returns ``None`` (or nothing) without ``/proc``.
"""

from __future__ import annotations

import os
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_S = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def available() -> bool:
    """Whether this system has ``/proc`` to read."""
    return (PROC / "self" / "stat").exists()


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of ``/proc/<pid>/stat`` after the command name (field 3 onwards)."""
    try:
        text = (PROC / str(pid) / "stat").read_text()
    except OSError:   # the process ended between the listing and the read
        return None
    # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    return text[text.rindex(")") + 2:].split()


def _children_map() -> dict[int, list[int]]:
    """Parent pid -> child pids of every process visible in ``/proc``."""
    kids: dict[int, list[int]] = {}
    for entry in os.scandir(PROC):
        if entry.name.isdigit() and (f := _stat_fields(int(entry.name))) is not None:
            kids.setdefault(int(f[1]), []).append(int(entry.name))
    return kids


def tree(root: int) -> list[int]:
    """``root`` and all its descendants (pids)."""
    kids, out, todo = _children_map(), [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(kids.get(pid, ()))
    return out


def rss_kib(pid: int) -> tuple[int, int] | None:
    """``(VmRSS, VmHWM)`` of ``pid`` in KiB; ``None`` if it is gone (or a zombie)."""
    try:
        text = (PROC / str(pid) / "status").read_text()
    except OSError:
        return None
    fields = {}
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(rest.split()[0])
    if len(fields) < 2:
        return None
    return fields["VmRSS"], fields["VmHWM"]


def tree_cpu_s(root: int) -> float | None:
    """CPU seconds (user + system) of ``root``, its live descendants and the children they
    have reaped, so far."""
    if not available():
        return None
    total = 0
    for pid in tree(root):
        f = _stat_fields(pid)
        if f is not None:   # utime, stime, cutime, cstime are fields 14-17
            total += sum(int(v) for v in f[11:15])
    return total / TICKS_PER_S


def machine_busy_s() -> float | None:
    """CPU seconds all cores of the machine have been busy (not idle, not waiting on I/O)."""
    try:
        first = (PROC / "stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    # cpu user nice system idle iowait irq softirq steal ...
    ticks = [int(v) for v in first[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICKS_PER_S

"""A run's results as one Parquet dataset, written part by part while the run goes (issue 17).

Layout under the run directory (or a temporary directory for a run nobody saves)::

    events/src=<source>/part-00000.parquet   a source's events, parts in time order
    daily/part-00000.parquet                 the fleet's daily table (one row per day)
    _SUCCESS                                 the manifest: written last, only when complete

A source is one sub-simulation's event log: ``fleet`` for a single simulation, each
region (by name) in a sharded run, and ``ota_server``, the campaign decisions of a
sharded run's coordinator. A source drains its settled records (dated before the clock)
into a new part whenever it holds :data:`PART_ROWS` records, and the rest at the end, so
no process holds the fleet's whole event log. Each part is sorted by time and written
atomically (:func:`sim.io.atomic_write`). A region's parts hold its own vehicle, job and
technician numbers; the manifest gives each source's shifts to fleet numbering, which
:func:`read_events` applies.

The manifest (JSON) lists every source's parts with their row counts, the shifts, the
daily part, the seed and the fleet size; it is written when every source has finished,
so a dataset without it, or with a part missing or of another length, is incomplete and
:func:`read_events` and :func:`read_daily` refuse it (:class:`IncompleteDatasetError`).
Order: sources in manifest order, each source's parts in order, then a stable sort by
time: the same table as the in-memory log's export (:meth:`sim.records.EventLog.to_frame`).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sim.io import atomic_write, write_json, write_parquet
from sim.records import EventLog, records_table, table_frame

EVENTS_DIR = "events"
DAILY_DIR = "daily"
MANIFEST = "_SUCCESS"
#: Records a source holds before it drains them into a part (~25-40 MB of Python tuples,
#: a ~5-8 MB part); an assumption: fewer, larger parts read faster, smaller ones cap memory.
PART_ROWS = 200_000
SHIFTED = ("vehicle", "job", "technician")   # id columns a source's shifts apply to


class IncompleteDatasetError(RuntimeError):
    """The run's dataset has no manifest, or a part it lists is missing or of another length."""


def clear(root: str | Path) -> Path:
    """Remove an earlier run's dataset from ``root`` (the manifest first: from then on it is
    incomplete); returns ``root``."""
    root = Path(root)
    (root / MANIFEST).unlink(missing_ok=True)
    for d in (EVENTS_DIR, DAILY_DIR):
        shutil.rmtree(root / d, ignore_errors=True)
    return root


def start(root: str | Path) -> Path:
    """Start a run's dataset in ``root``: an earlier one cleared (:func:`clear`), an empty
    events folder made, so the folder says a dataset is under way (and, until its manifest,
    incomplete) before the first part."""
    root = clear(root)
    (root / EVENTS_DIR).mkdir(parents=True, exist_ok=True)
    return root


def temporary() -> Path:
    """A fresh temporary directory with a dataset started in it (:func:`start`), for a run
    nobody names a results directory for; its result owns it (``RunResult.own``)."""
    return start(Path(tempfile.mkdtemp(prefix="fleetsim-run-")))


class SourceWriter:
    """The parts of one source's events (see module).

    Args:
        root: the dataset's directory.
        name: the source's name (its folder ``events/src=<name>``).
        part_rows: records held before a drain (default :data:`PART_ROWS`).
    """

    def __init__(self, root: str | Path, name: str, part_rows: int | None = None) -> None:
        self.root, self.name = Path(root), str(name)
        self.part_rows = int(PART_ROWS if part_rows is None else part_rows)
        self.parts: list[dict[str, Any]] = []
        # A replayed source (a retried shard) writes the same parts again: start afresh.
        shutil.rmtree(self.root / EVENTS_DIR / f"src={self.name}", ignore_errors=True)

    def write(self, table: pa.Table) -> None:
        """Write ``table`` as the source's next part (nothing for an empty table)."""
        if not table.num_rows:
            return
        rel = f"{EVENTS_DIR}/src={self.name}/part-{len(self.parts):05d}.parquet"
        atomic_write(self.root / rel, lambda p: pq.write_table(table, p))
        self.parts.append({"path": rel, "rows": int(table.num_rows)})

    def day_end(self, log: EventLog, now: float) -> None:
        """At the end of a simulated day: drain the settled records if the log is full."""
        if len(log) >= self.part_rows:
            self.write(log.drain(now))

    def finish(self, log: EventLog, horizon: float) -> list[dict[str, Any]]:
        """Write what is left up to the horizon (later records are dropped, as in
        :meth:`EventLog.to_frame`); returns the part list."""
        self.write(log.to_table(until=horizon))
        log.clear()
        return list(self.parts)


def source(name: str, parts: list[dict], shift: dict[str, int] | None = None) -> dict:
    """A manifest entry: a source's name, parts and id shifts."""
    return {"name": name, "parts": parts, "shift": {k: int(v) for k, v in (shift or {}).items()}}


def write_daily(root: str | Path, daily: pd.DataFrame) -> dict[str, Any]:
    """Write the daily table as the dataset's daily part; returns its manifest entry."""
    rel = f"{DAILY_DIR}/part-00000.parquet"
    write_parquet(Path(root) / rel, daily)
    return {"path": rel, "rows": len(daily)}


def write_manifest(root: str | Path, sources: list[dict], daily: dict | None,
                   seed: int, vehicles: int, horizon_days: int) -> Path:
    """Mark the dataset complete (written last, atomically)."""
    return write_json(Path(root) / MANIFEST, {
        "format": "fleetsim-dataset/1", "seed": int(seed), "vehicles": int(vehicles),
        "horizon_days": int(horizon_days), "sources": sources, "daily": daily,
        "events_rows": sum(p["rows"] for s in sources for p in s["parts"])})


def manifest(root: str | Path) -> dict[str, Any]:
    """The manifest of a complete dataset, every part checked (exists, row count).

    Raises:
        IncompleteDatasetError: no manifest, or a listed part missing or of another length.
    """
    root = Path(root)
    path = root / MANIFEST
    if not path.is_file():
        raise IncompleteDatasetError(f"{root}: the results dataset is incomplete (no {MANIFEST} "
                                     "manifest: the run did not finish); rerun it")
    man = json.loads(path.read_text(encoding="utf-8"))
    parts = [p for s in man["sources"] or [] for p in s["parts"]] + ([man["daily"]]
                                                                       if man["daily"] else [])
    for p in parts:
        f = root / p["path"]
        rows = pq.ParquetFile(f).metadata.num_rows if f.is_file() else None
        if rows != p["rows"]:
            got = "missing" if rows is None else f"{rows} rows, {p['rows']} listed"
            raise IncompleteDatasetError(f"{root}: the results dataset is incomplete ({p['path']} "
                                         f"{got}); rerun it")
    return man


def has_dataset(root: str | Path) -> bool:
    """Whether ``root`` holds a dataset, complete or not (a manifest or an events folder)."""
    root = Path(root)
    return (root / MANIFEST).exists() or (root / EVENTS_DIR).is_dir()


def _shifted(table: pa.Table, shift: dict[str, int]) -> pa.Table:
    for col, by in shift.items():
        if by and col in table.column_names:
            v = table[col]
            table = table.set_column(table.column_names.index(col), col,
                                     pc.if_else(pc.greater_equal(v, 0), pc.add(v, by), v))
    return table


def events_table(root: str | Path, columns: Sequence[str] | None = None, filters: Any = None,
                 sources: list[dict] | None = None) -> pa.Table:
    """The run's events in fleet numbering, sorted by time (stable; see module).

    Args:
        root: the dataset's directory.
        columns: the columns to read (default: all); only these are read from disk.
        filters: row filters as :func:`pyarrow.parquet.read_table` takes them.
        sources: the manifest's sources (default: read and check the manifest); a run reads
            its own dataset before it is marked complete this way.
    """
    root = Path(root)
    if sources is None:
        sources = manifest(root)["sources"]
        if sources is None:
            raise IncompleteDatasetError(f"{root}: the run was saved without its events "
                                         "(output.events: false)")
    want = None if columns is None else list(dict.fromkeys(["time_d", *columns]))
    tables = [_shifted(pq.read_table(root / p["path"], columns=want, filters=filters),
                       s["shift"]) for s in sources for p in s["parts"]]
    if not tables:
        table = records_table([])
        return table if columns is None else table.select(list(columns))
    table = pa.concat_tables(tables)
    del tables   # the parts' buffers go with the concatenation once it is sorted
    order = np.argsort(table["time_d"].to_numpy(), kind="stable")
    table = table.take(order)
    return table if columns is None else table.select(list(columns))


def read_events(root: str | Path, columns: Sequence[str] | None = None, filters: Any = None,
                sources: list[dict] | None = None) -> pd.DataFrame:
    """:func:`events_table` as the event log's DataFrame (:func:`sim.records.table_frame`)."""
    return table_frame(events_table(root, columns, filters, sources))


LEGACY_DAILY = "daily.parquet"   # a run saved before the dataset (one file)


def daily_path(root: str | Path) -> Path | None:
    """The daily table's file of the run in ``root`` (its dataset's part, or a run saved
    before the dataset: ``daily.parquet``), or None when it has none.

    Raises:
        IncompleteDatasetError: ``root`` holds an incomplete dataset.
    """
    root = Path(root)
    if has_dataset(root):
        part = manifest(root)["daily"]
        return root / part["path"] if part else None
    return root / LEGACY_DAILY if (root / LEGACY_DAILY).is_file() else None


def read_daily(root: str | Path) -> pd.DataFrame:
    """The daily table of the run in ``root`` (see :func:`daily_path`)."""
    path = daily_path(root)
    if path is None:
        raise FileNotFoundError(f"{root}: the run has no daily table")
    return pd.read_parquet(path)


def drop(root: str | Path, events: bool, daily: bool) -> None:
    """Remove a complete dataset's events and/or daily table (``output.events`` /
    ``output.daily`` false); the manifest says so."""
    root = Path(root)
    man = manifest(root)
    if events:
        man["sources"], man["events_rows"] = None, 0
    if daily:
        man["daily"] = None
    write_json(root / MANIFEST, man)
    for name, gone in ((EVENTS_DIR, events), (DAILY_DIR, daily)):
        if gone:
            shutil.rmtree(root / name, ignore_errors=True)


def move(src: str | Path, dst: str | Path) -> Path:
    """Move a complete dataset from ``src`` to ``dst`` (an earlier one there is cleared;
    the manifest moves last)."""
    src, dst = Path(src), clear(dst)
    dst.mkdir(parents=True, exist_ok=True)
    for d in (EVENTS_DIR, DAILY_DIR):
        if (src / d).exists():
            shutil.move(str(src / d), str(dst / d))
    shutil.move(str(src / MANIFEST), str(dst / MANIFEST))
    return dst

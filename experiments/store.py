"""The results store: one Parquet file per finished task, in a hive layout.

``<out>/kpis/variant=<v>/replication=<r>.parquet`` holds one row: ``experiment``,
``replication``, ``seed``, ``fingerprint`` (hash of the task's overrides),
``config_hash`` (hash of its resolved scenario), ``wall_s``, ``finished_at`` and
every KPI as a float64 column. ``variant`` is the partition folder, not a column in
the file (pyarrow refuses a column that is both), so
``pd.read_parquet(out / "kpis")`` and DuckDB's
``read_parquet('kpis/*/*.parquet', hive_partitioning = true)`` add it.

``<out>/timeline/variant=<v>/replication=<r>.parquet`` holds the task's KPIs over time
(:func:`sim.kpis.timeline.timeline`: a row per day), written before its KPI row, so a
task counted as done has both (a task stored by an older version may lack it).

Files are written atomically (temp file in the same folder, then ``os.replace``),
so a final name always holds a complete row. Temp files start with ``.`` and
end with ``.tmp``: pyarrow's dataset discovery skips them, and
:meth:`ResultStore.clean_temp` removes those an interrupted run left behind.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from experiments.tasks import Task, TaskResult
from sim.io import write_parquet

KPI_DIR = "kpis"
TIMELINE_DIR = "timeline"
META_COLUMNS = ("experiment", "variant", "replication", "seed", "fingerprint", "config_hash",
                "wall_s", "finished_at")


class StaleResultError(ValueError):
    """A stored task result was made from other overrides than the task now asks for."""


class ResultStore:
    """Read and write the per-task KPI rows of one experiment directory.

    Args:
        out_dir: the experiment directory (``kpis/`` is created under it).
    """

    def __init__(self, out_dir: str | Path) -> None:
        self.root = Path(out_dir) / KPI_DIR
        self.timeline_root = Path(out_dir) / TIMELINE_DIR

    def path(self, variant: str, replication: int) -> Path:
        """Where the row of ``(variant, replication)`` lives."""
        return self.root / f"variant={variant}" / f"replication={replication}.parquet"

    def timeline_path(self, variant: str, replication: int) -> Path:
        """Where the KPIs over time of ``(variant, replication)`` live."""
        return self.timeline_root / f"variant={variant}" / f"replication={replication}.parquet"

    def clean_temp(self) -> list[Path]:
        """Remove temp files left by an interrupted run; return what was removed."""
        stray = sorted(p for root in (self.root, self.timeline_root) if root.is_dir()
                       for p in root.glob("variant=*/.*.tmp"))
        for p in stray:
            p.unlink(missing_ok=True)
        return stray

    def is_done(self, task: Task) -> bool:
        """True if the task's row exists and was made from the same overrides.

        Raises:
            StaleResultError: the file exists but holds another task's result
                (other overrides or seed), or cannot be read.
        """
        path = self.path(task.variant, task.replication)
        if not path.is_file():
            return False
        try:
            row = pd.read_parquet(path, columns=["fingerprint", "config_hash"])
        except Exception as ex:  # noqa: BLE001 - any unreadable file is reported the same way
            raise StaleResultError(f"{path}: cannot read the stored result ({ex}); "
                                   "delete it to run the task again") from None
        stored = str(row["fingerprint"].iloc[0]) if len(row) else "(empty)"
        if stored != task.fingerprint:
            raise StaleResultError(
                f"{path} holds a result of other overrides (fingerprint {stored}, this "
                f"task {task.fingerprint}: {' '.join(task.overrides)}); use another output "
                "directory or delete the file")
        stored_cfg = str(row["config_hash"].iloc[0])
        if task.config_hash and stored_cfg and stored_cfg != task.config_hash:
            raise StaleResultError(
                f"{path} was made from the same overrides but another resolved config "
                f"(config hash {stored_cfg}, now {task.config_hash}: a config file or "
                "default changed since); use another output directory or delete the file")
        return True

    def write(self, result: TaskResult, experiment: str) -> Path:
        """Store one finished task's row atomically."""
        t = result.task
        row = {"experiment": experiment, "replication": t.replication, "seed": t.seed,
               "fingerprint": t.fingerprint, "config_hash": t.config_hash,
               "wall_s": float(result.wall_s),
               "finished_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
        for name, value in result.kpis.items():
            row[name] = float(value)
        df = pd.DataFrame([row])
        df = df.astype({"replication": "int64", "seed": "int64", "experiment": "str",
                        "fingerprint": "str", "config_hash": "str", "finished_at": "str"})
        if result.timeline is not None:   # first: the KPI row marks the task done
            write_parquet(self.timeline_path(t.variant, t.replication), result.timeline)
        return write_parquet(self.path(t.variant, t.replication), df)

    def load_timelines(self, variants: Sequence[str], replications: int) -> pd.DataFrame:
        """The stored timelines of ``variants`` x replications ``0 .. replications - 1``,
        stacked with ``variant`` and ``replication`` columns (empty when none is stored)."""
        frames = []
        for v in variants:
            for r in range(int(replications)):
                path = self.timeline_path(v, r)
                if path.is_file():
                    frames.append(pd.read_parquet(path).assign(variant=v, replication=r))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def load(self, tasks: Sequence[Task]) -> pd.DataFrame:
        """The rows of ``tasks`` that are stored, with a ``variant`` column, in task order.

        Files of other tasks (a variant since removed, replications beyond the
        current count) are not read.
        """
        return self._read([(t.variant, t.replication) for t in tasks])

    def load_grid(self, variants: Sequence[str], replications: int) -> pd.DataFrame:
        """The stored rows of ``variants`` x replications ``0 .. replications - 1``, as
        :meth:`load` gives them (e.g. for a finished run's ``experiment.json``)."""
        return self._read([(v, r) for r in range(int(replications)) for v in variants])

    def _read(self, cells: Sequence[tuple[str, int]]) -> pd.DataFrame:
        frames = []
        for variant, replication in cells:
            path = self.path(variant, replication)
            if path.is_file():
                frames.append(pd.read_parquet(path).assign(variant=variant))
        if not frames:
            return pd.DataFrame(columns=list(META_COLUMNS))
        df = pd.concat(frames, ignore_index=True)
        first = [c for c in META_COLUMNS if c in df.columns]
        return df[first + [c for c in df.columns if c not in first]]

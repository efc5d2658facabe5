"""RunResult: what one simulation returns, and how it is saved."""

from __future__ import annotations

import datetime as _dt
import functools
import platform
import shutil
import subprocess
import weakref
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
from omegaconf import DictConfig, OmegaConf

from sim.dataset import (
    SourceWriter,
    clear,
    drop,
    move,
    read_events,
    source,
    write_daily,
    write_manifest,
)
from sim.io import write_json, write_parquet

_PACKAGES = ("fleetsim", "numpy", "scipy", "pandas", "simpy", "hydra-core", "omegaconf",
             "pyarrow", "matplotlib", "joblib")


@functools.cache
def package_versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on (looked up once per process)."""
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


@functools.cache
def git_commit() -> str | None:
    """The commit of the fleetsim source tree, if it is a git checkout (asked once per process)."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True,
                             text=True, timeout=5, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def run_metadata(cfg: DictConfig, wall_s: float, vehicle_days: int) -> dict[str, Any]:
    """The contents of ``run.json`` (except the resolved config, added on save)."""
    return {
        "seed": int(cfg.seed),
        "started_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "wall_s": round(wall_s, 4),
        "vehicle_days": int(vehicle_days),
        "vehicle_days_per_s": round(vehicle_days / wall_s, 1) if wall_s > 0 else None,
        "git_commit": git_commit(),
        "versions": dict(package_versions()),
    }


@dataclass
class RunResult:
    """The outcome of :func:`sim.simulate`.

    Attributes:
        kpis: flat ``{name: number}``.
        events: the append-only event log (see :mod:`sim.records`), read from the run's
            results dataset when first asked for (:mod:`sim.dataset`).
        daily: one row of fleet aggregates per day.
        config: the composed config of the run.
        meta: seed, versions, git commit, wall time, throughput.
        fleet_state: one row per vehicle at the horizon (see :func:`sim.fleet.state_frame`).
        kpis_by_region: ``{region: {kpi: value}}`` (:mod:`sim.kpis.regions`).
        dataset: the directory of the run's complete results dataset, or None (a run built
            by hand, its log held in memory: ``events`` is then given).
    """

    kpis: dict[str, float]
    daily: pd.DataFrame
    config: DictConfig
    meta: dict[str, Any] = field(default_factory=dict)
    fleet_state: pd.DataFrame | None = None
    kpis_by_region: dict[str, dict[str, float]] = field(default_factory=dict)
    _events: pd.DataFrame | None = field(default=None, repr=False)
    dataset: Path | None = None

    @property
    def events(self) -> pd.DataFrame:
        """The event table (read from the dataset once, then kept)."""
        if self._events is None:
            if self.dataset is None:
                raise ValueError("this result holds no events and no dataset")
            self._events = read_events(self.dataset)
        return self._events

    def own(self, folder: Path) -> None:
        """Remove ``folder`` (a temporary dataset directory) when this result is collected."""
        weakref.finalize(self, shutil.rmtree, str(folder), True)

    def save(self, out_dir: str | Path, overrides: list[str] | None = None) -> Path:
        """Write the results dataset (moved here if the run streamed it elsewhere; its events
        dropped with ``output.events: false``), ``fleet_state.parquet``, ``kpis.json``,
        ``kpis_by_region.json`` and, last, ``run.json``.

        Each file is written atomically; ``run.json`` comes last so its
        presence marks a complete run.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self._save_dataset(out)
        if self.config.output.fleet_state and self.fleet_state is not None:
            write_parquet(out / "fleet_state.parquet", self.fleet_state)
        write_json(out / "kpis.json", self.kpis)
        if self.kpis_by_region:
            write_json(out / "kpis_by_region.json", self.kpis_by_region)
        run = dict(self.meta, overrides=list(overrides or []),
                   config=OmegaConf.to_container(self.config, resolve=True))
        write_json(out / "run.json", run)
        return out

    def _save_dataset(self, out: Path) -> None:
        if self.dataset is None:       # a result built by hand: one part of each table
            clear(out)
            events = SourceWriter(out, "fleet")
            events.write(pa.Table.from_pandas(self.events, preserve_index=False))
            self.dataset = write_manifest(
                out, [source("fleet", events.parts)], write_daily(out, self.daily),
                int(self.config.seed), int(self.kpis.get("vehicles", 0)),
                int(self.kpis.get("horizon_days", 0))).parent
        elif Path(self.dataset).resolve() != out.resolve():
            self.dataset = move(self.dataset, out)
        keep_events, keep_daily = bool(self.config.output.events), bool(self.config.output.daily)
        if not (keep_events and keep_daily):
            drop(out, events=not keep_events, daily=not keep_daily)

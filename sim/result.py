"""RunResult: what one simulation returns, and how it is saved."""

from __future__ import annotations

import datetime as _dt
import functools
import platform
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd
from omegaconf import DictConfig, OmegaConf

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
        events: the append-only event log (see :mod:`sim.records`).
        daily: one row of fleet aggregates per day.
        config: the composed config of the run.
        meta: seed, versions, git commit, wall time, throughput.
        fleet_state: one row per vehicle at the horizon (see :func:`sim.fleet.state_frame`).
        kpis_by_region: ``{region: {kpi: value}}`` (:mod:`sim.kpis.regions`).
    """

    kpis: dict[str, float]
    events: pd.DataFrame
    daily: pd.DataFrame
    config: DictConfig
    meta: dict[str, Any] = field(default_factory=dict)
    fleet_state: pd.DataFrame | None = None
    kpis_by_region: dict[str, dict[str, float]] = field(default_factory=dict)

    def save(self, out_dir: str | Path, overrides: list[str] | None = None) -> Path:
        """Write ``events.parquet``, ``daily.parquet``, ``fleet_state.parquet``, ``kpis.json``,
        ``kpis_by_region.json`` and, last, ``run.json``.

        Each file is written atomically; ``run.json`` comes last so its
        presence marks a complete run.
        """
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        if self.config.output.events:
            write_parquet(out / "events.parquet", self.events)
        if self.config.output.daily:
            write_parquet(out / "daily.parquet", self.daily)
        if self.config.output.fleet_state and self.fleet_state is not None:
            write_parquet(out / "fleet_state.parquet", self.fleet_state)
        write_json(out / "kpis.json", self.kpis)
        if self.kpis_by_region:
            write_json(out / "kpis_by_region.json", self.kpis_by_region)
        run = dict(self.meta, overrides=list(overrides or []),
                   config=OmegaConf.to_container(self.config, resolve=True))
        write_json(out / "run.json", run)
        return out

"""Load one vehicle of a saved run as a :class:`VehicleTwin`, ready to project.

A run's ``fleet_state.parquet`` holds every vehicle's twin state at the horizon;
:func:`load_vehicle` takes one vehicle from it, :func:`vehicle_twin` builds one
from a fleet-state row.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from configs.schema import FleetsimConfig
from sim.fleet import STATE_SEP
from sim.whatif.usage import NUMERIC_KEYS, REGION_KEY
from twins import TWINS

RUN_FILE = "run.json"
FLEET_STATE_FILE = "fleet_state.parquet"


@dataclasses.dataclass
class VehicleTwin:
    """One vehicle's twins, ready to project.

    Attributes:
        vehicle: the vehicle id in its run.
        cfg: the run's config, typed by the schema.
        twins: the twin modules projected (those of :data:`twins.TWINS` the run holds).
        params: each twin's parameter dataclass.
        state: per twin, its state arrays of shape ``(1,)``.
        usage: the vehicle's own usage traits (``region`` a name).
        info: descriptive fields (profile, region, city tier, age, down).
        start_day: the run's calendar day the state belongs to (its horizon).
        skipped: twins not projected, with the reason.
    """

    vehicle: int
    cfg: DictConfig
    twins: dict[str, ModuleType]
    params: dict[str, Any]
    state: dict[str, dict[str, np.ndarray]]
    usage: dict[str, Any]
    info: dict[str, Any]
    start_day: int
    skipped: dict[str, str] = dataclasses.field(default_factory=dict)

    def health(self) -> dict[str, float]:
        """Each twin's health (1 new .. 0 at its threshold) in the loaded state."""
        return {n: float(t.health(self.state[n], self.params[n])[0])
                for n, t in self.twins.items()}


def run_config(raw: Mapping[str, Any]) -> DictConfig:
    """A run's resolved config (``run.json``'s ``config``) merged onto the schema.

    Sections the current schema does not know are dropped; a twin the run did
    not have stays missing (it is then skipped by :func:`vehicle_twin`).
    """
    known = {f.name for f in dataclasses.fields(FleetsimConfig)}
    try:
        return OmegaConf.merge(OmegaConf.structured(FleetsimConfig),
                               {k: v for k, v in raw.items() if k in known})
    except OmegaConfBaseException as ex:
        raise ValueError(f"the run's config does not fit this fleetsim version: "
                         f"{str(ex).splitlines()[0]}") from None


def vehicle_twin(cfg: DictConfig, row: Mapping[str, Any], start_day: int) -> VehicleTwin:
    """Build a :class:`VehicleTwin` from one row of a fleet-state table.

    Args:
        cfg: the run's config (from :func:`sim.load_config` or :func:`run_config`).
        row: one row of :func:`sim.fleet.state_frame` (``region`` and ``profile`` as names).
        start_day: the run's calendar day of that state (its horizon), so seasons continue.

    Raises:
        ValueError: the row's region is not in the config.
    """
    region = str(row[REGION_KEY])
    if region not in cfg.fleet.regions:
        raise ValueError(f"region {region!r} of the vehicle is not in the run's config; "
                         f"regions: {', '.join(cfg.fleet.regions)}")
    twins, params, state, skipped = {}, {}, {}, {}
    for name, twin in TWINS.items():
        cols = [f"{name}{STATE_SEP}{s}" for s in twin.STATES]
        lacking = [c for c in cols if c not in row]
        if name not in cfg:
            skipped[name] = "the run's config has no parameters for it"
        elif lacking:
            skipped[name] = f"the run's fleet state lacks {', '.join(lacking)}"
        else:
            params[name] = OmegaConf.to_object(cfg[name])
            # dtypes as the twin makes them, whatever the file stored
            ref = twin.initial_state(1, params[name], np.random.default_rng(0))
            state[name] = {s: np.array([row[c]], dtype=ref[s].dtype)
                           for s, c in zip(twin.STATES, cols, strict=True)}
            twins[name] = twin
    usage = {k: float(row[k]) for k in NUMERIC_KEYS} | {REGION_KEY: region}
    info = {k: (row[k].item() if hasattr(row[k], "item") else row[k])
            for k in ("profile", "region", "city_tier", "age_days_end", "down") if k in row}
    return VehicleTwin(int(row.get("vehicle", -1)), cfg, twins, params, state, usage, info,
                       int(start_day), skipped)


def load_vehicle(run_dir: str | Path, vehicle: int) -> VehicleTwin:
    """Load one vehicle's state at the horizon of a saved run.

    Args:
        run_dir: a directory written by ``fleetsim`` or :meth:`sim.RunResult.save`.
        vehicle: the vehicle id (``0 .. fleet size - 1``).

    Raises:
        FileNotFoundError: no such directory, no ``run.json``, or no
            ``fleet_state.parquet`` (the run must be made with ``output.fleet_state=true``).
        ValueError: an unknown vehicle id (the message gives the valid range).
    """
    root = Path(run_dir)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such run directory")
    if not (root / RUN_FILE).is_file():
        raise FileNotFoundError(f"{root}: no {RUN_FILE}; not a finished fleetsim run directory")
    path = root / FLEET_STATE_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{root}: no {FLEET_STATE_FILE}; the run must be made with "
                                f"output.fleet_state=true")
    run = json.loads((root / RUN_FILE).read_text(encoding="utf-8"))
    if not isinstance(run.get("config"), Mapping):
        raise ValueError(f"{root / RUN_FILE}: no 'config' section")
    cfg = run_config(run["config"])
    n = pq.ParquetFile(path).metadata.num_rows
    if isinstance(vehicle, bool) or not isinstance(vehicle, (int, np.integer)):
        raise ValueError(f"vehicle id must be an integer, got {vehicle!r}")
    rows = pd.read_parquet(path, filters=[("vehicle", "==", int(vehicle))])
    if len(rows) != 1:
        raise ValueError(f"vehicle {vehicle} is not in this run; valid ids: 0..{n - 1}")
    return vehicle_twin(cfg, rows.iloc[0], int(cfg.horizon_days))

"""Per-vehicle what-if: one vehicle's twins projected forward under its own and other usage.

A run's ``fleet_state.parquet`` holds every vehicle's twin state at the
horizon. :func:`load_vehicle` takes one vehicle from it; :func:`project`
replicates it into Monte-Carlo copies and steps every twin daily for all
copies at once (numpy over copies, a Python loop over days only), once per
usage scenario. No repairs happen during a projection, so a maintenance need
is the first day a fault mask turns true, and health never rises.

Every scenario draws from the same named random streams (common random
numbers): copy ``i`` gets the same random numbers for its daily km, weather
and shocks under every usage, so a difference between scenarios comes from
the usage alone, and the own-usage projection does not depend on which
alternative is asked.

Example::

    from sim.whatif import load_vehicle, project
    vt = load_vehicle("outputs/my_run", 17)
    proj = project(vt, usage="calm")
    proj.summary()                  # health now, at 3 and 12 months, per scenario
    proj.maintenance_list("alt")    # plain-language maintenance needs
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
from sim.rng import Streams
from sim.whatif_result import ALT, NEVER, OWN, Projection
from sim.whatif_usage import (
    NUMERIC_KEYS,
    REGION_KEY,
    UsageError,
    describe,
    parse_usage,
    resolve_usage,
)
from twins import TWINS, FleetState, UsageModel

RUN_FILE = "run.json"
FLEET_STATE_FILE = "fleet_state.parquet"


# ------------------------------------------------------------------- loading
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


# ---------------------------------------------------------------- projecting
def _run_scenario(vt: VehicleTwin, usage: Mapping[str, Any], days: int, samples: int,
                  seed: int) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """Step ``samples`` copies of the vehicle for ``days`` days under ``usage``.

    Returns the mean health per twin per day ``(n_twins, days + 1)`` and, per
    (twin, cause), each copy's first fault day (``NEVER`` if none).
    """
    regions = list(vt.cfg.fleet.regions)
    attrs = {k: np.full(samples, usage[k], np.float32) for k in NUMERIC_KEYS}
    attrs[REGION_KEY] = np.full(samples, regions.index(usage[REGION_KEY]), np.int16)
    fleet = FleetState(n=samples, attrs=attrs)
    for name, st in vt.state.items():
        fleet.add_twin(name, {k: np.repeat(v, samples) for k, v in st.items()})
    streams = Streams(seed)  # same streams for every scenario: common random numbers
    model = UsageModel(vt.cfg.fleet, attrs, streams.get("whatif.usage"))
    rngs = {name: streams.get(f"whatif.twin.{name}") for name in vt.twins}
    health = np.empty((len(vt.twins), days + 1))
    first = {(name, cause): np.full(samples, NEVER, np.int32)
             for name, twin in vt.twins.items() for cause in twin.EVENTS}

    def record(day: int) -> None:
        for i, (name, twin) in enumerate(vt.twins.items()):
            st, p = fleet.twins[name], vt.params[name]
            health[i, day] = twin.health(st, p).mean()
            for cause, mask in twin.faults(st, p).items():
                f = first[(name, cause)]
                f[mask & (f == NEVER)] = day

    record(0)
    for day in range(1, days + 1):
        # Copies keep driving after a fault: the projection asks when needs arise, not
        # how the vehicle is stranded meanwhile.
        usage_today = model.day(vt.start_day + day - 1)
        for name, twin in vt.twins.items():
            twin.step(fleet.twins[name], usage_today, 1.0, vt.params[name], rngs[name])
        record(day)
    return health, first


def project(vt: VehicleTwin, days: int = 365, usage: Any = None,
            scenarios: Mapping[str, Any] | None = None, seed: int = 0,
            samples: int = 200) -> Projection:
    """Project a vehicle's component health and maintenance needs.

    Args:
        vt: from :func:`load_vehicle` or :func:`vehicle_twin`.
        days: days to project (>= 1).
        usage: one alternative usage spec (see :func:`sim.whatif_usage.parse_usage`);
            the scenarios are then ``own`` and ``alt``.
        scenarios: instead of ``usage``, named specs, e.g. ``{"own": None, "calm": "calm"}``.
        seed: seed of the Monte-Carlo streams; same seed, same projection.
        samples: Monte-Carlo copies per scenario.

    Raises:
        ValueError: bad ``days``/``samples``, both ``usage`` and ``scenarios``, or a bad spec
            (:class:`~sim.whatif_usage.UsageError`).
    """
    if isinstance(days, bool) or int(days) != days or days < 1:
        raise ValueError(f"days={days!r} must be an integer >= 1")
    if isinstance(samples, bool) or int(samples) != samples or samples < 1:
        raise ValueError(f"samples={samples!r} must be an integer >= 1")
    if usage is not None and scenarios is not None:
        raise ValueError("give either usage (one alternative) or scenarios, not both")
    if scenarios is None:
        scenarios = {OWN: None} if usage is None else {OWN: None, ALT: usage}
    if not scenarios:
        raise ValueError("scenarios is empty")
    specs = {name: parse_usage(spec) for name, spec in scenarios.items()}
    resolved = {name: resolve_usage(spec, vt.usage, vt.cfg.fleet.regions)
                for name, spec in specs.items()}
    health, first = {}, {}
    for name, traits in resolved.items():
        h, f = _run_scenario(vt, traits, int(days), int(samples), int(seed))
        health[name] = pd.DataFrame(h.T, columns=list(vt.twins)).rename_axis("day")
        first[name] = f
    meta = {name: {"spec": describe(scenarios[name]), "usage": resolved[name]} for name in specs}
    return Projection(vt, int(days), int(samples), int(seed), meta, health, first)


__all__ = ["VehicleTwin", "Projection", "UsageError", "load_vehicle", "vehicle_twin",
           "run_config", "project", "OWN", "ALT"]

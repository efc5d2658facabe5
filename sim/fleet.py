"""Build the fleet: population, initial twin state, and ageing to the start date."""

from __future__ import annotations

from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from sim.rng import Streams
from twins import TWINS, FleetState, Usage, UsageModel, build_population


@dataclass
class Fleet:
    """The fleet's state, its usage model and each twin's parameters."""

    state: FleetState
    usage: UsageModel
    params: dict[str, Any]
    twins: dict[str, ModuleType]
    region_names: list[str]
    profile_names: list[str]
    hw_config_names: list[str] = field(default_factory=list)
    cohort_names: list[str] = field(default_factory=list)

    def region_name(self, vehicle: int) -> str:
        """Home region name of one vehicle (for event records)."""
        return self.region_names[int(self.state.attrs["region"][vehicle])]

    def names(self, attr: str) -> list[str]:
        """Category names of a coded attribute: region, profile, hw_config or cohort."""
        return {"region": self.region_names, "profile": self.profile_names,
                "hw_config": self.hw_config_names, "cohort": self.cohort_names}[attr]


def draw_category(shares: Any, rng: np.random.Generator, n: int) -> np.ndarray:
    """Category code (int8, in the order of ``shares``) of each of ``n`` vehicles."""
    p = np.array([float(v) for v in shares.values()])
    return rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)


def twin_params(cfg: DictConfig) -> dict[str, Any]:
    """Each twin's parameter set as a typed dataclass instance (fast attribute access)."""
    return {name: OmegaConf.to_object(cfg[name]) for name in TWINS}


def repair_all_faults(fleet: Fleet, rng: np.random.Generator) -> int:
    """Repair every current fault, as the vehicles' past service would have. Returns count."""
    fixed = 0
    for name, twin in fleet.twins.items():
        st, p = fleet.state.twins[name], fleet.params[name]
        for cause, mask in twin.faults(st, p).items():
            idx = np.flatnonzero(mask)
            if idx.size:
                twin.repair(st, idx, cause, p, rng)
                fixed += idx.size
    return fixed


def age_fleet(fleet: Fleet, mean_usage: Usage, steps: int, rng: np.random.Generator) -> None:
    """Age every vehicle from new to its start age under its long-run mean usage.

    Each vehicle advances by ``age / steps`` days per step (a per-vehicle
    ``dt``), and faults reached along the way are repaired, so the starting
    fleet has realistic wear and a realistic mix of replaced parts.
    """
    dt = fleet.state.attrs["age_days"] / np.float32(steps)
    for _ in range(steps):
        for name, twin in fleet.twins.items():
            twin.step(fleet.state.twins[name], mean_usage, dt, fleet.params[name], rng)
        repair_all_faults(fleet, rng)


STATE_SEP = "."


def state_frame(fleet: Fleet, horizon_days: int) -> pd.DataFrame:
    """One row per vehicle: static attributes, age at the horizon and every twin state.

    Twin state columns are named ``<twin>.<state>`` (e.g. ``battery.q_cal``);
    ``region`` and ``profile`` are names, not indices. This is what the
    per-vehicle what-if starts from.
    """
    st = fleet.state
    cols: dict[str, np.ndarray] = {"vehicle": np.arange(st.n, dtype=np.int64)}
    for key, values in st.attrs.items():
        cols[key] = values
    for attr in ("region", "profile", "hw_config", "cohort"):
        if attr in st.attrs and fleet.names(attr):
            cols[attr] = np.asarray(fleet.names(attr), dtype=object)[st.attrs[attr]]
    cols["age_days_end"] = st.attrs["age_days"] + np.float32(horizon_days)
    cols["down"] = st.down.copy()
    for name, states in st.twins.items():
        for key, values in states.items():
            cols[f"{name}{STATE_SEP}{key}"] = values.copy()
    return pd.DataFrame(cols)


def build_fleet(cfg: DictConfig, streams: Streams) -> Fleet:
    """Draw the population, fit new components and age them to the start date."""
    attrs = build_population(cfg.fleet, streams.get("population"))
    n = int(cfg.fleet.size)
    # Own stream: adding these attributes left every other draw as it was.
    rng = streams.get("population.ota")
    attrs["hw_config"] = draw_category(cfg.fleet.hw_configs, rng, n)
    attrs["cohort"] = draw_category(cfg.fleet.cohorts, rng, n)
    state = FleetState(n=n, attrs=attrs)
    params = twin_params(cfg)
    for name, twin in TWINS.items():
        state.add_twin(name, twin.initial_state(state.n, params[name], streams.get(f"init.{name}")))
    usage = UsageModel(cfg.fleet, attrs, streams.get("usage"))
    fleet = Fleet(state, usage, params, dict(TWINS), list(cfg.fleet.regions.keys()),
                  list(cfg.fleet.profiles.keys()), list(cfg.fleet.hw_configs.keys()),
                  list(cfg.fleet.cohorts.keys()))
    age_fleet(fleet, usage.mean(), int(cfg.warmup_steps), streams.get("warmup"))
    return fleet

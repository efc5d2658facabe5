"""Search definitions: ``configs/search/<name>.yaml``, read and checked before any trial.

A definition holds only what the search changes::

    name: van_fleet_and_experts
    scenario: [fleet.size=5000, horizon_days=180]     # overrides of the base scenario
    baseline: []                                      # today's policy, on top of the scenario
    variables:                                        # config path -> range or choices
      service.mobile.vans_per_10000_vehicles: {type: float, low: 3, high: 12, step: 0.5}
      service.experts.per_100_vans: {type: int, low: 1, high: 20}
      alerts.rules.brake_pads.threshold: {type: float, low: 0.02, high: 0.3, log: true}
      ota/rollout: {type: categorical, choices: [staged, staged_rate]}   # a config group
    objectives: {cost_per_job_mobile: lower, mean_wait_h: lower}        # KPI -> better direction
    constraints: {rescue_within_target_rate: {min: 0.9}}               # KPI -> min and/or max
    replications: 3          # per trial, on the same seeds in every trial
    final_replications: 8    # per Pareto candidate and the baseline in the final selection
    trials: 24
    seed: 19                 # the sampler's seed
    sampler: tpe             # tpe | nsga2 | random

``search.<key>=<value>`` command-line overrides change the definition; every
other override changes the scenario.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, ListConfig, OmegaConf

from configs.load import group_options, load_config
from configs.validate import ConfigError
from sim.kpis.catalogue import lookup

SAMPLERS = ("tpe", "nsga2", "random")
TYPES = ("float", "int", "categorical")
DIRECTIONS = ("lower", "higher")
SEARCH_PREFIX = "search."


@dataclass(frozen=True)
class Variable:
    """One decision variable: a config path (``a.b.c``) or a config group (``ota/rollout``)."""

    path: str
    type: str
    low: float = math.nan
    high: float = math.nan
    step: float | None = None
    log: bool = False
    choices: tuple[Any, ...] = ()

    @property
    def is_group(self) -> bool:
        """A config group choice (``ota/rollout=staged``) rather than a value."""
        return "/" in self.path


@dataclass(frozen=True)
class SearchSpec:
    """A checked search definition (see the module docstring)."""

    name: str
    variables: tuple[Variable, ...]
    objectives: dict[str, str]
    constraints: dict[str, dict[str, float]] = field(default_factory=dict)
    scenario: tuple[str, ...] = ()
    baseline: tuple[str, ...] = ()
    replications: int = 3
    final_replications: int = 8
    trials: int = 24
    seed: int = 0
    sampler: str = "tpe"
    startup_trials: int = 8

    def fingerprint(self) -> str:
        """Hash of what makes a study's trials comparable: variables, objectives, constraints,
        scenario, baseline, replications, seed and sampler (not the trial budget)."""
        data = asdict(self)
        for key in ("trials", "final_replications", "name"):
            data.pop(key)
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def spec_from_json(data: Mapping[str, Any]) -> SearchSpec:
    """The :class:`SearchSpec` that ``dataclasses.asdict`` wrote (``search.json``'s ``spec``)."""
    fields = dict(data)
    fields["variables"] = tuple(Variable(**{**v, "choices": tuple(v.get("choices") or ())})
                                for v in data["variables"])
    fields["scenario"] = tuple(data.get("scenario") or ())
    fields["baseline"] = tuple(data.get("baseline") or ())
    return SearchSpec(**fields)


def search_dir() -> Path:
    """The folder of the shipped search definitions."""
    return Path(str(resources.files("configs").joinpath("search")))


def search_names() -> list[str]:
    """The shipped search definitions."""
    return sorted(p.stem for p in search_dir().glob("*.yaml"))


def split_overrides(overrides: Sequence[str]) -> tuple[str | None, list[str], list[str]]:
    """``search=<name>``, the ``search.*`` overrides and the scenario overrides."""
    name, search, scenario = None, [], []
    for ov in overrides:
        if ov.startswith("search="):
            name = ov.partition("=")[2]
        elif ov.startswith(SEARCH_PREFIX):
            search.append(ov[len(SEARCH_PREFIX):])
        else:
            scenario.append(ov)
    return name, search, scenario


def load_spec(name: str, search_overrides: Sequence[str] = (),
              scenario_overrides: Sequence[str] = ()) -> SearchSpec:
    """Read ``configs/search/<name>.yaml`` (or a YAML file path), apply overrides, check it.

    Raises:
        ConfigError: one line naming the bad name, path, range, objective or constraint.
    """
    path = Path(name) if name.endswith(".yaml") else search_dir() / f"{name}.yaml"
    if not path.is_file():
        raise ConfigError(f"search={name!r} is not a search definition; valid searches: "
                          f"{', '.join(search_names())}")
    raw = OmegaConf.load(path)
    if search_overrides:
        try:
            raw = OmegaConf.merge(raw, OmegaConf.from_dotlist(list(search_overrides)))
        except Exception as ex:  # noqa: BLE001 - any parse failure is reported the same way
            raise ConfigError(f"cannot read the search overrides {list(search_overrides)}: "
                              f"{ex}") from None
    data = OmegaConf.to_container(raw, resolve=True)
    spec = parse_spec(data, default_name=path.stem)
    scenario = (*spec.scenario, *scenario_overrides)
    spec = replace(spec, scenario=scenario)
    check_against_config(spec)
    return spec


def parse_spec(data: Mapping[str, Any], default_name: str = "search") -> SearchSpec:
    """A :class:`SearchSpec` from a plain mapping, checked apart from the config paths.

    Raises:
        ConfigError: naming the bad key.
    """
    known = {"name", "scenario", "baseline", "variables", "objectives", "constraints",
             "replications", "final_replications", "trials", "seed", "sampler",
             "startup_trials"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(f"search.{unknown[0]} is not a search key; keys: "
                          f"{', '.join(sorted(known))}")
    variables = tuple(_variable(str(p), v) for p, v in (data.get("variables") or {}).items())
    if not variables:
        raise ConfigError("search.variables is empty; give at least one config path")
    objectives = _objectives(data.get("objectives") or {})
    constraints = _constraints(data.get("constraints") or {})
    sampler = str(data.get("sampler", "tpe"))
    if sampler not in SAMPLERS:
        raise ConfigError(f"search.sampler={sampler!r} is not allowed; expected one of "
                          f"{', '.join(SAMPLERS)}")
    counts = {k: int(data.get(k, d)) for k, d in
              (("replications", 3), ("final_replications", 8), ("trials", 24),
               ("startup_trials", 8))}
    for key, value in counts.items():
        if value < 1:
            raise ConfigError(f"search.{key}={value} is not allowed; expected >= 1")
    if counts["final_replications"] < counts["replications"]:
        raise ConfigError(f"search.final_replications={counts['final_replications']} is below "
                          f"search.replications={counts['replications']}")
    return SearchSpec(name=str(data.get("name") or default_name), variables=variables,
                      objectives=objectives, constraints=constraints,
                      scenario=tuple(str(o) for o in data.get("scenario") or ()),
                      baseline=tuple(str(o) for o in data.get("baseline") or ()),
                      seed=int(data.get("seed", 0)), sampler=sampler, **counts)


def _variable(path: str, raw: Any) -> Variable:
    where = f"search.variables.{path}"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where}={raw!r}: give {{type: float|int|categorical, ...}}")
    kind = str(raw.get("type", "float"))
    if kind not in TYPES:
        raise ConfigError(f"{where}.type={kind!r} is not allowed; expected one of "
                          f"{', '.join(TYPES)}")
    if kind == "categorical":
        choices = tuple(raw.get("choices") or ())
        if not choices:
            raise ConfigError(f"{where}: empty choices")
        return Variable(path, kind, choices=choices)
    if "low" not in raw or "high" not in raw:
        raise ConfigError(f"{where}: give low and high")
    low, high = float(raw["low"]), float(raw["high"])
    log = bool(raw.get("log", False))
    step = raw.get("step")
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        raise ConfigError(f"{where}: empty range [{raw['low']}, {raw['high']}] (high must "
                          "exceed low)")
    if log and low <= 0:
        raise ConfigError(f"{where}: a log range needs low > 0, not {raw['low']}")
    if step is not None and (float(step) <= 0 or log):
        raise ConfigError(f"{where}.step={step!r}: a step must be > 0 and not with log")
    if kind == "int" and (low != int(low) or high != int(high)):
        raise ConfigError(f"{where}: an int range needs integer low and high")
    return Variable(path, kind, low, high, None if step is None else float(step), log)


def _objectives(raw: Mapping[str, Any]) -> dict[str, str]:
    if not raw:
        raise ConfigError("search.objectives is empty; give KPI: lower|higher")
    out = {}
    for key, direction in raw.items():
        entry = lookup(str(key))
        if entry is None:
            raise ConfigError(f"search.objectives: {key!r} is not a KPI of the catalogue "
                              "(`fleetsim-kpis` lists the KPIs)")
        if direction not in DIRECTIONS or (entry.better and direction != entry.better):
            allowed = entry.better or "lower or higher"
            raise ConfigError(f"search.objectives.{key}={direction!r} is not allowed; "
                              f"the KPI catalogue says {allowed}")
        out[str(key)] = str(direction)
    return out


def _constraints(raw: Mapping[str, Any]) -> dict[str, dict[str, float]]:
    out = {}
    for key, bounds in raw.items():
        if lookup(str(key)) is None:
            raise ConfigError(f"search.constraints: {key!r} is not a KPI of the catalogue "
                              "(`fleetsim-kpis` lists the KPIs)")
        if not isinstance(bounds, Mapping) or not bounds or set(bounds) - {"min", "max"}:
            raise ConfigError(f"search.constraints.{key}={bounds!r}: give {{min: x}} and/or "
                              "{max: y}")
        b = {k: float(v) for k, v in bounds.items()}
        if "min" in b and "max" in b and b["max"] < b["min"]:
            raise ConfigError(f"search.constraints.{key}: empty range [{b['min']}, {b['max']}]")
        out[str(key)] = b
    return out


def check_against_config(spec: SearchSpec) -> None:
    """Every variable names a value of the composed scenario (or a group and its options);
    the scenario and baseline compose, and so do the ranges' ends.

    Raises:
        ConfigError: ``search.variables.<path>: ...`` naming the path.
    """
    try:
        cfg = load_config(list(spec.scenario))
    except ConfigError as ex:
        raise ConfigError(f"search.scenario: {ex}") from None
    for var in spec.variables:
        if var.is_group:
            options = group_options(var.path)
            if not options:
                raise ConfigError(f"search.variables.{var.path}: not a config group")
            bad = [c for c in var.choices if str(c) not in options]
            if bad:
                raise ConfigError(f"search.variables.{var.path}: {bad[0]!r} is not a "
                                  f"{var.path} set; valid: {', '.join(options)}")
            continue
        node = OmegaConf.select(cfg, var.path, throw_on_missing=False, default=_MISSING)
        if node is _MISSING:
            raise ConfigError(f"search.variables.{var.path}: not a key of the scenario config")
        if isinstance(node, DictConfig | ListConfig):
            raise ConfigError(f"search.variables.{var.path}: a section, not a value")
    ends = [[override(v, v.choices[0] if v.choices else v.low) for v in spec.variables],
            [override(v, v.choices[-1] if v.choices else v.high) for v in spec.variables]]
    for extra in [list(spec.baseline), *ends] if spec.baseline else ends:
        try:
            load_config([*spec.scenario, *extra])
        except ConfigError as ex:
            raise ConfigError(f"search: {' '.join(extra)}: {ex}") from None


_MISSING = object()


def override(var: Variable, value: Any) -> str:
    """The Hydra override setting ``var`` to ``value``: ints as ints, floats to 6 significant
    digits (so one configuration has one text and one results folder), choices as given."""
    if var.type == "int":
        text = str(int(round(float(value))))
    elif var.type == "float":
        text = f"{float(value):.6g}"
    else:
        text = str(value)
    return f"{var.path}={text}"


def overrides(spec: SearchSpec, params: Mapping[str, Any]) -> list[str]:
    """The overrides of one trial's parameters, in the definition's variable order."""
    return [override(v, params[v.path]) for v in spec.variables]

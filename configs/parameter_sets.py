"""Named parameter sets: the YAML files of a config group, typed by the group's schema.

``configs/<group>/<name>.yaml`` (e.g. ``battery/nmc.yaml``) is one parameter set;
the simulator composes it through Hydra, and :func:`load` reads the same file
(the one source of truth) for standalone use of a twin, e.g.::

    from configs.parameter_sets import load
    from twins.battery import simulate_profile
    q = simulate_profile(3 * 365, 25.0, 0.9, 0.3, params=load("battery", "lfp"))

The twins themselves never read configuration: they take a parameter object.
"""

from __future__ import annotations

import functools
import typing
from importlib import resources

from omegaconf import OmegaConf

from configs.schema import FleetsimConfig

PACKAGE = "configs"


def names(group: str) -> list[str]:
    """Names of the parameter sets of a config group (``[]`` for an unknown group)."""
    folder = resources.files(PACKAGE).joinpath(group)
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml"))


def groups() -> list[str]:
    """The config groups shipped with fleetsim (folders holding parameter sets)."""
    root = resources.files(PACKAGE)
    return sorted(p.name for p in root.iterdir() if p.is_dir() and names(p.name))


def schema(group: str) -> type:
    """The dataclass a group's parameter sets are typed by (a field of the root schema).

    Raises:
        ValueError: ``group`` is not a dataclass-typed field of the root schema.
    """
    hints = typing.get_type_hints(FleetsimConfig)
    kind = hints.get(group)
    if kind is None or not hasattr(kind, "__dataclass_fields__"):
        typed = sorted(k for k, v in hints.items() if hasattr(v, "__dataclass_fields__"))
        raise ValueError(f"group={group!r} has no parameter schema; groups: {', '.join(typed)}")
    return kind


@functools.cache
def load(group: str, name: str):
    """The parameter set ``<group>=<name>`` as an instance of the group's schema.

    The instance is cached and shared: derive variants with ``dataclasses.replace``
    rather than editing it.

    Raises:
        ValueError: ``name`` is not a set of ``group`` (the message lists the valid ones).
    """
    valid = names(group)
    if name not in valid:
        raise ValueError(f"{group}={name!r} is not a known parameter set; valid {group} sets: "
                         f"{', '.join(valid) or '(none)'}")
    text = resources.files(PACKAGE).joinpath(group, f"{name}.yaml").read_text()
    node = OmegaConf.merge(OmegaConf.structured(schema(group)), OmegaConf.create(text))
    return OmegaConf.to_object(node)

"""Generic validation of a composed config against the schema's field metadata.

One pass walks the config next to its dataclass schema: ranges (``lo``/``hi``),
choices and each schema's ``cross_checks``. Every problem is reported with
its full key, the offending value and what is allowed.
"""

from __future__ import annotations

import dataclasses

from omegaconf import DictConfig, OmegaConf

from configs.fields import check_each, check_value
from twins import TWINS


class ConfigError(ValueError):
    """A config value is not allowed. The message names key, value and what is allowed."""


def _walk(node: DictConfig, path: str, errors: list[str]) -> None:
    schema = OmegaConf.get_type(node)
    if schema is None or not dataclasses.is_dataclass(schema):
        for k, v in node.items():
            if isinstance(v, DictConfig):
                _walk(v, f"{path}.{k}" if path else str(k), errors)
        return
    known = {f.name for f in dataclasses.fields(schema)}
    for extra in sorted(set(node.keys()) - known):
        key = f"{path}.{extra}" if path else str(extra)
        errors.append(f"{key!r} is not a known config key; keys allowed under "
                      f"{path or 'the root'}: {', '.join(sorted(known))}")
    for f in dataclasses.fields(schema):
        key = f"{path}.{f.name}" if path else f.name
        value = node[f.name]
        if f.metadata.get("each"):
            plain = OmegaConf.to_container(value, resolve=True) if OmegaConf.is_config(value) \
                else value
            errors.extend(check_each(key, plain, dict(f.metadata)))
            continue
        if isinstance(value, DictConfig):
            _walk(value, key, errors)
            continue
        problem = check_value(key, value, dict(f.metadata))
        if problem:
            errors.append(problem)
    cross = getattr(schema, "cross_checks", None)
    if cross is not None and not errors:
        errors.extend(cross(node, path))


def _job_type_coverage(cfg: DictConfig) -> list[str]:
    """Every twin fault cause needs a row in the service's job-type table."""
    if "service" not in cfg or cfg.service.demand != "failures":
        return []
    table = cfg.service.job_types
    missing = [f"{name}.{cause}" for name, twin in TWINS.items() for cause in twin.EVENTS
               if cause not in table.get(name, {})]
    if not missing:
        return []
    return [f"service.job_types has no entry for {', '.join(missing)}; every fault cause "
            f"needs one (channel, skill, part, repair_h)"]


def validate(cfg: DictConfig) -> None:
    """Raise :class:`ConfigError` listing every disallowed value in ``cfg``."""
    errors: list[str] = []
    _walk(cfg, "", errors)
    if not errors:
        errors.extend(_job_type_coverage(cfg))
    if errors:
        raise ConfigError("; ".join(errors))

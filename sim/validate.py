"""Generic validation of a composed config against the schema's field metadata.

One pass walks the config next to its dataclass schema: ranges (``lo``/``hi``),
choices and each schema's ``cross_checks``. Every problem is reported with
its full key, the offending value and what is allowed.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from omegaconf import DictConfig, OmegaConf


class ConfigError(ValueError):
    """A config value is not allowed. The message names key, value and what is allowed."""


def _g(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e18 else f"{x:g}"


def _fmt_range(meta: dict[str, Any]) -> str:
    lo, hi = meta.get("lo"), meta.get("hi")
    left = "(" if meta.get("lo_open") else "["
    if lo is not None and hi is not None:
        return f"a number in {left}{_g(lo)}, {_g(hi)}]"
    if lo is not None:
        return f"a number {'>' if meta.get('lo_open') else '>='} {_g(lo)}"
    return f"a number <= {_g(hi)}"


def check_value(key: str, value: Any, meta: dict[str, Any]) -> str | None:
    """The problem with ``key=value`` under field metadata ``meta`` (range, choices), or None."""
    choices = meta.get("choices")
    if choices:
        if value not in choices:
            return f"{key}={value!r} is not allowed; allowed values: {', '.join(choices)}"
        return None
    if meta.get("lo") is None and meta.get("hi") is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{key}={value!r} is not allowed; expected {_fmt_range(meta)}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{key}={value} is not allowed; expected {_fmt_range(meta)}"
    lo, hi = meta.get("lo"), meta.get("hi")
    too_low = lo is not None and (value <= lo if meta.get("lo_open") else value < lo)
    too_high = hi is not None and value > hi
    if too_low or too_high:
        return f"{key}={value} is out of range; allowed: {_fmt_range(meta)}"
    return None


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
        if isinstance(value, DictConfig):
            _walk(value, key, errors)
            continue
        problem = check_value(key, value, dict(f.metadata))
        if problem:
            errors.append(problem)
    cross = getattr(schema, "cross_checks", None)
    if cross is not None and not errors:
        errors.extend(cross(node, path))


def validate(cfg: DictConfig) -> None:
    """Raise :class:`ConfigError` listing every disallowed value in ``cfg``."""
    errors: list[str] = []
    _walk(cfg, "", errors)
    if errors:
        raise ConfigError("; ".join(errors))

"""Field helpers for the config schemas: allowed ranges and choices as dataclass metadata.

:mod:`configs.validate` reads the metadata; cross-field rules use :func:`must_be_below`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import field
from typing import Any


def num(default: float, lo: float | None = None, hi: float | None = None, *,
        lo_open: bool = False) -> Any:
    """A numeric field with an allowed range ``[lo, hi]`` (``(lo, hi]`` if ``lo_open``)."""
    return field(default=default, metadata={"lo": lo, "hi": hi, "lo_open": lo_open})


def each(default: Callable[[], Any], lo: float | None = None, hi: float | None = None, *,
         lo_open: bool = False) -> Any:
    """A list or mapping of numbers (nested mappings too), every one in ``[lo, hi]``
    (``(lo, hi]`` if ``lo_open``); ``default`` makes the default container."""
    return field(default_factory=default,
                 metadata={"lo": lo, "hi": hi, "lo_open": lo_open, "each": True})


def prob(default: float) -> Any:
    """A probability or share: a number in [0, 1]."""
    return num(default, 0.0, 1.0)


def choice(default: str, *choices: str) -> Any:
    """A string field restricted to ``choices``."""
    return field(default=default, metadata={"choices": choices})


def must_be_below(cfg: Any, path: str, low: str, high: str) -> list[str]:
    """Cross-check that ``cfg[low] < cfg[high]``; returns the error message, if any."""
    if cfg[low] >= cfg[high]:
        return [f"{path}.{low}={cfg[low]} must be below {path}.{high}={cfg[high]}"]
    return []


def must_not_exceed(cfg: Any, path: str, low: str, high: str) -> list[str]:
    """Cross-check that ``cfg[low] <= cfg[high]``; returns the error message, if any."""
    if cfg[low] > cfg[high]:
        return [f"{path}.{low}={cfg[low]} must be <= {path}.{high}={cfg[high]}"]
    return []


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


def check_each(key: str, values: Any, meta: dict[str, Any]) -> list[str]:
    """Problems of every number in a list (``key[i]``) or mapping (``key.name``), nested too."""
    if values is None:
        return []
    if isinstance(values, Mapping):
        items = [(f"{key}.{k}", v) for k, v in values.items()]
    elif isinstance(values, (list, tuple)):
        items = [(f"{key}[{i}]", v) for i, v in enumerate(values)]
    else:
        problem = check_value(key, values, meta)
        return [problem] if problem else []
    return [p for sub, v in items for p in check_each(sub, v, meta)]


def check_row(values: Mapping[str, Any], schema: type, path: str) -> list[str]:
    """Problems of a plain mapping against a dataclass schema: unknown keys and bad values.

    For table rows OmegaConf cannot type (a dict of dicts of a dataclass).
    """
    known = {f.name: f for f in dataclasses.fields(schema)}
    errs = [f"{path}.{k!r} is not a known key; allowed: {', '.join(sorted(known))}"
            for k in values if k not in known]
    for name, f in known.items():
        if name in values:
            problem = check_value(f"{path}.{name}", values[name], dict(f.metadata))
            if problem:
                errs.append(problem)
    return errs

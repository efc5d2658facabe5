"""Alternative usage for the per-vehicle what-if: specs, presets and their resolution.

A usage spec changes some of the traits the usage model reads for one
vehicle (see :class:`twins.usage.UsageModel`)::

    {"aggressiveness": 0.8, "dc_share": 0.02, "region": "tier1_south"}

A numeric value is either absolute (``0.8``) or relative to the vehicle's own
value (``"x0.8"``, a :class:`Scale`). ``region`` names a region of the run's
config, or ``hottest`` / ``coldest`` (by ``temp_mean_c``). Named presets
(:data:`PRESETS`) are specs too; on the command line presets and
``key=value`` pairs merge, later ones winning, into one alternative.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from configs.schema import ProfileConfig
from configs.validate import check_value


class UsageError(ValueError):
    """A usage spec is not valid. The message names the key and what is allowed."""


@dataclasses.dataclass(frozen=True)
class Scale:
    """A value relative to the vehicle's own: ``factor`` times it."""

    factor: float

    def __str__(self) -> str:
        return f"x{self.factor:g}"


# Usage key -> the driver-profile field whose allowed range it shares.
NUMERIC_KEYS: dict[str, str] = {
    "aggressiveness": "aggressiveness_mean",
    "dc_share": "dc_fast_share_mean",
    "km_per_day_mean": "km_per_day_mean",
    "km_per_day_cv": "km_per_day_cv",
    "soc_high": "soc_high_frac",
}
REGION_KEY = "region"
KEYS: tuple[str, ...] = (*NUMERIC_KEYS, REGION_KEY)
HOTTEST, COLDEST = "hottest", "coldest"

PRESETS: dict[str, dict[str, Any]] = {
    "calm": {"aggressiveness": Scale(0.8)},
    "less_dc": {"dc_share": 0.02},
    "hot_climate": {REGION_KEY: HOTTEST},
    "cold_climate": {REGION_KEY: COLDEST},
    "low_mileage": {"km_per_day_mean": Scale(0.5)},
}

_RANGES = {f.name: dict(f.metadata) for f in dataclasses.fields(ProfileConfig)}


def allowed_text() -> str:
    """One line listing the presets and the keys a spec may set."""
    return (f"presets: {', '.join(PRESETS)}; keys: {', '.join(KEYS)} "
            f"(numbers absolute or xFACTOR, e.g. aggressiveness=x0.8; "
            f"region a region name, {HOTTEST} or {COLDEST})")


def spec_text(spec: Mapping[str, Any]) -> str:
    """A spec as ``key=value`` pairs (``own usage`` when empty)."""
    if not spec:
        return "own usage"
    return ", ".join(f"{k}={v}" for k, v in spec.items())


def describe(usage: str | Sequence[str] | Mapping[str, Any] | None) -> str:
    """A usage spec as the user gave it: preset names kept, ``key=value`` pairs joined."""
    if usage is None or isinstance(usage, Mapping):
        return spec_text(parse_usage(usage))
    return usage if isinstance(usage, str) else ", ".join(map(str, usage))


def _number(key: str, raw: Any) -> float | Scale:
    if isinstance(raw, Scale):
        return raw
    if isinstance(raw, bool):
        raise UsageError(f"usage {key}={raw!r} is not a number; {allowed_text()}")
    text = str(raw).strip()
    relative = text[:1] in ("x", "X", "*")
    try:
        value = float(text[1:] if relative else text)
    except ValueError:
        raise UsageError(f"usage {key}={raw!r} is not a number; {allowed_text()}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise UsageError(f"usage {key}={raw!r} is not a finite number")
    if relative:
        if value < 0:
            raise UsageError(f"usage {key}={raw!r}: a factor must be >= 0")
        return Scale(value)
    return value


def _entry(key: Any, raw: Any) -> tuple[str, Any]:
    if key not in KEYS:
        raise UsageError(f"unknown usage key {key!r}; {allowed_text()}")
    if key == REGION_KEY:
        if not isinstance(raw, str) or not raw.strip():
            raise UsageError(f"usage region={raw!r} must be a region name; {allowed_text()}")
        return key, raw.strip()
    return key, _number(key, raw)


def _token(token: str) -> dict[str, Any]:
    token = token.strip()
    if token in PRESETS:
        return dict(PRESETS[token])
    if "=" not in token:
        raise UsageError(f"unknown usage {token!r}; {allowed_text()}")
    key, _, raw = token.partition("=")
    return dict([_entry(key.strip(), raw)])


def parse_usage(usage: str | Sequence[str] | Mapping[str, Any] | None) -> dict[str, Any]:
    """Normalize a usage spec: a preset name, ``key=value`` tokens, or a mapping.

    Args:
        usage: ``"calm"``, ``["calm", "dc_share=0.02"]``, ``{"aggressiveness": 0.8}``
            or ``None`` (own usage). Tokens merge in order, later ones winning.

    Returns:
        ``{key: float | Scale | str}`` (empty for own usage).

    Raises:
        UsageError: naming the bad key or value and listing what is allowed.
    """
    if usage is None:
        return {}
    if isinstance(usage, Mapping):
        return dict(_entry(k, v) for k, v in usage.items())
    tokens = [usage] if isinstance(usage, str) else list(usage)
    spec: dict[str, Any] = {}
    for token in tokens:
        if not isinstance(token, str):
            raise UsageError(f"usage {token!r} is not a preset or key=value; {allowed_text()}")
        spec.update(_token(token))
    return spec


def _region(name: str, regions: Mapping[str, Any]) -> str:
    if name in (HOTTEST, COLDEST):
        pick = max if name == HOTTEST else min
        return pick(regions, key=lambda r: float(regions[r].temp_mean_c))
    if name not in regions:
        raise UsageError(f"usage region={name!r} is not a region of this run; "
                         f"valid regions: {', '.join(regions)}, {HOTTEST}, {COLDEST}")
    return name


def resolve_usage(spec: Mapping[str, Any], own: Mapping[str, Any],
                  regions: Mapping[str, Any]) -> dict[str, Any]:
    """The concrete usage traits of an alternative.

    Args:
        spec: a spec from :func:`parse_usage`.
        own: the vehicle's own traits (every key of :data:`KEYS`; ``region`` a name).
        regions: the run's ``fleet.regions`` config (name -> region).

    Returns:
        ``own`` with the spec applied (numbers as floats, ``region`` a name).

    Raises:
        UsageError: a value outside the range the config schema allows, or an
            unknown region.
    """
    out = dict(own)
    for key, value in parse_usage(spec).items():
        if key == REGION_KEY:
            out[key] = _region(value, regions)
            continue
        number = float(own[key]) * value.factor if isinstance(value, Scale) else float(value)
        shown = int(number) if number.is_integer() else round(number, 6)
        problem = check_value(f"usage {key}", shown, _RANGES[NUMERIC_KEYS[key]])
        if problem:
            raise UsageError(problem)
        out[key] = number
    return out

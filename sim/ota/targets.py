"""Fleet attributes the campaigns see, and name -> code lookups with clear errors.

The server's inventory: every vehicle's hw config, owner cohort and region
(int codes into name lists). A name in the config that the fleet does not
have fails with the list of valid names.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from configs.validate import ConfigError


class FleetAttributes(NamedTuple):
    """Per-vehicle int codes and the names they index."""

    hw_config: np.ndarray
    hw_config_names: tuple[str, ...]
    cohort: np.ndarray
    cohort_names: tuple[str, ...]
    region: np.ndarray
    region_names: tuple[str, ...]

    @property
    def n(self) -> int:
        return len(self.hw_config)


def codes(names: Iterable[str], known: Sequence[str], key: str) -> list[int]:
    """Codes of ``names`` in ``known``; an unknown name raises a ConfigError naming ``key``."""
    out = []
    for name in names:
        if name not in known:
            raise ConfigError(f"{key}={name!r} is not a known name; allowed: {', '.join(known)}")
        out.append(list(known).index(name))
    return out


def member_mask(values: np.ndarray, names: Sequence[str], known: Sequence[str],
                key: str) -> np.ndarray:
    """Vehicles whose code is one of ``names`` (all vehicles if ``names`` is empty)."""
    if len(names) == 0:
        return np.ones(len(values), bool)
    return np.isin(values, codes(names, known, key))


def release_targets(release: object, attrs: FleetAttributes, path: str) -> np.ndarray:
    """Sorted int64 indices of the vehicles a release applies to (hw configs and regions)."""
    mask = member_mask(attrs.hw_config, list(release.applies_to_hw_configs),
                       attrs.hw_config_names, f"{path}.applies_to_hw_configs")
    mask &= member_mask(attrs.region, list(release.applies_to_regions), attrs.region_names,
                        f"{path}.applies_to_regions")
    return np.flatnonzero(mask).astype(np.int64)


def defect_prob_by_code(release: object, attrs: FleetAttributes, path: str) -> np.ndarray:
    """The latent-defect probability of each hw config code (absent names: 0)."""
    table = dict(release.defect_prob_by_hw_config)
    prob = np.zeros(len(attrs.hw_config_names), np.float64)
    for name, code in zip(table, codes(table, attrs.hw_config_names,
                                       f"{path}.defect_prob_by_hw_config"), strict=True):
        prob[code] = float(table[name])
    return prob

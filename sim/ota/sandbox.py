"""A synthetic fleet to try OTA rollout policies without the engine (sketches and tests).

:func:`ota_config` builds an ``ota`` config from the group files the way
Hydra composes them (``configs/ota/<name>.yaml`` + its rollout preset +
overrides) on the structured schema; :class:`SyntheticFleet` draws
hw configs, cohorts, regions and each night's parking; :func:`run` steps
the campaigns day by day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from configs.ota_schema import OtaConfig
from sim.ota.campaigns import OtaCampaigns
from sim.ota.outcome import DayOutcome, OtaContext


def _group_file(*parts: str) -> DictConfig:
    path = resources.files("configs").joinpath("ota", *parts)
    return OmegaConf.create(path.read_text(encoding="utf-8"))


def ota_config(name: str = "default", rollout: str | None = None,
               overrides: dict[str, Any] | None = None) -> DictConfig:
    """The ``ota`` config of group file ``name`` with rollout preset ``rollout``.

    Args:
        name: a file of ``configs/ota/``.
        rollout: a preset of ``configs/ota/rollout/``; None = the one the file selects.
        overrides: dotted keys -> values, applied last; a mapping value replaces the
            node (``{}`` empties ``defect_prob_by_hw_config``).
    """
    body = _group_file(f"{name}.yaml")
    chosen = None
    for entry in body.pop("defaults", []):
        if isinstance(entry, DictConfig) and "rollout" in entry:
            chosen = entry.rollout
    cfg = OmegaConf.structured(OtaConfig)
    preset = rollout or chosen
    if preset is not None:
        cfg = OmegaConf.merge(cfg, {"rollout": _group_file("rollout", f"{preset}.yaml")})
    cfg = OmegaConf.merge(cfg, body)
    for key, value in (overrides or {}).items():
        # a mapping replaces the node, as on the command line (lists always do)
        OmegaConf.update(cfg, key, value, merge=not isinstance(value, dict))
    return cfg


@dataclass
class SyntheticFleet:
    """Fleet attributes drawn from shares, and nightly parking / charge / 12 V draws."""

    n: int = 10_000
    hw_shares: dict[str, float] = field(default_factory=lambda: {"hw3": 0.3, "hw4": 0.7})
    cohort_shares: dict[str, float] = field(default_factory=lambda: {
        "employee": 0.002, "early_adopter": 0.02, "regular": 0.978})
    region_shares: dict[str, float] = field(default_factory=lambda: {"north": 0.5, "south": 0.5})
    parked_night_prob: float = 0.9
    low_soc_prob: float = 0.0       # nights below any sensible min_soc_frac
    seed: int = 1

    def __post_init__(self) -> None:
        rng = np.random.default_rng([self.seed, 0])
        self.attrs = {}
        for key, shares in (("hw_config", self.hw_shares), ("cohort", self.cohort_shares),
                            ("region", self.region_shares)):
            p = np.asarray(list(shares.values()), float)
            self.attrs[key] = rng.choice(len(p), self.n, p=p / p.sum())
            self.attrs[f"{key}_names"] = list(shares)

    def context(self, day: int) -> OtaContext:
        """Tonight's parking, state of charge and 12 V health (reproducible per day)."""
        rng = np.random.default_rng([self.seed, 1, day])
        u = rng.random((2, self.n), dtype=np.float32)
        soc = np.where(u[1] < self.low_soc_prob, 0.1, 0.8).astype(np.float32)
        return OtaContext(u[0] < self.parked_night_prob, soc, np.ones(self.n, np.float32))

    def campaigns(self, cfg: Any, seed: int = 2026) -> OtaCampaigns:
        """OTA campaigns over this fleet."""
        return OtaCampaigns(cfg, n=self.n, rng=np.random.default_rng(seed), **self.attrs)


def run(cfg: Any, fleet: SyntheticFleet, days: int,
        seed: int = 2026) -> tuple[OtaCampaigns, list[DayOutcome]]:
    """Step the campaigns of ``cfg`` over ``fleet`` for days ``0 .. days - 1``."""
    ota = fleet.campaigns(cfg, seed)
    return ota, [ota.step(day, fleet.context(day)) for day in range(days)]

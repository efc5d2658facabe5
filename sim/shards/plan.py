"""A sharded run's plan: one sub-simulation per service region, regions grouped into shards.

- :func:`apportion`: the fleet's vehicles per region by largest remainder over the
  regions' shares (a fixed rule: the counts do not depend on the shards);
- :func:`region_config`: the scenario's config reduced to one region (``fleet.regions``
  = that region with share 1, ``fleet.size`` = its count);
- :func:`assign`: which regions each shard runs (whole regions, balanced by vehicles,
  deterministic);
- :func:`shard_count`: ``run.shards`` resolved (``auto`` = one per core, at most one per
  region).

A region's random streams are ``Streams(seed).region(name)``
(:meth:`sim.rng.Streams.region`), so nothing in a region depends on the shard that
holds it or on the other regions.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
from omegaconf import DictConfig, open_dict


def apportion(size: int, shares: list[float]) -> list[int]:
    """``size`` split over ``shares`` by largest remainder (ties: the earlier region)."""
    p = np.array(shares, float)
    quota = size * p / p.sum()
    counts = np.floor(quota).astype(np.int64)
    left = int(size - counts.sum())
    order = sorted(range(len(p)), key=lambda i: (-(quota[i] - counts[i]), i))
    for i in order[:left]:
        counts[i] += 1
    return [int(c) for c in counts]


@dataclass(frozen=True)
class RegionPlan:
    """The regions of a run in config order: names, vehicle counts and first fleet ids."""

    names: list[str]
    counts: list[int]

    @property
    def offsets(self) -> np.ndarray:
        """First fleet id of each region, then the fleet size."""
        return np.concatenate([[0], np.cumsum(self.counts)]).astype(np.int64)


def region_plan(cfg: DictConfig) -> RegionPlan:
    """The regions of ``cfg`` and their vehicle counts."""
    names = list(cfg.fleet.regions.keys())
    shares = [float(cfg.fleet.regions[n].share) for n in names]
    return RegionPlan(names, apportion(int(cfg.fleet.size), shares))


def region_config(cfg: DictConfig, name: str, count: int,
                  plan: RegionPlan | None = None) -> DictConfig:
    """``cfg`` with one region: ``name`` (share 1) and ``count`` vehicles.

    With the run's ``plan``, the fleet-wide capacities become the region's part of them
    (largest remainder over the regions' vehicles; a modelling choice of the sharded run,
    see the README): the academy's trainee places, the recall's kit supply and the
    failures that make the maker investigate it.
    """
    sub = copy.deepcopy(cfg)
    with open_dict(sub):
        for other in [k for k in sub.fleet.regions if k != name]:
            del sub.fleet.regions[other]
        sub.fleet.regions[name].share = 1.0
        sub.fleet.size = int(count)
        sub.output.progress = False
        sub.output.daily_sample_vehicles = _sample(cfg, count)
    if plan is not None and len(plan.names) > 1:
        r, counts = plan.names.index(name), plan.counts
        total = max(sum(counts), 1)
        academy = sub.service.workforce.academy
        academy.capacity = max(1, apportion(int(academy.capacity), counts)[r])
        recall = sub.demand.recall
        recall.kits_per_week_full = float(recall.kits_per_week_full) * counts[r] / total
        recall.discovery_failures = max(1, apportion(int(recall.discovery_failures), counts)[r])
    return sub


def _sample(cfg: DictConfig, count: int) -> int:
    """A region's share of the daily sample (``output.daily_sample_vehicles``; 0 = all)."""
    k = int(cfg.output.daily_sample_vehicles)
    n = int(cfg.fleet.size)
    if k <= 0 or k >= n:
        return 0
    return max(1, round(k * count / n))


def shard_count(cfg: DictConfig, n_regions: int) -> int:
    """``run.shards`` as a number: ``auto`` = cores, never more than the regions."""
    s = cfg.run.shards
    n = (os.cpu_count() or 1) if str(s) == "auto" else int(s)
    return max(1, min(n, n_regions))


def assign(counts: list[int], shards: int) -> list[list[int]]:
    """Region indices of each shard: largest region first to the lightest shard (ties: the
    lower index); each shard's regions in region order. Empty shards are dropped."""
    load = [0] * shards
    out: list[list[int]] = [[] for _ in range(shards)]
    for r in sorted(range(len(counts)), key=lambda i: (-counts[i], i)):
        s = min(range(shards), key=lambda j: (load[j], j))
        out[s].append(r)
        load[s] += counts[r]
    return [sorted(x) for x in out if x]

"""The vehicles' side of the OTA campaigns in one region of a sharded run.

The campaign server (:mod:`sim.shards.ota_server`) sits in the coordinator; a region
holds, per release, its own vehicles' install state machine
(:class:`~sim.ota.installs.ReleaseInstalls`) and their report queue. Each day the
region first applies the server's commands of the day (release, hold, cancel,
revert, withdraw, in the server's order), then advances its installs exactly like
:class:`~sim.ota.campaigns.OtaCampaigns` does, and after the day it hands the
reports that reach the server tomorrow to the coordinator (vehicle ids in the
region's numbering; the coordinator shifts them to the fleet's).

Random streams come from the region's ``ota`` stream, per release name, as in a
single run: nothing depends on the shard that holds the region.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.ota.campaigns import _child, _crc, supersede
from sim.ota.controller import OVER
from sim.ota.installs import ReleaseInstalls
from sim.ota.loop import OtaLoop
from sim.ota.monitor import ReportQueue
from sim.ota.outcome import DayOutcome, ReleaseCounts, ReleaseEvents
from sim.ota.targets import FleetAttributes, defect_prob_by_code, release_targets


class _Installs:
    """One release in one region: its targets, installs and report queue."""

    def __init__(self, name: str, cfg: Any, release: Any, attrs: FleetAttributes,
                 root: np.random.SeedSequence) -> None:
        path = f"ota.releases.{name}"
        key = _crc(name)
        self.name, self.release = name, release
        self.release_day = int(release.release_day)
        targets = release_targets(release, attrs, path)
        self.defect_by_code = defect_prob_by_code(release, attrs, path)
        self.queue = ReportQueue(int(cfg.report_delay_days))
        self.installs = ReleaseInstalls(cfg, release, targets,
                                        self.defect_by_code[attrs.hw_config], attrs.hw_config,
                                        draws=_child(root, key, 0), rng=_child(root, key, 1),
                                        reports=self.queue, charge=_child(root, key, 3))
        self.status = "waiting"
        self.last_counts: ReleaseCounts | None = None

    @property
    def quiet(self) -> bool:
        c = self.last_counts
        return (c is not None and c.queued + c.downloading + c.ready == 0
                and self.status in OVER and not self.installs.busy and len(self.queue) == 0)

    def counts(self, day: int) -> ReleaseCounts:
        c = self.installs.counts(day)
        return ReleaseCounts(
            targeted=self.installs.n_targets, released_to_vehicle=self.installs.n_released,
            queued=c["queued"], downloading=c["downloading"], ready=c["ready"],
            deferred=c["deferred"], installed=c["installed"], failed=c["failed"],
            rolled_back=c["rolled_back"], bricked=c["bricked"], cancelled=c["cancelled"],
            reverted=c["reverted"], reported_succeeded=0, reported_failed=0, timed_out=0,
            superseded=c["superseded"], on_defect=c["on_defect"])


class RegionCampaigns:
    """The campaigns' vehicle side in one region (the interface :class:`OtaLoop` uses)."""

    def __init__(self, cfg: Any, attrs: FleetAttributes, rng: np.random.Generator) -> None:
        self.cfg, self.attrs, self.n = cfg, attrs, attrs.n
        self._root = rng.bit_generator.seed_seq
        self.connectivity = float(cfg.connectivity_prob_per_day)
        releases = cfg.releases if cfg.enabled else {}
        self.campaigns = {name: _Installs(name, cfg, releases[name], attrs, self._root)
                          for name in sorted(releases)}
        self.superseded_by: dict[str, str] = {}
        self.orders: dict[str, Any] = {}
        self.applied: list[int] = []
        self.day = -1

    @property
    def release_names(self) -> list[str]:
        return list(self.campaigns)

    def release_config(self, name: str) -> Any:
        return self.campaigns[name].release

    def current(self, release: str) -> str:
        while release in self.superseded_by and self.campaigns[release].status == "superseded":
            release = self.superseded_by[release]
        return release

    def connected(self, day: int) -> np.ndarray:
        g = _child(self._root, _crc("ota.connectivity"), day)
        return g.random(self.n, dtype=np.float32) < np.float32(self.connectivity)

    def _apply_orders(self) -> None:
        """The server's commands of today, in its order; remembers each one's count."""
        o = self.orders
        for parent, name, release in o.get("hotfixes", []):
            self.campaigns[name] = _Installs(name, self.cfg, release, self.attrs, self._root)
            self.superseded_by[parent] = name
        self.applied = []
        for release, verb, args in o.get("commands", []):
            inst = self.campaigns[release].installs
            if verb == "release":
                inst.release(args[0])
            elif verb == "hold":
                inst.hold(*args)
            else:
                self.applied.append(int(getattr(inst, verb)(*args)))
        for name, status in o.get("status", {}).items():
            self.campaigns[name].status = status

    def step(self, day: int, ctx: Any) -> DayOutcome:
        self.day = int(day)
        self._apply_orders()
        out = DayOutcome(day=self.day)
        live = [c for c in self.campaigns.values() if day >= c.release_day]
        busy = [c for c in live if not c.quiet]
        connected = self.connected(day) if busy else None
        for c in live:
            if c in busy:
                out.events[c.name] = c.installs.advance(day, connected, ctx)
                c.last_counts = c.counts(day)
            else:
                out.events[c.name] = ReleaseEvents()
            out.counts[c.name] = c.last_counts
        supersede(self.campaigns, self.superseded_by, out, self.day)
        return out

    def on_dealer_flashed(self, vehicles: np.ndarray, release: str) -> np.ndarray:
        c = self.campaigns[release]
        vehicles = np.asarray(vehicles, np.int64)
        now = self.current(release)
        if now != release:
            c.installs.supersede(vehicles)
            c.last_counts = c.counts(self.day)
            c = self.campaigns[now]
            installed = c.installs.force_install(vehicles, self.day)
        else:
            installed = c.installs.dealer_flashed(vehicles, self.day)
        c.last_counts = c.counts(self.day)
        return installed

    def arrivals(self, day: int) -> dict[str, list[tuple[str, np.ndarray]]]:
        """The reports reaching the server on ``day``, per release (taken off the queues)."""
        return {name: c.queue.arrivals(day) for name, c in self.campaigns.items()}


class RegionOta(OtaLoop):
    """:class:`OtaLoop` over a region's vehicles, its campaigns driven by the server's orders.

    Same arguments as :class:`OtaLoop`; ``region_index`` and ``region_names`` (set by
    :func:`region_ota`) give the region's code among the fleet's regions, so that a
    release's ``applies_to_regions`` and a wave's ``regions`` keep their meaning.
    """

    region_index = 0
    region_names: tuple[str, ...] = ()

    def __init__(self, cfg: Any, fleet: Any, service: Any, log: Any, streams: Any) -> None:
        a = fleet.state.attrs
        self.cfg, self.fleet, self.service, self.log = cfg, fleet, service, log
        attrs = FleetAttributes(np.asarray(a["hw_config"], np.int64), tuple(fleet.hw_config_names),
                                np.asarray(a["cohort"], np.int64), tuple(fleet.cohort_names),
                                np.full(fleet.state.n, self.region_index, np.int64),
                                tuple(self.region_names))
        self.campaigns = RegionCampaigns(cfg, attrs, streams.get("ota"))
        self.rng = streams.get("ota.jobs")
        self._awaiting: dict[int, str] = {}
        self.today: dict[str, float] = {}


def region_ota(index: int, names: list[str]) -> type[RegionOta]:
    """A :class:`RegionOta` class for the region with code ``index`` among ``names``."""
    return type("RegionOta", (RegionOta,), {"region_index": int(index),
                                            "region_names": tuple(names)})

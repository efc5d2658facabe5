"""All OTA campaigns of a run: one per release, stepped once a day by the engine.

Per release: the vehicles' side (:class:`~sim.ota.installs.ReleaseInstalls`),
the report queue and server view (:mod:`sim.ota.monitor`) and the server's
decisions (:class:`~sim.ota.controller.CampaignController`). A day runs:
reports reach the server -> the controller decides -> vehicles download and
install -> counts.

Random streams are derived from the engine's generator per release name
(so adding a release does not shift another's draws) and per day for
connectivity (so two policies see the same connected vehicles each day).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from sim.ota.controller import OVER, CampaignController
from sim.ota.installs import STATES, ReleaseInstalls
from sim.ota.monitor import ReportQueue, ServerView
from sim.ota.operator import HOTFIX_SUFFIX, Operator
from sim.ota.outcome import DayOutcome, ReleaseCounts, ReleaseEvents
from sim.ota.targets import FleetAttributes, defect_prob_by_code, release_targets


def _child(root: np.random.SeedSequence, *key: int) -> np.random.Generator:
    seq = np.random.SeedSequence(root.entropy, spawn_key=tuple(root.spawn_key) + key)
    return np.random.Generator(np.random.PCG64(seq))


def _crc(name: str) -> int:
    return zlib.crc32(name.encode("utf-8"))


class _Campaign:
    """One release: its vehicles, report queue, server view and controller."""

    def __init__(self, name: str, cfg: Any, release: Any, attrs: FleetAttributes,
                 root: np.random.SeedSequence) -> None:
        path = f"ota.releases.{name}"
        rollout = release.rollout if release.rollout is not None else cfg.rollout
        rpath = f"{path}.rollout" if release.rollout is not None else "ota.rollout"
        key = _crc(name)
        self.name = name
        self.release = release
        self.release_day = int(release.release_day)
        self.targets = release_targets(release, attrs, path)
        self.defect_by_code = defect_prob_by_code(release, attrs, path)
        defect = self.defect_by_code[attrs.hw_config]
        self.queue = ReportQueue(int(cfg.report_delay_days))
        self.view = ServerView(attrs.n, attrs.hw_config, len(attrs.hw_config_names),
                               str(rollout.gates.success_counts_on),
                               int(rollout.gates.timeout_days))
        self.installs = ReleaseInstalls(cfg, release, self.targets, defect, attrs.hw_config,
                                        draws=_child(root, key, 0), rng=_child(root, key, 1),
                                        reports=self.queue, charge=_child(root, key, 3))
        self.controller = CampaignController(name, self.release_day, rollout, self.targets,
                                             attrs, _child(root, key, 2), self.installs, rpath)
        self.last_counts: ReleaseCounts | None = None

    @property
    def quiet(self) -> bool:
        """Nothing can change any more: the campaign is over and no vehicle is in flight."""
        c = self.last_counts
        return (c is not None and c.queued + c.downloading + c.ready == 0
                and self.controller.status in OVER
                and not self.installs.busy and len(self.queue) == 0 and not self.view.pending)

    def step(self, day: int, connected: np.ndarray | None, ctx: Any, out: DayOutcome) -> None:
        if connected is None:          # quiet: the last counts still hold
            out.events[self.name] = ReleaseEvents()
            out.counts[self.name] = self.last_counts
            return
        self.view.receive(day, self.queue.arrivals(day))
        out.decisions.extend(self.controller.step(day, self.view))
        out.events[self.name] = self.installs.advance(day, connected, ctx)
        out.counts[self.name] = self.last_counts = self.counts(day)

    def counts(self, day: int) -> ReleaseCounts:
        c = self.installs.counts(day)
        v = self.view
        return ReleaseCounts(
            targeted=self.installs.n_targets, released_to_vehicle=self.installs.n_released,
            queued=c["queued"], downloading=c["downloading"], ready=c["ready"],
            deferred=c["deferred"], installed=c["installed"], failed=c["failed"],
            rolled_back=c["rolled_back"], bricked=c["bricked"], cancelled=c["cancelled"],
            reverted=c["reverted"], reported_succeeded=int(v.succeeded_by_hw.sum()),
            reported_failed=int(v.errored_by_hw.sum()), timed_out=v.n_timed_out,
            superseded=c["superseded"], on_defect=c["on_defect"])


class OtaCampaigns:
    """The OTA campaigns of a run (see :mod:`sim.ota` for the daily contract).

    Args:
        cfg: the ``ota`` config; attribute access.
        n: fleet size.
        hw_config, cohort, region: per-vehicle int codes (fleet length).
        hw_config_names, cohort_names, region_names: the names the codes index.
        rng: the engine's generator for OTA; child streams are derived from its seed.

    Raises:
        ConfigError: a hw config, cohort or region name in the config that the fleet lacks.
    """

    def __init__(self, cfg: Any, *, n: int, hw_config: np.ndarray, hw_config_names: Sequence[str],
                 cohort: np.ndarray, cohort_names: Sequence[str], region: np.ndarray,
                 region_names: Sequence[str], rng: np.random.Generator) -> None:
        self.n = int(n)
        self.attrs = FleetAttributes(np.asarray(hw_config, np.int64), tuple(hw_config_names),
                                     np.asarray(cohort, np.int64), tuple(cohort_names),
                                     np.asarray(region, np.int64), tuple(region_names))
        for name, arr in zip(("hw_config", "cohort", "region"), self.attrs[::2], strict=True):
            if len(arr) != self.n:
                raise ValueError(f"{name} has {len(arr)} entries for a fleet of {self.n}")
        seq = getattr(rng.bit_generator, "seed_seq", None)
        self._root = seq if isinstance(seq, np.random.SeedSequence) else \
            np.random.SeedSequence(int(rng.integers(2**63)))
        self.connectivity = float(cfg.connectivity_prob_per_day)
        releases = cfg.releases if cfg.enabled else {}
        self.cfg = cfg
        self.campaigns = {name: _Campaign(name, cfg, releases[name], self.attrs, self._root)
                          for name in sorted(releases)}
        self.superseded_by: dict[str, str] = {}
        op = getattr(cfg, "operator", None)
        self.operator = Operator(op, _child(self._root, _crc("ota.operator"), 0)) \
            if op is not None and op.enabled and cfg.enabled else None
        self.day = -1

    @property
    def hw_names(self) -> tuple[str, ...]:
        return self.attrs.hw_config_names

    def release_config(self, name: str) -> Any:
        """The config of release ``name`` (a hotfix's is built by the operator)."""
        return self.campaigns[name].release

    def add_hotfix(self, parent: str, release: Any) -> str:
        """Start the campaign of ``parent``'s hotfix (config ``release``); returns its name."""
        name = parent + HOTFIX_SUFFIX
        self.campaigns[name] = _Campaign(name, self.cfg, release, self.attrs, self._root)
        self.superseded_by[parent] = name
        return name

    def current(self, release: str) -> str:
        """The release that now stands for ``release`` (its hotfix, once superseded)."""
        while release in self.superseded_by and \
                self.campaigns[release].controller.status == "superseded":
            release = self.superseded_by[release]
        return release

    @property
    def release_names(self) -> list[str]:
        """The releases, in the order their decisions and counts are produced."""
        return list(self.campaigns)

    def connected(self, day: int) -> np.ndarray:
        """Which vehicles have a usable connection on ``day`` (the same for every release)."""
        g = _child(self._root, _crc("ota.connectivity"), day)
        return g.random(self.n, dtype=np.float32) < np.float32(self.connectivity)

    def step(self, day: int, ctx: Any) -> DayOutcome:
        """Simulate ``day``. ``ctx`` has ``parked_night``, ``soc_frac``, ``aux12v_health``."""
        self.day = int(day)
        out = DayOutcome(day=self.day)
        if self.operator is not None:
            out.decisions.extend(self.operator.act(self.day, self))
        live = [c for c in self.campaigns.values() if day >= c.release_day]
        busy = [c for c in live if not c.quiet]
        connected = self.connected(day) if busy else None
        for c in live:
            c.step(day, connected if c in busy else None, ctx, out)
        supersede(self.campaigns, self.superseded_by, out, self.day)
        return out

    def on_dealer_flashed(self, vehicles: np.ndarray, release: str,
                          day: int | None = None) -> np.ndarray:
        """A service center finished the flash of ``vehicles``; returns those now installed.

        Failed (retries exhausted) and bricked vehicles are accepted; others are
        ignored. After a cloud rollback the center flashes the previous version
        instead (not returned). The engine applies the release's effects itself
        (no ``installed`` event follows). ``day`` defaults to the last stepped day.
        """
        c = self.campaigns[release]
        day = self.day if day is None else int(day)
        vehicles = np.asarray(vehicles, np.int64)
        now = self.current(release)
        if now != release:       # superseded: the center flashes the hotfix
            c.installs.supersede(vehicles)
            c.last_counts = c.counts(self.day)
            c = self.campaigns[now]
            installed = c.installs.force_install(vehicles, day)
        else:
            installed = c.installs.dealer_flashed(vehicles, day)
        c.last_counts = c.counts(self.day)    # not quiet: the flash reports are on their way
        return installed

    def installed_day(self, release: str) -> np.ndarray:
        """Read-only day each vehicle installed ``release`` (-1 if never).

        A vehicle reverted by a cloud rollback keeps its day (it was exposed);
        :meth:`install_state` tells whether it still runs the release.
        """
        v = self.campaigns[release].installs.installed_day.view()
        v.flags.writeable = False
        return v

    def install_state(self, release: str) -> np.ndarray:
        """Read-only install state code of each vehicle (names: :data:`sim.ota.installs.STATES`)."""
        v = self.campaigns[release].installs.state.view()
        v.flags.writeable = False
        return v


__all__ = ["OtaCampaigns", "STATES"]


def supersede(campaigns: dict[str, Any], superseded_by: dict[str, str], out: DayOutcome,
              day: int) -> None:
    """A hotfix installed today supersedes its parent release on those vehicles: the day's
    events get the superseded and patched vehicles, the parent its new counts."""
    for parent, hotfix in superseded_by.items():
        ev = out.events.get(hotfix)
        if ev is not None and ev.installed.size:
            p = campaigns[parent]
            ev.superseded = p.installs.supersede(ev.installed).astype(np.int64)
            ev.patched = ev.superseded[p.installs.defect_hw[ev.superseded]]
            p.last_counts = p.counts(day)

"""The OTA campaign server of a sharded run, in the coordinator.

One server for the whole fleet, as in a single run: per release a
:class:`~sim.ota.monitor.ServerView` and a
:class:`~sim.ota.controller.CampaignController` over the fleet's inventory (every
vehicle's hw config, cohort and region: static codes the regions send once), and
the operator (:class:`~sim.ota.operator.Operator`). The controller is unchanged: its
actuator here is :class:`Commands`, which records each command (vehicle ids in the
fleet's numbering) for the regions to apply at the start of the day, split by region.

A command's return value (how many vehicles a cancel, revert or withdrawal reached)
is only known once the regions applied it: the controller gets a :class:`Count`
placeholder, which prints as a token in the decision's reason; after the day the
tokens are replaced by the regions' counts summed in region order.

Per day: the reports that reach the server today (sent by the regions at the end of
yesterday) -> the operator and each controller decide -> the commands go to the
regions with the day's go. Bulk-synchronous: one exchange per day.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from sim.ota.campaigns import _child, _crc
from sim.ota.controller import CampaignController
from sim.ota.monitor import ServerView
from sim.ota.operator import HOTFIX_SUFFIX, Operator
from sim.ota.outcome import Decision
from sim.ota.targets import FleetAttributes, defect_prob_by_code, release_targets

_TOKEN = re.compile("\x00(\\d+)\x00")


class Count:
    """How many vehicles command ``i`` of the day reached (known after the regions ran)."""

    def __init__(self, i: int) -> None:
        self.i = i

    def __format__(self, spec: str) -> str:
        return f"\x00{self.i}\x00"

    __str__ = __repr__ = lambda self: self.__format__("")


class Commands:
    """The actuator of one release's controller: records the server's commands of the day."""

    def __init__(self, release: str, sink: list, counted: list) -> None:
        self.name, self.sink, self.counted = release, sink, counted

    def _counted(self, verb: str, *args: Any) -> Count:
        self.sink.append((self.name, verb, args))
        self.counted.append(len(self.sink) - 1)
        return Count(len(self.counted) - 1)

    def release(self, vehicles: np.ndarray) -> None:
        self.sink.append((self.name, "release", (np.asarray(vehicles, np.int64),)))

    def hold(self, paused_all: bool, paused_hw: np.ndarray) -> None:
        self.sink.append((self.name, "hold", (bool(paused_all), np.array(paused_hw, bool))))

    def cancel(self, vehicles: np.ndarray) -> Count:
        return self._counted("cancel", np.asarray(vehicles, np.int64))

    def revert(self, vehicles: np.ndarray) -> Count:
        return self._counted("revert", np.asarray(vehicles, np.int64))

    def withdraw(self) -> Count:
        return self._counted("withdraw")


class _ServerCampaign:
    """One release on the server: targets, view and controller (what the operator reads)."""

    def __init__(self, name: str, cfg: Any, release: Any, attrs: FleetAttributes,
                 root: np.random.SeedSequence, server: OtaServer) -> None:
        path = f"ota.releases.{name}"
        rollout = release.rollout if release.rollout is not None else cfg.rollout
        rpath = f"{path}.rollout" if release.rollout is not None else "ota.rollout"
        self.name, self.release = name, release
        self.release_day = int(release.release_day)
        self.targets = release_targets(release, attrs, path)
        self.defect_by_code = defect_prob_by_code(release, attrs, path)
        self.view = ServerView(attrs.n, attrs.hw_config, len(attrs.hw_config_names),
                               str(rollout.gates.success_counts_on),
                               int(rollout.gates.timeout_days))
        self.controller = CampaignController(
            name, self.release_day, rollout, self.targets, attrs, _child(root, _crc(name), 2),
            Commands(name, server.commands, server.counted), rpath)


class OtaServer:
    """The campaign server of the whole fleet (the interface the operator uses).

    Args:
        cfg: the ``ota`` config (typed; a release train's releases included).
        attrs: the fleet's inventory, regions in order.
        rng: the run's ``ota`` stream (its seed: the controllers' and operator's streams).
    """

    def __init__(self, cfg: Any, attrs: FleetAttributes, rng: np.random.Generator) -> None:
        self.cfg, self.attrs = cfg, attrs
        self._root = rng.bit_generator.seed_seq
        self.commands: list[tuple[str, str, tuple]] = []
        self.counted: list[int] = []
        self.hotfixes: list[tuple[str, str, Any]] = []
        releases = cfg.releases if cfg.enabled else {}
        self.campaigns = {name: _ServerCampaign(name, cfg, releases[name], attrs, self._root,
                                                self) for name in sorted(releases)}
        self.superseded_by: dict[str, str] = {}
        op = getattr(cfg, "operator", None)
        self.operator = Operator(op, _child(self._root, _crc("ota.operator"), 0)) \
            if op is not None and op.enabled and cfg.enabled else None
        self.pending: list[Decision] = []
        self.reported: dict[str, tuple[int, int]] = {}

    @property
    def hw_names(self) -> tuple[str, ...]:
        return self.attrs.hw_config_names

    def add_hotfix(self, parent: str, release: Any) -> str:
        name = parent + HOTFIX_SUFFIX
        self.campaigns[name] = _ServerCampaign(name, self.cfg, release, self.attrs, self._root,
                                               self)
        self.superseded_by[parent] = name
        self.hotfixes.append((parent, name, release))
        return name

    def decide(self, day: int, reports: dict[str, list[tuple[str, np.ndarray]]]) -> dict:
        """Day ``day``'s decisions on the reports reaching the server today; returns the orders
        for the regions (``commands`` in fleet numbering, ``hotfixes``, ``status``)."""
        self.commands.clear()
        self.counted.clear()
        self.hotfixes = []
        out: list[Decision] = []
        if self.operator is not None:
            out.extend(self.operator.act(day, self))
        for c in self.campaigns.values():
            if day < c.release_day:
                continue
            c.view.receive(day, reports.get(c.name, []))
            out.extend(c.controller.step(day, c.view))
            v = c.view
            self.reported[c.name] = (int(v.succeeded_by_hw.sum()), int(v.errored_by_hw.sum()))
        self.pending = out
        return {"commands": list(self.commands), "hotfixes": list(self.hotfixes),
                "status": {n: c.controller.status for n, c in self.campaigns.items()}}

    def settle(self, counts: list[list[int]]) -> list[Decision]:
        """The day's decisions with each command's count (summed over the regions, in order)."""
        total = [sum(r[i] for r in counts) for i in range(len(self.counted))]

        def fill(reason: str) -> str:
            return _TOKEN.sub(lambda m: str(total[int(m.group(1))]), reason)

        return [d._replace(reason=fill(d.reason)) for d in self.pending]


def split_orders(orders: dict, offsets: np.ndarray) -> list[dict]:
    """The orders of each region: commands' vehicle ids cut by region and made local.

    ``offsets``: the first fleet id of each region, and the fleet size last. Every region
    gets every command (an empty id array where it has none), so the command counts line
    up across regions.
    """
    out = []
    for r in range(len(offsets) - 1):
        lo, hi = int(offsets[r]), int(offsets[r + 1])
        cmds = []
        for release, verb, args in orders["commands"]:
            if verb in ("release", "cancel", "revert"):
                v = args[0]
                a, b = np.searchsorted(v, [lo, hi]) if _sorted(v) else (None, None)
                local = v[a:b] - lo if a is not None else v[(v >= lo) & (v < hi)] - lo
                args = (local,)
            cmds.append((release, verb, args))
        out.append({"commands": cmds, "hotfixes": orders["hotfixes"], "status": orders["status"]})
    return out


def _sorted(v: np.ndarray) -> bool:
    return len(v) < 2 or bool(np.all(v[1:] >= v[:-1]))

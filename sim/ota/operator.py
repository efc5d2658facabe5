"""The OTA operator (issue 15): a paused campaign is investigated and its release fixed.

A campaign that trips a gate (the whole campaign or one hw config) opens an
investigation; it ends after a triangular number of days
(``investigation_days_min / _mode / _max``). The investigation reads the
failed cars, so it finds the truth: if the release carries a latent defect on
a stopped hw config, the root cause is found and ``on_root_cause`` follows:

- ``hotfix``: a fixed release (``<release>_hotfix``, no latent defect, the same
  targets and effects, ``hotfix_size_mb``) is built in ``hotfix_build_days``
  and rolled out with ``hotfix_rollout``; on its release day it supersedes the
  campaign (vehicles not yet installed are withdrawn; vehicles on the release
  move to the hotfix over the air; a car waiting for a dealer flash or a
  rescue is flashed with the hotfix);
- ``cancel``: the campaign is cancelled and the vehicles on it rolled back.

Without a defect (a pause on noise) the operator resumes the campaign. Every
step is a decision (``investigation_started``, ``root_cause_found``,
``false_alarm``, ``hotfix_released``, ``superseded``, ``cancelled``, ``resumed``).
"""

from __future__ import annotations

import math
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.ota.outcome import Decision

HOTFIX_SUFFIX = "_hotfix"


def hotfix_release(parent: Any, release_day: int, op: Any) -> SimpleNamespace:
    """The release config of ``parent``'s hotfix: same targets and effects, no defect."""
    return SimpleNamespace(
        version=f"{parent.version}-hotfix", release_day=int(release_day),
        target_ecus=list(parent.target_ecus), size_mb=float(op.hotfix_size_mb),
        applies_to_hw_configs=list(parent.applies_to_hw_configs),
        applies_to_regions=list(parent.applies_to_regions), optional=False,
        defect_prob_by_hw_config={}, defect_effect=parent.defect_effect,
        defect_onset_days_mean=float(parent.defect_onset_days_mean), effects=parent.effects,
        rollout=op.hotfix_rollout)


class Operator:
    """Investigations and their outcomes, one open investigation per campaign at a time.

    Args:
        cfg: the ``ota.operator`` config.
        rng: the operator's stream (investigation delays).
    """

    def __init__(self, cfg: Any, rng: np.random.Generator) -> None:
        self.cfg = cfg
        self.rng = rng
        self.open: dict[str, tuple[int, np.ndarray]] = {}    # release -> (due day, stopped hw)
        self.supersede: dict[int, list[tuple[str, str]]] = {}  # day -> (release, hotfix)
        self.fixing: set[str] = set()    # root cause found: the hotfix is being built

    def act(self, day: int, campaigns: Any) -> list[Decision]:
        """The operator's day (before the campaigns decide); returns its decisions.

        ``campaigns``: :class:`sim.ota.campaigns.OtaCampaigns` (``campaigns``,
        ``add_hotfix``, ``hw_names``).
        """
        out: list[Decision] = []
        for name, c in list(campaigns.campaigns.items()):
            ctl = c.controller
            if name in self.open:
                if day >= self.open[name][0]:
                    out.extend(self._conclude(day, name, c, campaigns))
            elif ctl.stopped and day >= c.release_day and name not in self.fixing:
                out.append(self._start(day, name, ctl.stopped_hw(), campaigns.hw_names))
        for release, hotfix in self.supersede.pop(day, []):
            ctl = campaigns.campaigns[release].controller
            before = len(ctl.decisions)
            ctl.close(day, "superseded", f"superseded by {hotfix}")
            out.append(Decision(day, hotfix, "hotfix_released", -1, "", "",
                                f"{hotfix} supersedes {release}: every target gets it over "
                                f"the air, a car awaiting a flash gets it at the dealer"))
            out.extend(ctl.decisions[before:])
        return out

    def _start(self, day: int, name: str, stopped: np.ndarray, hw_names: tuple) -> Decision:
        c = self.cfg
        delay = self.rng.triangular(c.investigation_days_min, c.investigation_days_mode,
                                    c.investigation_days_max)
        self.open[name] = (day + math.ceil(delay), stopped)
        which = ", ".join(hw_names[h] for h in np.flatnonzero(stopped)) or "none"
        return Decision(day, name, "investigation_started", -1, "", "",
                        f"stopped hw configs: {which}; findings expected in {delay:.1f} days")

    def _conclude(self, day: int, name: str, campaign: Any, campaigns: Any) -> list[Decision]:
        _, stopped = self.open.pop(name)
        ctl = campaign.controller
        before = len(ctl.decisions)
        out: list[Decision] = []
        defect = campaign.defect_by_code
        found = stopped & (defect > 0)
        if not found.any():
            out.append(Decision(day, name, "false_alarm", -1, "", "",
                                "no root cause in the failed vehicles' logs: errors at the "
                                "background rate"))
            if ctl.stopped:
                ctl.resume_all(day, "the operator lifts the pause after a false alarm")
            return out + ctl.decisions[before:]
        which = ", ".join(f"{campaigns.hw_names[h]} ({defect[h]:.1%} of installs)"
                          for h in np.flatnonzero(found))
        out.append(Decision(day, name, "root_cause_found", -1, "", "",
                            f"latent defect on {which}; action: {self.cfg.on_root_cause}"))
        if self.cfg.on_root_cause == "cancel":
            ctl.close(day, "cancelled", "the operator cancels the release and rolls it back")
            return out + ctl.decisions[before:]
        due = day + int(self.cfg.hotfix_build_days)
        hotfix = campaigns.add_hotfix(name, hotfix_release(campaign.release, due, self.cfg))
        self.supersede.setdefault(due, []).append((name, hotfix))
        self.fixing.add(name)
        return out + ctl.decisions[before:]

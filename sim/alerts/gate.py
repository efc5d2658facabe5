"""Alert-fatigue gate: de-duplication per vehicle+component and a per-vehicle rolling cap.

Seed 002: a fault-alert feature whose users got 3-4 false alerts a week was
ignored and withdrawn; the industry standard it quotes is fewer than 2
alerts per user per month. The gate drops an alert repeating the last one of
the same vehicle+component within ``dedup_days`` unless its level is more
severe (an escalation), and lets a vehicle receive at most
``max_alerts_per_vehicle_per_30_days`` alerts in any rolling 30 days. An
alert the owner ignored may repeat after ``remind_ignored_after_days``
(a reminder) if its detector still fires.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from configs.alerts_schema import CAP_WINDOW_DAYS, LEVELS
from sim.alerts.detectors import SEVERITY, AlertBatch

NEVER = np.iinfo(np.int32).min // 2   # "no alert yet": older than any window
NO_LEVEL = len(LEVELS)                # below every level: anything is an escalation


class AlertGate:
    """Per-vehicle alert history of the whole fleet.

    Args:
        cfg: the ``alerts`` config (dedup_days, remind_ignored_after_days,
            max_alerts_per_vehicle_per_30_days, red_bypasses_cap); attribute access.
        n: fleet size.
    """

    def __init__(self, cfg: Any, n: int) -> None:
        self.n = n
        self.dedup_days = int(cfg.dedup_days)
        self.remind_days = int(cfg.remind_ignored_after_days)
        self.cap = int(cfg.max_alerts_per_vehicle_per_30_days)
        self.red_bypasses_cap = bool(cfg.red_bypasses_cap)
        # Days of each vehicle's last `cap` admitted alerts (a small ring per vehicle).
        self.recent = np.full((n, self.cap), NEVER, np.int32)
        self.last_day: dict[str, np.ndarray] = {}
        self.last_level: dict[str, np.ndarray] = {}

    def _history(self, component: str) -> tuple[np.ndarray, np.ndarray]:
        if component not in self.last_day:
            self.last_day[component] = np.full(self.n, NEVER, np.int32)
            self.last_level[component] = np.full(self.n, NO_LEVEL, np.int8)
        return self.last_day[component], self.last_level[component]

    def admit(self, day: int, batches: list[AlertBatch]) -> list[AlertBatch]:
        """The alerts of ``day`` that reach owners, most severe level first.

        Args:
            day: simulation day.
            batches: the detector's alerts of the day.

        Returns:
            The admitted part of each batch (batches left empty are dropped).
        """
        out = []
        for b in sorted(batches, key=lambda b: SEVERITY[b.level]):  # red takes the cap first
            sev = SEVERITY[b.level]
            last_day, last_level = self._history(b.component)
            v = b.vehicles
            keep = (day - last_day[v] >= self.dedup_days) | (sev < last_level[v])
            if not (self.red_bypasses_cap and b.level == LEVELS[0]):
                in_window = (self.recent[v] > day - CAP_WINDOW_DAYS).sum(axis=1)
                keep &= in_window < self.cap
            if not keep.any():
                continue
            v = v[keep]
            last_day[v] = day
            last_level[v] = sev
            self.recent[v, np.argmin(self.recent[v], axis=1)] = day
            rul = None if b.rul_days is None else b.rul_days[keep]
            out.append(b._replace(vehicles=v, rul_days=rul))
        return out

    def remind(self, day: int, vehicles: np.ndarray, component: str) -> None:
        """The owners of ``vehicles`` ignored today's ``component`` alert: let it repeat
        after ``remind_ignored_after_days`` instead of ``dedup_days``."""
        last_day, _ = self._history(component)
        last_day[vehicles] = np.minimum(
            last_day[vehicles], day - self.dedup_days + self.remind_days)

    def clear(self, vehicles: np.ndarray, component: str) -> None:
        """Forget the open alert of ``component`` (repaired): a new part may alert again."""
        last_day, last_level = self._history(component)
        last_day[vehicles] = NEVER
        last_level[vehicles] = NO_LEVEL

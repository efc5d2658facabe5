"""Reminders of ignored alerts, escalated one level each time (issue 15).

An alert the owner ignored stays an open prediction until its window closes.
When the detector fires again for the same vehicle+component inside that
window (the gate lets it through after ``remind_ignored_after_days``), the
reminder goes out one level more severe per earlier ignored alert (blue ->
yellow -> red: app inbox -> app push -> push and call, with their service
priorities and owner response) and keeps the first alert's window: it is the
same prediction, told more insistently, so it is scored against the same
end. A reminder after the window closed is a new alert. All numpy per batch.
"""

from __future__ import annotations

import numpy as np

from configs.alerts_schema import LEVELS
from sim.alerts.detectors import SEVERITY, AlertBatch


class Reminders:
    """Per vehicle+component: ignored alerts in a row and the open window's end.

    Args:
        components: twin names.
        n: fleet size.
        escalate: escalate reminders (``alerts.escalate_reminders``); if False every
            alert keeps its detector's level and its own window.
    """

    def __init__(self, components: list[str], n: int, escalate: bool) -> None:
        self.escalate = escalate
        self.ignored = {c: np.zeros(n, np.int8) for c in components}
        self.due = {c: np.full(n, np.nan) for c in components}

    def levels(self, day: int, b: AlertBatch,
               horizon: dict[str, float]) -> list[tuple[AlertBatch, np.ndarray]]:
        """Split ``b`` by the level each alert goes out at; each part with its window ends."""
        v = b.vehicles
        base = np.full(v.size, SEVERITY[b.level], np.int64)
        due = np.full(v.size, float(day) + horizon[b.level])
        if self.escalate:
            open_due = self.due[b.component][v]
            still = open_due >= day                      # NaN (none open) compares False
            base = np.where(still, np.maximum(base - self.ignored[b.component][v], 0), base)
            due = np.where(still, open_due, due)
        out = []
        for sev in np.unique(base).tolist():
            hit = base == sev
            rul = None if b.rul_days is None else b.rul_days[hit]
            out.append((b._replace(level=LEVELS[sev], vehicles=v[hit], rul_days=rul), due[hit]))
        return out

    def answered(self, day: int, component: str, vehicles: np.ndarray, accepted: np.ndarray,
                 due: np.ndarray) -> None:
        """Owners answered today's alerts: count the ignored ones, forget the accepted."""
        ign, end = self.ignored[component], self.due[component]
        fresh = ~(end[vehicles] >= day)                  # no open window: this alert starts one
        v_new = vehicles[fresh & ~accepted]
        ign[v_new], end[v_new] = 1, due[fresh & ~accepted]
        v_again = vehicles[~fresh & ~accepted]
        ign[v_again] += 1
        self.clear(vehicles[accepted], component)

    def clear(self, vehicles: np.ndarray, component: str) -> None:
        """Forget the open prediction of ``vehicles`` (booked or repaired)."""
        self.ignored[component][vehicles] = 0
        self.due[component][vehicles] = np.nan

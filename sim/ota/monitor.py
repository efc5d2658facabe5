"""The server side of one release: the report queue and what the server knows per vehicle.

Vehicles report over telematics; a report sent on day ``d`` reaches the
server's decision of day ``d + report_delay_days``. Report kinds:

- ``in_progress``: an install started (starts the server's timeout clock);
- ``reported``: install done, rebooting (hawkBit counts success here);
- ``booted``: the new image booted (success ``after_reboot``);
- ``attempt_failed``: an attempt failed, the vehicle will retry;
- ``failed``: retries exhausted (final failure);
- ``rolled_back``: the new image failed to boot, A/B rollback (final failure);
- ``fault``: a fault of a vehicle on the release (telematics / service).

A bricked vehicle sends nothing after ``reported``: under ``after_reboot`` it
is silent and only a timeout turns it into a failure.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

REPORT_KINDS = ("in_progress", "reported", "booted", "attempt_failed", "failed", "rolled_back",
                "fault")
NONE = -1


class ReportQueue:
    """Reports in flight from the vehicles to the server.

    Args:
        delay_days: days from sending to the server's decision that sees it (>= 1).
    """

    def __init__(self, delay_days: int) -> None:
        self.delay = int(delay_days)
        self._by_day: dict[int, list[tuple[str, np.ndarray]]] = defaultdict(list)

    def send(self, day: int, kind: str, vehicles: np.ndarray) -> None:
        """Queue a report of ``kind`` from ``vehicles`` sent on ``day``."""
        if len(vehicles):
            self._by_day[day + self.delay].append((kind, np.asarray(vehicles, np.int64)))

    def arrivals(self, day: int) -> list[tuple[str, np.ndarray]]:
        """The reports reaching the server by ``day``, in sending order."""
        out: list[tuple[str, np.ndarray]] = []
        for d in sorted(k for k in self._by_day if k <= day):
            out.extend(self._by_day.pop(d))
        return out

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_day.values())


class ServerView:
    """Per-vehicle report status of one release, and its tallies per hw config.

    Args:
        n: fleet size.
        hw_config: every vehicle's hw config code.
        n_hw: number of hw config codes.
        success_counts_on: ``report`` (hawkBit) or ``after_reboot``.
        timeout_days: in progress this long with no result counts as failed; 0 = never.
    """

    def __init__(self, n: int, hw_config: np.ndarray, n_hw: int, success_counts_on: str,
                 timeout_days: int) -> None:
        self.hw = hw_config
        self.n_hw = n_hw
        self.on_report = success_counts_on == "report"
        self.timeout_days = int(timeout_days)
        self.succeeded = np.zeros(n, bool)
        self.errored = np.zeros(n, bool)
        self.executed = np.zeros(n, bool)       # a final result is known: success or error
        self.in_progress_since = np.full(n, NONE, np.int32)
        self.success_day = np.full(n, NONE, np.int32)   # day the success reached the server
        self.succeeded_by_hw = np.zeros(n_hw, np.int64)
        self.errored_by_hw = np.zeros(n_hw, np.int64)
        self.executed_by_hw = np.zeros(n_hw, np.int64)
        self.n_timed_out = 0
        self._timeouts: dict[int, list[tuple[int, np.ndarray]]] = defaultdict(list)

    def _flag(self, flags: np.ndarray, by_hw: np.ndarray, vehicles: np.ndarray) -> None:
        new = np.unique(vehicles[~flags[vehicles]])
        flags[new] = True
        by_hw += np.bincount(self.hw[new], minlength=self.n_hw)

    def _executed(self, vehicles: np.ndarray) -> None:
        self._flag(self.executed, self.executed_by_hw, vehicles)

    def _success(self, vehicles: np.ndarray, day: int) -> None:
        self._executed(vehicles)
        new = vehicles[~self.succeeded[vehicles]]
        self.success_day[new] = day
        self._flag(self.succeeded, self.succeeded_by_hw, vehicles)

    def _error(self, vehicles: np.ndarray) -> None:
        self._executed(vehicles)
        self._flag(self.errored, self.errored_by_hw, vehicles)

    def receive(self, day: int, reports: list[tuple[str, np.ndarray]]) -> None:
        """Apply the reports reaching the server on ``day``, then its timeouts."""
        for kind, v in reports:
            if kind == "in_progress":
                self.in_progress_since[v] = day
                if self.timeout_days > 0:
                    self._timeouts[day + self.timeout_days].append((day, v))
                continue
            if kind == "fault":
                self._error(v)
                continue
            if kind == "reported" and not self.on_report:
                continue        # after_reboot: "installed, rebooting" is not a result yet
            self.in_progress_since[v] = NONE
            if kind in ("reported", "booted"):
                self._success(v, day)
            elif kind == "failed":
                self._error(v)
            elif kind == "rolled_back" and not self.on_report:
                self._error(v)  # on_report: already counted a success (hawkBit's over-count)
        self._time_out(day)

    def matured(self, day: int, maturity_days: int) -> tuple[np.ndarray, np.ndarray]:
        """Errors and results per hw config: the sample of the statistical gates.

        An error counts in full. A success counts by how long the server has
        watched it without a fault report: ``age / maturity_days``, in full
        from ``maturity_days`` on (a defect shows days after the reboot, so a
        fresh success would dilute the rate). Results may be fractional.
        """
        ok = self.succeeded & ~self.errored
        if maturity_days > 0:
            age = day - self.success_day[ok]
            weight = np.clip(age / maturity_days, 0.0, 1.0)
        else:
            weight = np.ones(int(ok.sum()))
        good = np.bincount(self.hw[ok], weights=weight, minlength=self.n_hw)
        errors = self.errored_by_hw.astype(float)
        return errors, errors + good

    @property
    def pending(self) -> bool:
        """Timeouts still to check."""
        return bool(self._timeouts)

    def _time_out(self, day: int) -> None:
        due = [item for d in sorted(k for k in self._timeouts if k <= day)
               for item in self._timeouts.pop(d)]
        for started, v in due:
            silent = v[self.in_progress_since[v] == started]
            if len(silent):
                self.in_progress_since[silent] = NONE
                before = int(self.errored_by_hw.sum())
                self._error(silent)
                self.n_timed_out += int(self.errored_by_hw.sum()) - before

"""Repairs finished by the service network, applied to the fleet in batches.

A job that ends ``fixed`` queues its repair; the clock applies the queue
vectorized (one ``twin.repair`` call per component, cause and severity)
before it next reads the fleet's state. Twins only move at the daily step and
jobs never read twin state, so the state the clock sees is the same as with
one repair call per job, at a fraction of the cost (a single-vehicle repair
is several fancy-index writes of one element each).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from sim.fleet import Fleet
from sim.records import PREVENTIVE

RepairBatch = tuple[str, str, str, np.ndarray]  # component, cause, severity, vehicles
RepairHook = Callable[[str, str, str, np.ndarray], None]   # (component, cause, severity, vehicles)


class RepairQueue:
    """Pending repairs of one run.

    Args:
        fleet: the fleet to repair.
        rng: the repair stream (e.g. new 12 V units' lives).
    """

    def __init__(self, fleet: Fleet, rng: np.random.Generator) -> None:
        self.fleet, self.rng = fleet, rng
        self._pending: dict[tuple[str, str, str], list[int]] = {}
        self.before_repair: list[RepairHook] = []   # see each batch still broken
        self.after_repair: list[RepairHook] = []    # see each batch repaired

    def __call__(self, vehicle: int, component: str, cause: str, severity: str) -> None:
        """Queue the repair of ``vehicle``'s ``component`` (the service network's callback)."""
        self._pending.setdefault((component, cause, severity), []).append(vehicle)

    def __len__(self) -> int:
        return sum(len(v) for v in self._pending.values())

    def apply(self) -> list[RepairBatch]:
        """Apply every queued repair; returns the batches applied, in queue order.

        A component has at most one open job per vehicle, so each batch's
        vehicles are distinct. ``before_repair`` hooks see each batch first
        (the state still broken), ``after_repair`` hooks once it is repaired.
        """
        state = self.fleet.state
        done: list[RepairBatch] = []
        for (component, cause, severity), vehicles in self._pending.items():
            idx = np.array(vehicles, dtype=np.int64)
            for hook in self.before_repair:
                hook(component, cause, severity, idx)
            self.fleet.twins[component].repair(state.twins[component], idx, cause,
                                               self.fleet.params[component], self.rng)
            if severity != PREVENTIVE:  # a preventive job never holds the failure-job flag
                state.open_job[component][idx] = False
            if severity == "roadside":
                state.strand_count[idx] -= 1
                # Back on the road only when no other roadside job is open for it.
                state.down[idx] = state.strand_count[idx] > 0
            for hook in self.after_repair:
                hook(component, cause, severity, idx)
            done.append((component, cause, severity, idx))
        self._pending.clear()
        return done

"""Turn the twins' fault masks into a few failure records (one per vehicle hit)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from sim.fleet import Fleet


class FailureBatch(NamedTuple):
    """Vehicles newly failed today for one component and cause."""

    component: str
    cause: str
    severity: str
    vehicles: np.ndarray


def detect(fleet: Fleet) -> list[FailureBatch]:
    """New failures: fault masks of components without an open job, most severe cause first.

    A vehicle matching several causes of one component is reported once,
    under the first (most severe) cause in the twin's ``EVENTS`` order.
    """
    out: list[FailureBatch] = []
    state = fleet.state
    for name, twin in fleet.twins.items():
        open_job = state.open_job[name]
        taken = np.empty(0, dtype=np.int64)
        for cause, mask in twin.faults(state.twins[name], fleet.params[name]).items():
            # Faults are sparse: filter the few hit indices, not whole-fleet masks.
            idx = np.flatnonzero(mask)
            if not idx.size:
                continue
            idx = idx[~open_job[idx]]
            if taken.size:
                idx = idx[~np.isin(idx, taken, assume_unique=True)]
            if idx.size:
                out.append(FailureBatch(name, cause, twin.EVENTS[cause], idx))
                taken = np.concatenate([taken, idx])
    return out

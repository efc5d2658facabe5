"""Shadow components: the ground truth of what a preventive repair prevented.

When a component is repaired because of an alert (before it failed), a copy
of its state just before the repair keeps ageing, untouched, under the
vehicle's actual daily usage until the alert's scoring window closes. If the
copy reaches a fault, the repair prevented a failure at that time
(``failure_prevented`` in the event log); if not, the alert was a false
alarm. The copies step through the twins' own vectorized ``step`` and
``faults``, once a day for all shadows of a component together.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from types import ModuleType
from typing import Any, NamedTuple

import numpy as np

from twins.usage import Usage

USAGE_FIELDS = tuple(f.name for f in fields(Usage))


class PreventedFailure(NamedTuple):
    """Shadows of one component that reached ``cause`` today."""

    component: str
    cause: str
    severity: str
    vehicles: np.ndarray
    times: np.ndarray


@dataclass
class _Pool:
    vehicles: np.ndarray              # (m,) vehicle of each shadow
    until: np.ndarray                 # (m,) end of its scoring window (days)
    state: dict[str, np.ndarray]      # (m,) arrays, the twin's state layout


class ShadowPool:
    """Counterfactual copies of preventively repaired components.

    Args:
        twins: twin modules by name.
        params: each twin's parameters.
        rng: the shadow stream (the copies' own random shocks and failure times).
    """

    def __init__(self, twins: dict[str, ModuleType], params: dict[str, Any],
                 rng: np.random.Generator) -> None:
        self.twins, self.params, self.rng = twins, params, rng
        self._pools: dict[str, _Pool] = {}

    def __len__(self) -> int:
        return sum(len(p.vehicles) for p in self._pools.values())

    def add(self, component: str, vehicles: np.ndarray, state: dict[str, np.ndarray],
            until: np.ndarray) -> None:
        """Start shadows of ``component`` for ``vehicles`` from their current ``state``.

        Args:
            component: twin name.
            vehicles: the vehicles (their usage drives the copies).
            state: the twin's full fleet state; rows ``vehicles`` are copied.
            until: end of each shadow's scoring window (days); expired shadows are dropped.
        """
        vehicles = np.asarray(vehicles, dtype=np.int64)
        rows = {k: v[vehicles].copy() for k, v in state.items()}
        until = np.asarray(until, dtype=np.float64)
        old = self._pools.get(component)
        if old is None:
            self._pools[component] = _Pool(vehicles, until, rows)
            return
        self._pools[component] = _Pool(
            np.concatenate([old.vehicles, vehicles]), np.concatenate([old.until, until]),
            {k: np.concatenate([old.state[k], rows[k]]) for k in old.state})

    def step(self, day: int, usage: Usage) -> list[PreventedFailure]:
        """Age every shadow by day ``day`` under its vehicle's ``usage``.

        Returns the shadows that reached a fault today (most severe cause
        first, as the twin orders its events), with a failure time within the
        day; those inside their window are reported and every faulted or
        expired shadow is dropped.
        """
        out: list[PreventedFailure] = []
        for component, pool in list(self._pools.items()):
            twin, p = self.twins[component], self.params[component]
            sub = Usage(**{f: getattr(usage, f)[pool.vehicles] for f in USAGE_FIELDS})
            twin.step(pool.state, sub, 1.0, p, self.rng)
            hit = np.zeros(len(pool.vehicles), dtype=bool)
            times = day + self.rng.random(len(pool.vehicles))
            for cause, mask in twin.faults(pool.state, p).items():
                new = mask & ~hit
                inside = new & (times <= pool.until)
                if inside.any():
                    out.append(PreventedFailure(component, cause, twin.EVENTS[cause],
                                                pool.vehicles[inside], times[inside]))
                hit |= new
            keep = ~hit & (pool.until > day + 1)
            if keep.all():
                continue
            if not keep.any():
                del self._pools[component]
                continue
            self._pools[component] = _Pool(pool.vehicles[keep], pool.until[keep],
                                           {k: v[keep] for k, v in pool.state.items()})
        return out

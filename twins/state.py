"""FleetState: the whole fleet as a struct of arrays."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass
class FleetState:
    """Struct-of-arrays state of every vehicle.

    Attributes:
        n: number of vehicles.
        attrs: static per-vehicle attributes from the usage model (``region``,
            ``profile``, ``km_per_day_mean``, ``aggressiveness``, ...), each ``(n,)``.
        twins: per component name, that twin's state arrays, each ``(n,)``.
        down: vehicles stranded by a roadside failure, not driven until repaired.
        strand_count: open roadside jobs per vehicle (``down`` is ``strand_count > 0``).
        open_job: per component, vehicles with an open service job for it; a
            component with an open job raises no new failure.
    """

    n: int
    attrs: dict[str, np.ndarray]
    twins: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    down: np.ndarray = field(default=None)  # type: ignore[assignment]
    strand_count: np.ndarray = field(default=None)  # type: ignore[assignment]
    open_job: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.down is None:
            self.down = np.zeros(self.n, dtype=bool)
        if self.strand_count is None:
            self.strand_count = np.zeros(self.n, dtype=np.int16)

    def add_twin(self, name: str, state: dict[str, np.ndarray]) -> None:
        """Attach a twin's state arrays and its open-job mask."""
        bad = {k: v.shape for k, v in state.items() if v.shape != (self.n,)}
        if bad:
            raise ValueError(f"twin {name!r} state arrays must have shape ({self.n},): {bad}")
        self.twins[name] = state
        self.open_job[name] = np.zeros(self.n, dtype=bool)

"""Append-only event log, exported whole as one DataFrame.

Every record has the same flat fields (see :data:`COLUMNS`); processes
append, nothing is ever edited or removed. ``reports/`` and KPI code read the
exported table only.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd


class Event(NamedTuple):
    """One record of the event log."""

    time_d: float
    event: str
    vehicle: int = -1
    component: str = ""
    cause: str = ""
    severity: str = ""
    job: int = -1
    region: str = ""
    technician: int = -1
    channel: str = ""
    outcome: str = ""
    due_d: float = float("nan")


COLUMNS = Event._fields
_INT_COLS = ("vehicle", "job", "technician")
_CAT_COLS = ("event", "component", "cause", "severity", "region", "channel", "outcome")


class EventLog:
    """An append-only list of :class:`Event` records."""

    def __init__(self) -> None:
        self._rows: list[Event] = []

    def append(self, event: Event) -> None:
        """Add one record."""
        self._rows.append(event)

    def __len__(self) -> int:
        return len(self._rows)

    def to_frame(self) -> pd.DataFrame:
        """All records as a DataFrame sorted by time (stable for equal times)."""
        if not self._rows:
            df = pd.DataFrame({c: pd.Series(dtype="float64" if c in ("time_d", "due_d") else
                                            "int64" if c in _INT_COLS else "object")
                               for c in COLUMNS})
        else:
            df = pd.DataFrame.from_records(self._rows, columns=COLUMNS)
        df = df.astype({c: "int64" for c in _INT_COLS} | {"time_d": "float64", "due_d": "float64"})
        for c in _CAT_COLS:
            df[c] = df[c].astype("string")
        order = np.argsort(df["time_d"].to_numpy(), kind="stable")
        return df.iloc[order].reset_index(drop=True)

"""The workforce from the result files: headcount, skill mix, tenure, hires and departures,
the expert desk's load.

* The daily table (one row per simulated ``day``) carries the people: technicians
  working (``technicians_active``), in the academy (``technicians_in_academy``), vans
  without a technician (``vans_unstaffed``); the skill mix (``technicians_junior``,
  ``_senior``, ``_expert``); mean tenure in days (``technician_tenure_days_mean``);
  hires and departures of the day (``technicians_hired``, ``technicians_left``).
  A run without ``technicians_active`` (before hiring and attrition, or a Poisson
  queue) has no workforce view; every other column is optional.
* Hires and departures are summed over :data:`BIN_DAYS`-day bins from the first day.
* The expert desk's load is the event log's ``help_answered`` and ``help_abandoned``
  records per simulated day (``time_d`` in days).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PRESENCE_COLUMN = "technicians_active"
HEADCOUNT = ("technicians_active", "technicians_in_academy", "vans_unstaffed")
SKILLS = ("technicians_junior", "technicians_senior", "technicians_expert")
TENURE = "technician_tenure_days_mean"
FLOWS = ("technicians_hired", "technicians_left")
BIN_DAYS = 30
DESK_EVENTS = ("help_answered", "help_abandoned")


@dataclass(frozen=True)
class Workforce:
    """What the workforce section draws, per simulated day.

    Attributes:
        day: The simulated day of each row.
        headcount: The :data:`HEADCOUNT` columns present (``technicians_active`` always).
        skills: The :data:`SKILLS` columns present, or ``None`` without any.
        tenure_days: Mean tenure in days, or ``None`` without the column.
        flows: Hires and departures per :data:`BIN_DAYS`-day bin: index the bin's first
            day, columns the :data:`FLOWS` present and ``days`` (the bin's days in the
            run; the last bin may be partial); ``None`` without either column.
    """

    day: np.ndarray
    headcount: pd.DataFrame
    skills: pd.DataFrame | None
    tenure_days: pd.Series | None
    flows: pd.DataFrame | None

    @property
    def last_bin_days(self) -> int:
        """Days in the last hires/departures bin (``BIN_DAYS`` when it is whole, 0 without)."""
        return 0 if self.flows is None or self.flows.empty else int(self.flows["days"].iloc[-1])


def _present(daily: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    return [c for c in columns if c in daily.columns]


def _day(daily: pd.DataFrame) -> np.ndarray:
    if "day" in daily.columns:
        return daily["day"].to_numpy(dtype="int64")
    return np.arange(len(daily), dtype="int64")


def binned(day: np.ndarray, counts: pd.DataFrame, width: int = BIN_DAYS) -> pd.DataFrame:
    """Daily counts summed over ``width``-day bins starting at the first day.

    Args:
        day: The simulated day of each row.
        counts: Daily counts, one row per entry of ``day``.
        width: Days per bin.

    Returns:
        Index: each bin's first day; the sums of ``counts``' columns and ``days`` (the
        bin's days present in the table).
    """
    start = int(day.min())
    first = start + (day - start) // width * width
    sums = counts.fillna(0).groupby(first).sum()
    sums["days"] = pd.Series(first).value_counts().reindex(sums.index).to_numpy()
    sums.index.name = "day"
    return sums


def workforce_view(daily: pd.DataFrame | None) -> tuple[Workforce | None, str]:
    """Read the workforce columns; ``(None, why)`` without ``technicians_active``.

    Args:
        daily: The run's daily table (``result.daily`` or ``daily.parquet``), or ``None``.
    """
    if daily is None or daily.empty:
        return None, "daily.parquet is missing or empty"
    if PRESENCE_COLUMN not in daily.columns:
        return None, (f"daily.parquet has no {PRESENCE_COLUMN} column (a run before hiring "
                      "and attrition, or a Poisson queue)")
    daily = daily.sort_values("day", kind="stable") if "day" in daily.columns else daily
    day = _day(daily)
    headcount = daily[_present(daily, HEADCOUNT)].reset_index(drop=True).astype(float)
    skills = _present(daily, SKILLS)
    flows = _present(daily, FLOWS)
    return Workforce(
        day,
        headcount,
        daily[skills].reset_index(drop=True).astype(float) if skills else None,
        daily[TENURE].reset_index(drop=True).astype(float) if TENURE in daily.columns else None,
        binned(day, daily[flows].reset_index(drop=True)) if flows else None,
    ), ""


@dataclass(frozen=True)
class DeskLoad:
    """The remote expert desk's calls per simulated day.

    Attributes:
        per_day: Index: every day from the first to the last of the run (or of the calls);
            columns ``help_answered`` and ``help_abandoned`` (counts).
        requested: ``help_requested`` records (``None`` when the log holds none).
    """

    per_day: pd.DataFrame
    requested: int | None

    @property
    def answered(self) -> int:
        return int(self.per_day["help_answered"].sum())

    @property
    def abandoned(self) -> int:
        return int(self.per_day["help_abandoned"].sum())


def desk_load(events: pd.DataFrame | None,
              days: np.ndarray | None = None) -> tuple[DeskLoad | None, str]:
    """Answered and abandoned expert calls per day; ``(None, why)`` without any.

    Args:
        events: Event-log rows with ``time_d`` (days) and ``event`` (``result.events`` or
            :attr:`reports.page.loader.RunFiles.expert_events`), or ``None``.
        days: The run's simulated days, so that days without calls count 0.
    """
    if events is None or not {"time_d", "event"} <= set(events.columns):
        return None, "events.parquet is missing or lacks time_d / event columns"
    kind = events["event"].astype(str).to_numpy()
    is_call = np.isin(kind, DESK_EVENTS)
    if not is_call.any():
        return None, ("the event log has no help_answered or help_abandoned records "
                      "(no expert desk: service.experts.mode is not pool, or no call was made)")
    day = np.floor(events["time_d"].to_numpy(float)[is_call]).astype("int64")
    lo, hi = int(day.min()), int(day.max())
    if days is not None and len(days):
        lo, hi = min(lo, int(np.min(days))), max(hi, int(np.max(days)))
    counts = pd.crosstab(day, kind[is_call])
    per_day = counts.reindex(index=range(lo, hi + 1), columns=list(DESK_EVENTS),
                             fill_value=0).astype("int64")
    per_day.index.name = "day"
    per_day.columns.name = None
    requested = int((kind == "help_requested").sum())
    return DeskLoad(per_day, requested or None), ""

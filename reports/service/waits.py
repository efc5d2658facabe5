"""Job waiting times derived from the event log.

The wait of a job is the time from its ``job_created`` event to its first
``job_assigned`` event, in hours: a job can have several visits (one
``job_assigned`` each), and the customer waited only until the first. Jobs
closed without any assignment (fixed by remote diagnosis) have no wait. Jobs
neither assigned nor closed by the end of the run have no wait yet (they are
right-censored) and are counted separately.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class WaitStats:
    """Summary of job waits.

    Attributes:
        n_jobs: Jobs with a measured wait (created and assigned).
        n_unassigned: Jobs created but not assigned by the end of the run.
        mean_h: Mean wait in hours (NaN when ``n_jobs`` is 0).
        p90_h: 90th percentile wait in hours, linear interpolation (NaN when empty).
        max_h: Longest wait in hours (NaN when empty).
    """

    n_jobs: int
    n_unassigned: int
    mean_h: float
    p90_h: float
    max_h: float


def job_waits_h(job_events: pd.DataFrame) -> pd.Series:
    """Return the wait of every assigned job in hours, indexed by job id.

    Args:
        job_events: Event rows with columns ``time_d``, ``event`` and ``job``; other
            event types and rows with ``job == -1`` are ignored. Rows need not be
            sorted by time.

    Returns:
        Float series of waits in hours, sorted by job id.
    """
    ev = job_events[job_events["job"] >= 0]
    created = ev.loc[ev["event"] == "job_created"].groupby("job")["time_d"].min()
    # Every visit of a job has its own assignment; the customer waited until the first.
    assigned = ev.loc[ev["event"] == "job_assigned"].groupby("job")["time_d"].min()
    both = created.index.intersection(assigned.index)
    waits = (assigned.loc[both] - created.loc[both]) * HOURS_PER_DAY
    return waits.sort_index().astype("float64").rename("wait_h")


def count_unassigned(job_events: pd.DataFrame) -> int:
    """Return how many created jobs were still waiting for a first assignment at the end.

    A job with a ``job_finished`` event but no ``job_assigned`` one was closed
    without a visit (remote fix) and is not waiting.

    Args:
        job_events: Event rows with columns ``event`` and ``job``.

    Returns:
        Number of such jobs.
    """
    ev = job_events[job_events["job"] >= 0]
    created = set(ev.loc[ev["event"] == "job_created", "job"].tolist())
    handled = set(ev.loc[ev["event"].isin(["job_assigned", "job_finished"]), "job"].tolist())
    return len(created - handled)


def wait_stats(job_events: pd.DataFrame) -> WaitStats:
    """Summarise job waits from the event log.

    Args:
        job_events: Event rows with columns ``time_d``, ``event`` and ``job``.

    Returns:
        Counts, mean, 90th percentile and maximum wait in hours.
    """
    waits = job_waits_h(job_events).to_numpy()
    unassigned = count_unassigned(job_events)
    if waits.size == 0:
        return WaitStats(0, unassigned, math.nan, math.nan, math.nan)
    return WaitStats(
        n_jobs=int(waits.size),
        n_unassigned=unassigned,
        mean_h=float(waits.mean()),
        p90_h=float(np.percentile(waits, 90)),
        max_h=float(waits.max()),
    )

"""KPIs over time of one run, for the experiment report's over-time charts per variant.

Two series, each defined as its end-of-run KPI of the catalogue is, so the charts and
the tables of a report agree:

- ``ota_installed_share``: per day, installed / targeted over all releases released by
  then, a hotfix's installs counted for its release (``ota_installed_share_end`` on the
  last day; NaN before the first release).
- the weekly mean wait: per week, the mean wait (creation to first assignment, as
  ``mean_wait_h``) of the jobs first assigned that week, from the daily ``jobs_waited``
  and ``wait_h_sum`` (:func:`sim.collector.wait_columns`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.ota.kpis import with_hotfixes
from sim.ota.operator import HOTFIX_SUFFIX

TIMELINE_COLUMNS = ("day", "ota_installed_share", "jobs_waited", "wait_h_sum")
DAYS_PER_WEEK = 7


def releases(daily: pd.DataFrame) -> list[str]:
    """The releases with adoption columns in a daily table, hotfixes left out (their
    installs count for the release they fix: :func:`sim.ota.kpis.with_hotfixes`)."""
    names = [c[len("ota_"):-len("_targeted")] for c in daily.columns
             if c.startswith("ota_") and c.endswith("_targeted")]
    return [n for n in names if n and not n.endswith(HOTFIX_SUFFIX)
            and f"ota_{n}_installed" in daily]


def timeline(daily: pd.DataFrame) -> pd.DataFrame:
    """One row per day of a run: the installed share and the day's waits.

    Args:
        daily: the run's daily table (``daily.parquet``).

    Returns:
        :data:`TIMELINE_COLUMNS`; ``ota_installed_share`` is NaN on days with no release
        out (or without OTA columns), the wait columns are 0 / NaN when the table lacks them.
    """
    n = len(daily)
    day = daily["day"].to_numpy(np.int64) if "day" in daily else np.arange(n, dtype=np.int64)
    names = releases(daily)
    share = np.full(n, np.nan)
    if names:
        fixed = with_hotfixes(daily, names)
        targeted = fixed[[f"ota_{r}_targeted" for r in names]].to_numpy(float)
        installed = fixed[[f"ota_{r}_installed" for r in names]].to_numpy(float)
        total = np.nansum(targeted, axis=1)
        out = ~np.isnan(targeted).all(axis=1) & (total > 0)
        share[out] = np.nansum(installed, axis=1)[out] / total[out]
    waited = (daily["jobs_waited"].to_numpy(np.int64) if "jobs_waited" in daily
              else np.zeros(n, np.int64))
    wait_sum = daily["wait_h_sum"].to_numpy(float) if "wait_h_sum" in daily else np.full(n, np.nan)
    return pd.DataFrame({"day": day, "ota_installed_share": share, "jobs_waited": waited,
                         "wait_h_sum": wait_sum})


def weekly_wait(tl: pd.DataFrame) -> pd.DataFrame:
    """The mean wait of the jobs first assigned in each week (days ``7k .. 7k + 6``).

    Args:
        tl: :func:`timeline` (one or several replications stacked; extra columns such as
            ``variant`` and ``replication`` are kept as groups).

    Returns:
        ``week_start_day``, ``jobs_waited``, ``mean_wait_h`` (NaN for a week without an
        assignment), per group; a last, shorter week is kept.
    """
    keys = [c for c in ("variant", "replication") if c in tl]
    week = (tl["day"].to_numpy(np.int64) // DAYS_PER_WEEK) * DAYS_PER_WEEK
    grouped = tl.assign(week_start_day=week).groupby([*keys, "week_start_day"], sort=True)
    out = grouped[["jobs_waited", "wait_h_sum"]].sum(min_count=1).reset_index()
    jobs = out["jobs_waited"].to_numpy(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean_wait_h"] = np.where(jobs > 0, out["wait_h_sum"].to_numpy(float) / jobs, np.nan)
    return out.drop(columns="wait_h_sum")

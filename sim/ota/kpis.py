"""OTA campaign KPIs, from the event log and the daily adoption columns of a run.

Per release ``r``, ``daily.parquet`` holds ``ota_<r>_targeted`` and
``ota_<r>_installed`` (from its release day on); events ``ota_*`` carry the
release in ``cause``. Flat KPIs add the releases up (``ota_days_to_95pct``:
the slowest release).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

ADOPTION_SHARE = 0.95
OTA_JOB_CAUSES = ("ota_fault", "ota_no_start", "ota_dealer_flash")
MB_PER_GB = 1000.0


def days_to_share(daily: pd.DataFrame, release: str, release_day: int,
                  share: float = ADOPTION_SHARE) -> float:
    """Days from ``release_day`` to the end of the first day with ``share`` of targets installed."""
    targeted, installed = f"ota_{release}_targeted", f"ota_{release}_installed"
    if targeted not in daily or installed not in daily:
        return math.nan
    reached = daily.loc[daily[installed] >= share * daily[targeted], "day"]
    reached = reached[daily.loc[reached.index, targeted] > 0]
    return float(reached.iloc[0] + 1 - release_day) if len(reached) else math.nan


def ota_kpis(events: pd.DataFrame, daily: pd.DataFrame, ota_cfg: Any, hw_config: np.ndarray,
             hw_config_names: list[str], data_cost_per_gb: float) -> dict[str, float]:
    """The OTA KPIs of a run (zeros and NaN when no release ran)."""
    releases = dict(ota_cfg.releases) if ota_cfg.enabled else {}
    ev = events[events["event"].str.startswith("ota_")]
    count = ev["event"].value_counts()
    k: dict[str, float] = {}
    days, targeted, installed, exposed, gb = [], 0.0, 0.0, 0, 0.0
    for name, rel in releases.items():
        d = days_to_share(daily, name, int(rel.release_day))
        days.append(d)
        k[f"ota_days_to_95pct_{name}"] = d
        col_t, col_i = f"ota_{name}_targeted", f"ota_{name}_installed"
        if col_t in daily and daily[col_t].notna().any():
            last = daily[[col_t, col_i]].dropna().iloc[-1]
            targeted += float(last[col_t])
            installed += float(last[col_i])
        mine = ev[ev["cause"] == name]
        got = mine.loc[mine["event"] == "ota_installed", "vehicle"].to_numpy()
        defect = {h: float(p) for h, p in dict(rel.defect_prob_by_hw_config).items()}
        bad_hw = np.array([defect.get(h, 0.0) > 0 for h in hw_config_names])
        exposed += int(bad_hw[hw_config[got]].sum()) if got.size else 0
        downloaded = mine.loc[mine["event"].isin(
            ["ota_installed", "ota_rolled_back", "ota_bricked"]), "vehicle"].nunique()
        gb += downloaded * float(rel.size_mb) / MB_PER_GB
    k["ota_days_to_95pct"] = (max(days) if days and not any(math.isnan(x) for x in days)
                              else math.nan)
    k["ota_installed_share_end"] = installed / targeted if targeted else math.nan
    k["ota_install_failures"] = int(count.get("ota_install_failed", 0))
    k["ota_rollbacks"] = int(count.get("ota_rolled_back", 0)
                             + count.get("ota_cloud_rolled_back", 0))
    k["ota_vehicles_exposed_to_defect"] = exposed
    k["ota_vehicles_bricked"] = int(ev.loc[ev["event"].isin(
        ["ota_bricked", "ota_defect_no_start"]), "vehicle"].nunique())
    jobs = events[(events["event"] == "job_created") & (events["component"] == "software")]
    k["ota_service_jobs"] = int(jobs["cause"].isin(OTA_JOB_CAUSES).sum())
    k["ota_campaign_paused"] = int(count.get("ota_paused", 0) + count.get("ota_cohort_paused", 0))
    k["ota_data_cost"] = gb * data_cost_per_gb
    return k

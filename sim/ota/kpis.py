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

from sim.ota.operator import HOTFIX_SUFFIX

ON_DEFECT_TOTAL = "ota_vehicles_on_defect"   # the daily total column (sim.ota.loop)

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
    k: dict[str, float] = operator_kpis(ev, daily)
    days, targeted, installed, exposed, gb = [], 0.0, 0.0, 0, 0.0
    hotfixes = set(ev.loc[ev["event"] == "ota_hotfix_released", "cause"])
    daily = with_hotfixes(daily, list(releases))
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
        gb += _downloaded(mine) * float(rel.size_mb) / MB_PER_GB
    for name in hotfixes:
        gb += _downloaded(ev[ev["cause"] == name]) * float(ota_cfg.operator.hotfix_size_mb) \
            / MB_PER_GB
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


def _downloaded(mine: pd.DataFrame) -> int:
    """Vehicles that downloaded a release in full (installed, rolled back or bricked)."""
    return int(mine.loc[mine["event"].isin(["ota_installed", "ota_rolled_back", "ota_bricked"]),
                        "vehicle"].nunique())


def with_hotfixes(daily: pd.DataFrame, releases: list[str]) -> pd.DataFrame:
    """``daily`` where a release's installed count includes its hotfix's (the hotfix carries
    the release: a vehicle on it runs the new software, without the defect)."""
    out = daily
    for name in releases:
        col, fix_col = f"ota_{name}_installed", f"ota_{name}{HOTFIX_SUFFIX}_installed"
        if col in daily and fix_col in daily:
            out = out.copy() if out is daily else out
            out[col] = daily[col] + daily[fix_col].fillna(0)
    return out


def operator_kpis(ev: pd.DataFrame, daily: pd.DataFrame) -> dict[str, float]:
    """``ota_releases``, ``ota_days_to_fix``, ``ota_vehicle_days_on_defective_version``.

    Args:
        ev: the run's ``ota_*`` events.
        daily: the daily table (``ota_<release>_on_defect`` per release).
    """
    started = ev.loc[ev["event"] == "ota_wave_started", "cause"].nunique()
    stops = ev[ev["event"].isin(["ota_paused", "ota_cohort_paused"])]
    # a fix is the operator's answer to a root cause (not, say, a later release's supersede)
    root_caused = ev.loc[ev["event"] == "ota_root_cause_found", "cause"].unique()
    fixes = ev[ev["event"].isin(["ota_superseded", "ota_cancelled"])
               & ev["cause"].isin(root_caused)]
    waits = []
    for release, fixed in fixes.groupby("cause")["time_d"].min().items():
        stop = stops.loc[stops["cause"] == release, "time_d"]
        if len(stop):
            waits.append(float(fixed) - float(stop.min()))
    on_defect = [c for c in daily.columns if c.startswith("ota_") and c.endswith("_on_defect")
                 and c != ON_DEFECT_TOTAL]   # per release (the total is their sum)
    return {"ota_releases": int(started),
            "ota_days_to_fix": float(np.mean(waits)) if waits else math.nan,
            "ota_vehicle_days_on_defective_version":
                float(daily[on_defect].fillna(0).to_numpy().sum()) if on_defect else 0.0}

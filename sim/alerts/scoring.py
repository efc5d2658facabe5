"""Score predictive alerts against the twins' ground truth in the event log.

Pure pandas/numpy over the exported event log (:mod:`sim.records`):

* ``alert``: time_d, vehicle, component, cause (predicted), severity = level,
  outcome = ``accepted`` | ``ignored``, due_d = time_d + the level's horizon.
* ``failure``: a real failure; ``failure_prevented``: the failure the
  component's shadow copy (no preventive repair) had at time_d.
* ``job_created`` with severity ``preventive``: a job booked from an alert.

An alert is true iff a failure or prevented failure of the same
vehicle+component happens in ``[time_d, due_d]``. A failure is predicted iff
an alert of the same vehicle+component came at least ``min_lead_days``
before it and the failure falls inside that alert's window.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from configs.alerts_schema import LEVELS

DAYS_PER_MONTH = 365.25 / 12.0
FAILURES = ("failure", "failure_prevented")
KEYS = ["vehicle", "component"]
_COLS = ["time_d", "event", "vehicle", "component", "cause", "severity", "job", "outcome",
         "due_d"]


def _ratio(num: float, den: float) -> float:
    return float(num) / float(den) if den else float("nan")


def _alerts(events: pd.DataFrame, horizons: dict[str, float] | None) -> pd.DataFrame:
    """The alert rows with ``level`` and a due time (logged, or time + the level's horizon)."""
    a = events.loc[events["event"] == "alert", _COLS].reset_index(drop=True)
    a = a.rename(columns={"severity": "level"})
    due = a["due_d"].astype(float).to_numpy()
    if horizons is not None and np.isnan(due).any():
        h = a["level"].map(horizons).astype(float).to_numpy()
        due = np.where(np.isnan(due), a["time_d"].to_numpy(float) + h, due)
    a["due_d"] = due
    return a


def _failures(events: pd.DataFrame) -> pd.DataFrame:
    f = events.loc[events["event"].isin(FAILURES), ["time_d", "event", *KEYS, "cause"]]
    return f.rename(columns={"time_d": "failure_d"}).reset_index(drop=True)


def _truth(alerts: pd.DataFrame, failures: pd.DataFrame) -> pd.DataFrame:
    """``alerts`` with the first failure of the vehicle+component at or after each alert."""
    out = alerts.copy()
    out["true"] = False
    out["lead_days"] = np.nan
    if out.empty or failures.empty:
        return out
    left = out[["time_d", *KEYS]].assign(_row=np.arange(len(out))).sort_values("time_d")
    right = failures[["failure_d", *KEYS]].sort_values("failure_d")
    first = pd.merge_asof(left, right, left_on="time_d", right_on="failure_d", by=KEYS,
                          direction="forward").sort_values("_row")
    failure_d = first["failure_d"].to_numpy(float)
    true = failure_d <= out["due_d"].to_numpy(float)   # NaN (no later failure) -> False
    out["true"] = true
    out["lead_days"] = np.where(true, failure_d - out["time_d"].to_numpy(float), np.nan)
    return out


def alert_truth(events: pd.DataFrame, horizons: dict[str, float] | None = None) -> pd.DataFrame:
    """One row per alert, with whether it came true and its lead time.

    Args:
        events: the event log.
        horizons: level -> horizon days, used only where an alert's due_d is missing.

    Returns:
        The alert rows (time_d, vehicle, component, cause, level, job, outcome,
        due_d) plus ``true`` (a failure or prevented failure of the
        vehicle+component in ``[time_d, due_d]``) and ``lead_days`` (to the
        first such failure; NaN if false).
    """
    events = events.reindex(columns=_COLS)
    return _truth(_alerts(events, horizons), _failures(events))


def _pairs(failures: pd.DataFrame, alerts: pd.DataFrame) -> pd.DataFrame:
    """Every (failure, alert) of the same vehicle+component with the failure in the window."""
    pairs = failures.assign(_fid=np.arange(len(failures))).merge(
        alerts[["time_d", "due_d", *KEYS]], on=KEYS)
    inside = (pairs["time_d"] <= pairs["failure_d"]) & (pairs["failure_d"] <= pairs["due_d"])
    return pairs[inside]


def _predicted_lead(failures: pd.DataFrame, pairs: pd.DataFrame,
                    min_lead_days: float) -> np.ndarray:
    """Per failure, the lead of its earliest qualifying alert (NaN if not predicted)."""
    ok = pairs[pairs["failure_d"] - pairs["time_d"] >= min_lead_days]
    earliest = ok.groupby("_fid")["time_d"].min()
    lead = np.full(len(failures), np.nan)
    fid = earliest.index.to_numpy(int)
    lead[fid] = failures["failure_d"].to_numpy(float)[fid] - earliest.to_numpy(float)
    return lead


def score_alerts(events: pd.DataFrame, vehicles: int, horizon_days: float,
                 horizons: dict[str, float], min_lead_days: float,
                 predicted_causes: Iterable[tuple[str, str]],
                 components: Iterable[str] = ()) -> dict[str, float]:
    """Alert KPIs of one run.

    Args:
        events: the event log.
        vehicles: fleet size.
        horizon_days: simulated days.
        horizons: level -> horizon days (fills a missing due_d).
        min_lead_days: least warning for a failure to count as predicted.
        predicted_causes: the (component, cause) pairs some detector predicts;
            their failures (real or prevented) are the recall population. A
            random shock (a puncture) is not a miss of a tread detector.
        components: components always reported per component (with NaN when
            there is nothing to score), so every run has the same KPI names.

    Returns:
        ``alerts``, ``alert_precision``, ``alert_recall``, ``alert_median_lead_days``,
        ``alerts_per_vehicle_month``, ``false_alarms_per_1000_vehicle_days``,
        ``owner_response_rate``, ``breakdowns_avoided_share``, ``preventive_jobs``,
        ``alert_precision_<level>``, and ``alert_precision_<component>`` /
        ``alert_recall_<component>`` for each of ``components`` and each
        component with alerts or failures (recall over its predicted causes,
        NaN without one). Rates are NaN when their denominator is 0.
    """
    events = events.reindex(columns=_COLS)
    failures = _failures(events)
    alerts = _truth(_alerts(events, horizons), failures)
    monitored = {f"{c}/{cause}" for c, cause in predicted_causes}
    pairs = _pairs(failures, alerts)
    lead = _predicted_lead(failures, pairs, min_lead_days)
    predicted = ~np.isnan(lead)
    in_scope = (failures["component"].astype(str) + "/" + failures["cause"].astype(str)
                ).isin(monitored).to_numpy(bool)
    monitored_components = {m.partition("/")[0] for m in monitored}
    real = (failures["event"] == "failure").to_numpy(bool)
    alerted_real = np.zeros(len(failures), bool)
    alerted_real[pairs["_fid"].to_numpy(int)] = True
    alerted_real &= real
    prevented = int((~real).sum())
    vehicle_days = float(vehicles) * float(horizon_days)
    n_true = int(alerts["true"].sum())
    out = {
        "alerts": float(len(alerts)),
        "alert_precision": _ratio(n_true, len(alerts)),
        "alert_recall": _ratio((predicted & in_scope).sum(), in_scope.sum()),
        "alert_median_lead_days": (float(np.median(lead[predicted & in_scope]))
                                   if (predicted & in_scope).any() else float("nan")),
        "alerts_per_vehicle_month": _ratio(len(alerts), vehicle_days / DAYS_PER_MONTH),
        "false_alarms_per_1000_vehicle_days": _ratio(1000.0 * (len(alerts) - n_true),
                                                     vehicle_days),
        "owner_response_rate": _ratio((alerts["outcome"] == "accepted").sum(), len(alerts)),
        "breakdowns_avoided_share": _ratio(prevented, prevented + alerted_real.sum()),
        "preventive_jobs": float(((events["event"] == "job_created")
                                  & (events["severity"] == "preventive")).sum()),
    }
    for level in LEVELS:
        is_level = alerts["level"] == level
        out[f"alert_precision_{level}"] = _ratio(alerts.loc[is_level, "true"].sum(),
                                                 is_level.sum())
    fail_comp = failures["component"].to_numpy(object)
    for comp in sorted(set(components) | set(alerts["component"]) | set(fail_comp)):
        is_comp = alerts["component"] == comp
        out[f"alert_precision_{comp}"] = _ratio(alerts.loc[is_comp, "true"].sum(),
                                                is_comp.sum())
        of_comp = (fail_comp == comp) & in_scope
        out[f"alert_recall_{comp}"] = (_ratio((predicted & of_comp).sum(), of_comp.sum())
                                       if comp in monitored_components else float("nan"))
    return out

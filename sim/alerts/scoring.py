"""Score predictive alerts against the twins' ground truth in the event log.

Pure pandas/numpy over the exported event log (:mod:`sim.records`):

* ``alert``: time_d, vehicle, component, cause (predicted), severity = level,
  outcome = ``accepted`` | ``ignored``, due_d = time_d + the level's horizon.
* ``failure``: a real failure; ``failure_prevented``: the failure the
  component's shadow copy (no preventive repair) had at time_d.
* ``job_created`` with severity ``preventive``: a job booked from an alert.

An alert is true iff a failure or prevented failure of the same
vehicle+component happens in ``[time_d, due_d]``. An alert whose window runs
past the end of the run without such a failure is *censored*: its truth is
unknown (the failure may come after the last day), so it is reported apart
and left out of precision, false alarms and the per-level and per-component
precision (issue 15: these alerts scored 0.26 when counted false). A failure
is predicted iff
an alert of the same vehicle+component came at least ``min_lead_days``
before it and the failure falls inside that alert's window.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from configs.alerts_schema import LEVELS

DAYS_PER_MONTH = 365.25 / 12.0
DAYS_PER_HALF_YEAR = 365.25 / 2.0   # the periods of alert_precision_worst_half_year
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


def _truth(alerts: pd.DataFrame, failures: pd.DataFrame,
           end_d: float | None = None) -> pd.DataFrame:
    """``alerts`` with the first failure of the vehicle+component at or after each alert.

    ``end_d``: the end of the run; a false alert whose window closes after it is censored.
    """
    out = alerts.copy()
    out["true"] = False
    out["lead_days"] = np.nan
    out["censored"] = False
    if out.empty:
        return out
    if failures.empty:
        out["censored"] = _open_at_end(out, end_d)
        return out
    left = out[["time_d", *KEYS]].assign(_row=np.arange(len(out))).sort_values("time_d")
    right = failures[["failure_d", *KEYS]].sort_values("failure_d")
    first = pd.merge_asof(left, right, left_on="time_d", right_on="failure_d", by=KEYS,
                          direction="forward").sort_values("_row")
    failure_d = first["failure_d"].to_numpy(float)
    true = failure_d <= out["due_d"].to_numpy(float)   # NaN (no later failure) -> False
    out["true"] = true
    out["lead_days"] = np.where(true, failure_d - out["time_d"].to_numpy(float), np.nan)
    out["censored"] = ~true & _open_at_end(out, end_d)
    return out


def _open_at_end(alerts: pd.DataFrame, end_d: float | None) -> np.ndarray:
    """Alerts whose scoring window closes after the end of the run (all False without one)."""
    if end_d is None:
        return np.zeros(len(alerts), bool)
    return alerts["due_d"].to_numpy(float) > float(end_d)


def alert_truth(events: pd.DataFrame, horizons: dict[str, float] | None = None,
                end_d: float | None = None) -> pd.DataFrame:
    """One row per alert, with whether it came true and its lead time.

    Args:
        events: the event log.
        horizons: level -> horizon days, used only where an alert's due_d is missing.
        end_d: the end of the run (days); None: no alert is censored.

    Returns:
        The alert rows (time_d, vehicle, component, cause, level, job, outcome,
        due_d) plus ``true`` (a failure or prevented failure of the
        vehicle+component in ``[time_d, due_d]``), ``lead_days`` (to the
        first such failure; NaN if false) and ``censored`` (not true, window
        open at ``end_d``).
    """
    events = events.reindex(columns=_COLS)
    return _truth(_alerts(events, horizons), _failures(events), end_d)


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
        ``alerts``, ``alerts_censored`` (window open at the end of the run; out of
        every precision and of the false alarms), ``alert_precision``,
        ``alert_precision_worst_half_year``, ``alert_recall``, ``alert_median_lead_days``,
        ``alerts_per_vehicle_month``, ``false_alarms_per_1000_vehicle_days``,
        ``owner_response_rate``, ``breakdowns_avoided_share``, ``preventive_jobs``,
        ``alert_precision_<level>``, ``alert_share_<level>``,
        ``alert_median_lead_days_<level>``, and ``alert_precision_<component>`` /
        ``alert_recall_<component>`` for each of ``components`` and each
        component with alerts or failures (recall over its predicted causes,
        NaN without one). Rates are NaN when their denominator is 0.
    """
    events = events.reindex(columns=_COLS)
    failures = _failures(events)
    alerts = _truth(_alerts(events, horizons), failures, horizon_days)
    censored = alerts["censored"].to_numpy(bool)
    scored = alerts[~censored]
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
        "alerts_censored": float(censored.sum()),
        "alert_precision": _ratio(n_true, len(scored)),
        "alert_precision_worst_half_year": _worst_half_year(scored),
        "alert_recall": _ratio((predicted & in_scope).sum(), in_scope.sum()),
        "alert_median_lead_days": (float(np.median(lead[predicted & in_scope]))
                                   if (predicted & in_scope).any() else float("nan")),
        "alerts_per_vehicle_month": _ratio(len(alerts), vehicle_days / DAYS_PER_MONTH),
        "false_alarms_per_1000_vehicle_days": _ratio(1000.0 * (len(scored) - n_true),
                                                     vehicle_days),
        "owner_response_rate": _ratio((alerts["outcome"] == "accepted").sum(), len(alerts)),
        "breakdowns_avoided_share": _ratio(prevented, prevented + alerted_real.sum()),
        "preventive_jobs": float(((events["event"] == "job_created")
                                  & (events["severity"] == "preventive")).sum()),
    }
    for level in LEVELS:
        is_level = scored["level"] == level
        out[f"alert_precision_{level}"] = _ratio(scored.loc[is_level, "true"].sum(),
                                                 is_level.sum())
        out[f"alert_share_{level}"] = _ratio((alerts["level"] == level).sum(), len(alerts))
        lead_level = scored.loc[is_level & scored["true"], "lead_days"]
        out[f"alert_median_lead_days_{level}"] = (float(lead_level.median()) if len(lead_level)
                                                  else float("nan"))
    fail_comp = failures["component"].to_numpy(object)
    for comp in sorted(set(components) | set(alerts["component"]) | set(fail_comp)):
        is_comp = scored["component"] == comp
        out[f"alert_precision_{comp}"] = _ratio(scored.loc[is_comp, "true"].sum(),
                                                is_comp.sum())
        of_comp = (fail_comp == comp) & in_scope
        out[f"alert_recall_{comp}"] = (_ratio((predicted & of_comp).sum(), of_comp.sum())
                                       if comp in monitored_components else float("nan"))
    return out


def _worst_half_year(scored: pd.DataFrame) -> float:
    """The lowest precision of the run's half-years (by alert time; NaN without alerts)."""
    if scored.empty:
        return float("nan")
    half = (scored["time_d"].to_numpy(float) // DAYS_PER_HALF_YEAR).astype(int)
    return float(scored.groupby(half)["true"].mean().min())

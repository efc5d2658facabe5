"""Predictive-alert quality from the event log: every alert scored, then grouped and counted.

An alert is *true* when a failure or a prevented failure of the same vehicle and
component falls inside its window ``[time_d, due_d]``; the scoring is
:func:`sim.alerts.alert_truth`, the very function behind the alert KPIs, so the
report and kpis.json cannot drift apart. It is a pure function over the exported
event log: the report still reads only result files.

Whether a run had alerts at all comes from run.json (``alerts.enabled``, and the
service demand the alerts need); a kpis.json without the ``alerts`` key is a run
made before predictive alerts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from sim.alerts.scoring import DAYS_PER_MONTH, alert_truth

# Most urgent first; a level found in the log but not listed here is shown after these.
LEVELS: tuple[str, ...] = ("red", "yellow", "blue")
LEVEL_COLORS = {"red": "#D55E00", "yellow": "#E69F00", "blue": "#0072B2"}
State = Literal["on", "off", "missing"]


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def alerts_config(run: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the resolved ``alerts`` config from run.json, or an empty mapping."""
    return _mapping(_mapping(run.get("config")).get("alerts"))


def _off_override(run: Mapping[str, Any]) -> str:
    """The override that switched alerts off, e.g. ``"alerts=none"``."""
    overrides = run.get("overrides")
    for item in overrides if isinstance(overrides, list) else []:
        text = str(item).lstrip("+~")
        if text.startswith(("alerts=", "alerts.enabled=")):
            return text
    return "alerts.enabled=false"


def alert_state(kpis: Mapping[str, float | None], run: Mapping[str, Any]) -> tuple[State, str]:
    """Tell whether the run had predictive alerts.

    Args:
        kpis: KPI name -> value.
        run: Parsed run.json (may be empty).

    Returns:
        ``("on", "")``; ``("off", why)`` when the config switched them off or the
        service demand could not use them, ``why`` naming the setting (e.g.
        ``"alerts=none"``); ``("missing", "")`` for a run made before predictive
        alerts (kpis.json without the alert KPIs).
    """
    cfg = alerts_config(run)
    if cfg.get("enabled") is False:
        return "off", _off_override(run)
    demand = _mapping(_mapping(run.get("config")).get("service")).get("demand")
    if cfg and demand not in (None, "failures"):
        return "off", f"service.demand={demand}: alerts act only on failure-driven demand"
    if "alerts" not in kpis:
        return "missing", ""
    return "on", ""


def horizons(run: Mapping[str, Any]) -> dict[str, float] | None:
    """Level -> window in days from run.json, used only where an alert has no ``due_d``."""
    cfg = alerts_config(run)
    out = {
        level: float(cfg[f"horizon_days_{level}"])
        for level in LEVELS
        if isinstance(cfg.get(f"horizon_days_{level}"), int | float)
    }
    return out or None


def end_day(run: Mapping[str, Any]) -> float | None:
    """The run's last day (config ``horizon_days``) from run.json; None if absent."""
    h = _mapping(run.get("config")).get("horizon_days")
    return float(h) if isinstance(h, int | float) else None


@dataclass(frozen=True)
class AlertView:
    """Every alert of a run, scored.

    Attributes:
        alerts: One row per alert (:func:`sim.alerts.alert_truth`): ``time_d``,
            ``vehicle``, ``component``, ``level``, ``outcome``, ``due_d``, ``true`` and
            ``lead_days`` (days to the failure; NaN when false).
        prevented: Failures that a preventive repair prevented (``failure_prevented``).
        alerted_failures: Real failures inside the window of an alert of the same
            vehicle and component (the alert came, the failure happened anyway).
    """

    alerts: pd.DataFrame
    prevented: int
    alerted_failures: int

    @property
    def n_true(self) -> int:
        """Alerts that came true."""
        return int(self.alerts["true"].sum())

    @property
    def n_scored(self) -> int:
        """Alerts whose truth is known (not censored by the end of the run)."""
        if "censored" not in self.alerts:
            return len(self.alerts)
        return int((~self.alerts["censored"].astype(bool)).sum())

    @property
    def n_accepted(self) -> int:
        """Alerts the owner acted on."""
        return int((self.alerts["outcome"] == "accepted").sum())

    def avoided_share(self) -> float:
        """Prevented failures over all failures an alert warned of; NaN without any."""
        warned = self.prevented + self.alerted_failures
        return self.prevented / warned if warned else math.nan


def _alerted_real_failures(events: pd.DataFrame, alerts: pd.DataFrame) -> int:
    """Count real failures inside the window of some alert of the same vehicle+component."""
    keys = ["vehicle", "component"]
    failures = events.loc[events["event"] == "failure", ["time_d", *keys]]
    failures = failures.rename(columns={"time_d": "failure_d"}).reset_index(drop=True)
    pairs = failures.reset_index(names="_fid").merge(alerts[["time_d", "due_d", *keys]], on=keys)
    inside = (pairs["time_d"] <= pairs["failure_d"]) & (pairs["failure_d"] <= pairs["due_d"])
    return int(pairs.loc[inside, "_fid"].nunique())


def alert_view(events: pd.DataFrame | None, run: Mapping[str, Any]) -> AlertView | None:
    """Score the alerts of a run, or return ``None`` without a usable event log.

    Args:
        events: ``RunFiles.alert_events`` (alert, failure and failure_prevented rows).
        run: Parsed run.json, for the level windows of alerts logged without ``due_d``.

    Returns:
        The scored alerts, or ``None``.
    """
    if events is None:
        return None
    truth = alert_truth(events, horizons(run), end_day(run))
    prevented = int((events["event"] == "failure_prevented").sum())
    return AlertView(truth, prevented, _alerted_real_failures(events, truth))


@dataclass(frozen=True)
class QualityRow:
    """Alert counts and rates of one group of alerts (all, one level or one component).

    Attributes:
        group: ``"all"``, ``"level"`` or ``"component"``.
        key: Level or component name (``"all"`` for the total).
        alerts: Alerts raised.
        true: Alerts that came true.
        accepted: Alerts the owner acted on.
        censored: Alerts not yet true whose window was open at the end of the run.
        share: This group's alerts / all alerts.
        median_lead_d: Median days from a true alert to its failure (NaN without any).
        recall: Share of the detectors' target failures that were predicted, from
            kpis.json (``None`` where undefined or for a level).
    """

    group: str
    key: str
    alerts: int
    true: int
    accepted: int
    median_lead_d: float
    recall: float | None
    censored: int = 0
    share: float = math.nan

    @property
    def precision(self) -> float:
        """Share of the scored (not censored) alerts that came true; NaN without any."""
        scored = self.alerts - self.censored
        return self.true / scored if scored else math.nan

    @property
    def response(self) -> float:
        """Share of the alerts the owner acted on; NaN without alerts."""
        return self.accepted / self.alerts if self.alerts else math.nan


def _row(group: str, key: str, rows: pd.DataFrame, recall: float | None,
         total: int) -> QualityRow:
    leads = rows.loc[rows["true"], "lead_days"].to_numpy(float)
    censored = int(rows["censored"].sum()) if "censored" in rows else 0
    return QualityRow(
        group,
        key,
        len(rows),
        int(rows["true"].sum()),
        int((rows["outcome"] == "accepted").sum()),
        float(np.median(leads)) if leads.size else math.nan,
        recall,
        censored,
        len(rows) / total if total else math.nan,
    )


def quality_rows(view: AlertView, kpis: Mapping[str, float | None]) -> list[QualityRow]:
    """Return the quality table: all alerts, then each level, then each component.

    Every level of the three-level scheme gets a row (a level without alerts shows
    zero); a component gets a row when it had alerts or a defined recall.

    Args:
        view: The scored alerts.
        kpis: KPI name -> value, for recall (``alert_recall``, ``alert_recall_<c>``).

    Returns:
        Rows in display order.
    """
    alerts = view.alerts
    total = len(alerts)
    rows = [_row("all", "all", alerts, kpis.get("alert_recall"), total)]
    found_levels = set(alerts["level"].astype(str))
    for level in [*LEVELS, *sorted(found_levels - set(LEVELS))]:
        rows.append(_row("level", level, alerts[alerts["level"] == level], None, total))
    with_recall = {
        name.removeprefix("alert_recall_")
        for name, value in kpis.items()
        if name.startswith("alert_recall_") and value is not None
    }
    for comp in sorted(set(alerts["component"].astype(str)) | with_recall):
        mine = alerts[alerts["component"] == comp]
        rows.append(_row("component", comp, mine, kpis.get(f"alert_recall_{comp}"), total))
    return rows


def monthly_volume(alerts: pd.DataFrame, vehicles: float, horizon_days: float) -> pd.DataFrame:
    """Alerts per vehicle-month in each month of the run, accepted and ignored.

    Months are ``365.25 / 12`` days from day 0, as in the ``alerts_per_vehicle_month``
    KPI; the last month may be partial and is scaled by its own length.

    Args:
        alerts: One row per alert with ``time_d`` and ``outcome``.
        vehicles: Fleet size.
        horizon_days: Simulated days.

    Returns:
        One row per month: ``start_d``, ``days``, ``accepted``, ``ignored`` (counts)
        and ``accepted_rate``, ``ignored_rate`` (per vehicle-month).
    """
    months = max(1, math.ceil(horizon_days / DAYS_PER_MONTH - 1e-9))
    start = np.arange(months) * DAYS_PER_MONTH
    days = np.minimum(DAYS_PER_MONTH, horizon_days - start)
    month = np.minimum((alerts["time_d"].to_numpy(float) // DAYS_PER_MONTH).astype(int), months - 1)
    accepted = (alerts["outcome"] == "accepted").to_numpy(bool)
    out = pd.DataFrame(
        {
            "start_d": start,
            "days": days,
            "accepted": np.bincount(month[accepted], minlength=months),
            "ignored": np.bincount(month[~accepted], minlength=months),
        }
    )
    vehicle_months = vehicles * days / DAYS_PER_MONTH
    out["accepted_rate"] = out["accepted"] / vehicle_months
    out["ignored_rate"] = out["ignored"] / vehicle_months
    return out

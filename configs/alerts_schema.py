"""Schema of the ``alerts`` config group: predictive-alert detectors, fatigue gate, owners.

Three levels (seed 002, XPeng): red = breakdown likely within 48 h, yellow =
failure within a week, blue = maintenance due within a month. Their horizons
are also the windows in which an alert counts as true (:mod:`sim.alerts.scoring`).

``rules`` and ``trends`` default to empty here, like ``service.job_types``:
OmegaConf merges a mapping into a mapping as a union, so a schema default
could never be removed by a group file (``alerts=none`` would keep the
default rules). Each file under ``configs/alerts/`` therefore lists its whole
rule and trend set; every scalar default here equals ``default.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import choice, must_be_below, must_not_exceed, num, prob
from twins import TWINS

LEVELS = ("red", "yellow", "blue")  # most severe first
CAP_WINDOW_DAYS = 30  # the window of max_alerts_per_vehicle_per_30_days
# How an alert reaches the owner (seed 002): a push with a phone follow-up, an app push
# notification, or a message left in the app's inbox.
CHANNELS = ("push_and_call", "app_push", "app_inbox")
# The service priority of the preventive job an accepted alert books (service.priority_*):
# red-alert priority at once, or a booked window.
SERVICE_PRIORITIES = ("red_alert", "booked")


@dataclass
class LevelConfig:
    """How one alert level is delivered and served, and how owners respond to it."""

    channel: str = choice("app_inbox", *CHANNELS)
    service_priority: str = choice("booked", *SERVICE_PRIORITIES)
    response_prob: float = prob(0.8)   # before alert fatigue (sim.alerts.owners)


def _default_levels() -> dict[str, LevelConfig]:
    return {"red": LevelConfig("push_and_call", "red_alert", 0.97),
            "yellow": LevelConfig("app_push", "booked", 0.9),
            "blue": LevelConfig("app_inbox", "booked", 0.8)}


@dataclass
class RuleConfig:
    """A threshold rule: fire after ``confirm_days`` uploaded days past ``threshold``."""

    signal: str = ""              # telemetry key "<twin>.<signal>"
    below: bool = True            # fire when the reading is below the threshold (else above)
    threshold: float = num(0.0, -1e9, 1e9)   # in the signal's unit
    component: str = ""           # twin name
    cause: str = ""               # the failure cause it predicts (a key of the twin's EVENTS)
    level: str = choice("yellow", *LEVELS)
    confirm_days: int = num(1, 1, 365)


@dataclass
class TrendConfig:
    """A trend detector: least-squares line over a rolling window, extrapolated to failure.

    The predicted remaining useful life (RUL) maps to the most severe level
    whose horizon (``horizon_days_<level>``) it is within. With ``rul_z`` > 0
    the RUL is the late end of the crossing (the slope shrunk toward flat by
    ``rul_z`` standard errors), so a noisy trend does not alert early.
    """

    signal: str = ""
    below: bool = True            # the cause happens when the signal falls below failure_level
    failure_level: float = num(0.0, -1e9, 1e9)   # signal value at which the cause happens
    component: str = ""
    cause: str = ""
    window_days: int = num(14, 3, 365)    # <= 365 keeps the window's time sums exact in float32
    min_points: int = num(7, 3, 365)      # uploaded readings needed in the window
    min_slope_per_day: float = num(0.0, 0.0, 1e9)   # |slope| guard, signal units per (clock) day
    min_slope_t: float = num(3.0, 0.0, 1e6)          # slope / its standard error guard
    rul_z: float = num(0.0, 0.0, 10.0)   # RUL from the slope shrunk by rul_z standard errors
    # Ageing clock (issue 15): with ageing_q10 > 1 the line is fitted against temperature-weighted
    # ageing time (q10 ** ((T - ageing_ref_temp_c) / 10) per day) instead of calendar days, and the
    # RUL is turned into days at the mean ageing rate of the last ageing_rate_window_days.
    ageing_q10: float = num(1.0, 1.0, 10.0)          # 1: calendar days
    ageing_ref_temp_c: float = num(15.0, -40.0, 60.0)   # a scale only: it cancels in the RUL
    ageing_rate_window_days: int = num(7, 1, 365)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_not_exceed(cfg, path, "min_points", "window_days")


def _check_targets(rows: Any, path: str) -> list[str]:
    """Each rule/trend names a known twin signal prefix, component and cause."""
    errs = []
    for name, row in rows.items():
        key = f"{path}.{name}"
        twin, _, signal = str(row.signal).partition(".")
        if twin not in TWINS or not signal:
            errs.append(f"{key}.signal={row.signal!r} is not '<twin>.<signal>' with a known "
                        f"twin; twins: {', '.join(sorted(TWINS))}")
        if row.component not in TWINS:
            errs.append(f"{key}.component={row.component!r} is not a twin; allowed: "
                        f"{', '.join(sorted(TWINS))}")
        elif row.cause not in TWINS[row.component].EVENTS:
            errs.append(f"{key}.cause={row.cause!r} is not a {row.component} fault cause; "
                        f"allowed: {', '.join(TWINS[row.component].EVENTS)}")
    return errs


@dataclass
class AlertsConfig:
    """Predictive alerts (see ``configs/alerts/default.yaml`` for each value's source)."""

    enabled: bool = True
    horizon_days_red: float = num(2.0, 0.0, 365.0, lo_open=True)
    horizon_days_yellow: float = num(7.0, 0.0, 365.0, lo_open=True)
    horizon_days_blue: float = num(30.0, 0.0, 365.0, lo_open=True)
    min_lead_days: float = num(1.0, 0.0, 365.0)
    max_alerts_per_vehicle_per_30_days: int = num(2, 1, 30)
    red_bypasses_cap: bool = True
    dedup_days: int = num(30, 0, 3650)
    remind_ignored_after_days: int = num(7, 0, 3650)
    escalate_reminders: bool = True
    levels: dict[str, LevelConfig] = field(default_factory=_default_levels)
    trust_prior_true: float = num(8.5, 0.0, 1e6, lo_open=True)
    trust_prior_false: float = num(1.5, 0.0, 1e6, lo_open=True)
    stop_responding_accuracy: float = prob(0.65)
    full_response_accuracy: float = prob(0.85)
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    trends: dict[str, TrendConfig] = field(default_factory=dict)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        p = f"{path}." if path else ""
        errs = must_be_below(cfg, path, "horizon_days_red", "horizon_days_yellow")
        errs += must_be_below(cfg, path, "horizon_days_yellow", "horizon_days_blue")
        errs += must_be_below(cfg, path, "stop_responding_accuracy", "full_response_accuracy")
        if sorted(cfg.levels) != sorted(LEVELS):
            errs.append(f"{p}levels={sorted(cfg.levels)} must list each level once; allowed: "
                        f"{', '.join(LEVELS)}")
        errs += _check_targets(cfg.rules, f"{p}rules")
        errs += _check_targets(cfg.trends, f"{p}trends")
        return [e.lstrip(".") for e in errs]

"""OTA campaigns from the result files: releases, adoption curves, decisions, problems, jobs.

Per release ``r`` the daily table holds the adoption curve (``ota_<r>_targeted``,
``ota_<r>_installed``, ``ota_<r>_reported_succeeded``, ...; NaN before the release
day); the event log holds each vehicle's outcome (``ota_installed``,
``ota_install_failed`` with the failure mode in ``outcome``, ...) and each server
decision (``ota_paused`` ..., vehicle -1, ``cause`` = release, ``outcome`` = the
server's reason, ``channel`` = the cohort or hw config concerned). Days to 95 %
come from :func:`sim.ota.kpis.days_to_share`, the function behind the KPI, so the
report and kpis.json share one definition.

Whether a run had campaigns comes from run.json (``ota.enabled``, ``ota.releases``);
a kpis.json without OTA KPIs and no ``ota`` config is a run made before them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import pandas as pd

from sim.ota.kpis import days_to_share, with_hotfixes
from sim.ota.outcome import ACTIONS

State = Literal["on", "off", "missing"]
DECISION_EVENTS = tuple(f"ota_{a}" for a in ACTIONS)
ACTION_LABELS = {
    "wave_started": "wave started",
    "paused": "paused",
    "resumed": "resumed",
    "aborted": "aborted",
    "cohort_paused": "hw config paused",
    "cloud_rollback": "cloud rollback",
    "completed": "completed",
    "investigation_started": "investigation started",
    "root_cause_found": "root cause found",
    "false_alarm": "false alarm",
    "superseded": "superseded",
    "cancelled": "cancelled",
    "hotfix_released": "hotfix released",
}
# Decisions that stop a campaign (or part of it) because of the errors the server saw.
GATE_ACTIONS = ("paused", "aborted", "cohort_paused", "cloud_rollback")
# Decisions drawn on the adoption curve, and the colour family of each.
MARK_KINDS = {
    "wave_started": "wave",
    "paused": "stop",
    "aborted": "stop",
    "cohort_paused": "stop",
    "cloud_rollback": "rollback",
    "resumed": "resume",
}
_KIND_RANK = {"wave": 0, "resume": 1, "rollback": 2, "stop": 3}
_KPI_HINT = "ota_installed_share_end"
_RATE = re.compile(r"error rate ([\d.]+) = (\d+) errors / (\d+) (executed|released)")
_THRESHOLD = re.compile(r">= ([\d.eE+-]+)")
# A statistical gate's reason (sim.ota.evidence.describe): "SPRT log LR 4.78 over 4 errors /
# 44.1 matured results (p0 0.01, p1 0.05; ...)" or "wilson 0.95 bounds [a, b] over ...".
_EVIDENCE = re.compile(r"(SPRT|wilson|beta) .*?over (\d+) errors / ([\d.]+) matured results"
                       r"(?: \(p0 ([\d.eE+-]+), p1 ([\d.eE+-]+))?")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def ota_config(run: Mapping[str, Any]) -> Mapping[str, Any]:
    """Return the resolved ``ota`` config from run.json, or an empty mapping."""
    return _mapping(_mapping(run.get("config")).get("ota"))


def _override(run: Mapping[str, Any], prefixes: tuple[str, ...]) -> str | None:
    overrides = run.get("overrides")
    for item in overrides if isinstance(overrides, list) else []:
        text = str(item).lstrip("+~")
        if text.startswith(prefixes):
            return text
    return None


def ota_state(kpis: Mapping[str, float | None], run: Mapping[str, Any]) -> tuple[State, str]:
    """Tell whether the run had OTA campaigns.

    Returns:
        ``("on", "")``; ``("off", why)`` when ``ota.enabled`` is false (``why`` names
        the override, e.g. ``"ota=none"``) or no release is configured; ``("missing",
        "")`` for a run made before OTA campaigns (no ``ota`` config, no OTA KPIs).
    """
    cfg = ota_config(run)
    if cfg.get("enabled") is False:
        return "off", _override(run, ("ota=", "ota.enabled=")) or "ota.enabled=false"
    train = _mapping(cfg.get("train")).get("enabled") is True   # releases built at run start
    if cfg and not _mapping(cfg.get("releases")) and not train:
        return "off", "no release in ota.releases"
    if not cfg and _KPI_HINT not in kpis:
        return "missing", ""
    return "on", ""


@dataclass(frozen=True)
class Release:
    """One release of the run.

    Attributes:
        name: Release name (the ``cause`` of its events).
        release_day: First day of its campaign.
        version: Version string ("" when unknown).
        defect_hw: Hw configs on which it carries a latent defect.
        rollout: The rollout config that governs it (empty when unknown).
    """

    name: str
    release_day: int
    version: str = ""
    defect_hw: tuple[str, ...] = ()
    rollout: Mapping[str, Any] | None = None


def _first_day(daily: pd.DataFrame | None, name: str) -> int | None:
    col = f"ota_{name}_targeted"
    if daily is None or col not in daily or "day" not in daily:
        return None
    days = daily.loc[daily[col].notna(), "day"]
    return int(days.iloc[0]) if len(days) else None


def releases(run: Mapping[str, Any], daily: pd.DataFrame | None) -> list[Release]:
    """The releases of a run, in the simulator's order (by name).

    From run.json's ``ota.releases``; without it (or for a release train, whose releases
    are built at run start), from the daily columns ``ota_<r>_targeted`` (release day =
    first day with a value).
    """
    cfg = ota_config(run)
    configured = _mapping(cfg.get("releases"))
    out = []
    if configured:
        for name in sorted(configured):
            rel = _mapping(configured[name])
            probs = _mapping(rel.get("defect_prob_by_hw_config"))
            defect = tuple(sorted(h for h, p in probs.items() if float(p or 0) > 0))
            rollout = _mapping(rel.get("rollout")) or _mapping(cfg.get("rollout"))
            day = rel.get("release_day")
            day = int(day) if isinstance(day, int | float) else _first_day(daily, name) or 0
            out.append(Release(name, day, str(rel.get("version", "")), defect, rollout))
        return out
    if daily is None:
        return []
    found = (re.fullmatch(r"ota_(.+)_targeted", str(c)) for c in daily.columns)
    names = sorted(m.group(1) for m in found if m)
    return [Release(n, d) for n in names if (d := _first_day(daily, n)) is not None]


def _pct_text(frac: Any) -> str:
    return f"{float(frac) * 100:g} %"


def rollout_text(rollout: Mapping[str, Any] | None) -> str:
    """Describe a rollout config in one line, e.g. ``"staged, 4 waves (0.1 %, 1 %, ...)"``."""
    if not rollout:
        return "rollout unknown (run.json lacks the ota config)"
    policy = str(rollout.get("policy", "?"))
    gates = _mapping(rollout.get("gates"))
    if policy == "big_bang":
        text = "big bang: every target released on the release day"
    elif policy == "exponential":
        exp = _mapping(rollout.get("exponential"))
        text = (
            f"exponential rate from {float(exp.get('base_rate_per_day', 0)):,.0f}/day "
            f"×{float(exp.get('increment_factor', 1)):g} every "
            f"{int(exp.get('increase_after_succeeded', 0)):,} successes"
        )
    else:
        waves = [_mapping(w) for w in rollout.get("waves") or []]
        sizes = [
            "rest" if i == len(waves) - 1 and float(w.get("size", 0)) >= 1 else
            _pct_text(w.get("size", 0)) for i, w in enumerate(waves)
        ]
        text = f"{policy}, {len(waves)} waves ({', '.join(sizes)})"
    action = str(gates.get("error_action", "none"))
    if action == "none":
        return text + "; no error gate"
    minimum = int(gates.get("min_executed", 0) or 0)
    over = f"executed (min {minimum})" if minimum else "released"
    test = str(gates.get("error_test", "rate"))
    if test != "rate":
        over = (f"matured results ({test}, {_pct_text(gates.get('acceptable_error_frac', 0))} "
                f"acceptable, soak {int(gates.get('soak_days', 0) or 0)} d)")
    per_hw = " per hw config" if gates.get("per_cohort_pause") else ""
    rollback = " and cloud rollback" if gates.get("cloud_rollback") else ""
    return (
        f"{text}; error gate {_pct_text(gates.get('error_threshold_frac', 0))} of {over} "
        f"→ {action}{per_hw}{rollback}; success counted "
        f"{'on report' if gates.get('success_counts_on') == 'report' else 'after the reboot'}"
    )


# ------------------------------------------------------------------ curve
CURVE_COUNTS = ("targeted", "released_to_vehicle", "installed", "failed", "rolled_back",
                "bricked", "reverted", "reported_succeeded", "reported_failed")


def adoption_curve(daily: pd.DataFrame | None, name: str) -> pd.DataFrame | None:
    """The adoption curve of a release from its release day on (``installed`` includes the
    installs of its hotfix, which runs the release without its defect).

    Returns:
        One row per day with ``day`` and the counts of :data:`CURVE_COUNTS` present,
        plus ``installed_share`` and ``reported_share`` (of the targets); ``None``
        without the ``targeted`` and ``installed`` columns.
    """
    cols = {k: f"ota_{name}_{k}" for k in CURVE_COUNTS}
    if daily is None or "day" not in daily or any(
        cols[k] not in daily for k in ("targeted", "installed")
    ):
        return None
    daily = with_hotfixes(daily, [name])    # a hotfix's installs run the release, fixed
    rows = daily[daily[cols["targeted"]].notna()]
    out = pd.DataFrame({"day": rows["day"].to_numpy(np.int64)})
    for key, col in cols.items():
        if col in rows:
            out[key] = rows[col].to_numpy(float)
    targeted = out["targeted"].where(out["targeted"] > 0)
    out["installed_share"] = out["installed"] / targeted
    if "reported_succeeded" in out:
        out["reported_share"] = out["reported_succeeded"] / targeted
    return out


def targets_of(curve: pd.DataFrame | None) -> float | None:
    """The release's target count (last day of its curve)."""
    if curve is None or curve.empty:
        return None
    return float(curve["targeted"].iloc[-1])


def days_to_95(daily: pd.DataFrame | None, release: Release) -> float:
    """Days from the release day to the end of the first day with 95 % installed (NaN if never)."""
    if daily is None or "day" not in daily:
        return math.nan
    return days_to_share(with_hotfixes(daily, [release.name]), release.name, release.release_day)


# -------------------------------------------------------------- decisions
def decisions(events: pd.DataFrame | None) -> pd.DataFrame | None:
    """The campaign decisions in the order the server took them.

    Returns:
        ``day``, ``release``, ``action`` (without ``ota_``), ``scope`` (the cohort or hw
        config, "" for the whole campaign) and ``reason``; ``None`` without a log.
    """
    if events is None:
        return None
    rows = events[events["event"].isin(DECISION_EVENTS)]
    return pd.DataFrame({
        "day": np.floor(rows["time_d"].to_numpy(float)).astype(np.int64),
        "release": rows["cause"].to_numpy(str),
        "action": [e.removeprefix("ota_") for e in rows["event"]],
        "scope": rows["channel"].to_numpy(str),
        "reason": rows["outcome"].to_numpy(str),
    })


class Mark(NamedTuple):
    """A vertical line on the adoption curve: day, short label, kind (wave/stop/rollback/resume)."""

    day: int
    label: str
    kind: str


def mark_label(action: str, scope: str, reason: str) -> str:
    """Short label of a decision, e.g. ``"wave 2"``, ``"hw3 paused"``, ``"rate 2000/d"``."""
    if action == "wave_started":
        if m := re.match(r"wave (\d+)/", reason):
            return f"wave {m.group(1)}"
        if m := re.match(r"release rate ([^/ ]+)/day", reason):
            return f"rate {m.group(1)}/d"
        return "wave"
    if action == "cohort_paused":
        return f"{scope} paused" if scope else "paused"
    if action == "resumed":
        return f"{scope} resumed" if scope else "resumed"
    if action == "cloud_rollback":
        return f"rollback {scope}" if scope else "rollback"
    return ACTION_LABELS.get(action, action)


def curve_marks(decided: pd.DataFrame | None, release: str) -> list[Mark]:
    """The decisions of a release to draw on its curve, one mark per day.

    Decisions of the same day share one line: their labels are joined with ", " and
    the line takes the most serious kind (stop > rollback > resume > wave).
    Completion is not drawn.
    """
    if decided is None:
        return []
    mine = decided[(decided["release"] == release) & decided["action"].isin(list(MARK_KINDS))]
    marks: list[Mark] = []
    for row in mine.itertuples(index=False):
        label, kind = mark_label(row.action, row.scope, row.reason), MARK_KINDS[row.action]
        if marks and marks[-1].day == row.day:
            last = marks[-1]
            worse = max(last.kind, kind, key=_KIND_RANK.__getitem__)
            marks[-1] = Mark(last.day, f"{last.label}, {label}", worse)
        else:
            marks.append(Mark(int(row.day), label, kind))
    return marks


@dataclass(frozen=True)
class GateNumbers:
    """The numbers a gate decision quotes: error rate, errors, sample and threshold."""

    rate: float
    errors: int
    sample: int
    over: str           # "executed" (vehicles with a result), "released" or "matured"
    threshold: float | None
    test: str = ""      # a statistical gate's test (SPRT, wilson, beta); "" = the raw rate


def gate_numbers(reason: str) -> GateNumbers | None:
    """Parse ``"error rate 0.064 = 12 errors / 188 executed >= 0.05"`` or a statistical
    gate's reason (``None`` if neither)."""
    m = _RATE.search(reason)
    if m is None:
        e = _EVIDENCE.search(reason)
        if e is None:
            return None
        errors, sample = int(e.group(2)), round(float(e.group(3)))
        return GateNumbers(errors / sample if sample else 0.0, errors, sample, "matured",
                           float(e.group(5)) if e.group(5) else None, e.group(1))
    t = _THRESHOLD.search(reason)
    return GateNumbers(float(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4),
                       float(t.group(1)) if t else None)


def still_stopped(decided: pd.DataFrame | None, release: str) -> list[tuple[str, str, int]]:
    """What was still paused or aborted at the end: ``(what, action, since day)``.

    ``what`` is a hw config, or ``""`` for the whole campaign.
    """
    if decided is None:
        return []
    open_: dict[str, tuple[str, int]] = {}
    for row in decided[decided["release"] == release].itertuples(index=False):
        if row.action == "cohort_paused":
            open_[row.scope] = ("paused", int(row.day))
        elif row.action in ("paused", "aborted"):
            open_[""] = (row.action, int(row.day))
        elif row.action == "resumed":
            open_.pop(row.scope, None)
        elif row.action == "completed":
            open_.clear()
    return [(what, action, day) for what, (action, day) in open_.items()]

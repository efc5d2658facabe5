"""OTA figures: a release's adoption curve with the server's decisions, and the OTA job load."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from reports.ota.counts import CAUSE_LABELS
from reports.ota.view import Mark
from reports.page.figures import WIDTH_IN, style, to_base64_png
from sim.ota.kpis import ADOPTION_SHARE, OTA_JOB_CAUSES

TRUTH_COLOR = "#0072B2"
SERVER_COLOR = "#E69F00"
RELEASED_COLOR = "#8C959F"
MARK_COLORS = {"wave": "#57606a", "stop": "#D55E00", "rollback": "#CC79A7", "resume": "#009E73"}
CAUSE_COLORS = {"ota_fault": "#E69F00", "ota_no_start": "#D55E00", "ota_dealer_flash": "#56B4E9"}
# Marks closer than this (in days) get their labels on staggered heights.
_CLOSE_DAYS_FRAC = 0.04
_LABEL_HEIGHTS = (0.97, 0.62, 0.27)
# The curve is drawn until this share of the final installs is reached (plus a margin).
SHOWN_SHARE = 0.98


def shown_until(curve: pd.DataFrame, marks: Sequence[Mark]) -> int:
    """Last day to draw: a margin past the later of the last mark and the day the installs
    reached :data:`SHOWN_SHARE` of their final count (a long tail of late installs is cut)."""
    first, last = int(curve["day"].iloc[0]), int(curve["day"].iloc[-1])
    installed = curve["installed"].to_numpy(float)
    final = installed[-1] if installed.size else 0.0
    done = np.flatnonzero(installed >= SHOWN_SHARE * final) if final > 0 else np.array([0])
    busy = max([first + int(done[0]), *(m.day for m in marks)])
    margin = max(5, (busy - first) // 5)
    return min(last, busy + margin)


def adoption_figure(curve: pd.DataFrame, marks: Sequence[Mark], title: str) -> str | None:
    """Installed share of the targets per day, truth vs the server's reported successes.

    Args:
        curve: :func:`reports.ota.adoption_curve`.
        marks: :func:`reports.ota.curve_marks`, drawn as labelled vertical lines.
        title: Figure title.

    Returns:
        Base64 PNG, or ``None`` for an empty curve.
    """
    if curve.empty or not (curve["targeted"] > 0).any():
        return None
    end = shown_until(curve, marks)
    part = curve[curve["day"] <= end]
    start = float(curve["day"].iloc[0])
    # Counts hold at the end of their day; the curve starts from zero at the release day.
    x = np.concatenate([[start], part["day"].to_numpy(float) + 1])
    targeted = part["targeted"].where(part["targeted"] > 0).to_numpy(float)

    def pct(values: pd.Series) -> np.ndarray:
        return np.concatenate([[0.0], values.to_numpy(float) / targeted * 100])

    fig = Figure(figsize=(WIDTH_IN, 3.4), layout="constrained")
    ax = fig.subplots()
    if "released_to_vehicle" in part:
        ax.step(x, pct(part["released_to_vehicle"]), where="post", color=RELEASED_COLOR,
                lw=1.0, label="released to the vehicle")
    ax.step(x, pct(part["installed"]), where="post", color=TRUTH_COLOR, lw=2.0,
            label="installed (truth)")
    if "reported_succeeded" in part:
        ax.step(x, pct(part["reported_succeeded"]), where="post", color=SERVER_COLOR, lw=1.4,
                ls="--", label="reported successes (server)")
    ax.axhline(ADOPTION_SHARE * 100, color="#000000", lw=0.8, ls=":", label="95 %")
    ax.set_xlim(start - 1, end + 1)
    ax.set_ylim(0, 105)
    _draw_marks(ax, marks, end - start + 2)
    style(ax, title, "day of the run (end of day)", "share of the targets (%)")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_base64_png(fig)


def _draw_marks(ax, marks: Sequence[Mark], span: float) -> None:
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    level, previous = 0, None
    for mark in marks:
        close = previous is not None and mark.day - previous < max(1.0, span * _CLOSE_DAYS_FRAC)
        level = (level + 1) % len(_LABEL_HEIGHTS) if close else 0
        previous = mark.day
        color = MARK_COLORS.get(mark.kind, MARK_COLORS["wave"])
        # A decision of day d acts before that night's installs: the line sits at the day's start.
        ax.axvline(mark.day, color=color, lw=1.0, ls="--" if mark.kind == "wave" else "-")
        ax.text(mark.day + 0.3, _LABEL_HEIGHTS[level], mark.label, transform=trans, rotation=90,
                va="top", ha="left", fontsize=7, color=color,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85})


def ota_jobs_figure(per_period: pd.DataFrame, period: int, first_day: int = 0) -> str | None:
    """OTA-caused service jobs opened per period, stacked by cause.

    Args:
        per_period: :func:`reports.ota.jobs_by_period`.
        period: Period length in days (for the axis label).
        first_day: The first release day; the axis starts a period before it.

    Returns:
        Base64 PNG, or ``None`` when no OTA job was opened.
    """
    causes = [c for c in OTA_JOB_CAUSES if c in per_period and per_period[c].sum() > 0]
    if not causes:
        return None
    fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
    ax = fig.subplots()
    left = per_period["start_d"].to_numpy(float) + per_period["days"].to_numpy(float) * 0.1
    width = per_period["days"].to_numpy(float) * 0.8
    bottom = np.zeros(len(per_period))
    for cause in causes:
        counts = per_period[cause].to_numpy(float)
        ax.bar(left, counts, width, bottom=bottom, align="edge", label=CAUSE_LABELS[cause],
               color=CAUSE_COLORS[cause])
        bottom += counts
    busy = np.flatnonzero(bottom > 0)
    end = per_period["start_d"].iloc[busy[-1]] + 2 * period
    ax.set_xlim(max(0, first_day - period), min(end, per_period["start_d"].iloc[-1] + period))
    style(ax, f"Service jobs caused by OTA, per {period}-day period", "day", "jobs opened")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_base64_png(fig)

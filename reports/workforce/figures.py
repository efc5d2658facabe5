"""Workforce figures: headcount, skill mix, tenure and hires/departures over the run; the
expert desk's calls per day."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from reports.page.figures import LINE_COLORS, WIDTH_IN, day_axis, style, to_base64_png
from reports.workforce.view import BIN_DAYS, DeskLoad, Workforce

HEADCOUNT_NAMES = {
    "technicians_active": "technicians working",
    "technicians_in_academy": "in the academy (training)",
    "vans_unstaffed": "vans without a technician",
}
HEADCOUNT_STYLES = {"technicians_active": "-", "technicians_in_academy": "--",
                    "vans_unstaffed": ":"}
SKILL_NAMES = {"technicians_junior": "junior", "technicians_senior": "senior",
               "technicians_expert": "expert"}
SKILL_COLORS = {"technicians_junior": "#56B4E9", "technicians_senior": "#0072B2",
                "technicians_expert": "#009E73"}
HIRED_COLOR, LEFT_COLOR = "#009E73", "#D55E00"
ANSWERED_COLOR, ABANDONED_COLOR = "#0072B2", "#E69F00"
DAY_LABEL = "simulated day"
_LEGEND = {"fontsize": 8, "frameon": False, "loc": "upper left", "bbox_to_anchor": (1.0, 1.0)}


def _edges(day: np.ndarray) -> np.ndarray:
    """Step edges: a daily level holds over the whole day, day d is drawn as [d, d + 1)."""
    return np.append(day, day[-1] + 1).astype(float)


def _headcount(ax: Axes, day: np.ndarray, headcount: pd.DataFrame) -> None:
    edges = _edges(day)
    for i, col in enumerate(headcount.columns):
        ax.stairs(headcount[col].to_numpy(), edges, baseline=None, lw=1.5,
                  color=LINE_COLORS[i % len(LINE_COLORS)], ls=HEADCOUNT_STYLES.get(col, "-"),
                  label=HEADCOUNT_NAMES.get(col, col))
    ax.set_ylim(bottom=0)
    style(ax, "Headcount", "", "technicians / vans")
    ax.legend(**_LEGEND)


def _skills(ax: Axes, day: np.ndarray, skills: pd.DataFrame) -> None:
    x = np.repeat(_edges(day), 2)[1:-1]  # a step per day, as the headcount
    stacks = [np.repeat(np.nan_to_num(skills[c].to_numpy()), 2) for c in skills.columns]
    ax.stackplot(x, *stacks, colors=[SKILL_COLORS.get(c, "#8C959F") for c in skills.columns],
                 labels=[SKILL_NAMES.get(c, c) for c in skills.columns], alpha=0.85, lw=0)
    ax.set_ylim(bottom=0)
    style(ax, "Skill mix (stacked)", "", "technicians")
    ax.legend(**_LEGEND)


def _tenure(ax: Axes, day: np.ndarray, tenure: pd.Series) -> None:
    ax.stairs(tenure.to_numpy(), _edges(day), baseline=None, lw=1.5, color=LINE_COLORS[0],
              label="mean tenure")
    ax.set_ylim(bottom=0)
    style(ax, "Mean tenure of the technicians", "", "days")
    ax.legend(**_LEGEND)


def _flows(ax: Axes, _day: np.ndarray, flows: pd.DataFrame) -> None:
    names = {"technicians_hired": ("hired", HIRED_COLOR), "technicians_left": ("left", LEFT_COLOR)}
    cols = [c for c in names if c in flows.columns]
    width = flows["days"].to_numpy(float) * 0.8 / len(cols)
    lefts = flows.index.to_numpy(float) + flows["days"].to_numpy(float) * 0.1
    for i, col in enumerate(cols):
        name, color = names[col]
        ax.bar(lefts + width * i, flows[col].to_numpy(float), width, align="edge", color=color,
               label=name)
        for x, n in zip(lefts + width * (i + 0.5), flows[col].to_numpy(float), strict=True):
            if n > 0:
                ax.annotate(f"{n:,.0f}", (x, n), xytext=(0, 2), textcoords="offset points",
                            ha="center", fontsize=7)
    ax.margins(y=0.15)
    style(ax, f"Hires and departures per {BIN_DAYS} days", "", "technicians")
    ax.legend(**_LEGEND)


def workforce_figure(view: Workforce) -> str:
    """Panels over the run, one per group of columns present: headcount, skill mix
    (stacked), mean tenure, hires and departures per :data:`BIN_DAYS`-day bin.

    Args:
        view: :func:`reports.workforce.view.workforce_view`.

    Returns:
        Base64 PNG.
    """
    drawn: list[tuple[Callable[[Axes, np.ndarray, Any], None], Any]] = [
        (draw, data) for draw, data in ((_headcount, view.headcount), (_skills, view.skills),
                                        (_tenure, view.tenure_days), (_flows, view.flows))
        if data is not None]
    fig = Figure(figsize=(WIDTH_IN, 0.4 + 2.1 * len(drawn)), layout="constrained")
    axes = fig.subplots(len(drawn), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (draw, data) in zip(axes, drawn, strict=True):
        draw(ax, view.day, data)
    axes[-1].set_xlabel(day_axis(axes[-1], DAY_LABEL), fontsize=9)
    return to_base64_png(fig)


def desk_figure(desk: DeskLoad) -> str:
    """Expert calls answered and abandoned per simulated day, stacked bars.

    Args:
        desk: :func:`reports.workforce.view.desk_load`.

    Returns:
        Base64 PNG.
    """
    per_day = desk.per_day
    x = per_day.index.to_numpy(float)
    answered = per_day["help_answered"].to_numpy(float)
    abandoned = per_day["help_abandoned"].to_numpy(float)
    fig = Figure(figsize=(WIDTH_IN, 2.8), layout="constrained")
    ax = fig.subplots()
    ax.bar(x, answered, 1.0, align="edge", color=ANSWERED_COLOR, lw=0, label="answered")
    if abandoned.any():
        ax.bar(x, abandoned, 1.0, bottom=answered, align="edge", color=ABANDONED_COLOR, lw=0,
               label="abandoned (off shift or no answer in time)")
    mean = answered.mean() if answered.size else 0.0
    ax.axhline(mean, color="#000000", ls="--", lw=1.0, label=f"mean answered {mean:.1f} / day")
    style(ax, "Expert desk: calls per day", DAY_LABEL, "calls per day")
    ax.legend(**_LEGEND)
    return to_base64_png(fig)

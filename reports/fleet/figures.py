"""Fleet figures: component health and battery SOH over time, failures per component."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reports.page.components import color_map, components_from_names, label
from reports.page.figures import LINE_COLORS, WIDTH_IN, days, style, to_base64_png

FAILURES_COLOR = "#0072B2"
BREAKDOWNS_COLOR = "#D55E00"


#: A component whose mean health never falls this far below new is drawn by its failures.
WEAR_VISIBLE = 0.01
RATE_WINDOW_D = 30     # failures are counted over a trailing window of this many days


def split_components(daily: pd.DataFrame) -> tuple[list[str], list[str]]:
    """Wearing components (mean health visibly below 1 at some point) and shock components
    (health ~1 throughout: their faults come as events, so they are drawn as failure rates)."""
    comps = components_from_names(daily.columns, "health_", "_mean")
    wearing = [c for c in comps if 1.0 - float(daily[f"health_{c}_mean"].min()) > WEAR_VISIBLE]
    shock = [c for c in comps if c not in wearing and f"failures_{c}" in daily.columns]
    return wearing, shock


def health_figure(daily: pd.DataFrame, vehicles: float | None = None) -> str | None:
    """What varies in the fleet's health: the wearing components' mean health, the shock
    components' failure rates, and battery SOH (mean and 5th percentile) per day.

    Args:
        daily: The daily table; uses ``health_<c>_mean``, ``failures_<c>``,
            ``battery_soh_mean`` and ``battery_soh_p05`` where present.
        vehicles: Fleet size (the failure rates per 1,000 vehicles); counts without it.

    Returns:
        Base64 PNG, or ``None`` when none of those columns exist.
    """
    wearing, shock = split_components(daily)
    soh_cols = [c for c in ("battery_soh_mean", "battery_soh_p05") if c in daily.columns]
    panels = int(bool(wearing)) + int(bool(shock)) + int(bool(soh_cols))
    if daily.empty or not panels:
        return None
    x = days(daily)
    colors = color_map(wearing + shock)
    fig = Figure(figsize=(WIDTH_IN, 3.4), layout="constrained")
    axes = list(fig.subplots(1, panels, squeeze=False)[0])
    if wearing:
        ax = axes.pop(0)
        for comp in wearing:
            ax.plot(x, daily[f"health_{comp}_mean"], color=colors[comp], label=label(comp))
        ax.set_ylim(0, 1.03)
        style(ax, "Wearing components: mean health", "day", "health index (1 = new)")
        ax.legend(fontsize=8, frameon=False, loc="lower left", ncols=2)
    if shock:
        ax = axes.pop(0)
        per = 1000.0 / vehicles if vehicles else 1.0
        for comp in shock:
            rate = daily[f"failures_{comp}"].rolling(RATE_WINDOW_D, min_periods=1).sum() * per
            ax.plot(x, rate, color=colors[comp], label=label(comp))
        unit = "per 1,000 vehicles" if vehicles else "count"
        style(ax, f"Shock components: failures in {RATE_WINDOW_D} d", "day",
              f"failures ({unit})")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=2)
    if soh_cols:
        ax = axes.pop(0)
        if "battery_soh_mean" in daily.columns:
            ax.plot(x, daily["battery_soh_mean"] * 100, color=LINE_COLORS[0], label="mean")
        if "battery_soh_p05" in daily.columns:
            ax.plot(
                x, daily["battery_soh_p05"] * 100, color=LINE_COLORS[0], ls="--", label="5th pct"
            )
        style(ax, "Traction battery state of health", "day", "capacity vs new (%)")
        ax.legend(fontsize=8, frameon=False)
    return to_base64_png(fig)


def failures_figure(kpis: Mapping[str, float | None]) -> str | None:
    """Failures and breakdowns per component, largest at the top.

    Args:
        kpis: KPI name -> value; uses ``failures_by_component_<c>`` and
            ``breakdowns_by_component_<c>``.

    Returns:
        Base64 PNG, or ``None`` when no per-component KPI exists.
    """
    comps = sorted(
        set(components_from_names(kpis, "failures_by_component_"))
        | set(components_from_names(kpis, "breakdowns_by_component_"))
    )
    if not comps:
        return None
    failures = np.array([kpis.get(f"failures_by_component_{c}") or 0.0 for c in comps])
    breakdowns = np.array([kpis.get(f"breakdowns_by_component_{c}") or 0.0 for c in comps])
    order = np.lexsort((breakdowns, failures))
    y = np.arange(len(comps))
    fig = Figure(figsize=(WIDTH_IN, 0.9 + 0.45 * len(comps)), layout="constrained")
    ax = fig.subplots()
    height = 0.38
    bars_f = ax.barh(
        y + height / 2, failures[order], height, color=FAILURES_COLOR, label="failures"
    )
    bars_b = ax.barh(
        y - height / 2, breakdowns[order], height, color=BREAKDOWNS_COLOR, label="breakdowns"
    )
    for bars in (bars_f, bars_b):
        ax.bar_label(bars, fmt="{:,.0f}", fontsize=8, padding=2)
    ax.set_yticks(y, [label(comps[i]) for i in order])
    ax.margins(x=0.12)
    style(ax, "Failures and roadside breakdowns per component", "count over the run")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    return to_base64_png(fig)

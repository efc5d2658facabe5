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


def health_figure(daily: pd.DataFrame) -> str | None:
    """Component health indices and battery SOH (mean and 5th percentile) per day.

    Args:
        daily: The daily table; uses ``health_<c>_mean``, ``battery_soh_mean`` and
            ``battery_soh_p05`` where present.

    Returns:
        Base64 PNG, or ``None`` when none of those columns exist.
    """
    comps = components_from_names(daily.columns, "health_", "_mean")
    soh_cols = [c for c in ("battery_soh_mean", "battery_soh_p05") if c in daily.columns]
    if daily.empty or (not comps and not soh_cols):
        return None
    x = days(daily)
    fig = Figure(figsize=(WIDTH_IN, 3.4), layout="constrained")
    axes = fig.subplots(1, int(bool(comps)) + int(bool(soh_cols)), squeeze=False)[0]
    if comps:
        ax, colors = axes[0], color_map(comps)
        for comp in comps:
            ax.plot(x, daily[f"health_{comp}_mean"], color=colors[comp], label=label(comp))
        ax.set_ylim(0, 1.03)
        style(ax, "Mean component health (1 = new, 0 = failure)", "day", "health index")
        ax.legend(fontsize=8, frameon=False, loc="lower left", ncols=2)
    if soh_cols:
        ax = axes[-1]
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

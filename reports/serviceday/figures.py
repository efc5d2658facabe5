"""Service-day figures: one van's routed day on its city, van-day hours, the sizing curves."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from reports.page.figures import LINE_COLORS, WIDTH_IN, style, to_base64_png
from reports.serviceday.targets import JOBS_PER_VAN_DAY
from reports.serviceday.view import FLEET_ROW, RouteDay, Sizing, VanHours

ROUTE_COLOR = "#0072B2"
OTHER_COLOR = "#8C959F"
DEPOT_COLOR = "#D55E00"
HOUR_COLORS = {"drive_h": "#E69F00", "work_h": "#009E73", "idle_h": "#D0D7DE"}
HOUR_NAMES = {"drive_h": "driving", "work_h": "hands-on work", "idle_h": "idle (waiting, no job)"}
TARGET_COLOR = "#D55E00"


def _clock(hour: float) -> str:
    minutes = int(round(hour * 60))
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def route_figure(route: RouteDay) -> str:
    """The city disc and depot, every van's path faint, the chosen van's numbered route.

    Args:
        route: :func:`reports.serviceday.view.route_day`.

    Returns:
        Base64 PNG.
    """
    fig = Figure(figsize=(WIDTH_IN, 5.6), layout="constrained")
    ax = fig.subplots()
    r = route.radius_km
    ax.add_patch(Circle((0, 0), r, facecolor="#F6F8FA", edgecolor="#57606a", lw=1.0, ls="--"))
    for van, path in route.paths.items():
        if van != route.van:
            ax.plot(path[:, 0], path[:, 1], color=OTHER_COLOR, lw=0.9, alpha=0.45, marker="o",
                    ms=3, zorder=2)
    path = route.paths[route.van]
    for (x0, y0), (x1, y1) in zip(path[:-1], path[1:], strict=True):
        ax.annotate("", (x1, y1), (x0, y0), zorder=3,
                    arrowprops={"arrowstyle": "-|>", "color": ROUTE_COLOR, "lw": 1.6,
                                "shrinkA": 7, "shrinkB": 7, "mutation_scale": 12})
    number, timeline = 0, []
    for (x, y), hour, job in zip(path[1:], route.arrivals_h[route.van], route.jobs[route.van],
                                 strict=True):
        if job < 0:
            timeline.append(f"depot  {_clock(hour)}")
            continue
        number += 1
        timeline.append(f"{number:>2}     {_clock(hour)}")
        ax.scatter([x], [y], s=170, color="white", edgecolors=ROUTE_COLOR, linewidths=1.5,
                   zorder=4)
        ax.text(x, y, str(number), ha="center", va="center", fontsize=8, weight="bold",
                color=ROUTE_COLOR, zorder=5)
    ax.scatter([route.depot[0]], [route.depot[1]], marker="s", s=80, color=DEPOT_COLOR,
               zorder=6)
    ax.set_aspect("equal")
    pad = r * 1.08
    ax.set_xlim(-pad, pad)
    ax.set_ylim(-pad, pad)
    style(ax, f"Van {route.van}'s route, {route.region}, day {route.day}",
          "east–west (km)", "south–north (km)")
    handles = [
        Line2D([], [], color=ROUTE_COLOR, lw=1.6, marker="o", mfc="white",
               label=f"van {route.van}: its stops, numbered in order"),
        Line2D([], [], color=OTHER_COLOR, lw=0.9, alpha=0.6, marker="o", ms=3,
               label="the region's other vans that day"),
        Line2D([], [], ls="", marker="s", color=DEPOT_COLOR, label="depot"),
        Line2D([], [], color="#57606a", ls="--", lw=1.0, label=f"city, radius {r:g} km"),
    ]
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="upper left",
              bbox_to_anchor=(1.02, 1.0))
    ax.text(1.04, 0.62, "arrival (hh:mm)\n" + "\n".join(timeline), transform=ax.transAxes,
            fontsize=8, va="top", ha="left", family="monospace", color="#3d444d")
    return to_base64_png(fig)


def hours_figure(hours: VanHours) -> str:
    """Hours of an average van-day per region (and over all regions) as stacked bars.

    Args:
        hours: :func:`reports.serviceday.view.van_hours`.

    Returns:
        Base64 PNG.
    """
    per = hours.per_van_day()
    rows = list(per.index)
    if len(rows) == 2:  # one region: its bar is the fleet's
        rows = [rows[0]]
    fig = Figure(figsize=(WIDTH_IN, 1.2 + 0.5 * len(rows)), layout="constrained")
    ax = fig.subplots()
    y = np.arange(len(rows))
    left = np.zeros(len(rows))
    for col in ("drive_h", "work_h", "idle_h"):
        values = np.nan_to_num(per.loc[rows, col].to_numpy(float).clip(min=0.0))
        if not values.any():
            continue
        ax.barh(y, values, 0.6, left=left, color=HOUR_COLORS[col], label=HOUR_NAMES[col])
        for yi, x0, v in zip(y, left, values, strict=True):
            if v >= 0.6:
                ax.text(x0 + v / 2, yi, f"{v:.1f}", ha="center", va="center", fontsize=8)
        left += values
    if hours.shift_h is not None:
        ax.axvline(hours.shift_h, color="#000000", lw=1.0, ls=":",
                   label=f"shift {hours.shift_h:g} h")
    labels = []
    for row in rows:
        vans = int(hours.table.loc[row, "vans"])
        name = "all regions" if row == FLEET_ROW else row
        labels.append(f"{name}\n{vans} van{'s' if vans != 1 else ''}")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    style(ax, "An average van-day: driving, hands-on work, idle", "hours per van-day")
    ax.grid(False, axis="y")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_base64_png(fig)


def sizing_figure(sizing: Sizing) -> str | None:
    """Utilization and jobs per van-day against the van count, per region, the chosen count
    marked and the sizing target drawn.

    Args:
        sizing: :func:`reports.serviceday.view.sizing_of`.

    Returns:
        Base64 PNG, or ``None`` without a curve.
    """
    if not sizing.curves:
        return None
    fig = Figure(figsize=(WIDTH_IN, 3.3), layout="constrained")
    axes = fig.subplots(1, 3 if sizing.trials else 2)
    util_ax, jobs_ax = axes[0], axes[1]
    colors = [*LINE_COLORS, "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
    for i, (region, curve) in enumerate(sorted(sizing.curves.items())):
        color = colors[i % len(colors)]
        chosen = sizing.vans.get(region)
        for ax, col, scale in ((util_ax, "utilization", 100.0), (jobs_ax, "jobs_per_van_day", 1)):
            ax.plot(curve["vans"], curve[col] * scale, color=color, lw=1.4, marker="o", ms=3,
                    label=f"{region}: {chosen} vans" if chosen is not None else region)
            hit = curve[curve["vans"] == chosen] if chosen is not None else curve.iloc[:0]
            if not hit.empty:
                ax.scatter(hit["vans"], hit[col] * scale, s=90, facecolors="none",
                           edgecolors=color, linewidths=2.0, zorder=4)
    low, high = JOBS_PER_VAN_DAY.low, JOBS_PER_VAN_DAY.high
    jobs_marks = [jobs_ax.axhspan(low, high, color="#009E73", alpha=0.08, lw=0,
                                  label=f"seeds {low:g}–{high:g} ({JOBS_PER_VAN_DAY.source})")]
    value = sizing.target_value
    if value is not None and sizing.target == "utilization":
        util_ax.axhline(value * 100, color=TARGET_COLOR, ls="--", lw=1.2,
                        label=f"target {value * 100:.0f} %")
    elif value is not None and sizing.target == "jobs_per_van_day":
        jobs_marks.append(jobs_ax.axhline(value, color=TARGET_COLOR, ls="--", lw=1.2,
                                          label=f"target {value:g}"))
    top = max(float(c["utilization"].max()) for c in sizing.curves.values()) * 100
    util_ax.set_ylim(0, min(max(top * 1.05, 110.0), 400.0))
    style(util_ax, "Van utilization vs vans", "vans in the region", "utilization (%)")
    style(jobs_ax, "Jobs per van-day vs vans", "vans in the region", "jobs per van-day")
    for ax in (util_ax, jobs_ax):
        ax.xaxis.get_major_locator().set_params(integer=True)
    util_ax.legend(fontsize=7, frameon=False)
    jobs_ax.legend(handles=jobs_marks, fontsize=7, frameon=False)
    if sizing.trials:
        _trials_axes(axes[2], sizing, colors)
    return to_base64_png(fig)


TRIAL_LABELS = {"p90_wait_h": ("p90 wait of van jobs (h)", 1.0, "{:.0f} h"),
                "rescue_within_target_rate": ("rescues within target (%)", 100.0, "{:.0f} %")}


def _trials_axes(ax, sizing: Sizing, colors: list[str]) -> None:
    """The searched target's pilot runs: the level measured at each van count tried."""
    ylabel, scale, fmt = TRIAL_LABELS.get(sizing.target, (sizing.target, 1.0, "{:g}"))
    for i, (region, trial) in enumerate(sorted(sizing.trials.items())):
        ax.plot(trial["vans"], trial["value"] * scale, color=colors[i % len(colors)], lw=1.4,
                marker="s", ms=4, label=region if sizing.met.get(region, True)
                else f"{region} (target missed)")
    if sizing.target_value is not None:
        ax.axhline(sizing.target_value * scale, color=TARGET_COLOR, ls="--", lw=1.2,
                   label="target " + fmt.format(sizing.target_value * scale))
    style(ax, "Pilot runs of the search", "vans in the region", ylabel)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.legend(fontsize=7, frameon=False)

"""The channel flow of all contacts as an alluvial diagram: contacts → the channel remote
diagnosis chose → the channel that fixed the job (or still open)."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from reports.page.figures import WIDTH_IN, to_base64_png
from reports.page.formatting import fmt_int
from reports.serviceday.view import FINAL, FIRST, ChannelFlow

CHANNEL_COLORS = {"remote": "#56B4E9", "mobile": "#009E73", "center": "#0072B2",
                  "body": "#CC79A7", "pending": "#8C959F", "open": "#8C959F"}
CONTACTS_COLOR = "#57606a"
FIRST_NAMES = {"remote": "Fixed remotely", "mobile": "To a van", "center": "To a center",
               "body": "To a body shop", "pending": "Awaiting triage"}
FINAL_NAMES = {"remote": "Fixed remotely", "mobile": "Fixed by a van",
               "center": "Fixed at a center", "body": "Fixed at a body shop",
               "open": "Still open at the end"}
SHORT_NAMES = {"remote": "remote", "mobile": "van", "center": "center", "body": "body shop",
               "pending": "awaiting triage", "open": "open"}
_NODE_W = 0.06
_GAP = 0.045        # between nodes of a column, as a share of all contacts
MIN_SHARE = 0.012      # the least height of a node that has jobs, as a share of all contacts
_X = (0.0, 1.0, 2.0)


def _stack(counts: dict[str, int], total: float) -> dict[str, tuple[float, float]]:
    """(top, height) of each non-empty node, stacked downward from 0 with gaps."""
    out, top = {}, 0.0
    for key, n in counts.items():
        if n <= 0:
            continue
        height = max(float(n), MIN_SHARE * total)
        out[key] = (top, height)
        top -= height + _GAP * total
    return out


def _band(ax: Axes, x0: float, x1: float, a: tuple[float, float], b: tuple[float, float],
          color: str, alpha: float = 0.35) -> None:
    """A ribbon from the span ``a`` (top, bottom) at ``x0`` to ``b`` at ``x1`` (smoothstep)."""
    xs = np.linspace(x0, x1, 60)
    t = (xs - x0) / (x1 - x0)
    s = t * t * (3 - 2 * t)
    top = a[0] + (b[0] - a[0]) * s
    bottom = a[1] + (b[1] - a[1]) * s
    ax.fill_between(xs, bottom, top, color=color, alpha=alpha, lw=0)


def _node(ax: Axes, x: float, top: float, height: float, color: str) -> None:
    ax.add_patch(Rectangle((x - _NODE_W / 2, top - height), _NODE_W, height, facecolor=color,
                           edgecolor="none", zorder=3))


def _label(ax: Axes, x: float, top: float, height: float, text: str, ha: str) -> None:
    ax.text(x, top - height / 2, text, ha=ha, va="center", fontsize=8, zorder=5,
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.8, "alpha": 0.85})


def flow_figure(flow: ChannelFlow) -> str | None:
    """Contacts → where remote diagnosis sent them → where they ended, ribbons by jobs.

    Args:
        flow: :func:`reports.serviceday.view.channel_flow`.

    Returns:
        Base64 PNG, or ``None`` without contacts.
    """
    if flow.created <= 0:
        return None
    total = float(flow.created)
    first, final = _stack(flow.first, total), _stack(flow.final, total)
    contacts = {"all": (0.0, total)}
    fig = Figure(figsize=(WIDTH_IN, 4.2), layout="constrained")
    ax = fig.subplots()
    # Contacts -> first channel: slices of the contacts node in FIRST order.
    cursor = 0.0
    for key, (top, height) in first.items():
        share = float(flow.first[key])
        _band(ax, _X[0] + _NODE_W / 2, _X[1] - _NODE_W / 2, (cursor, cursor - share),
              (top, top - height), CHANNEL_COLORS[key])
        cursor -= share
    # First channel -> final: each band a slice of both ends, in the other column's order.
    out_cursor = {k: top for k, (top, _) in first.items()}
    in_cursor = {k: top for k, (top, _) in final.items()}
    for src in FIRST:
        for dst in FINAL:
            n = int(flow.bands.loc[src, dst])
            if n <= 0:
                continue
            a_h = n / flow.first[src] * first[src][1]
            b_h = n / flow.final[dst] * final[dst][1]
            a, b = out_cursor[src], in_cursor[dst]
            moved = src != dst and not (src == "pending" and dst == "open")
            _band(ax, _X[1] + _NODE_W / 2, _X[2] - _NODE_W / 2, (a, a - a_h), (b, b - b_h),
                  CHANNEL_COLORS[src], 0.55 if moved else 0.3)
            if moved and dst != "open":
                mid = (a - a_h / 2 + b - b_h / 2) / 2
                ax.text(1.5, mid, f"{fmt_int(n)} {SHORT_NAMES[src]} → {SHORT_NAMES[dst]}",
                        fontsize=7, ha="center", va="bottom", zorder=5, color="#1b1f24",
                        bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5,
                              "alpha": 0.8})
            out_cursor[src] -= a_h
            in_cursor[dst] -= b_h
    _node(ax, _X[0], 0.0, total, CONTACTS_COLOR)
    _label(ax, _X[0] - _NODE_W, 0.0, total, f"Contacts\n{fmt_int(total)}", "right")
    for key, (top, height) in first.items():
        _node(ax, _X[1], top, height, CHANNEL_COLORS[key])
        wrong = flow.wrong.get(key, 0)
        extra = f" · {fmt_int(wrong)} wrong triage" if wrong else ""
        _label(ax, _X[1] + _NODE_W, top, height,
               f"{FIRST_NAMES[key]} {fmt_int(flow.first[key])}{extra}", "left")
    for key, (top, height) in final.items():
        _node(ax, _X[2], top, height, CHANNEL_COLORS[key])
        _label(ax, _X[2] + _NODE_W, top, height,
               f"{FINAL_NAMES[key]} {fmt_int(flow.final[key])}", "left")
    bottom = min([t - h for t, h in [*first.values(), *final.values(), *contacts.values()]])
    for x, head in zip(_X, ("contacts", "sent by remote diagnosis to",
                            "fixed by (at the end of the run)"), strict=True):
        ax.text(x, total * 0.06, head, ha="center", va="bottom", fontsize=9, weight="bold")
    _scale_bar(ax, total, bottom)
    ax.set_xlim(-0.45, 2.75)
    ax.set_ylim(bottom - total * 0.04, total * 0.16)
    ax.axis("off")
    ax.set_title("Channel flow of all contacts (ribbon height = jobs)", fontsize=10, loc="left")
    return to_base64_png(fig)


def _scale_bar(ax: Axes, total: float, bottom: float) -> None:
    """A vertical bar of a round number of jobs, the flow's unit."""
    step = 10 ** np.floor(np.log10(max(total / 4, 1.0)))
    size = step * (5 if total / 4 >= 5 * step else 2 if total / 4 >= 2 * step else 1)
    x = -0.38
    ax.plot([x, x], [bottom, bottom + size], color="#000000", lw=2)
    ax.text(x + 0.02, bottom + size / 2, f"{fmt_int(size)} jobs", fontsize=7, va="center")

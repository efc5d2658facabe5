"""Figures of a search: the Pareto front's 2-D projections and the decision variables'
parallel coordinates. Axes carry the KPI catalogue's labels and units."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from reports.page.figures import to_base64_png
from reports.search.words import variable_label
from sim.kpis.catalogue import lookup

FRONT_COLOR, OTHER_COLOR, INFEASIBLE_COLOR, PICK_COLOR = "#0072B2", "#8C959F", "#D55E00", "#009E73"


def axis_title(key: str) -> str:
    """``Mean wait (h)``: the catalogue's label and unit (a share in %)."""
    found = lookup(key)
    if found is None:
        return key
    unit = {"count": "", "fraction": "%"}.get(found.unit, found.unit)
    if not unit:
        return found.label
    return f"{found.label}\n({unit})" if len(found.label) + len(unit) > 40 else \
        f"{found.label} ({unit})"


def _scale(key: str) -> float:
    found = lookup(key)
    return 100.0 if found is not None and found.unit == "fraction" else 1.0


def _xy(rows: Sequence[Mapping[str, Any]], key: str) -> np.ndarray:
    return np.array([np.nan if r["kpis"].get(key) is None else r["kpis"][key] * _scale(key)
                     for r in rows], dtype=float)


def front_figure(data: Mapping[str, Any]) -> str | None:
    """Every pair of objectives: trials (grey; infeasible orange x), the feasible Pareto
    front (blue, joined in order) and the recommendation (green); a scatter matrix's lower
    triangle for three or more objectives. None without a finished trial."""
    objectives = list(data["spec"]["objectives"])
    done = [r for r in data["trials"] if r["state"] == "COMPLETE"]
    if not done or len(objectives) < 2:
        return None
    pairs = list(itertools.combinations(objectives, 2))
    k = len(objectives) - 1
    fig = Figure(figsize=(4.2 * k, 3.8 * k) if k > 1 else (6.5, 4.6))
    axes = fig.subplots(k, k, squeeze=False)
    front = set(data["front"])
    pick = (data.get("selection") or {}).get("recommended")
    for i, j in itertools.product(range(k), range(k)):
        if j > i:
            axes[i][j].set_visible(False)
    for a, b in pairs:
        ax = axes[objectives.index(b) - 1][objectives.index(a)]
        groups = (("other feasible trials", [r for r in done if r["feasible"]
                                             and r["number"] not in front], OTHER_COLOR, "o"),
                  ("infeasible (a constraint missed)", [r for r in done if not r["feasible"]],
                   INFEASIBLE_COLOR, "x"),
                  ("Pareto front", [r for r in done if r["number"] in front], FRONT_COLOR, "o"))
        for label, rows, color, marker in groups:
            if rows:
                ax.scatter(_xy(rows, a), _xy(rows, b), c=color, marker=marker, s=28,
                           label=label, zorder=3 if color == FRONT_COLOR else 2)
        if pick is not None:
            rec = [r for r in done if r["number"] == pick]
            ax.scatter(_xy(rec, a), _xy(rec, b), s=140, facecolors="none",
                       edgecolors=PICK_COLOR, linewidths=2, label="recommended", zorder=4)
        ax.set_xlabel(axis_title(a))
        ax.set_ylabel(axis_title(b))
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8, loc="best")
    fig.suptitle("Trials by objective (each point: mean over the trial's replications)")
    fig.tight_layout()
    return to_base64_png(fig)


def _normalised(values: Sequence[Any], spec_var: Mapping[str, Any]) -> tuple[list[float], list]:
    if spec_var["type"] == "categorical":
        choices = list(spec_var["choices"])
        pos = [choices.index(v) / max(1, len(choices) - 1) if v in choices else math.nan
               for v in values]
        return pos, choices
    lo, hi = float(spec_var["low"]), float(spec_var["high"])
    warp = math.log if spec_var.get("log") else float
    return [(warp(float(v)) - warp(lo)) / (warp(hi) - warp(lo)) for v in values], [lo, hi]


def parallel_figure(data: Mapping[str, Any]) -> str | None:
    """One line per finished trial across the decision variables (each axis from its low to
    its high end), coloured by the first objective; the front thick, the pick green."""
    variables = list(data["spec"]["variables"])
    done = [r for r in data["trials"] if r["state"] == "COMPLETE" and r["params"]]
    if not done:
        return None
    first = next(iter(data["spec"]["objectives"]))
    cols = []
    ends = []
    for var in variables:
        pos, end = _normalised([r["params"].get(var["path"]) for r in done], var)
        cols.append(pos)
        ends.append(end)
    ys = np.array(cols, dtype=float).T
    score = _xy(done, first)
    fig = Figure(figsize=(max(6.0, 2.0 * len(variables)), 4.4))
    ax = fig.subplots()
    finite = score[np.isfinite(score)]
    lo, hi = (finite.min(), finite.max()) if finite.size else (0.0, 1.0)
    cmap = matplotlib.colormaps["viridis"]
    front = set(data["front"])
    pick = (data.get("selection") or {}).get("recommended")
    x = np.arange(len(variables))
    for row, y, s in zip(done, ys, score, strict=True):
        t = 0.5 if not math.isfinite(s) or hi == lo else (s - lo) / (hi - lo)
        color = PICK_COLOR if row["number"] == pick else cmap(t)
        width = 3.0 if row["number"] == pick else (1.8 if row["number"] in front else 0.8)
        alpha = 1.0 if row["number"] in front else 0.45
        ax.plot(x, y, color=color, lw=width, alpha=alpha, ls="-" if row["feasible"] else ":")
    for i, end in enumerate(ends):
        ax.axvline(i, color="#57606a", lw=0.8)
        ax.text(i, -0.06, _end(end[0]), ha="center", va="top", fontsize=8)
        ax.text(i, 1.06, _end(end[-1]), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [variable_label(v["path"]) for v in variables], fontsize=8)
    ax.set_yticks([])
    ax.set_ylim(-0.15, 1.15)
    sm = matplotlib.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(lo, hi))
    fig.colorbar(sm, ax=ax, label=axis_title(first))
    ax.set_title("Decision variables of every trial\n(thick: Pareto front, green: recommended, "
                 "dotted: infeasible)", fontsize=9)
    fig.tight_layout()
    return to_base64_png(fig)


def _end(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)

"""The prognostics part of the run report: remaining-useful-life predictions and their scores.

Present only when ``run.json`` has the ``prognostics`` table (prognostics on):
one row per followed component (threshold, booking horizon, action, alerts,
crossings alerted ahead and the ProgPy scores) and a chart of the mean
absolute RUL error against the days left before the true crossing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from reports.page.figures import WIDTH_IN, style, to_base64_png
from reports.page.formatting import fmt_int, fmt_pct
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import KpiSpec, Tile, kpi_tiles

ANCHOR, TITLE = "prognostics", "Prognostics: remaining useful life"
TEMPLATE = "prognostics/section.html.j2"
LABELS = {"battery_soh": "Traction battery SOH", "brake_pads": "Brake pads",
          "tire_tread": "Tire tread", "tire_pressure": "Tire pressure",
          "battery_12v": "12 V battery", "air_filter": "Cabin air filter"}
# The threshold's unit, and whether it is a fraction shown as a percentage.
UNITS = {"battery.soh_est": ("SOH", True),
         "brakes.pad_remaining_frac_est": ("pad left", True),
         "tires.tread_mm_est": ("mm", False),
         "tires.pressure_low_frac_est": ("below nominal", True),
         "aux12v.health_est": ("health", True),
         "demand.air_filter_loss_est": ("efficiency loss", True)}
TILE_SPECS: tuple[KpiSpec, ...] = (
    ("prognostics_alerts", lambda _: "RUL alerts: offers booked or declined, and reminders."),
    ("prognostics_ahead_share", lambda _: "True crossings with an alert before them."),
    ("prognostics_relative_accuracy",
     lambda _: "1 - |RUL error| / true RUL halfway to the crossing (1 = exact)."),
    ("prognostics_alpha_lambda", lambda _: "Predictions within +-20 % of the true RUL then."),
    ("prognostics_horizon_days",
     lambda _: "Days before the crossing of the first good prediction."),
)


@dataclass(frozen=True)
class PrognosticsPage:
    """What the section's template shows."""

    tiles: tuple[Tile, ...]
    rows: tuple[dict[str, str], ...]
    note: str
    image: str | None
    caption: str


def _num(x: Any) -> float:
    return math.nan if x is None else float(x)


def _threshold(row: dict[str, Any]) -> str:
    unit, pct = UNITS.get(row["signal"], ("", False))
    value = fmt_pct(row["threshold"]) if pct else f"{row['threshold']:g}"
    return f"{'<' if row['signal'] in _FALLING else '>'} {value} {unit}".strip()


_FALLING = {"battery.soh_est", "brakes.pad_remaining_frac_est", "tires.tread_mm_est",
            "aux12v.health_est"}


def table_rows(table: dict[str, Any]) -> tuple[dict[str, str], ...]:
    """One display row per target of the run's prognostics table."""
    out = []
    for name, r in table["targets"].items():
        ra, al, ph = (_num(r["relative_accuracy"]), _num(r["alpha_lambda"]),
                      _num(r["horizon_days_median"]))
        known = r.get("predictable_crossings", 0)
        out.append({
            "name": name, "label": LABELS.get(name, name), "threshold": _threshold(r),
            "horizon": f"{r['horizon_days']:g} d", "action": r["action"],
            "alerts": fmt_int(r["alerts"]), "crossings": fmt_int(r["crossings"]),
            "ahead": (f"{fmt_int(r['ahead'])} of {fmt_int(known)}" if known else "n/a"),
            "ra": "n/a" if math.isnan(ra) else f"{ra:.2f}",
            "alpha_lambda": "n/a" if math.isnan(al) else fmt_pct(al),
            "ph": "n/a" if math.isnan(ph) else f"{ph:.0f} d"})
    return tuple(out)


def error_figure(table: dict[str, Any]) -> str | None:
    """Mean absolute RUL error (days) against days before the true crossing, per component."""
    edges = [math.inf if b is None else float(b) for b in table["rul_bins_days"]]
    labels = [f"{edges[i]:g}-{edges[i + 1]:g}" if math.isfinite(edges[i + 1])
              else f">{edges[i]:g}" for i in range(len(edges) - 1)]
    fig = Figure(figsize=(WIDTH_IN, 4.0), layout="constrained")
    ax = fig.subplots()
    used: list[int] = []
    for name, r in table["targets"].items():
        mae = np.array([_num(x) for x in r["mae_days_by_rul_bin"]])
        enough = np.array(r["predictions_by_rul_bin"]) >= 10
        if enough.sum() < 2:
            continue
        x = np.arange(mae.size)
        ax.plot(x[enough], mae[enough], marker="o", label=LABELS.get(name, name))
        used += x[enough].tolist()
    if not used:
        return None
    ax.set_xticks(np.arange(len(labels)), labels)
    ax.set_xlim(max(used) + 0.5, min(used) - 0.5)   # time runs toward the crossing, left to right
    ax.set_yscale("log")
    ax.legend(loc="lower left", fontsize=8)
    style(ax, "RUL error as the crossing approaches",
          "true days left before the threshold crossing (d, binned)",
          "mean absolute RUL error (d, log scale)")
    return to_base64_png(fig)


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The prognostics section, or an empty part for a run without prognostics.

    Args:
        files: The run.
        baseline: Not used.
    """
    table = files.run.get("prognostics") if isinstance(files.run, dict) else None
    if not table or not table.get("targets"):
        return Part()
    image = error_figure(table)
    alpha, lam = table.get("alpha_frac", 0.2), table.get("lambda_frac", 0.5)
    note = (f"Scored as NASA ProgPy does against each twin's true crossing day: relative "
            f"accuracy and alpha-lambda (alpha {alpha:g}) at lambda {lam:g}, halfway from a "
            "vehicle's first prediction to its crossing; the prediction horizon is the median "
            "of days before the crossing of the first prediction within +-alpha of the true "
            "RUL. Alerted ahead: crossings at least a fit window into the part's life with an "
            "alert before them.")
    caption = ("Mean absolute error of the predicted remaining useful life, by the true days "
               "left (bins with at least 10 predictions): the error falls as the crossing "
               "approaches, because the line's extrapolation shortens.")
    page = PrognosticsPage(tuple(kpi_tiles(files.kpis, TILE_SPECS)), table_rows(table), note,
                           image, caption if image else "")
    return Part((Section(ANCHOR, TITLE, TEMPLATE, page),))

"""The recall part of the run report: a hardware field campaign's completion curve.

Present only when ``daily.parquet`` has the campaign's columns (``demand.recall``):
the share of affected vehicles remedied, the kits shipped and the bookings made,
day by day, with the announcement marked; tiles for the campaign's KPIs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from reports.page.figures import WIDTH_IN, style, to_base64_png
from reports.page.formatting import fmt_int, fmt_pct, is_missing
from reports.page.loader import RunFiles
from reports.page.section import Part, Section
from reports.page.tiles import KpiSpec, kpi_tiles

ANCHOR, TITLE = "recall", "Hardware recall"
REMEDIED_COLOR, KITS_COLOR, BOOKED_COLOR, EVENT_COLOR = "#009E73", "#E69F00", "#0072B2", "#D55E00"
TILE_SPECS: tuple[KpiSpec, ...] = (
    ("recall_vehicles", lambda _: "Vehicles of the defective production window."),
    ("recall_defect_failures", lambda _: "Failures the defect caused before a remedy."),
    ("recall_days_to_announce", lambda _: "Run day the recall was announced."),
    ("recall_completion_share", lambda _: "Affected vehicles remedied by the end."),
    ("recall_days_to_90pct", lambda _: "Days from the announcement to 90 % remedied."),
    ("regular_mean_wait_h",
     lambda _: "Mean wait of every other job: compare with a run without the recall."),
)


def recall_figure(daily: pd.DataFrame) -> str:
    """Completion curve (share remedied) above the cumulative kits and bookings."""
    day = daily["day"].to_numpy()
    affected = float(daily["recall_affected"].iloc[-1]) or np.nan
    fig = Figure(figsize=(WIDTH_IN, 5.0), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True)
    top.plot(day, 100.0 * daily["recall_remedied"] / affected, color=REMEDIED_COLOR,
             label="remedied")
    top.axhline(90.0, color="grey", ls=":", lw=1, label="90 %")
    top.set_ylim(0, 105)
    bottom.plot(day, daily["recall_kits_shipped"].cumsum(), color=KITS_COLOR,
                label="kits shipped (cumulative)")
    bottom.plot(day, daily["recall_booked"].cumsum(), color=BOOKED_COLOR,
                label="bookings (cumulative)")
    announced = daily.loc[daily["recall_announced"] > 0, "day"]
    for ax in (top, bottom):
        if len(announced):
            ax.axvline(float(announced.iloc[0]), color=EVENT_COLOR, ls="--", lw=1.2,
                       label="announced")
        ax.legend(loc="upper left", fontsize=8)
    style(top, "Recall completion", "", "affected vehicles remedied (%)")
    style(bottom, "Kits and bookings", "run day (d)", "vehicles (count)")
    return to_base64_png(fig)


def recall_caption(kpis: dict) -> str:
    """The campaign in one paragraph, with its KPIs."""
    def k(key: str):
        v = kpis.get(key)
        return None if is_missing(v) else float(v)
    parts = [f"{fmt_int(k('recall_vehicles') or 0)} vehicles of one production window carry "
             f"the defect; it caused {fmt_int(k('recall_defect_failures') or 0)} failures."]
    start = k("recall_days_to_announce")
    if start is None:
        parts.append("The recall was not announced within the run (too few failures to "
                     "trigger the investigation).")
    else:
        parts.append(f"The recall was announced on day {fmt_int(start)} (dashed line); kits "
                     "ship at the supplier's ramping rate and owners book as kits allow.")
        done = k("recall_days_to_90pct")
        share = k("recall_completion_share")
        parts.append(f"{fmt_pct(share) if share is not None else 'n/a'} remedied by the end; "
                     + (f"90 % after {fmt_int(done)} days." if done is not None
                        else "90 % not reached within the run."))
    return " ".join(parts)


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The recall section, or an empty part for a run without a field campaign.

    Args:
        files: The run.
        baseline: Not used.
    """
    daily = files.daily
    if daily is None or "recall_affected" not in daily or not len(daily):
        return Part()
    return Part((Section.figure(ANCHOR, TITLE, recall_figure(daily), recall_caption(files.kpis),
                                tuple(kpi_tiles(files.kpis, TILE_SPECS))),))

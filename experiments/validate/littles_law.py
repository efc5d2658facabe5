"""Little's law ``L = lambda W`` per service channel on a full run's event log.

A job counts in its channel (the last channel its events name: a rebooked job ends where
it was fixed, an open job where it is booked) from ``job_created`` to its last
``job_finished`` (open jobs: to the end; ``W`` averages the finished ones, so a growing
backlog or lost finish events fail the check). Over the
window ``[WINDOW[0] T, WINDOW[1] T]`` of the horizon ``T`` (skipping the empty start and
the open tail): ``L`` is the time-average number of the channel's jobs in the system,
``lambda`` the rate of the channel's jobs created in the window, ``W`` their mean time in
the system. The figure is the largest ``|L / (lambda W) - 1|`` over the channels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.validate.checks import Check

WINDOW = (0.1, 0.9)
TOLERANCE_REL = 0.05  # edge effects of a finite window (jobs straddling its ends)
MIN_JOBS = 50  # channels with fewer jobs in the window are reported, not checked
SOURCE = "Little's law L = lambda W (Little 1961): holds for any stable queue"


def _time_average(up: np.ndarray, down: np.ndarray, t0: float, t1: float) -> float:
    """Time-average over ``[t0, t1]`` of the number of items up and not yet down."""
    down = down[np.isfinite(down)]
    t = np.concatenate([up, down])
    step = np.concatenate([np.ones(len(up)), -np.ones(len(down))])
    order = np.argsort(t, kind="stable")
    t, count = t[order], np.cumsum(step[order])
    start = np.clip(t, t0, t1)
    end = np.clip(np.append(t[1:], t1), t0, t1)
    return float(np.sum(count * (end - start)) / (t1 - t0))


def jobs_by_channel(events: pd.DataFrame) -> pd.DataFrame:
    """One row per job: created and last finished time (days, NaN if open), its channel."""
    ev = events[events["job"] >= 0]
    created = ev[ev["event"] == "job_created"].groupby("job")["time_d"].min()
    fin = ev[ev["event"] == "job_finished"].sort_values("time_d").groupby("job")
    jobs = pd.DataFrame({"created": created})
    jobs["finished"] = fin["time_d"].last()
    # The last channel any of its events names (an open job: where it is booked).
    routed = ev.dropna(subset=["channel"]).sort_values("time_d", kind="stable")
    jobs["channel"] = routed.groupby("job")["channel"].last().astype(str)
    return jobs.dropna(subset=["channel"])


def littles_law_check(events: pd.DataFrame, horizon_days: int) -> Check:
    """``L`` against ``lambda W`` for each channel of one run (see the module docstring)."""
    jobs = jobs_by_channel(events)
    t0, t1 = WINDOW[0] * horizon_days, WINDOW[1] * horizon_days
    rows = []
    for channel, j in jobs.groupby("channel"):
        inside = j[(j["created"] >= t0) & (j["created"] < t1)]
        if len(inside) < MIN_JOBS:
            continue
        lam = len(inside) / (t1 - t0)
        w = float((inside["finished"] - inside["created"]).mean())
        big_l = _time_average(j["created"].to_numpy(), j["finished"].to_numpy(float), t0, t1)
        rows.append({"channel": channel, "jobs": len(inside), "lambda_per_day": round(lam, 4),
                     "w_days": round(w, 4), "l": round(big_l, 4),
                     "rel_error": round(abs(big_l / (lam * w) - 1.0), 5)})
    if not rows:
        raise ValueError("no channel has enough jobs in the window for Little's law")
    return Check(
        name="littles_law_by_channel",
        title="Little's law L = lambda W per service channel (default scenario)",
        figure=max(r["rel_error"] for r in rows), unit="|L / (lambda W) - 1|",
        reference="L = lambda W", band=(0.0, TOLERANCE_REL), source=SOURCE,
        detail={"channels": rows, "window_days": [t0, t1]},
        plot={"kind": "points", "x": list(range(len(rows))),
              "reference": [r["lambda_per_day"] * r["w_days"] for r in rows],
              "model": [r["l"] for r in rows], "error": [0.0] * len(rows),
              "labels": [r["channel"] for r in rows],
              "x_label": "channel (see labels)", "y_label": "jobs in the system L"})

"""Prognostics KPIs and the per-target table of a finished run (``kpis.json``, ``run.json``).

Per target: alerts, the share raised ahead of the true crossing, and the
ProgPy metrics of :mod:`sim.prognostics.metrics` over the vehicles whose
part crossed the threshold in the run; the fleet KPIs pool the vehicles of
every target. ``prognostics_ahead_share``: of the true crossings at least a
window after the part's life began (a fit could have seen them coming), the
share alerted before the crossing; targets with a zero horizon (an
"immediate" reminder, seed 002:59) are left out, they are by design not ahead.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from sim.prognostics.loop import PrognosticsLoop, TargetState
from sim.prognostics.metrics import ERROR_BINS_DAYS, error_by_rul, score_vehicles

KPI_KEYS = ("prognostics_alerts", "prognostics_ahead_share", "prognostics_relative_accuracy",
            "prognostics_alpha_lambda", "prognostics_horizon_days")


def _mean(x: np.ndarray) -> float:
    return float(np.mean(x)) if x.size else math.nan


def _target_row(ts: TargetState, days: np.ndarray, alpha: float, lam: float) -> dict[str, Any]:
    rul = (np.stack(ts.snaps) if ts.snaps else np.empty((0, ts.cross.size), np.float16))
    s = score_vehicles(days, rul, ts.cross, ts.start, alpha, lam)
    mae, count = error_by_rul(days, rul, ts.cross, ts.start)
    # Crossings a full window after the part's life began (the fit could have seen them
    # coming), and those alerted before they happened.
    known = (ts.cross >= 0) & (ts.cross - ts.start >= int(ts.cfg.window_days))
    ahead = known & (ts.first_alert >= 0) & (ts.first_alert < ts.cross)
    lam_ok = s.lambda_scored
    return {
        "signal": str(ts.cfg.signal), "threshold": float(ts.cfg.threshold),
        "horizon_days": float(ts.cfg.horizon_days), "action": str(ts.cfg.action),
        "alerts": int(ts.alerts), "accepted": int(ts.accepted),   # booked, or fixed by the owner
        "crossings": int((ts.cross >= 0).sum()), "scored": int(s.vehicles.size),
        "predictable_crossings": int(known.sum()), "ahead": int(ahead.sum()),
        "ahead_share": float(ahead.sum() / known.sum()) if known.any() else math.nan,
        "relative_accuracy": _mean(s.relative_accuracy[lam_ok]),
        "alpha_lambda": _mean(s.alpha_lambda_ok[lam_ok].astype(float)),
        "horizon_days_median": (float(np.median(s.horizon_days)) if s.vehicles.size
                                else math.nan),
        "mae_days_by_rul_bin": [None if math.isnan(x) else round(float(x), 3) for x in mae],
        "predictions_by_rul_bin": [int(c) for c in count],
        "_ra": s.relative_accuracy[lam_ok], "_ok": s.alpha_lambda_ok[lam_ok],
        "_ph": s.horizon_days,
    }


def prognostics_results(loop: PrognosticsLoop | None) -> tuple[dict[str, float], dict]:
    """The run's prognostics KPIs and its per-target table (for ``run.json``).

    Without prognostics: 0 alerts and NaN scores, and an empty table.
    """
    if loop is None:
        return {"prognostics_alerts": 0, **{k: math.nan for k in KPI_KEYS[1:]}}, {}
    cfg = loop.cfg
    days = np.asarray(loop.snap_days, np.float64)
    rows = {name: _target_row(ts, days, float(cfg.alpha_frac), float(cfg.lambda_frac))
            for name, ts in loop.targets.items()}
    pooled = {key: np.concatenate([r[key] for r in rows.values()]) if rows else np.empty(0)
              for key in ("_ra", "_ok", "_ph")}
    ahead_rows = [r for r in rows.values() if r["horizon_days"] > 0]
    known = sum(r["predictable_crossings"] for r in ahead_rows)
    kpis = {
        "prognostics_alerts": int(sum(r["alerts"] for r in rows.values())),
        "prognostics_ahead_share": (sum(r["ahead"] for r in ahead_rows) / known if known
                                    else math.nan),
        "prognostics_relative_accuracy": _mean(pooled["_ra"]),
        "prognostics_alpha_lambda": _mean(pooled["_ok"].astype(float)),
        "prognostics_horizon_days": (float(np.median(pooled["_ph"])) if pooled["_ph"].size
                                     else math.nan),
    }
    table = {"alpha_frac": float(cfg.alpha_frac), "lambda_frac": float(cfg.lambda_frac),
             "rul_bins_days": [float(b) if math.isfinite(b) else None for b in ERROR_BINS_DAYS],
             "targets": {name: {k: v for k, v in r.items() if not k.startswith("_")}
                         for name, r in rows.items()}}
    return kpis, table

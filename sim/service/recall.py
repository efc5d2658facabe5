"""A hardware field campaign: a batch defect, its discovery, the recall and its kits.

``demand.recall`` (:class:`configs.recall_schema.RecallConfig`). The vehicles of one
production window (built ``built_days_ago_min``..``max`` days before day 0) of one
hardware configuration carry a defect. Each day, as numpy over those vehicles only:

- an unremedied vehicle with no open defect job fails with probability
  ``1 - exp(-defect_failures_per_vehicle_year / 365)``: a contact ``recall/defect``
  (severity ``reported``: the owner reports the fault; the repair fits a good unit,
  so a fixed defect job remedies the vehicle);
- after ``discovery_failures`` defect failures the maker investigates for
  ``investigation_days``, then announces the recall to every owner of the window;
- from the announcement, recall kits ship at ``kits_per_week_full`` x
  min(1, weeks since / ``kit_ramp_weeks``) (the supplier's ramp-up); each notified,
  unremedied owner with no booking books with ``booking_prob_per_week`` a week,
  as far as the kits in stock allow (oldest vehicles first: the order of the
  window); a booking is a contact ``recall/campaign`` (severity ``scheduled``)
  that competes with the rest of the demand for vans and bays.

A job of either kind that ends fixed remedies the vehicle (:meth:`Recall.fixed`, the
network's fixed-job hook). The daily columns ``recall_affected``,
``recall_announced`` (0/1), ``recall_kits_shipped``, ``recall_booked`` and
``recall_remedied`` (cumulative) give the completion curve; the KPIs are in
:func:`recall_kpis`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from sim.records import REPORTED, SCHEDULED

COMPONENT, DEFECT, CAMPAIGN = "recall", "defect", "campaign"
DAYS_PER_WEEK = 7.0
KEYS = ("recall_vehicles", "recall_defect_failures", "recall_days_to_announce",
        "recall_completion_share", "recall_days_to_90pct")
HOURS_PER_DAY = 24.0


class Recall:
    """The campaign's state over the affected vehicles (see module)."""

    def __init__(self, cfg: Any, age_days: np.ndarray, hw_config: np.ndarray,
                 hw_names: list[str], rng: np.random.Generator) -> None:
        self.cfg, self.rng = cfg, rng
        window = (age_days >= cfg.built_days_ago_min) & (age_days <= cfg.built_days_ago_max)
        if cfg.hw_config:
            if cfg.hw_config not in hw_names:
                raise ValueError(f"demand.recall.hw_config={cfg.hw_config!r} is not a hardware "
                                 f"configuration; allowed: '' or {', '.join(hw_names)}")
            window &= hw_config == hw_names.index(cfg.hw_config)
        order = np.argsort(-age_days[window], kind="stable")        # oldest first
        self.vehicles = np.flatnonzero(window)[order].astype(np.int64)
        n = self.vehicles.size
        self.pos = {int(v): i for i, v in enumerate(self.vehicles)}
        self.remedied = np.zeros(n, dtype=bool)
        self.open = np.zeros(n, dtype=bool)       # a defect or campaign job is open
        self.failures = 0
        self.discovered_day: int | None = None
        self.announce_day: float = math.nan
        self.kits = 0.0
        self.today = {"kits": 0.0, "booked": 0, "announced": False}

    def day(self, day: int) -> list[tuple[str, str, np.ndarray]]:
        """Today's defect failures and bookings: ``(cause, severity, vehicles)`` batches."""
        c = self.cfg
        out = []
        live = ~self.remedied & ~self.open
        p = -math.expm1(-c.defect_failures_per_vehicle_year / 365.0)
        fail = live & (self.rng.random(self.vehicles.size) < p)
        if fail.any():
            self.open |= fail
            self.failures += int(fail.sum())
            out.append((DEFECT, REPORTED, self.vehicles[fail]))
        if self.discovered_day is None and self.failures >= c.discovery_failures:
            self.discovered_day = day
            self.announce_day = day + c.investigation_days
        self.today = {"kits": 0.0, "booked": 0, "announced": day >= self.announce_day}
        if day >= self.announce_day:
            weeks = (day - self.announce_day) / DAYS_PER_WEEK
            ramp = min(1.0, weeks / c.kit_ramp_weeks) if c.kit_ramp_weeks > 0 else 1.0
            shipped = c.kits_per_week_full * ramp / DAYS_PER_WEEK
            self.kits += shipped
            self.today["kits"] = shipped
            want = ~self.remedied & ~self.open
            want &= self.rng.random(self.vehicles.size) < c.booking_prob_per_week / DAYS_PER_WEEK
            idx = np.flatnonzero(want)[: int(self.kits)]
            if idx.size:
                self.kits -= idx.size
                self.open[idx] = True
                self.today["booked"] = int(idx.size)
                out.append((CAMPAIGN, SCHEDULED, self.vehicles[idx]))
        return out

    def fixed(self, vehicle: int, component: str, cause: str) -> None:
        """A job of the network ended fixed: a recall job remedies its vehicle."""
        if component != COMPONENT:
            return
        i = self.pos.get(int(vehicle))
        if i is not None:
            self.remedied[i], self.open[i] = True, False

    def row(self) -> dict[str, float]:
        """The campaign's daily columns (see module)."""
        return {"recall_affected": float(self.vehicles.size),
                "recall_announced": float(self.today["announced"]),
                "recall_kits_shipped": self.today["kits"],
                "recall_booked": float(self.today["booked"]),
                "recall_remedied": float(self.remedied.sum())}


def regular_mean_wait_h(ev: pd.DataFrame) -> float:
    """Mean wait (creation to assignment, hours) of the jobs that are not recall jobs: what
    a campaign's extra load does to everybody else (paired against a run without it)."""
    jobs = ev[ev["job"] >= 0]
    created = jobs[jobs["event"] == "job_created"]
    regular = created.loc[created["component"] != COMPONENT, ["job", "time_d"]]
    assigned = jobs[jobs["event"] == "job_assigned"].groupby("job")["time_d"].min()
    wait = (assigned.reindex(regular["job"]).to_numpy()
            - regular["time_d"].to_numpy()) * HOURS_PER_DAY
    wait = wait[np.isfinite(wait)]
    return float(wait.mean()) if wait.size else math.nan


def recall_kpis(daily: pd.DataFrame | None, ev: pd.DataFrame,
                mean_wait_h: float = math.nan) -> dict[str, float]:
    """Campaign KPIs from the daily columns and the event log (NaN without a recall).

    ``recall_vehicles``: vehicles of the window; ``recall_defect_failures``: their
    defect failures (``job_created`` of ``recall/defect``); ``recall_days_to_announce``:
    the day of the announcement; ``recall_completion_share``: remedied at the end /
    affected; ``recall_days_to_90pct``: days from the announcement until 90 % are
    remedied (NaN if not within the run). ``regular_mean_wait_h`` for every run: without a
    recall every job is regular, so it is the run's ``mean_wait_h`` (not recomputed).
    """
    if daily is None or "recall_affected" not in daily or not len(daily):
        return {"regular_mean_wait_h": mean_wait_h} | dict.fromkeys(KEYS, math.nan)
    out = {"regular_mean_wait_h": regular_mean_wait_h(ev)}
    affected = float(daily["recall_affected"].iloc[-1])
    announced = daily.loc[daily["recall_announced"] > 0, "day"]
    start = float(announced.iloc[0]) if len(announced) else math.nan
    done = daily.loc[daily["recall_remedied"] >= 0.9 * affected, "day"]
    end = float(done.iloc[0]) + 1.0 if affected and len(done) else math.nan
    created = ev[(ev["event"] == "job_created") & (ev["component"] == COMPONENT)]
    return out | {
        "recall_vehicles": affected,
        "recall_defect_failures": float((created["cause"] == DEFECT).sum()),
        "recall_days_to_announce": start,
        "recall_completion_share": (float(daily["recall_remedied"].iloc[-1]) / affected
                                    if affected else math.nan),
        "recall_days_to_90pct": end - start if math.isfinite(start) else math.nan}

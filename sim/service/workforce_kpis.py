"""KPIs of the people and the fixes: attrition, hiring, the academy, first-time fix, revisit causes.

Computed from the event log alone (``tech_*`` / ``academy_*`` records have ``job = -1``;
``revisit_cause`` records carry the cause in ``outcome``). A *worked* visit is one that
ended ``fixed`` or ``revisit`` (wasted trips, no-shows and rain blocks did no work).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.records import PREVENTIVE
from sim.service.fix import CAUSES

NEW_TECH_WINDOW_D = 90.0     # seed 001 counts new technicians leaving within 3 months
PREDICTIVE = (PREVENTIVE,)   # a predictive order: a job booked from an alert ...
CONDITION = "condition"      # ... or a data-triggered service (seed 002:55-60)


def _rate(num: float, den: float) -> float:
    return float(num) / den if den else math.nan


def attrition_3m_new(events: pd.DataFrame, horizon: float) -> float:
    """Share of technicians who started at or after day 0 (at least 90 days before the
    horizon) and left within 90 days of their start."""
    started = events[(events["event"] == "tech_started") & (events["due_d"] >= 0.0)
                     & (events["due_d"] <= horizon - NEW_TECH_WINDOW_D)]
    if started.empty:
        return math.nan
    left = events[(events["event"] == "tech_left") & (events["value"] <= NEW_TECH_WINDOW_D)]
    gone = set(zip(left["technician"].to_numpy(), left["due_d"].to_numpy(), strict=True))
    keys = zip(started["technician"].to_numpy(), started["due_d"].to_numpy(), strict=True)
    return _rate(sum(k in gone for k in keys), len(started))


def workforce_kpis(events: pd.DataFrame, horizon: float) -> dict[str, float]:
    """Hiring, departures and the academy (NaN without ``service.workforce``)."""
    if not (events["event"] == "tech_started").any():
        return dict.fromkeys(("technician_attrition_3m_new", "technician_attrition_3m_expected",
                              "technicians_hired",
                              "technicians_left", "academy_graduates", "academy_pass_rate"),
                             math.nan)
    n = events["event"].value_counts()
    passed, failed = int(n.get("academy_passed", 0)), int(n.get("academy_failed", 0))
    cohort = events.loc[(events["event"] == "tech_cohort")
                        & (events["due_d"] <= horizon - NEW_TECH_WINDOW_D), "value"]
    return {
        "technician_attrition_3m_new": attrition_3m_new(events, horizon),
        "technician_attrition_3m_expected": float(cohort.mean()) if len(cohort) else math.nan,
        "technicians_hired": int(n.get("tech_hired", 0)),
        "technicians_left": int(n.get("tech_left", 0)),
        "academy_graduates": passed,
        "academy_pass_rate": _rate(passed, passed + failed),
    }


def fix_kpis(ev: pd.DataFrame) -> dict[str, float]:
    """First-time fix of worked visits by channel, revisit causes, predictive share."""
    fin = ev[(ev["event"] == "job_finished") & ev["outcome"].isin(["fixed", "revisit"])]
    out: dict[str, float] = {}
    for channel in ("mobile", "center"):
        c = fin[fin["channel"] == channel]
        out[f"first_time_fix_{channel}"] = _rate(int((c["outcome"] == "fixed").sum()), len(c))
    causes = ev.loc[(ev["event"] == "revisit_cause") & (ev["channel"] == "mobile"), "outcome"]
    counts = causes.value_counts()
    for cause in CAUSES:
        out[f"revisit_share_{cause}"] = _rate(int(counts.get(cause, 0)), len(causes))
    created = ev[ev["event"] == "job_triaged"]
    mobile = created[created["channel"] == "mobile"]
    predictive = (np.isin(mobile["severity"].to_numpy(), PREDICTIVE)
                  | (mobile["component"].to_numpy() == CONDITION))
    out["predictive_share_of_mobile_jobs"] = _rate(int(predictive.sum()), len(mobile))
    return out

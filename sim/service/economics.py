"""The economics of the service line, from the resources a run used (``service.economics``).

Seed 003 prices a mobile maintenance visit by what it consumes (technician
hours, energy, consumables, van depreciation, management) and a center visit
at ~500 CNY; seed 001 reports that by 2023 a mobile job cost 15 % less than a
center job. Here the cost per job is an outcome of how busy the resources are:

- a van's technician is paid for every shift hour of every working day, busy or
  not, and the van depreciates over ``van_life_years`` whatever it does; the
  energy follows the km driven; consumables and management are per visit;
- a center bay costs ``bay_cost_per_h`` for every open hour of every working day;
- revenue is ``revenue_per_visit`` for a visit of either channel, plus the
  ``mobile_service_fee`` at home.

A visit is a ``job_arrived`` record of the channel (wasted trips and no-shows
included: the van went). The van payback is the van's fit-out and tools over its
monthly contribution (mobile revenue less technician, energy, consumables and
management, per van); NaN when the line does not pay for its vans.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.clock import DAYS_PER_YEAR

MONTHS_PER_YEAR = 12.0
KEYS = ("cost_per_job_mobile", "cost_per_job_center", "service_margin", "van_payback_months")


def economics_kpis(ev: pd.DataFrame, cap: Any) -> dict[str, float]:
    """Cost per job by channel, the line's margin and the payback of a van (see module)."""
    e = cap.economics
    if e is None:
        return dict.fromkeys(KEYS, math.nan)
    arrived = ev[ev["event"] == "job_arrived"]
    mobile = int((arrived["channel"] == "mobile").sum())
    center = int((arrived["channel"] == "center").sum())
    km = float(ev.loc[ev["event"] == "van_leg", "value"].sum())
    years = cap.horizon_days / DAYS_PER_YEAR
    per_visit = e.consumables_per_visit + e.management_per_visit

    crew = cap.vans * cap.working_days * cap.shift_h_per_day * e.technician_cost_per_h
    vans = cap.vans * (e.van_fitout + e.van_tools) / e.van_life_years * years
    mobile_cost = crew + vans + km * e.energy_cost_per_km + mobile * per_visit
    center_cost = (cap.bays * cap.working_days * cap.shift_h_per_day * e.bay_cost_per_h
                   + center * per_visit)
    mobile_revenue = mobile * (e.revenue_per_visit + e.mobile_service_fee)
    revenue = mobile_revenue + center * e.revenue_per_visit

    contribution = mobile_revenue - (mobile_cost - vans)
    months = years * MONTHS_PER_YEAR
    monthly_per_van = contribution / cap.vans / months if cap.vans and months else math.nan
    payback = ((e.van_fitout + e.van_tools) / monthly_per_van
               if monthly_per_van > 0 else math.nan)
    return {
        "cost_per_job_mobile": mobile_cost / mobile if mobile else math.nan,
        "cost_per_job_center": center_cost / center if center else math.nan,
        "service_margin": (revenue - mobile_cost - center_cost) / revenue if revenue else math.nan,
        "van_payback_months": payback,
    }

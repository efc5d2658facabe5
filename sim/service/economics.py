"""The economics of the service line, from the resources a run used (``service.economics``).

Seed 003 prices a mobile maintenance visit by what it consumes (technician
hours, energy, consumables, van depreciation, management) and a center visit
at ~500 CNY; seed 001 reports that by 2023 a mobile job cost 15 % less than a
center job. Here the cost per job is an outcome of how busy the resources are:

- a van's technician is paid for every shift hour of every working day, busy or
  not, and the van depreciates over ``van_life_years`` whatever it does (so its
  capital per visit falls with the visits a van makes in a year, not seed 003's
  fixed 500); the energy follows the km driven (the drive back to the depot
  included); consumables and management (dispatch, customer service) are per visit;
- a center bay's technician is paid the same rate for every open hour of every
  working day, and the center's own overheads come on top in proportion: its
  other staff (manager, advisors, parts, cashier) and its site and equipment
  (``center_*_per_technician_cost``). Allocated over the center's visits, an
  idle bay-hour costs as much as a busy one; consumables are per visit;
- revenue is ``revenue_per_visit`` for a visit of either channel, plus the
  ``mobile_service_fee`` at home, plus the bill of every repair fixed (below).
  The maker pays a share of each contact source's visits and repairs under
  warranty (``warranty_share_by_source``), at ``warranty_rate_factor`` of the
  retail rate; the owner pays the rest and the fee. The split is the expected
  value (share x visits), no random draw, so the KPIs stay a function of the
  event log.

A visit is a ``job_arrived`` record of the channel (wasted trips and no-shows
included: the van went). The van payback is the van's fit-out and tools over its
monthly contribution (mobile revenue less technician, energy, consumables and
management, per van); NaN when the line does not pay for its vans.

Seed 002:74-75 adds what prevention is worth: the gross profit of a repair's
parts and labour is 45 % of its bill when it is preventive (a job booked from
an alert) and 28 % when it is an emergency, and the owner saves ~1 500 CNY of
emergency cost per breakdown avoided. The emergency repair is the repair of a
failure, roadside or not: what a preventive job replaces is mostly a drivable
failure (worn pads, tread, a weak 12 V battery), so counting roadside jobs only
would book the preventive side of the shift and not the repairs it saves. A
repair is a job fixed (its ``job_finished`` record with outcome ``fixed``: one
bill per job, whatever visits it took); a breakdown avoided is a
``failure_prevented`` record. A repair fixed by a van or a bay is sold: its bill
(``repair_revenue_*``, the part and its fitting) is service revenue and the
bill less its gross margin is the cost of the part sold, in ``service_margin``,
``service_profit_per_month`` and the van's contribution (the technician's time
is the shift already paid). The cost per job stays the service's own cost per
visit (seed 001's and 003's comparison), without the parts sold.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.clock import DAYS_PER_YEAR
from sim.records import PREVENTIVE
from sim.service.dayplan_kpis import SOURCES

MONTHS_PER_YEAR = 12.0
#: Job severities of seed 002's emergency (corrective) repair: the repair of a failure.
EMERGENCY = SOURCES["faults"]
KEYS = ("cost_per_job_mobile", "cost_per_job_center", "cost_per_job_mobile_to_center",
        "service_margin", "van_payback_months",
        "service_revenue_per_vehicle_year", "warranty_revenue_share",
        "repair_gross_profit_per_vehicle_year", "owner_avoided_cost_per_vehicle_year",
        "academy_spend_per_month", "service_profit_per_month")


def _rate(num: float, den: float) -> float:
    return float(num) / den if den else math.nan


def bay_cost_per_h(e: Any) -> float:
    """What an open center bay-hour costs: its technician and the center's overheads, CNY."""
    return e.technician_cost_per_h * (1.0 + e.center_staff_per_technician_cost
                                      + e.center_site_per_technician_cost)


def warranty_shares(e: Any) -> dict[str, float]:
    """Share of each job severity's visits and repairs the maker pays under warranty."""
    return {sev: float(e.warranty_share_by_source.get(source, 0.0))
            for source, severities in SOURCES.items() for sev in severities}


def visit_revenue(arrived: pd.DataFrame, e: Any) -> tuple[dict[str, float], float]:
    """Revenue of the visits by channel (fees included), and the part the maker pays.

    Args:
        arrived: ``job_arrived`` records (``channel``, ``severity``).
        e: the ``service.economics`` config.

    Returns:
        ``({"mobile": CNY, "center": CNY}, warranty CNY)``. A severity of no
        contact source is owner-paid.
    """
    share = warranty_shares(e)
    counts = arrived.groupby(["channel", "severity"], observed=True, dropna=False).size()
    revenue = {"mobile": 0.0, "center": 0.0}
    warranty = 0.0
    for (channel, severity), n in counts.items():
        if channel not in revenue:
            continue
        s = share.get(severity, 0.0)
        maker = n * e.revenue_per_visit * s * e.warranty_rate_factor
        revenue[channel] += maker + n * e.revenue_per_visit * (1.0 - s)
        warranty += maker
    revenue["mobile"] += int((arrived["channel"] == "mobile").sum()) * e.mobile_service_fee
    return revenue, warranty


def _bills(e: Any) -> dict[str, tuple[float, float]]:
    """severity -> (the repair's bill, its gross margin), for the repairs seed 002 prices."""
    return ({PREVENTIVE: (e.repair_revenue_preventive, e.preventive_margin)}
            | dict.fromkeys(EMERGENCY, (e.repair_revenue_emergency, e.emergency_margin)))


def _fixed(ev: pd.DataFrame) -> pd.DataFrame:
    return ev.loc[(ev["event"] == "job_finished") & (ev["outcome"] == "fixed"),
                  ["channel", "severity"]]


def repair_gross_profit(ev: pd.DataFrame, e: Any) -> float:
    """Gross profit of the preventive and emergency repairs fixed (seed 002 margins), CNY."""
    fixed = _fixed(ev)["severity"].value_counts()
    return sum(int(fixed.get(sev, 0)) * bill * margin for sev, (bill, margin) in _bills(e).items())


def repair_sales(ev: pd.DataFrame, e: Any) -> tuple[dict[str, float], dict[str, float], float]:
    """The repairs a van or a bay fixed, sold: revenue and cost of the parts by channel, CNY.

    Returns:
        ``(revenue, cost, warranty)``: revenue per channel (the maker pays its warranty
        share at ``warranty_rate_factor``), the bills less their gross margin per
        channel, and the part of the revenue the maker pays.
    """
    share, bills = warranty_shares(e), _bills(e)
    counts = _fixed(ev).groupby(["channel", "severity"], observed=True).size()
    revenue, cost, warranty = {"mobile": 0.0, "center": 0.0}, {"mobile": 0.0, "center": 0.0}, 0.0
    for (channel, severity), n in counts.items():
        if channel not in revenue or severity not in bills:
            continue
        bill, margin = bills[severity]
        s = share.get(severity, 0.0)
        revenue[channel] += n * bill * (1.0 - s + s * e.warranty_rate_factor)
        warranty += n * bill * s * e.warranty_rate_factor
        cost[channel] += n * bill * (1.0 - margin)
    return revenue, cost, warranty


def economics_kpis(ev: pd.DataFrame, cap: Any,
                   vehicle_years: float = math.nan) -> dict[str, float]:
    """Cost per job by channel, margin, van payback, revenue and prevention's worth.

    Args:
        ev: the run's event log (every record: the vans' drives back to the
            depot and ``failure_prevented`` carry no job).
        cap: the network's capacity (``cap.economics`` None: every KPI NaN).
        vehicle_years: the fleet's vehicle-years (the per-vehicle-year KPIs).
    """
    e = cap.economics
    if e is None:
        return dict.fromkeys(KEYS, math.nan)
    arrived = ev[ev["event"] == "job_arrived"]
    mobile = int((arrived["channel"] == "mobile").sum())
    center = int((arrived["channel"] == "center").sum())
    km = float(ev.loc[(ev["event"] == "van_leg") & (ev["channel"] == "mobile"), "value"].sum())
    years = cap.horizon_days / DAYS_PER_YEAR
    per_visit = e.consumables_per_visit + e.management_per_visit

    # Technicians are paid for the van-days a technician sat in the van (vacancies are not);
    # the academy's trainees (passed or not) are a cost of the mobile line.
    crew = cap.van_days * cap.shift_h_per_day * e.technician_cost_per_h
    vans = cap.vans * (e.van_fitout + e.van_tools) / e.van_life_years * years
    trainees = int(ev["event"].isin(["academy_passed", "academy_failed"]).sum())
    academy = trainees * getattr(cap, "trainee_cost", 0.0)
    mobile_cost = crew + vans + km * e.energy_cost_per_km + mobile * per_visit + academy
    center_cost = (cap.bays * cap.working_days * cap.shift_h_per_day * bay_cost_per_h(e)
                   + center * e.consumables_per_visit)
    by_channel, warranty = visit_revenue(arrived, e)
    sold, parts, sold_warranty = repair_sales(ev, e)
    revenue = by_channel["mobile"] + by_channel["center"] + sold["mobile"] + sold["center"]
    warranty += sold_warranty
    profit = revenue - mobile_cost - center_cost - parts["mobile"] - parts["center"]

    contribution = by_channel["mobile"] + sold["mobile"] - parts["mobile"] - (mobile_cost - vans)
    months = years * MONTHS_PER_YEAR
    monthly_per_van = contribution / cap.vans / months if cap.vans and months else math.nan
    payback = ((e.van_fitout + e.van_tools) / monthly_per_van
               if monthly_per_van > 0 else math.nan)
    prevented = int((ev["event"] == "failure_prevented").sum())
    return {
        "cost_per_job_mobile": _rate(mobile_cost, mobile),
        "cost_per_job_center": _rate(center_cost, center),
        "cost_per_job_mobile_to_center": _rate(_rate(mobile_cost, mobile),
                                               _rate(center_cost, center)),
        "service_margin": _rate(profit, revenue),
        "van_payback_months": payback,
        "service_revenue_per_vehicle_year": _rate(revenue, vehicle_years),
        "warranty_revenue_share": _rate(warranty, revenue),
        "repair_gross_profit_per_vehicle_year": _rate(repair_gross_profit(ev, e), vehicle_years),
        "owner_avoided_cost_per_vehicle_year": _rate(
            prevented * e.owner_avoided_cost_per_breakdown, vehicle_years),
        "academy_spend_per_month": _rate(academy, months),
        "service_profit_per_month": _rate(profit, months),
    }

"""sim.service.kpis.service_kpis on a hand-built event log with known answers.

Seven jobs over a 7-day horizon, two vans with 10-hour shifts on 6 working days:

====  ========  ===========  ==============================================================
job   severity  channel      story
====  ========  ===========  ==============================================================
0     drivable  remote       fixed by remote diagnosis after 35 min
1     drivable  mobile       booked 14-16 h, arrives 14:30, fixed first time (on time)
2     drivable  mobile       arrives on time but needs a revisit; the revisit arrives late
3     roadside  center       tow within target, fixed at the center
4     drivable  mobile       waits a day for a part; the visit is still running at the horizon
5     roadside  mobile       rescued within target at night, fixed
6     roadside  mobile       not reached by the horizon (a missed rescue)
====  ========  ===========  ==============================================================
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from configs.service_schema import CostConfig
from sim.clock import hours
from sim.records import Event, EventLog
from sim.service.kpis import ServiceCapacity, service_kpis

HORIZON_D = 7
VEHICLE_YEARS = 2.0
JOB = {  # job -> (vehicle, component, cause, severity, region)
    0: (10, "software", "software_fault", "drivable", "east"),
    1: (11, "aux12v", "weak_battery", "drivable", "east"),
    2: (12, "electrics", "minor_electrical_fault", "drivable", "east"),
    3: (13, "coolant", "overheat", "roadside", "west"),
    4: (14, "tires", "tread_worn", "drivable", "east"),
    5: (15, "tires", "puncture_roadside", "roadside", "east"),
    6: (16, "aux12v", "no_start", "roadside", "east"),
}


def at(day: int, hour: float) -> float:
    return day + hours(hour)


def ev(job: int, t: float, event: str, tech: int = -1, channel: str = "", outcome: str = "",
       due: float = math.nan) -> Event:
    vehicle, component, cause, severity, region = JOB[job]
    return Event(t, event, vehicle, component, cause, severity, job, region, tech, channel,
                 outcome, due)


def created(job: int, t: float) -> list[Event]:
    return [ev(job, t, "failure"), ev(job, t, "job_created")]


def mobile_visit(job: int, tech: int, assigned: float, arrived: float, due: float,
                 finished: float | None, outcome: str = "fixed") -> list[Event]:
    rows = [ev(job, assigned, "job_assigned", tech, "mobile"),
            ev(job, arrived, "job_arrived", tech, "mobile", due=due),
            ev(job, arrived, "job_started", tech, "mobile")]
    if finished is not None:
        rows.append(ev(job, finished, "job_finished", tech, "mobile", outcome))
    return rows


def events():
    rows: list[Event] = [Event(at(0, 1.0), "ota_campaign")]  # not a job: ignored
    # 0: remote fix.
    rows += created(0, at(0, 2.0))
    rows += [ev(0, at(0, 2.0) + hours(35 / 60), "job_finished", channel="remote",
                outcome="remote_fixed")]
    # 1: booked mobile, fixed first time, on time.
    rows += created(1, at(1, 9.0)) + [ev(1, at(1, 9.25), "job_triaged", channel="mobile")]
    rows += mobile_visit(1, 0, at(1, 14.0), at(1, 14.5), at(1, 16.0), at(1, 15.5))
    # 2: a revisit; the second visit arrives after its window.
    rows += created(2, at(2, 8.0)) + [ev(2, at(2, 8.25), "job_triaged", channel="mobile")]
    rows += mobile_visit(2, 1, at(2, 12.0), at(2, 13.0), at(2, 14.0), at(2, 14.0), "revisit")
    rows += mobile_visit(2, 0, at(3, 10.0), at(3, 12.5), at(3, 12.0), at(3, 13.5))
    # 3: roadside, towed to the center (truck 9, bay 7); target 2 h.
    rows += created(3, at(4, 10.0)) + [ev(3, at(4, 10.25), "job_triaged", channel="center")]
    rows += [ev(3, at(4, 10.25), "tow_assigned", 9, "center"),
             ev(3, at(4, 11.0), "tow_arrived", 9, "center", due=at(4, 12.0)),
             ev(3, at(4, 11.5), "tow_delivered", 9, "center"),
             ev(3, at(4, 11.5), "job_arrived", -1, "center"),
             ev(3, at(4, 11.5), "job_assigned", 7, "center"),
             ev(3, at(4, 11.5), "job_started", 7, "center"),
             ev(3, at(4, 14.5), "job_finished", 7, "center", "fixed")]
    # 4: waits a day for a tire; the visit is still running at the horizon.
    rows += created(4, at(5, 9.0)) + [ev(4, at(5, 9.25), "job_triaged", channel="mobile"),
                                       ev(4, at(5, 9.25), "part_wait", channel="mobile",
                                          outcome="tire"),
                                       ev(4, at(6, 9.25), "part_ready", channel="mobile",
                                          outcome="tire")]
    rows += mobile_visit(4, 1, at(6, 14.0), at(6, 14.0) + hours(1 / 3), at(6, 16.0), None)
    # 5: rescue at night, within the 2 h target.
    rows += created(5, at(6, 20.0)) + [ev(5, at(6, 20.25), "job_triaged", channel="mobile")]
    rows += mobile_visit(5, 0, at(6, 20.25), at(6, 21.5), at(6, 22.0), at(6, 22.5))
    # 6: a rescue nobody reached before the horizon.
    rows += created(6, at(6, 23.0)) + [ev(6, at(6, 23.25), "job_triaged", channel="mobile")]
    log = EventLog()
    rng = np.random.default_rng(0)
    for i in rng.permutation(len(rows)):  # export sorts by time, whatever the append order
        log.append(rows[i])
    return log.to_frame()


CAPACITY = ServiceCapacity(vans=2, shift_h_per_day=10.0, working_days=6,
                           horizon_days=HORIZON_D, costs=CostConfig())

WAITS_H = [5.0, 4.0, 1.5, 29.0, 0.25]                    # jobs 1-5: creation -> first assignment
RESPONSE_H = [5.5, 5.0, 1.0, 29.0 + 1 / 3, 1.5]          # ... -> first arrival of help (tow: 3)
REPAIR_H = [1.0, 1.0, 1.0, 3.0, 9.0 + 2 / 3, 1.0]        # started -> finished (4: the horizon)
MOBILE_HANDS_ON_H = sum(REPAIR_H) - REPAIR_H[3]            # all visits but job 3's (a center)
MOBILE_BUSY_H = 1.5 + 2.0 + 3.5 + 10.0 + 2.25            # assigned -> finished or horizon
EXPECTED = {
    "service_jobs": 7,
    "service_jobs_finished": 5,
    "service_jobs_open_end": 2,
    "remote_resolution_rate": 1 / 7,
    "mobile_share": 5 / 6,
    "first_time_fix_rate": 3 / 4,                  # jobs 1, 3, 5 of fixed 1, 2, 3, 5
    "revisits": 1,
    "on_time_arrival_rate": 3 / 4,                 # booked arrivals of jobs 1, 2, 2 (late), 4
    "rescue_within_target_rate": 2 / 3,            # 3 and 5 in time; 6 missed
    "mean_wait_h": float(np.mean(WAITS_H)),
    "p90_wait_h": 5.0 + 0.6 * (29.0 - 5.0),
    "mean_response_h": float(np.mean(RESPONSE_H)),
    "mean_repair_h": float(np.mean(REPAIR_H)),
    "technicians": 2,
    "technician_utilization": MOBILE_BUSY_H / (2 * 6 * 10.0),
    "jobs_per_technician_day": 4 / (2 * 6),        # finished mobile visits per van-day
    "tows": 1,
    "parts_stockouts": 1,
    # remote 50 + 4 mobile visits x 700 + 1 center visit x 500 + 3 rescues x 2000 + 1 tow x 800
    "service_cost_total": 50.0 + 4 * 700.0 + 500.0 + 3 * 2000.0 + 800.0,
    "service_cost_per_vehicle_year": (50.0 + 4 * 700.0 + 500.0 + 3 * 2000.0 + 800.0) / 2.0,
    # Demand, triage and the van day (sim.service.dayplan_kpis): 7 fault jobs and 6 arrivals
    # (5 by a van) in 2 vehicle-years; 2 vans x 6 working days; no van_leg, triage outcome,
    # center booking in this older-style log.
    "service_contacts_per_vehicle_year": 7 / 2,
    "service_visits_per_vehicle_year": 6 / 2,
    "contacts_faults_per_vehicle_year": 7 / 2,
    "contacts_alerts_per_vehicle_year": 0.0,
    "contacts_maintenance_per_vehicle_year": 0.0,
    "contacts_owner_per_vehicle_year": 0.0,
    "triage_accuracy": math.nan,
    "wasted_trips": 0,
    "no_shows": 0,
    "rain_blocked_visits": 0,
    "mobile_share_of_visits": 5 / 6,
    "center_booking_lead_days": math.nan,
    "jobs_per_van_day": 5 / 12,
    "technician_productive_hours_per_day": MOBILE_HANDS_ON_H / 12,
    "travel_hours_per_van_day": 0.0,
    "km_per_job": 0.0,
    # no expert desk (experts.mode instant): the desk's KPIs are not defined
    "help_requests_per_job": math.nan,
    "expert_response_min_p90": math.nan,
    "expert_utilization": math.nan,
    # no economics config in this capacity: the economics KPIs are not defined
    "cost_per_job_mobile": math.nan,
    "cost_per_job_center": math.nan,
    "cost_per_job_mobile_to_center": math.nan,
    "service_margin": math.nan,
    "van_payback_months": math.nan,
    # Fixes (sim.service.workforce_kpis): mobile visits that worked 1, 2 (revisit), 2, 5 fixed
    # 3 of 4; the center visit of 3 fixed; this log records no revisit cause; no job of the
    # 5 triaged to mobile came from an alert or a data trigger.
    "first_time_fix_mobile": 3 / 4,
    "first_time_fix_center": 1.0,
    "revisit_share_time": math.nan,
    "revisit_share_parts": math.nan,
    "revisit_share_skills": math.nan,
    "revisit_share_other": math.nan,
    "predictive_share_of_mobile_jobs": 0.0,
    # no workforce (tech_* records): its KPIs are not defined
    "technician_attrition_3m_new": math.nan,
    "technician_attrition_3m_expected": math.nan,
    "technicians_hired": math.nan,
    "technicians_left": math.nan,
    "academy_graduates": math.nan,
    "academy_pass_rate": math.nan,
    # no visit rated (the quality loop is not in this log): CSAT, NPS and reviews undefined
    "csat_mobile": math.nan,
    "csat_center": math.nan,
    "nps": math.nan,
    "nps_mobile": math.nan,
    "low_rating_reviewed_48h_share": math.nan,
    "service_revenue_per_vehicle_year": math.nan,
    "warranty_revenue_share": math.nan,
    "repair_gross_profit_per_vehicle_year": math.nan,
    "owner_avoided_cost_per_vehicle_year": math.nan,
    "academy_spend_per_month": math.nan,
    "service_profit_per_month": math.nan,
}


def test_every_service_kpi_on_a_known_log():
    k = service_kpis(events(), CAPACITY, VEHICLE_YEARS)
    assert k.keys() == EXPECTED.keys()
    assert k == pytest.approx(EXPECTED, rel=1e-12, abs=1e-12, nan_ok=True)
    assert isinstance(k["service_jobs"], int) and isinstance(k["revisits"], int)


def test_the_sums_behind_the_expectations():
    assert np.mean(WAITS_H) == pytest.approx(7.95)
    assert np.quantile(WAITS_H, 0.9) == pytest.approx(19.4)
    assert MOBILE_BUSY_H == pytest.approx(19.25)
    assert EXPECTED["service_cost_total"] == 10_150.0


def test_costs_follow_the_unit_costs():
    costs = CostConfig(remote=1.0, mobile_visit=10.0, center_visit=100.0, body_visit=1e3,
                       rescue=1e4, tow=1e5)
    cap = ServiceCapacity(vans=2, shift_h_per_day=10.0, working_days=6,
                          horizon_days=HORIZON_D, costs=costs)
    k = service_kpis(events(), cap, VEHICLE_YEARS)
    assert k["service_cost_total"] == 1 + 4 * 10 + 100 + 3 * 1e4 + 1e5
    assert k["service_cost_per_vehicle_year"] == k["service_cost_total"] / VEHICLE_YEARS


def test_an_empty_log_gives_zero_counts_and_undefined_rates():
    k = service_kpis(EventLog().to_frame(), CAPACITY, VEHICLE_YEARS)
    assert k["service_jobs"] == k["revisits"] == k["tows"] == k["parts_stockouts"] == 0
    assert k["service_cost_total"] == 0.0 and k["technician_utilization"] == 0.0
    for name in ("mobile_share", "first_time_fix_rate", "on_time_arrival_rate",
                 "rescue_within_target_rate", "mean_wait_h", "p90_wait_h", "mean_repair_h"):
        assert math.isnan(k[name]), name


def test_only_jobs_count():
    frame = events()
    assert (frame["job"] == -1).sum() == 1
    assert service_kpis(frame[frame["job"] >= 0], CAPACITY, VEHICLE_YEARS) == pytest.approx(
        service_kpis(frame, CAPACITY, VEHICLE_YEARS), nan_ok=True)


def test_a_roadside_job_fixed_remotely_costs_a_remote_fix_only():
    road = Event(at(0, 3.0), "job_created", 20, "software", "software_fault_roadside",
                 "roadside", 0, "east")
    fixed = road._replace(time_d=at(0, 3.0) + hours(35 / 60), event="job_finished",
                          channel="remote", outcome="remote_fixed")
    log = EventLog()
    for row in (road._replace(event="failure"), road, fixed):
        log.append(row)
    k = service_kpis(log.to_frame(), CAPACITY, VEHICLE_YEARS)
    assert k["remote_resolution_rate"] == 1.0
    assert math.isnan(k["rescue_within_target_rate"])
    assert k["service_cost_total"] == CostConfig().remote

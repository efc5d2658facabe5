"""sim.service.economics: cost per visit by channel, margin, van payback and prevention, by hand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

import sim
from configs.service_schema import WARRANTY_SOURCES
from sim.clock import DAYS_PER_YEAR
from sim.service.dayplan_kpis import SOURCES
from sim.service.economics import KEYS, economics_kpis
from sim.service.kpis import ServiceCapacity

ECON = SimpleNamespace(technician_cost_per_h=100.0, energy_cost_per_km=1.0,
                       consumables_per_visit=300.0, management_per_visit=30.0,
                       van_fitout=200_000.0, van_tools=50_000.0, van_life_years=5.0,
                       center_staff_per_technician_cost=0.85,
                       center_site_per_technician_cost=0.88,
                       revenue_per_visit=600.0, mobile_service_fee=100.0,
                       warranty_share_by_source={}, warranty_rate_factor=0.8,
                       preventive_margin=0.45, emergency_margin=0.28,
                       repair_revenue_preventive=545.0, repair_revenue_emergency=545.0,
                       owner_avoided_cost_per_breakdown=1500.0)
COLUMNS = ["event", "channel", "severity", "outcome", "value"]
NAN = float("nan")


def _log(mobile: int, center: int, km: float, severity: str = "scheduled") -> pd.DataFrame:
    rows = ([("job_arrived", "mobile", severity, "", NAN)] * mobile
            + [("job_arrived", "center", severity, "", NAN)] * center
            + [("van_leg", "mobile", "", "", km / 2)] * 2
            + [("job_started", "mobile", severity, "", NAN)] * mobile)
    return pd.DataFrame(rows, columns=COLUMNS)


def _cap(vans: int, bays: int, days: float = DAYS_PER_YEAR, econ=ECON) -> ServiceCapacity:
    return ServiceCapacity(vans=vans, shift_h_per_day=10.0, working_days=300,
                           horizon_days=days, costs=None, bays=bays, economics=econ)


def _econ(**changes) -> SimpleNamespace:
    return SimpleNamespace(**(vars(ECON) | changes))


def test_costs_margin_and_payback_by_hand():
    k = economics_kpis(_log(mobile=1200, center=1500, km=12_000.0), _cap(vans=1, bays=1))
    crew = 300 * 10 * 100.0                                   # every shift hour is paid
    van = 250_000.0 / 5.0                                     # one year of depreciation
    mobile_cost = crew + van + 12_000.0 + 1200 * 330.0
    center_cost = 300 * 10 * 100.0 * (1 + 0.85 + 0.88) + 1500 * 300.0   # bay-hour 273
    assert k["cost_per_job_mobile"] == pytest.approx(mobile_cost / 1200)
    assert k["cost_per_job_center"] == pytest.approx(center_cost / 1500)
    revenue = 1200 * 700.0 + 1500 * 600.0
    assert k["service_margin"] == pytest.approx((revenue - mobile_cost - center_cost) / revenue)
    monthly = (1200 * 700.0 - (crew + 12_000.0 + 1200 * 330.0)) / 12.0
    assert k["van_payback_months"] == pytest.approx(250_000.0 / monthly)


def test_a_busier_van_costs_less_per_visit_and_pays_back_sooner():
    idle = economics_kpis(_log(900, 100, 9_000.0), _cap(1, 1))
    busy = economics_kpis(_log(1500, 100, 15_000.0), _cap(1, 1))
    assert busy["cost_per_job_mobile"] < idle["cost_per_job_mobile"]
    assert busy["van_payback_months"] < idle["van_payback_months"]


def test_a_busier_center_costs_less_per_visit_its_idle_bay_hours_are_paid_too():
    costs = [economics_kpis(_log(100, n, 1_000.0), _cap(1, 2))["cost_per_job_center"]
             for n in (1000, 2000, 4000)]
    open_h = 2 * 300 * 10.0
    assert costs[0] > costs[1] > costs[2]
    assert costs[0] - costs[1] == pytest.approx(open_h * 273.0 * (1 / 1000 - 1 / 2000))


def test_van_capital_per_visit_falls_with_the_visits_a_van_makes_in_a_year():
    # Van capital alone: no technician, energy, consumables or management.
    econ = _econ(technician_cost_per_h=0.0, energy_cost_per_km=0.0,
                 consumables_per_visit=0.0, management_per_visit=0.0)
    per_visit = {n: economics_kpis(_log(n, 100, 0.0), _cap(1, 1, econ=econ))[
        "cost_per_job_mobile"] for n in (500, 1500)}
    assert per_visit[500] == pytest.approx(250_000.0 / 5.0 / 500)      # seed 003's 500 a year
    assert per_visit[1500] == pytest.approx(per_visit[500] / 3)        # a 2023 van's ~1 500


def test_both_channels_pay_their_technicians_every_shift_hour():
    # No overheads, no van, no energy: a van and a bay with the same visits cost the same.
    econ = _econ(center_staff_per_technician_cost=0.0, center_site_per_technician_cost=0.0,
                 van_fitout=0.0, van_tools=0.0, energy_cost_per_km=0.0, management_per_visit=0.0)
    k = economics_kpis(_log(1200, 1200, 5_000.0), _cap(1, 1, econ=econ))
    assert k["cost_per_job_mobile"] == pytest.approx(k["cost_per_job_center"])
    assert k["cost_per_job_center"] == pytest.approx(300 * 10 * 100.0 / 1200 + 300.0)


def test_the_center_overheads_load_the_center_only():
    log = _log(1200, 1500, 12_000.0)
    lean = economics_kpis(log, _cap(1, 1, econ=_econ(center_staff_per_technician_cost=0.0)))
    full = economics_kpis(log, _cap(1, 1))
    assert full["cost_per_job_mobile"] == lean["cost_per_job_mobile"]
    assert (full["cost_per_job_center"] - lean["cost_per_job_center"]
            == pytest.approx(300 * 10 * 100.0 * 0.85 / 1500))
    assert full["cost_per_job_mobile_to_center"] < lean["cost_per_job_mobile_to_center"]


def test_a_van_that_does_not_pay_for_itself_has_no_payback():
    k = economics_kpis(_log(100, 100, 1_000.0), _cap(1, 1))
    assert math.isnan(k["van_payback_months"])
    assert k["service_margin"] < 0


def test_no_economics_config_gives_nan():
    k = economics_kpis(_log(10, 10, 100.0), _cap(1, 1, econ=None))
    assert list(k) == list(KEYS) and all(math.isnan(v) for v in k.values())


def test_the_drive_back_to_the_depot_costs_energy_too():
    log = _log(1200, 1500, 12_000.0)
    home = pd.DataFrame([("van_leg", "mobile", "", "depot", 500.0)], columns=COLUMNS)
    k0 = economics_kpis(log, _cap(1, 1))
    k1 = economics_kpis(pd.concat([log, home], ignore_index=True), _cap(1, 1))
    assert k1["cost_per_job_mobile"] - k0["cost_per_job_mobile"] == pytest.approx(500.0 / 1200)


# ------------------------------------------------------------------ warranty vs paid
def test_warranty_visits_earn_the_warranty_rate_and_the_fee_stays():
    shares = {"faults": 0.5, "alerts": 0.0, "maintenance": 0.0, "owner": 1.0}
    econ = _econ(warranty_share_by_source=shares)
    log = pd.concat([_log(100, 0, 1_000.0, "drivable"), _log(0, 40, 0.0, "reported"),
                     _log(0, 60, 0.0, "scheduled")], ignore_index=True)
    k = economics_kpis(log, _cap(1, 1, econ=econ), vehicle_years=50.0)
    mobile = 100 * 600.0 * (0.5 * 0.8 + 0.5) + 100 * 100.0     # half of the faults at 480
    center = 40 * 600.0 * 0.8 + 60 * 600.0                    # owner issues all warranty
    warranty = 100 * 600.0 * 0.5 * 0.8 + 40 * 600.0 * 0.8
    assert k["service_revenue_per_vehicle_year"] == pytest.approx((mobile + center) / 50.0)
    assert k["warranty_revenue_share"] == pytest.approx(warranty / (mobile + center))


def test_a_warranty_share_lowers_revenue_margin_and_delays_payback():
    log = _log(1500, 1500, 15_000.0, "roadside")
    paid = economics_kpis(log, _cap(1, 1), vehicle_years=100.0)
    econ = _econ(warranty_share_by_source={"faults": 0.7})
    warr = economics_kpis(log, _cap(1, 1, econ=econ), vehicle_years=100.0)
    lost = 3000 * 600.0 * 0.7 * (1 - 0.8)
    assert paid["warranty_revenue_share"] == 0.0
    assert (paid["service_revenue_per_vehicle_year"] - warr["service_revenue_per_vehicle_year"]
            == pytest.approx(lost / 100.0))
    assert warr["service_margin"] < paid["service_margin"]
    assert warr["van_payback_months"] > paid["van_payback_months"]
    assert warr["cost_per_job_mobile"] == paid["cost_per_job_mobile"]   # costs do not change


def test_maintenance_is_owner_paid_under_the_default_shares():
    econ = _econ(warranty_share_by_source={"faults": 0.7, "alerts": 0.5, "owner": 0.4})
    k = economics_kpis(_log(10, 10, 100.0, "scheduled"), _cap(1, 1, econ=econ), 1.0)
    assert k["warranty_revenue_share"] == 0.0


def test_the_config_sources_are_the_contact_sources():
    assert set(WARRANTY_SOURCES) == set(SOURCES)


# ------------------------------------------------------------------ prevention's worth
def _repairs(preventive: int, roadside: int, prevented: int = 0) -> pd.DataFrame:
    """Fixed jobs, plus visits that did not fix and records that are not repairs."""
    rows = ([("job_finished", "mobile", "preventive", "fixed", NAN)] * preventive
            + [("job_finished", "center", "roadside", "fixed", NAN)] * roadside
            + [("job_finished", "mobile", "roadside", "revisit", NAN),     # no bill yet
               ("job_finished", "remote", "roadside", "remote_fixed", NAN),  # no parts
               ("job_finished", "center", "scheduled", "fixed", NAN),      # maintenance
               ("failure", "", "roadside", "", NAN)]
            + [("failure_prevented", "", "roadside", "", NAN)] * prevented)
    return pd.DataFrame(rows, columns=COLUMNS)


def test_repair_gross_profit_by_hand():
    k = economics_kpis(_repairs(preventive=30, roadside=20), _cap(1, 1), vehicle_years=10.0)
    assert k["repair_gross_profit_per_vehicle_year"] == pytest.approx(
        (30 * 545.0 * 0.45 + 20 * 545.0 * 0.28) / 10.0)


def test_moving_a_repair_from_roadside_to_preventive_raises_gross_profit():
    before = economics_kpis(_repairs(preventive=10, roadside=10), _cap(1, 1), 10.0)
    after = economics_kpis(_repairs(preventive=11, roadside=9), _cap(1, 1), 10.0)
    gain = after["repair_gross_profit_per_vehicle_year"] - before[
        "repair_gross_profit_per_vehicle_year"]
    assert gain == pytest.approx(545.0 * (0.45 - 0.28) / 10.0)
    assert gain > 0


def test_a_drivable_failure_repaired_is_an_emergency_repair_too():
    drivable = pd.DataFrame([("job_finished", "center", "drivable", "fixed", NAN)] * 4,
                            columns=COLUMNS)
    k0 = economics_kpis(_repairs(3, 3), _cap(1, 1), 1.0)
    k1 = economics_kpis(pd.concat([_repairs(3, 3), drivable]), _cap(1, 1), 1.0)
    assert (k1["repair_gross_profit_per_vehicle_year"] - k0["repair_gross_profit_per_vehicle_year"]
            == pytest.approx(4 * 545.0 * 0.28))


def test_owner_avoided_cost_is_prevented_failures_times_the_cost():
    k = economics_kpis(_repairs(5, 5, prevented=7), _cap(1, 1), vehicle_years=4.0)
    assert k["owner_avoided_cost_per_vehicle_year"] == pytest.approx(7 * 1500.0 / 4.0)
    none = economics_kpis(_repairs(5, 5, prevented=0), _cap(1, 1), vehicle_years=4.0)
    assert none["owner_avoided_cost_per_vehicle_year"] == 0.0


def test_per_vehicle_year_kpis_are_nan_without_vehicle_years():
    k = economics_kpis(_repairs(5, 5, prevented=7), _cap(1, 1))
    assert math.isnan(k["owner_avoided_cost_per_vehicle_year"])
    assert math.isnan(k["repair_gross_profit_per_vehicle_year"])


def test_the_default_config_has_the_seed_figures_and_owner_paid_maintenance():
    e = sim.load_config([]).service.economics
    assert (e.preventive_margin, e.emergency_margin) == (0.45, 0.28)      # seed 002:75
    assert e.owner_avoided_cost_per_breakdown == 1500.0                   # seed 002:74
    assert e.repair_revenue_preventive == pytest.approx(300.0 / (1 - 0.45), abs=1.0)
    assert set(e.warranty_share_by_source) == set(SOURCES)
    assert e.warranty_share_by_source.maintenance == 0.0
    assert e.warranty_share_by_source.faults > 0.5                        # a young fleet


def test_a_repair_fixed_by_a_van_or_a_bay_is_sold_at_its_margin():
    """Seed 002's bill of each repair fixed is service revenue, the bill less its gross margin
    the cost of the part sold (issue 14: the margin had the visits' revenue only); the cost
    per visit stays the service's own."""
    base = _log(1200, 1500, 12_000.0)                          # a van that pays back
    k0 = economics_kpis(base, _cap(1, 1))
    k1 = economics_kpis(pd.concat([base, _repairs(preventive=30, roadside=20)],
                                  ignore_index=True), _cap(1, 1))
    revenue0 = 1200 * 700.0 + 1500 * 600.0
    profit0 = k0["service_margin"] * revenue0
    bills = 50 * 545.0                                         # 30 van + 20 bay repairs
    parts = 30 * 545.0 * (1 - 0.45) + 20 * 545.0 * (1 - 0.28)
    assert k1["service_margin"] == pytest.approx((profit0 + bills - parts) / (revenue0 + bills))
    assert k1["service_margin"] > k0["service_margin"]
    assert k1["cost_per_job_mobile"] == k0["cost_per_job_mobile"]
    assert k1["cost_per_job_center"] == k0["cost_per_job_center"]
    months = 12.0                                              # the van's monthly contribution
    gain = 30 * 545.0 * 0.45 / months                          # gains the van's repairs only
    assert 250_000.0 / k1["van_payback_months"] - 250_000.0 / k0["van_payback_months"] == (
        pytest.approx(gain))


def test_the_maker_pays_a_warranty_repair_at_its_rate():
    econ = _econ(warranty_share_by_source={"faults": 0.7})
    log = pd.concat([_log(100, 100, 1_000.0), _repairs(preventive=0, roadside=20)],
                    ignore_index=True)
    k = economics_kpis(log, _cap(1, 1, econ=econ))
    revenue = 100 * 700.0 + 100 * 600.0 + 20 * 545.0 * (0.3 + 0.7 * 0.8)
    assert k["warranty_revenue_share"] == pytest.approx(20 * 545.0 * 0.7 * 0.8 / revenue)

"""sim.service.economics: cost per visit by channel, margin and van payback, by hand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pandas as pd
import pytest

from sim.clock import DAYS_PER_YEAR
from sim.service.economics import KEYS, economics_kpis
from sim.service.kpis import ServiceCapacity

ECON = SimpleNamespace(technician_cost_per_h=100.0, energy_cost_per_km=1.0,
                       consumables_per_visit=300.0, management_per_visit=30.0,
                       van_fitout=200_000.0, van_tools=50_000.0, van_life_years=5.0,
                       bay_cost_per_h=140.0, revenue_per_visit=600.0, mobile_service_fee=100.0)


def _log(mobile: int, center: int, km: float) -> pd.DataFrame:
    rows = ([("job_arrived", "mobile", float("nan"))] * mobile
            + [("job_arrived", "center", float("nan"))] * center
            + [("van_leg", "mobile", km / 2)] * 2
            + [("job_started", "mobile", float("nan"))] * mobile)
    return pd.DataFrame(rows, columns=["event", "channel", "value"])


def _cap(vans: int, bays: int, days: float = DAYS_PER_YEAR, econ=ECON) -> ServiceCapacity:
    return ServiceCapacity(vans=vans, shift_h_per_day=10.0, working_days=300,
                           horizon_days=days, costs=None, bays=bays, economics=econ)


def test_costs_margin_and_payback_by_hand():
    k = economics_kpis(_log(mobile=1200, center=1500, km=12_000.0), _cap(vans=1, bays=1))
    crew = 300 * 10 * 100.0                                   # every shift hour is paid
    van = 250_000.0 / 5.0                                     # one year of depreciation
    mobile_cost = crew + van + 12_000.0 + 1200 * 330.0
    center_cost = 300 * 10 * 140.0 + 1500 * 330.0
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


def test_a_van_that_does_not_pay_for_itself_has_no_payback():
    k = economics_kpis(_log(100, 100, 1_000.0), _cap(1, 1))
    assert math.isnan(k["van_payback_months"])
    assert k["service_margin"] < 0


def test_no_economics_config_gives_nan():
    k = economics_kpis(_log(10, 10, 100.0), _cap(1, 1, econ=None))
    assert list(k) == list(KEYS) and all(math.isnan(v) for v in k.values())

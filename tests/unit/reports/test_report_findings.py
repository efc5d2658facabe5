"""Plain-language findings from KPI values."""

from __future__ import annotations

import pandas as pd
import pytest

from reports.fleet.findings import consistency, fleet_findings, largest_failure_cause
from reports.page.findings import Finding
from reports.service.findings import service_checks, service_findings
from reports.service.waits import WaitStats

BASE = {
    "vehicles": 10_000,
    "vehicle_days": 3_650_000,  # 10,000 vehicle-years
    "breakdowns": 41,
    "breakdowns_per_1000_vehicle_years": 4.1,
    "failures_total": 100,
    "failures_by_component_aux12v": 20,
    "failures_by_component_brakes": 55,
    "failures_by_component_tires": 25,
    "breakdowns_by_component_aux12v": 21,
    "breakdowns_by_component_brakes": 5,
    "breakdowns_by_component_tires": 15,
    "technician_utilization": 0.63,
    "mean_wait_h": 3.0,
    "p90_wait_h": 5.2,
}



def build_findings(kpis, daily=None, waits=None, service_view=None) -> list[Finding]:
    """The fleet and service findings, then their data checks, as the run page lists them."""
    return (fleet_findings(kpis, daily) + service_findings(kpis, daily, service_view)
            + consistency(kpis) + service_checks(kpis, service_view, waits))

def _texts(findings: list[Finding]) -> str:
    return "\n".join(f.text for f in findings)


def test_largest_failure_cause_is_named_with_its_share() -> None:
    finding = largest_failure_cause(BASE)
    assert finding is not None
    assert finding.text == "Brakes is the largest failure cause (55 % of 100 failures)."


def test_unknown_component_is_derived_from_kpi_names() -> None:
    kpis = BASE | {"failures_by_component_heat_pump": 300}
    finding = largest_failure_cause(kpis)
    assert finding is not None and finding.text.startswith("Heat pump is the largest")


def test_breakdown_rate_with_interval_is_compared_with_adac_band() -> None:
    text = _texts(build_findings(BASE))
    # 41 events: exact Poisson 95 % CI 29.42-55.62, scaled by 4.1 / 41 = 0.1 per event.
    assert "Breakdowns: 4.10 per 1,000 vehicle-years (95 % CI 2.9–5.6, from 41)" in text
    assert "consistent with the reference 2.8–3.8" in text


def test_breakdown_rate_far_above_band_is_flagged() -> None:
    kpis = BASE | {"breakdowns": 800, "breakdowns_per_1000_vehicle_years": 80.0}
    first = build_findings(kpis)[0]
    assert first.level == "watch" and "above the reference" in first.text


def test_breakdown_share_of_12v_battery_is_compared() -> None:
    text = _texts(build_findings(BASE))
    assert "12 V battery causes the most breakdowns: 51 % of 41" in text
    assert "reference 50–54 %" in text


def test_high_utilization_is_a_watch_item() -> None:
    found = build_findings(BASE | {"technician_utilization": 0.91})
    service = next(f for f in found if f.text.startswith("Technician utilization"))
    assert service.level == "watch"
    assert "Technician utilization 91 %; mean wait 3.0 h, p90 wait 5.2 h." in service.text


def test_null_kpis_give_na_not_errors() -> None:
    kpis = BASE | {"mean_wait_h": None, "p90_wait_h": None}
    assert "mean wait n/a, p90 wait n/a" in _texts(build_findings(kpis))


def test_empty_kpis_give_no_findings() -> None:
    assert build_findings({}) == []


def test_zero_failures_are_reported_plainly() -> None:
    kpis = {"failures_by_component_brakes": 0, "failures_by_component_tires": 0}
    assert _texts(build_findings(kpis)) == "No component failures were recorded in this run."


def test_growing_backlog_is_a_watch_item() -> None:
    daily = pd.DataFrame({"day": range(28), "jobs_open": [2] * 7 + [5] * 14 + [20] * 7})
    kpis = {"service_jobs": 400, "service_jobs_open_end": 20}
    (finding,) = build_findings(kpis, daily)
    assert finding.level == "watch"
    assert "grew from 2.0 (first week, mean) to 20.0" in finding.text


def test_battery_fade_is_annualised_from_daily_soh() -> None:
    daily = pd.DataFrame(
        {"day": range(366), "battery_soh_mean": 0.98 - 0.05 * pd.RangeIndex(366) / 365}
    )
    kpis = {"battery_soh_mean_end": 0.93, "battery_soh_p05_end": 0.90}
    (finding,) = build_findings(kpis, daily)
    assert "Capacity fades at 5.0 %/yr" in finding.text
    assert finding.level == "watch"


def test_inconsistent_files_produce_data_checks() -> None:
    kpis = BASE | {"failures_total": 90}
    waits = WaitStats(n_jobs=10, n_unassigned=0, mean_h=4.0, p90_h=6.0, max_h=9.0)
    checks = [f for f in build_findings(kpis, waits=waits) if f.level == "check"]
    assert [f.text for f in checks] == [
        "Data check: failures_total is 90 but the per-component counts add up to 100.",
        "Data check: mean wait from the event log is 4.00 h, but kpis.json reports 3.00 h.",
    ]


@pytest.mark.parametrize("util", [0.2, 0.6])
def test_matching_wait_means_produce_no_data_check(util: float) -> None:
    waits = WaitStats(n_jobs=10, n_unassigned=0, mean_h=3.0, p90_h=5.2, max_h=9.0)
    found = build_findings(BASE | {"technician_utilization": util}, waits=waits)
    assert all(f.level != "check" for f in found)


def test_battery_loss_per_year_of_age_is_compared_with_geotab() -> None:
    kpis = {"battery_soh_mean_end": 0.93, "battery_soh_p05_end": 0.90,
            "battery_loss_pct_per_year_of_age": 2.6}
    (finding,) = build_findings(kpis, None)
    assert "lost 2.60 % of capacity per year of age" in finding.text
    assert "1.8" in finding.text and "2.3" in finding.text
    assert finding.level == "watch"
    (ok,) = build_findings(kpis | {"battery_loss_pct_per_year_of_age": 2.0}, None)
    assert ok.level == "ok"

"""The report's answer first: title from the scenario, WATCH first, the executive summary."""

from __future__ import annotations

from reports.page import executive
from reports.page.findings import Finding

KPIS = {"breakdowns_per_1000_vehicle_years": 12.3, "battery_soh_mean_end": 0.912,
        "service_jobs": 4321.0, "mean_wait_h": 30.0, "service_cost_total": 2_500_000.0,
        "technician_utilization": 0.6, "p90_wait_h": 50.0, "rescue_within_target_rate": 0.95,
        "service_margin": 0.1}


def test_the_title_names_the_scenario_and_its_overrides():
    run = {"overrides": ["experiment=mobile_service_history", "fleet.size=500",
                         "output.progress=false", "hydra.searchpath=[file:///x]"]}
    assert executive.title(run, "a/b") == "fleetsim — mobile_service_history (fleet.size=500)"
    assert executive.title({"overrides": []}, "a/b") == "fleetsim — default scenario"
    assert executive.title({}, "2026-12-05/10-00-00") == \
        "Fleet simulation report — 2026-12-05/10-00-00"


def test_watch_findings_come_first_then_data_checks():
    fs = [Finding("a", "ok"), Finding("b", "info"), Finding("c", "watch"), Finding("d", "check"),
          Finding("e", "watch")]
    assert [f.text for f in executive.ordered(fs)] == ["c", "e", "d", "a", "b"]


def test_a_healthy_run_reads_in_three_sentences():
    s = executive.summary(KPIS, [Finding("Breakdowns consistent with ADAC.", "ok")])
    assert s == ["The fleet had 12.30 roadside breakdowns per 1,000 vehicle-years and ends with "
                 "91.2 % battery health on average.",
                 "The service network handled 4,321 jobs with a mean wait of 30.0 h at a cost "
                 "of 2,500,000 CNY.",
                 "No finding is off its target."]


def test_a_stretched_network_is_told_what_to_do():
    kpis = KPIS | {"technician_utilization": 0.93, "p90_wait_h": 140.0,
                   "rescue_within_target_rate": 0.55, "service_margin": -0.2}
    fs = [Finding("Mean wait above target.", "watch"), Finding("x", "check"),
          Finding("Rescues late.", "watch")]
    s = executive.summary(kpis, executive.ordered(fs))
    assert len(s) == 5
    assert s[2] == ("Needs attention: 2 findings are off target (listed first below), the first: "
                    "Mean wait above target.")
    assert s[3].startswith("1 data check(s) failed")
    assert s[4].startswith("Add service capacity: vans are 93 % busy")
    assert "service.mobile.sizing=auto" in s[4]

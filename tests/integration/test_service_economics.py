"""Economics in a run: more vans for the same demand cost more per visit and pay back later."""

from __future__ import annotations

import sim


def _kpis(vans_per_10k: float) -> dict:
    return sim.simulate(sim.load_config([
        "fleet.size=10000", "horizon_days=120", "output.progress=false",
        f"service.mobile.vans_per_10000_vehicles={vans_per_10k}"])).kpis


def test_idle_vans_raise_the_cost_per_visit_and_the_payback():
    lean, ample = _kpis(3.0), _kpis(8.0)
    assert ample["technicians"] > lean["technicians"]
    assert ample["technician_utilization"] < lean["technician_utilization"]
    assert ample["cost_per_job_mobile"] > 1.15 * lean["cost_per_job_mobile"]
    assert ample["service_margin"] < lean["service_margin"]
    assert lean["van_payback_months"] > 0
    assert not ample["van_payback_months"] < lean["van_payback_months"]

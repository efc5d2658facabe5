"""The economics of the service line from a run's KPIs (``service.economics``).

* ``cost_per_job_mobile`` and ``cost_per_job_center``: the line's cost per visit by
  channel (CNY/visit), from the resources the run used; seed 001 reports a mobile job
  :data:`~reports.economics.targets.MOBILE_BELOW_CENTER` below a center job, so the
  reference for the mobile visit is ``(1 - 0.15) x`` the center's.
* ``service_margin`` (fraction) and ``van_payback_months`` (NaN when the line does not
  pay for its vans; seed 003: within 60 months).
* Where the run has them: ``repair_gross_profit_per_vehicle_year`` and
  ``owner_avoided_cost_per_vehicle_year`` (CNY per vehicle-year).

A run without a finite ``cost_per_job_mobile`` (before the economics, a Poisson queue,
``service.economics`` off) has no economics view.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from reports.economics.targets import MOBILE_BELOW_CENTER

PRESENCE_KEY = "cost_per_job_mobile"
KEYS = ("cost_per_job_mobile", "cost_per_job_center", "service_margin", "van_payback_months",
        "repair_gross_profit_per_vehicle_year", "owner_avoided_cost_per_vehicle_year")


def _finite(kpis: Mapping[str, float | None], key: str) -> float | None:
    value = kpis.get(key)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Economics:
    """The line's economics (``None``: the run lacks the KPI or it is undefined).

    Attributes:
        cost_mobile: CNY per mobile visit.
        cost_center: CNY per center visit.
        margin: Service margin, a fraction of revenue.
        payback_months: Months for a van to pay for its fit-out and tools.
        payback_reported: Whether kpis.json has ``van_payback_months`` at all (a NaN there
            means the line does not pay for its vans).
        gross_profit: Repair gross profit, CNY per vehicle-year.
        owner_avoided: Cost an owner avoided, CNY per vehicle-year.
    """

    cost_mobile: float
    cost_center: float | None
    margin: float | None
    payback_months: float | None
    payback_reported: bool
    gross_profit: float | None = None
    owner_avoided: float | None = None

    @property
    def reference_mobile(self) -> float | None:
        """Seed 001's mobile cost for this run's center cost: ``(1 - 0.15) x`` center."""
        return None if self.cost_center is None else (1 - MOBILE_BELOW_CENTER) * self.cost_center

    @property
    def mobile_vs_center(self) -> float | None:
        """Mobile cost relative to the center's, ``mobile / center - 1`` (-0.15: 15 % below)."""
        if self.cost_center is None or self.cost_center <= 0:
            return None
        return self.cost_mobile / self.cost_center - 1.0


def economics_view(kpis: Mapping[str, float | None]) -> tuple[Economics | None, str]:
    """Read the economics KPIs; ``(None, why)`` without a finite ``cost_per_job_mobile``.

    Args:
        kpis: The run's KPIs (``result.kpis`` or kpis.json).
    """
    mobile = _finite(kpis, PRESENCE_KEY)
    if mobile is None:
        why = ("undefined (no mobile visit, or service.economics off)" if PRESENCE_KEY in kpis
               else "absent (a run before the service economics, or a Poisson queue)")
        return None, f"kpis.json's {PRESENCE_KEY} is {why}"
    return Economics(
        mobile,
        _finite(kpis, "cost_per_job_center"),
        _finite(kpis, "service_margin"),
        _finite(kpis, "van_payback_months"),
        "van_payback_months" in kpis,
        _finite(kpis, "repair_gross_profit_per_vehicle_year"),
        _finite(kpis, "owner_avoided_cost_per_vehicle_year"),
    ), ""

"""Schema of ``demand.recall``: a hardware field campaign (a batch defect and its recall).

A production window of one hardware configuration carries a defect: its vehicles
fail at ``defect_failures_per_vehicle_year`` until remedied. The maker notices after
``discovery_failures`` such failures, investigates for ``investigation_days`` and
announces the recall; recall kits then ship at a rate ramping up over
``kit_ramp_weeks`` to ``kits_per_week_full``, and notified owners book as kits allow.
See :mod:`sim.service.recall`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import must_not_exceed, num, prob
from configs.service_schema import JobTypeConfig


def _defect_job() -> JobTypeConfig:
    return JobTypeConfig(channel="center", skill="senior", repair_h=2.0)


def _campaign_job() -> JobTypeConfig:
    return JobTypeConfig(channel="center", skill="senior", repair_h=1.5)


@dataclass
class RecallConfig:
    """One batch defect and its field campaign (off by default)."""

    enabled: bool = False
    hw_config: str = ""                   # the hardware configuration affected ("" = any)
    # the production window, days before day 0
    built_days_ago_min: float = num(180.0, 0.0, 36_500.0)
    built_days_ago_max: float = num(270.0, 0.0, 36_500.0)
    defect_failures_per_vehicle_year: float = num(0.3, 0.0, 365.0)
    discovery_failures: int = num(20, 1, 1_000_000)
    investigation_days: float = num(30.0, 0.0, 3650.0)
    kits_per_week_full: float = num(400.0, 0.0, 1e9)
    kit_ramp_weeks: float = num(6.0, 0.0, 520.0)
    booking_prob_per_week: float = prob(0.3)
    defect_job: JobTypeConfig = field(default_factory=_defect_job)
    campaign_job: JobTypeConfig = field(default_factory=_campaign_job)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_not_exceed(cfg, path, "built_days_ago_min", "built_days_ago_max")

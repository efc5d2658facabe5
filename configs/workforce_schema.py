"""Schema of ``service.workforce``: hiring, the academy, ramp-up, skill growth and attrition."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import must_be_below, num, prob


@dataclass
class HiringConfig:
    """Hiring for a headcount the van demand needs, ahead of forecast departures."""

    review_days: int = num(30, 1, 3650)
    lead_days: float = num(30.0, 0.0, 3650.0)
    forecast_days: float = num(90.0, 0.0, 3650.0)
    demand_driven: bool = True
    jobs_per_technician_day: float = num(4.0, 0.1, 100.0)
    demand_memory_days: float = num(28.0, 1.0, 3650.0)
    demand_headroom: float = num(0.2, 0.0, 10.0)


@dataclass
class AcademyConfig:
    """The training academy new technicians pass before their first job."""

    enabled: bool = True
    weeks: float = num(8.0, 0.0, 520.0)
    capacity: int = num(30, 1, 1_000_000)
    pass_rate: float = prob(0.75)
    graduate_xp: float = num(150.0, 0.0, 1e6)
    cost_per_trainee: float = num(40_000.0, 0.0, 1e9)


@dataclass
class AttritionConfig:
    """Daily quitting hazard of a technician and what raises or lowers it."""

    base_per_year: float = num(0.12, 0.0, 50.0)
    novice_days: float = num(90.0, 0.0, 3650.0)
    novice_factor: float = num(4.3, 0.0, 1000.0)
    isolation_factor: float = num(2.3, 0.0, 1000.0)
    untrained_factor: float = num(1.5, 0.0, 1000.0)
    fail_weight: float = num(2.0, 0.0, 100.0)
    fail_reference: float = prob(0.15)
    overload_h: float = num(9.0, 0.0, 24.0)
    overload_weight_per_h: float = num(0.3, 0.0, 100.0)
    memory_days: float = num(30.0, 1.0, 3650.0)


@dataclass
class WorkforceConfig:
    """The technicians in the vans' seats, over time (routed van days)."""

    enabled: bool = True
    initial_tenure_days_mean: float = num(700.0, 0.0, 36500.0)
    xp_per_visit: float = num(1.0, 0.0, 1e6)
    senior_xp: float = num(900.0, 0.0, 1e9)
    expert_xp: float = num(2700.0, 0.0, 1e9)
    ramp_xp: float = num(60.0, 0.01, 1e9)
    novice_fail_factor: float = num(2.0, 0.0, 100.0)
    novice_slowdown: float = num(1.4, 1.0, 10.0)
    specialist_share: float = prob(0.3)
    specialist_components: list[str] = field(
        default_factory=lambda: ["battery", "electrics", "aux12v"])
    specialist_fail_factor: float = num(0.6, 0.0, 10.0)
    hiring: HiringConfig = field(default_factory=HiringConfig)
    academy: AcademyConfig = field(default_factory=AcademyConfig)
    attrition: AttritionConfig = field(default_factory=AttritionConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_be_below(cfg, path, "senior_xp", "expert_xp")

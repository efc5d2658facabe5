"""Schema of the ``demand`` config group: service demand that is not a component fault.

Three sources (seed 002:63: industry 2.1 service contacts per owner-year, NIO 8.3):
scheduled maintenance by the maker's schedule (by km and by time, bundled into
one visit), condition triggers (seed 002:55-60: cabin-filter efficiency, battery
SOH) and issues owners report that are not breakdowns (noises, questions, ...).
Each item says how it is served with the service's own :class:`JobTypeConfig`.

``maintenance.schedule`` and ``owner_issues`` default to empty here, like
``alerts.rules``: OmegaConf merges a mapping into a mapping as a union, so a
schema default could never be removed by a group file. Each file under
``configs/demand/`` therefore lists its whole tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import choice, num, prob
from configs.recall_schema import RecallConfig
from configs.service_schema import JobTypeConfig

# The brands seed 002:63 gives a contact rate for: the industry average (2.1 per owner-year) and
# a high-touch brand (NIO, 8.3); the reports compare a run with its own brand's figure.
BRANDS = ("industry_average", "high_touch")
TIERS = (0, 1, 2, 3)  # city tiers of configs.schema.RegionConfig: 0 = remote, 1..3 = city tier
COMPONENTS = ("maintenance", "condition", "owner_issue", "recall")  # DemandBatch.component


def _check_tiers(values: Any, key: str) -> list[str]:
    bad = [t for t in values if t not in TIERS]
    if bad:
        return [f"{key}={list(values)}: tiers must be among {', '.join(map(str, TIERS))}"]
    return []


@dataclass
class MaintenanceItemConfig:
    """One item of the maker's schedule: due every ``interval_km`` or ``interval_days``.

    An interval of 0 means "no interval of that kind"; at least one must be positive.
    """

    interval_km: float = num(0.0, 0.0, 1_000_000.0)
    interval_days: float = num(0.0, 0.0, 36_500.0)
    compliance_prob: float = prob(1.0)   # share of due dates the owner has done by the service
    tiers: list[int] = field(default_factory=lambda: list(TIERS))   # where the item applies
    job: JobTypeConfig = field(default_factory=JobTypeConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        if cfg.interval_km <= 0 and cfg.interval_days <= 0:
            errs.append(f"{path}.interval_km={cfg.interval_km} and {path}.interval_days="
                        f"{cfg.interval_days}: give at least one interval > 0")
        return errs + _check_tiers(cfg.tiers, f"{path}.tiers")


@dataclass
class MaintenanceConfig:
    """The schedule and the owners' bundling of due items into one visit."""

    bundle_days: float = num(60.0, 0.0, 3650.0)       # items due within this many days join
    bundle_km: float = num(3000.0, 0.0, 1_000_000.0)  # ... or within this many km
    schedule: dict[str, MaintenanceItemConfig] = field(default_factory=dict)


@dataclass
class FilterConditionConfig:
    """Cabin-filter efficiency loss; past ``threshold_loss`` a replacement is offered.

    Loss per day = vehicle factor x region pollution x (``loss_per_day`` +
    ``loss_per_1000km`` x km / 1000); a replaced filter starts at 0.
    """

    enabled: bool = True
    threshold_loss: float = num(0.2, 0.0, 1.0, lo_open=True)
    loss_per_day: float = num(0.0004, 0.0, 1.0)
    loss_per_1000km: float = num(0.01, 0.0, 1.0)
    vehicle_sigma: float = num(0.4, 0.0, 3.0)       # lognormal spread of the vehicle factor
    pollution_by_tier: list[float] = field(default_factory=lambda: [1.0, 1.0, 1.0, 1.0])
    accept_prob: float = prob(0.5)
    reoffer_days: float = num(90.0, 1.0, 36_500.0)   # a declined offer is repeated after this
    maintenance_item: str = "cabin_filter"   # the scheduled item replacing it too ("" = none)
    job: JobTypeConfig = field(default_factory=JobTypeConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        values = list(cfg.pollution_by_tier)
        if len(values) != len(TIERS) or any(not v >= 0 for v in values):
            return [f"{path}.pollution_by_tier={values}: give {len(TIERS)} factors >= 0 "
                    f"(tiers {', '.join(map(str, TIERS))})"]
        return []


@dataclass
class BatteryCheckConfig:
    """One free battery check per vehicle when its SOH first falls below ``soh_below``."""

    enabled: bool = True
    soh_below: float = prob(0.85)
    accept_prob: float = prob(0.6)
    job: JobTypeConfig = field(default_factory=JobTypeConfig)


@dataclass
class ConditionConfig:
    """Condition-based triggers (seed 002:55-60)."""

    air_filter: FilterConditionConfig = field(default_factory=FilterConditionConfig)
    battery_check: BatteryCheckConfig = field(default_factory=BatteryCheckConfig)


@dataclass
class OwnerIssueConfig:
    """An issue owners report that is not a breakdown: a Poisson rate per vehicle-year."""

    rate_per_vehicle_year: float = num(0.1, 0.0, 365.0)
    job: JobTypeConfig = field(default_factory=JobTypeConfig)


@dataclass
class DemandConfig:
    """Non-fault service demand (see ``configs/demand/default.yaml`` for each value's source)."""

    enabled: bool = True
    brand: str = choice("industry_average", *BRANDS)   # which of seed 002:63's figures it models
    maintenance: MaintenanceConfig = field(default_factory=MaintenanceConfig)
    condition: ConditionConfig = field(default_factory=ConditionConfig)
    owner_issues: dict[str, OwnerIssueConfig] = field(default_factory=dict)
    recall: RecallConfig = field(default_factory=RecallConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        p = f"{path}." if path else ""
        item = cfg.condition.air_filter.maintenance_item
        items = cfg.maintenance.schedule
        if item and item not in items:
            return [f"{p}condition.air_filter.maintenance_item={item!r} is not a maintenance "
                    f"item; allowed: '' or {', '.join(sorted(items)) or '(none)'}"]
        return []

"""Schema of the ``service`` config group: triage, technicians, facilities, parts, costs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import check_row, check_value, choice, each, must_be_below, num, prob
from configs.quality_schema import QualityConfig
from configs.vanday_schema import (
    ROUTED,
    ChannelConfig,
    CityConfig,
    GenerationConfig,
    SizingConfig,
    TriageConfig,
)
from configs.workforce_schema import WorkforceConfig

SKILLS = ("junior", "senior", "expert")
CHANNELS = ("mobile", "center", "body")
ON_DEMAND = ("fifo", "priority", "nearest_skill")
POLICIES = (*ON_DEMAND, *ROUTED)
#: The keys of ``economics.warranty_share_by_source``: ``sim.service.dayplan_kpis.SOURCES``.
WARRANTY_SOURCES = ("faults", "alerts", "maintenance", "owner")


@dataclass
class JobTypeConfig:
    """How one fault cause is served (the mobile-suitability table)."""

    channel: str = choice("mobile", *CHANNELS)
    skill: str = choice("junior", *SKILLS)
    part: str = ""
    repair_h: float = num(1.0, 0.0, 1000.0)
    remote_fix_prob: float = prob(0.0)
    fix_difficulty: float = num(1.0, 0.0, 100.0)
    part_risk: float = num(1.0, 0.0, 100.0)   # x first_time_fix.missing_part_prob
    outdoor: bool = False      # done in the open at the owner's: rain blocks it on a van


@dataclass
class RemoteConfig:
    """Remote diagnosis, the first step of every job."""

    enabled: bool = True
    diagnosis_min: float = num(15.0, 0.0, 1440.0)
    fix_min: float = num(20.0, 0.0, 1440.0)


@dataclass
class MobileConfig:
    """Mobile vans: count, skills, shifts, travel and appointment windows."""

    vans_per_10000_vehicles: float = num(3.0, 0.0, 100_000.0)
    min_vans_per_region: int = num(1, 0, 100_000)
    skill_mix_junior: float = prob(0.4)
    skill_mix_senior: float = prob(0.4)
    skill_mix_expert: float = prob(0.2)
    shift_start_h: float = num(8.0, 0.0, 24.0)
    shift_end_h: float = num(18.0, 0.0, 24.0)
    days_off_per_week: int = num(1, 0, 6)
    roadside_24h: bool = True
    travel: bool = True
    travel_speed_kmh: float = num(30.0, 0.1, 300.0)
    rush_hour_factor: float = num(1.5, 1.0, 10.0)
    rush_hours: list[int] = field(default_factory=lambda: [7, 8, 17, 18])
    appointments: bool = True
    booking_lead_h: float = num(4.0, 0.0, 1000.0)
    window_h: float = num(2.0, 0.1, 24.0)
    owner_window_h: float = num(4.0, 0.1, 24.0)
    visit_overhead_h: float = num(0.0, 0.0, 24.0)
    owner_flexible_share: float = prob(0.5)
    reschedule_prob: float = prob(0.0)
    reschedule_days_max: int = num(5, 1, 365)
    no_show_prob: float = prob(0.0)
    overtime_h: float = num(0.5, 0.0, 12.0)
    plan_candidates_per_van: int = num(12, 1, 1000)
    van_parts: dict[str, int] = each(dict, 0, 10_000)
    sizing: str = choice("fixed", "fixed", "auto")

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = must_be_below(cfg, path, "shift_start_h", "shift_end_h")
        mix = cfg.skill_mix_junior + cfg.skill_mix_senior + cfg.skill_mix_expert
        if abs(mix - 1.0) > 1e-6:
            errs.append(f"{path}.skill_mix_*: shares sum to {mix:.6g}; they must sum to 1")
        bad = [h for h in cfg.rush_hours if not 0 <= h <= 23]
        if bad:
            errs.append(f"{path}.rush_hours={list(cfg.rush_hours)}: hours must be in 0..23")
        return errs


@dataclass
class FacilityConfig:
    """Service centers (lift bays) or body shops: one per region."""

    bays_per_10000_vehicles: float = num(2.0, 0.0, 100_000.0)
    min_bays_per_region: int = num(1, 0, 100_000)
    appointment_lead_days: float = num(2.0, 0.0, 365.0)
    first_time_fix_prob: float = prob(0.85)
    walk_in_share: float = prob(0.0)
    visit_overhead_h: float = num(0.0, 0.0, 24.0)
    booking_fill_frac: float = num(0.85, 0.01, 1.0)


@dataclass
class TowConfig:
    """Tow trucks: rescue where mobile service cannot fix the car or does not reach."""

    trucks_per_10000_vehicles: float = num(1.0, 0.0, 100_000.0)
    min_trucks_per_region: int = num(1, 0, 100_000)
    speed_kmh: float = num(50.0, 0.1, 300.0)
    to_center_km: float = num(20.0, 0.0, 2000.0)
    remote_to_center_km: float = num(120.0, 0.0, 5000.0)


@dataclass
class FirstTimeFixConfig:
    """A mobile visit's chance to fix the car: skill, parts, other causes (sim/service/fix.py)."""

    junior: float = prob(0.62)
    senior: float = prob(0.80)
    expert: float = prob(0.90)
    remote_expert_support: bool = True
    expert_support_failure_factor: float = num(0.58, 0.0, 1.0)
    missing_part_prob: float = prob(0.2)
    parts_matched_factor: float = num(0.4, 0.0, 1.0)
    predicted_part_factor: float = num(0.2, 0.0, 1.0)
    other_fail_prob: float = prob(0.03)


@dataclass
class ExpertsConfig:
    """Remote experts behind the video link (seed 001): instant help, or a finite pool."""

    mode: str = choice("instant", "instant", "pool")
    per_100_vans: float = num(5.0, 0.01, 1000.0)
    min_experts: int = num(1, 1, 10000)
    shift_start_h: float = num(8.0, 0.0, 24.0)
    shift_end_h: float = num(20.0, 0.0, 24.0)
    ask_prob_by_skill: list[float] = field(default_factory=lambda: [0.6, 0.35, 0.15])
    answer_min: float = num(20.0, 0.1, 600.0)
    patience_min: float = num(30.0, 0.0, 1440.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = must_be_below(cfg, path, "shift_start_h", "shift_end_h")
        asks = list(cfg.ask_prob_by_skill)
        if len(asks) != len(SKILLS) or not all(0.0 <= p <= 1.0 for p in asks):
            errs.append(f"{path}.ask_prob_by_skill={asks}: give {len(SKILLS)} probabilities "
                        f"in [0, 1] ({', '.join(SKILLS)})")
        return errs


@dataclass
class EconomicsConfig:
    """What the service line costs and earns, from the resources a run used (CNY)."""

    technician_cost_per_h: float = num(100.0, 0.0, 1e6)
    energy_cost_per_km: float = num(1.0, 0.0, 1e4)
    consumables_per_visit: float = num(300.0, 0.0, 1e6)
    management_per_visit: float = num(30.0, 0.0, 1e6)
    van_fitout: float = num(200_000.0, 0.0, 1e9)
    van_tools: float = num(50_000.0, 0.0, 1e9)
    van_life_years: float = num(5.0, 0.1, 100.0)
    # A center bay costs its technician (technician_cost_per_h, as a van's) and the center's own
    # overheads, per CNY of technician cost: non-technician staff, and site and equipment.
    center_staff_per_technician_cost: float = num(0.85, 0.0, 100.0)
    center_site_per_technician_cost: float = num(0.88, 0.0, 100.0)
    revenue_per_visit: float = num(600.0, 0.0, 1e6)
    mobile_service_fee: float = num(100.0, 0.0, 1e6)
    # Share of visits the maker pays under warranty, by contact source; absent = 0 (owner pays).
    warranty_share_by_source: dict[str, float] = field(default_factory=dict)
    warranty_rate_factor: float = prob(0.8)    # warranty revenue per visit / retail
    preventive_margin: float = num(0.45, -1.0, 1.0)
    emergency_margin: float = num(0.28, -1.0, 1.0)
    repair_revenue_preventive: float = num(545.0, 0.0, 1e6)
    repair_revenue_emergency: float = num(545.0, 0.0, 1e6)
    owner_avoided_cost_per_breakdown: float = num(1500.0, 0.0, 1e6)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        for source, share in cfg.warranty_share_by_source.items():
            key = f"{path}.warranty_share_by_source.{source}"
            if source not in WARRANTY_SOURCES:
                errs.append(f"{key}={share} is not a known contact source; allowed: "
                            f"{', '.join(WARRANTY_SOURCES)}")
                continue
            problem = check_value(key, share, {"lo": 0.0, "hi": 1.0})
            if problem:
                errs.append(problem)
        return errs


@dataclass
class PartsConfig:
    """Regional parts stock (simpy Containers) with reorder point and lead time."""

    enabled: bool = True
    stock_per_1000_vehicles: dict[str, float] = each(dict, 0.0, 1e6)
    reorder_point_frac: float = prob(0.3)
    lead_time_days: float = num(3.0, 0.0, 365.0)


@dataclass
class CostConfig:
    """Unit costs per channel (currency of the seeds: CNY)."""

    remote: float = num(50.0, 0.0, 1e9)
    mobile_visit: float = num(700.0, 0.0, 1e9)
    center_visit: float = num(500.0, 0.0, 1e9)
    body_visit: float = num(3000.0, 0.0, 1e9)
    rescue: float = num(2000.0, 0.0, 1e9)
    tow: float = num(800.0, 0.0, 1e9)
    preventive: float = num(300.0, 0.0, 1e9)
    ota_data_per_gb: float = num(0.5, 0.0, 1e9)


@dataclass
class PoissonDemandConfig:
    """Synthetic demand for queueing checks (``demand: poisson``)."""

    arrival_rate_per_h: float = num(2.0, 0.0, 1e6, lo_open=True)
    mean_service_h: float = num(1.0, 0.0, 1e6, lo_open=True)
    servers: int = num(3, 1, 1_000_000)


def _fits_van_day(cfg: Any, key: str, jt: Any) -> list[str]:
    """A mobile job must fit in the van shift and in an owner's availability window."""
    if jt.get("channel", "mobile") != "mobile":
        return []
    m = cfg.mobile
    need_h = float(jt.get("repair_h", 0.0)) + float(m.visit_overhead_h)
    shift_h = m.shift_end_h - m.shift_start_h
    if shift_h > 0 and need_h > shift_h:
        return [f"{key}.repair_h={jt.repair_h}: with mobile.visit_overhead_h={m.visit_overhead_h} "
                f"a visit takes {need_h:g} h, longer than the van shift ({shift_h:g} h)"]
    if need_h > m.owner_window_h:
        return [f"{key}.repair_h={jt.repair_h}: with mobile.visit_overhead_h={m.visit_overhead_h} "
                f"a visit takes {need_h:g} h, longer than mobile.owner_window_h="
                f"{m.owner_window_h} (an owner must be there for the whole visit)"]
    return []


@dataclass
class ServiceConfig:
    """The service network (see ``configs/service/default.yaml``)."""

    demand: str = choice("failures", "failures", "poisson")
    dispatch: str = choice("engine", *POLICIES)
    solver: str = choice("vroom", "vroom", "ortools")
    solver_exploration_level: int = num(1, 0, 5)
    solver_zone_vans: int = num(6, 1, 1000)
    solver_searches: int = num(3, 0, 64)
    solver_searches_min_vans: int = num(4, 0, 1000)
    repair_cv: float = num(0.5, 0.0, 5.0)
    repair_distribution: str = choice("gamma", "gamma", "exponential")
    response_target_h_by_tier: list[float] = each(lambda: [6.0, 2.0, 4.0, 4.0], 0.0, 8760.0,
                                                  lo_open=True)
    priority_rescue: int = num(0, 0, 100)
    priority_red_alert: int = num(1, 0, 100)
    priority_booked: int = num(2, 0, 100)
    nearest_skill_overqualified_penalty_h: float = num(0.5, 0.0, 100.0)
    job_types: dict[str, dict[str, JobTypeConfig]] = field(default_factory=dict)
    remote: RemoteConfig = field(default_factory=RemoteConfig)
    mobile: MobileConfig = field(default_factory=MobileConfig)
    center: FacilityConfig = field(default_factory=FacilityConfig)
    body_shop: FacilityConfig = field(default_factory=FacilityConfig)
    tow: TowConfig = field(default_factory=TowConfig)
    first_time_fix: FirstTimeFixConfig = field(default_factory=FirstTimeFixConfig)
    experts: ExpertsConfig = field(default_factory=ExpertsConfig)
    economics: EconomicsConfig = field(default_factory=EconomicsConfig)
    workforce: WorkforceConfig = field(default_factory=WorkforceConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    parts: PartsConfig = field(default_factory=PartsConfig)
    costs: CostConfig = field(default_factory=CostConfig)
    poisson: PoissonDemandConfig = field(default_factory=PoissonDemandConfig)
    city: CityConfig = field(default_factory=CityConfig)
    generations: dict[str, GenerationConfig] = field(default_factory=dict)
    triage: TriageConfig = field(default_factory=TriageConfig)
    channel: ChannelConfig = field(default_factory=ChannelConfig)
    sizing: SizingConfig = field(default_factory=SizingConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        if len(cfg.response_target_h_by_tier) != 4:
            errs.append(f"{path}.response_target_h_by_tier={list(cfg.response_target_h_by_tier)}"
                        ": give 4 values (tier 0 = remote, tiers 1-3)")
        if cfg.dispatch in ROUTED and cfg.dispatch not in cfg.generations:
            errs.append(f"{path}.dispatch={cfg.dispatch!r} has no entry in {path}.generations "
                        f"(defined: {', '.join(cfg.generations) or 'none'})")
        for name, gen in cfg.generations.items():
            errs += check_row(gen, GenerationConfig, f"{path}.generations.{name}")
        stocked = set(cfg.parts.stock_per_1000_vehicles)
        for part in cfg.mobile.van_parts:
            if part not in stocked:
                errs.append(f"{path}.mobile.van_parts.{part}: not a stocked part; allowed: "
                            f"{', '.join(sorted(stocked)) or 'none'}")
        for comp, causes in cfg.job_types.items():
            for cause, jt in causes.items():
                errs += check_row(jt, JobTypeConfig, f"{path}.job_types.{comp}.{cause}")
                errs += _fits_van_day(cfg, f"{path}.job_types.{comp}.{cause}", jt)
                part = jt.get("part", "")
                if not (part and cfg.parts.enabled) or part in stocked:
                    continue
                errs.append(f"{path}.job_types.{comp}.{cause}.part={part!r} has no stock "
                            f"entry in {path}.parts.stock_per_1000_vehicles (stocked: "
                            f"{', '.join(sorted(stocked)) or 'none'})")
        return errs

"""Schema of the routed van day: city geometry, weather, dispatch generations, triage, channels."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import choice, each, num, prob

ROUTED = ("manual", "engine", "traffic_aware")
HOURS = 24


@dataclass
class CityConfig:
    """A region's road network in three numbers: detour, speed by hour, rain."""

    detour_factor: float = num(1.35, 1.0, 5.0)
    customer_density_scale_km: float = num(0.0, 0.0, 1000.0)
    speed_kmh_by_hour: list[float] = each(lambda: [30.0] * HOURS, 0.0, 300.0, lo_open=True)
    rain_day_prob: float = prob(0.25)
    rain_speed_factor: float = num(0.8, 0.05, 1.0)
    travel_noise_cv: float = num(0.2, 0.0, 3.0)
    day_traffic_cv: float = num(0.0, 0.0, 3.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        speeds = list(cfg.speed_kmh_by_hour)
        if len(speeds) != HOURS or min(speeds) <= 0:
            return [f"{path}.speed_kmh_by_hour={speeds}: give 24 speeds > 0 (one per hour of day)"]
        return []


@dataclass
class GenerationConfig:
    """One dispatch generation (seed 001: manual 2015 -> engine -> traffic- and weather-aware)."""

    route_optimisation: bool = True
    skill_matching: bool = True
    parts_matching: bool = True
    learned_durations: bool = True
    manual_slot_h: float = num(2.0, 0.05, 24.0)
    planned_job_h: float = num(1.0, 0.0, 24.0)
    hourly_traffic: bool = False
    weather_aware: bool = False
    travel_buffer_frac: float = num(0.0, 0.0, 5.0)
    duration_prior_weight: float = num(5.0, 0.0, 1e6)


@dataclass
class TriageConfig:
    """Remote diagnosis can be wrong: P(assigned channel | true channel), off the diagonal."""

    confusion: dict[str, dict[str, float]] = field(default_factory=dict)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        known = ("remote", "mobile", "center", "body")
        for true, row in cfg.confusion.items():
            if true not in known:
                errs.append(f"{path}.confusion.{true}: unknown channel; "
                            f"allowed: {', '.join(known)}")
                continue
            for to, p in row.items():
                if to not in known[1:] or to == true:
                    errs.append(f"{path}.confusion.{true}.{to}: not a wrong channel for {true}; "
                                f"allowed: {', '.join(c for c in known[1:] if c != true)}")
                elif not 0.0 <= p <= 1.0:
                    errs.append(f"{path}.confusion.{true}.{to}={p}: a probability in [0, 1]")
            if sum(row.values()) > 1.0 + 1e-9:
                errs.append(f"{path}.confusion.{true}: probabilities sum to "
                            f"{sum(row.values()):.4g}; at most 1")
        return errs


@dataclass
class ChannelConfig:
    """Where an owner takes a job a van could do: a van or the service center."""

    mobile_preference_by_tier: list[float] = field(default_factory=lambda: [0.0, 0.5, 0.5, 0.5])
    mobile_preference_per_km: float = num(0.0, -1.0, 1.0)
    mobile_wait_tolerance_d: float = num(0.0, 0.0, 3650.0)   # 0: owners ignore the van backlog

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        pref = list(cfg.mobile_preference_by_tier)
        if len(pref) != 4 or not all(0.0 <= p <= 1.0 for p in pref):
            return [f"{path}.mobile_preference_by_tier={pref}: give 4 probabilities in [0, 1] "
                    "(tier 0 = remote, tiers 1-3)"]
        return []


# Targets read off the demand of one pilot, then targets met by pilot runs at candidate counts.
SIZING_TARGETS = ("utilization", "jobs_per_van_day", "p90_wait_h", "rescue_within_target_rate")


@dataclass
class SizingConfig:
    """``sizing: auto``: vans per region chosen for a target (see sim.service.sizing)."""

    target: str = choice("utilization", *SIZING_TARGETS)
    utilization: float = num(0.8, 0.05, 1.0)
    jobs_per_van_day: float = num(4.0, 0.1, 100.0)
    p90_wait_h: float = num(72.0, 1.0, 10000.0)
    rescue_within_target_rate: float = num(0.9, 0.0, 1.0)
    max_pilots: int = num(8, 1, 100)
    bay_utilization: float = num(0.75, 0.05, 1.0)
    pilot_days: int = num(60, 7, 3650)
    pilot_capacity_factor: float = num(3.0, 1.0, 100.0)

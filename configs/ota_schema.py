"""Schema of the ``ota`` config group: OTA releases, their rollout policy and install failures.

Rollout presets are a nested config group, ``configs/ota/rollout/<name>.yaml``
(package ``ota.rollout``), selected in the defaults list of each ``ota`` file
and overridable from the command line::

    fleetsim ota/rollout=aws_abort              # another preset
    fleetsim ota.rollout.policy=big_bang        # one key of the chosen preset
    fleetsim +ota/rollout@ota.releases.fix_2026_12.rollout=mender_phased   # one release only

``ota.rollout`` applies to every release whose own ``rollout`` is null.
Presets are named after real OTA servers' defaults (see ROLLOUT_REFERENCE.md).

``releases`` and ``waves`` default to empty here (as ``alerts.rules``): a
mapping merges as a union, so a schema default could never be removed by a
group file. Each group file lists its whole release set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import check_row, choice, must_be_below, must_not_exceed, num, prob

POLICIES = ("big_bang", "staged", "exponential")
COHORTS = ("employee", "early_adopter", "regular")   # the fleet's owner cohorts
WAVE_COHORTS = COHORTS + ("any",)
SUCCESS_COUNTS_ON = ("report", "after_reboot")
ERROR_ACTIONS = ("pause", "abort", "none")
DEFECT_EFFECTS = ("software_fault", "no_start")
ERROR_TESTS = ("rate", "wilson", "beta", "sprt")   # sim.ota.evidence
ROOT_CAUSE_ACTIONS = ("hotfix", "cancel")
MAX_RETRIES = 10   # AWS IoT Jobs numberOfRetries <= 10


@dataclass
class WaveConfig:
    """One wave of a staged rollout (hawkBit group, Mender phase, Tesla batch).

    ``size`` is a fraction of the release's targets if <= 1, else a vehicle
    count. The last wave always takes every remaining target that matches its
    filters (hawkBit and Mender: the last group / phase takes the rest).
    """

    size: float = num(1.0, 0.0, 1e9, lo_open=True)
    min_days: int = num(0, 0, 3650)           # wave duration before the next wave may start
    cohort: str = choice("any", *WAVE_COHORTS)
    regions: list[str] = field(default_factory=list)      # empty = all
    hw_configs: list[str] = field(default_factory=list)   # empty = all


@dataclass
class ExponentialConfig:
    """AWS IoT Jobs ``exponentialRate``: vehicles released per day, stepped up on successes.

    Defaults: ``configs/ota/rollout/aws_abort.yaml``.
    """

    base_rate_per_day: float = num(1000.0, 0.0, 1e9, lo_open=True)
    increment_factor: float = num(2.0, 1.0, 100.0)
    increase_after_succeeded: int = num(1000, 1, 10**9)   # rate x factor per this many successes
    max_rate_per_day: float = num(1e5, 0.0, 1e9, lo_open=True)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return must_be_below(cfg, path, "base_rate_per_day", "max_rate_per_day") \
            if cfg.base_rate_per_day > cfg.max_rate_per_day else []


@dataclass
class GatesConfig:
    """Health gates: when a wave may advance, and when the campaign stops.

    A rate is errors / released vehicles if ``min_executed`` is 0 (hawkBit:
    the whole group, no minimum sample), else errors / executed vehicles once
    at least ``min_executed`` have a final report (AWS
    ``minNumberOfExecutedThings``). Errors are final failures, A/B rollbacks
    (``after_reboot`` only), timeouts and fault reports after install.
    Defaults: ``configs/ota/rollout/staged.yaml``.
    """

    success_threshold_frac: float = prob(0.5)   # wave share succeeded to advance; 0 = time only
    success_counts_on: str = choice("after_reboot", *SUCCESS_COUNTS_ON)
    error_threshold_frac: float = num(0.05, 0.0, 1.0, lo_open=True)
    resume_threshold_frac: float = prob(0.0)   # a pause lifts below this rate; 0 = manual only
    min_executed: int = num(50, 0, 10**9)
    error_action: str = choice("pause", *ERROR_ACTIONS)   # abort cancels not-started vehicles only
    soak_days: int = num(7, 0, 3650)        # wait after a wave's gate is met / before a review
    cloud_rollback: bool = False            # on a trip, revert vehicles already on the release
    timeout_days: int = num(3, 0, 3650)     # in progress this long with no result = failed; 0 off
    per_cohort_pause: bool = True           # pause only the hw config whose error rate trips
    per_cohort_min_errors: int = num(2, 1, 10**9)   # ... with at least this many own errors
    error_test: str = choice("sprt", *ERROR_TESTS)    # raw rate, or a statistical test
    acceptable_error_frac: float = num(0.01, 0.0, 1.0, lo_open=True)   # p0 of the tests
    confidence: float = num(0.95, 0.5, 0.9999)      # one-sided; SPRT alpha = beta = 1 - this
    result_maturity_days: int = num(7, 0, 3650)     # a success counts in full after this
    evidence_min_errors: int = num(3, 1, 10**9)     # a statistical test pauses on >= this many

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        if cfg.error_test == "rate" and cfg.resume_threshold_frac >= cfg.error_threshold_frac:
            errs += must_be_below(cfg, path, "resume_threshold_frac", "error_threshold_frac")
        if cfg.error_test != "rate" and cfg.acceptable_error_frac >= cfg.error_threshold_frac:
            errs += must_be_below(cfg, path, "acceptable_error_frac", "error_threshold_frac")
        return errs


@dataclass
class RolloutConfig:
    """How one release reaches the fleet: policy, waves or rate, health gates."""

    policy: str = choice("staged", *POLICIES)
    waves: list[WaveConfig] = field(default_factory=list)
    exponential: ExponentialConfig = field(default_factory=ExponentialConfig)
    gates: GatesConfig = field(default_factory=GatesConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs: list[str] = []
        if cfg.policy == "staged" and len(cfg.waves) == 0:
            errs.append(f"{path}.waves is empty; policy=staged needs at least one wave "
                        f"(size, min_days, cohort, regions, hw_configs)")
        for i, wave in enumerate(cfg.waves):
            key = f"{path}.waves[{i}]"
            errs += check_row(wave, WaveConfig, key)
            size = wave.get("size", 1.0)
            if isinstance(size, (int, float)) and size > 1 and float(size) != int(size):
                errs.append(f"{key}.size={size} is not allowed; a size above 1 is a vehicle "
                            f"count and must be a whole number (a fraction must be in (0, 1])")
        return errs


@dataclass
class EffectsConfig:
    """What an installed release changes in the vehicle (the engine applies these)."""

    software_fault_rate_factor: float = num(1.0, 0.0, 100.0)   # multiplies the software fault rates
    battery_calendar_factor: float = num(1.0, 0.0, 100.0)      # multiplies battery calendar ageing


@dataclass
class ReleaseConfig:
    """One software release: what it targets, its latent defect and its effects."""

    version: str = ""
    release_day: int = num(0, 0, 100_000)
    target_ecus: list[str] = field(default_factory=list)
    size_mb: float = num(500.0, 0.0, 1e6, lo_open=True)
    applies_to_hw_configs: list[str] = field(default_factory=list)   # empty = all
    applies_to_regions: list[str] = field(default_factory=list)      # empty = all
    optional: bool = False                    # owners may defer the install
    defect_prob_by_hw_config: dict[str, float] = field(default_factory=dict)   # absent = 0
    defect_effect: str = choice("software_fault", *DEFECT_EFFECTS)
    defect_onset_days_mean: float = num(3.0, 0.0, 3650.0)   # exponential delay after install
    effects: EffectsConfig = field(default_factory=EffectsConfig)
    rollout: RolloutConfig | None = None     # null = ota.rollout

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = []
        if not str(cfg.version):
            errs.append(f"{path}.version='' is not allowed; give the release a version string")
        for hw, p in cfg.defect_prob_by_hw_config.items():
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
                errs.append(f"{path}.defect_prob_by_hw_config.{hw}={p} is out of range; "
                            f"allowed: a number in [0, 1]")
        return errs


@dataclass
class OperatorConfig:
    """The OTA operator (issue 15): investigates a paused campaign and fixes the release.

    A pause (campaign or hw config) opens an investigation lasting a triangular
    number of days. If the paused release carries a latent defect on a stopped
    hw config, the root cause is found and ``on_root_cause`` follows: ``hotfix``
    builds a fixed release in ``hotfix_build_days`` that supersedes the campaign
    (its not-installed vehicles are withdrawn, every target gets the hotfix over
    the air, a car waiting for a dealer flash is flashed with the hotfix), rolled
    out with ``hotfix_rollout``; ``cancel`` cancels the campaign and rolls back
    the vehicles on it. Without a defect (a false alarm) the campaign is resumed.
    Defaults: ``configs/ota/default.yaml``.
    """

    enabled: bool = True
    investigation_days_min: float = num(1.0, 0.0, 3650.0)
    investigation_days_mode: float = num(3.0, 0.0, 3650.0)
    investigation_days_max: float = num(10.0, 0.0, 3650.0)
    on_root_cause: str = choice("hotfix", *ROOT_CAUSE_ACTIONS)
    hotfix_build_days: int = num(3, 0, 3650)
    hotfix_size_mb: float = num(200.0, 0.0, 1e6, lo_open=True)
    # big bang unless a file sets waves (a staged default would need them): default.yaml does
    hotfix_rollout: RolloutConfig = field(default_factory=lambda: RolloutConfig(policy="big_bang"))

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        lo, mode, hi = (cfg.investigation_days_min, cfg.investigation_days_mode,
                        cfg.investigation_days_max)
        if not lo <= mode <= hi or lo == hi:
            return [f"{path}.investigation_days_min={lo}, _mode={mode}, _max={hi} are not "
                    f"allowed; need min <= mode <= max and min < max (a triangular delay)"]
        return []


@dataclass
class TrainConfig:
    """A release train over the run (issue 15; seed 000): one release every ``interval_days``
    from ``first_release_day``; ``safety_share_frac`` of them are safety fixes (mandatory, the
    rest feature / performance releases owners may defer), spread evenly (largest remainder:
    release i is a safety fix when floor((i + 1) x share) > floor(i x share)). Releases
    numbered in ``defective_releases`` (1-based) carry ``defect_prob_by_hw_config``; the
    operator (``ota.operator``) investigates and hotfixes them. Built by ``sim.ota.train``.
    Defaults: ``configs/ota/train.yaml``.
    """

    enabled: bool = False
    first_release_day: int = num(30, 0, 100_000)
    interval_days: int = num(30, 1, 3650)
    safety_share_frac: float = prob(0.15)
    feature_size_mb: float = num(1000.0, 0.0, 1e6, lo_open=True)
    safety_size_mb: float = num(300.0, 0.0, 1e6, lo_open=True)
    target_ecus: list[str] = field(default_factory=list)
    defective_releases: list[int] = field(default_factory=list)
    defect_prob_by_hw_config: dict[str, float] = field(default_factory=dict)
    defect_effect: str = choice("software_fault", *DEFECT_EFFECTS)
    defect_onset_days_mean: float = num(3.0, 0.0, 3650.0)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = [f"{path}.defective_releases has {n}; allowed: release numbers >= 1"
                for n in cfg.defective_releases if isinstance(n, bool) or not isinstance(n, int)
                or n < 1]
        for hw, p in cfg.defect_prob_by_hw_config.items():
            if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
                errs.append(f"{path}.defect_prob_by_hw_config.{hw}={p} is out of range; "
                            f"allowed: a number in [0, 1]")
        return errs


@dataclass
class OtaConfig:
    """OTA campaigns (see ``configs/ota/default.yaml`` for each value's source)."""

    enabled: bool = True
    report_delay_days: int = num(1, 1, 365)   # a report of night d reaches the decision of d + this
    connectivity_prob_per_day: float = prob(0.8)
    download_mb_per_day: float = num(2000.0, 0.0, 1e9, lo_open=True)
    maintenance_window_start_h: float = num(1.0, 0.0, 24.0)
    maintenance_window_h: float = num(4.0, 0.0, 24.0, lo_open=True)
    install_duration_h: float = num(0.75, 0.0, 24.0, lo_open=True)
    min_soc_frac: float = prob(0.2)
    min_12v_health: float = prob(0.05)
    stuck_download_prob_per_attempt: float = prob(0.01)
    insufficient_storage_prob_per_attempt: float = prob(0.005)
    ecu_comm_error_prob_per_attempt: float = prob(0.005)
    brick_prob_per_install: float = prob(1e-4)
    ab_rollback_prob: float = prob(0.002)
    max_retries: int = num(3, 0, MAX_RETRIES)
    install_retry_soc_frac: float = prob(0.8)          # after a low-charge failure: retry at this
    charge_request_response_prob_per_day: float = prob(0.5)   # owner charges on a given day
    deferral_prob: float = prob(0.2)
    deferral_days_mean: float = num(10.0, 0.0, 365.0)
    rollout: RolloutConfig = field(default_factory=RolloutConfig)
    releases: dict[str, ReleaseConfig] = field(default_factory=dict)
    operator: OperatorConfig = field(default_factory=OperatorConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        p = f"{path}." if path else ""
        errs = []
        if cfg.install_duration_h > cfg.maintenance_window_h:
            errs.append(f"{p}install_duration_h={cfg.install_duration_h} must be <= "
                        f"{p}maintenance_window_h={cfg.maintenance_window_h}: an install must "
                        f"fit in the nightly window")
        errs += must_not_exceed(cfg, path or "ota", "min_soc_frac", "install_retry_soc_frac")
        return errs

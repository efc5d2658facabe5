"""Schema of the ``prognostics`` config group: remaining-useful-life (RUL) alerts.

Each *target* follows one slowly wearing quantity of every vehicle: a noisy
telemetry signal (``signal``), a service threshold (``threshold``, in the
signal's unit) and a booking horizon (``horizon_days``). A least-squares line
over the last ``window_days`` of readings predicts the day the threshold is
crossed; an alert is raised when that day falls inside the horizon. The seed
002:55-60 table is the default policy (``configs/prognostics/default.yaml``).

``targets`` defaults to empty here (as ``alerts.rules``): OmegaConf merges
mappings as a union, so a schema default could never be removed by a group
file; each file under ``configs/prognostics/`` lists its whole target set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from configs.fields import choice, must_not_exceed, num, prob

# The signals a target may follow, "<source>.<signal>": twin telemetry (the twin's
# ``sense``), and the cabin-filter efficiency loss the service demand ages
# (sim.service.demand, sensed by the prognostics with its own noise).
SIGNALS = ("battery.soh_est", "brakes.pad_remaining_frac_est", "tires.tread_mm_est",
           "tires.pressure_low_frac_est", "aux12v.health_est", "demand.air_filter_loss_est")
# What an alert does: ``offer`` books a condition job through the service demand
# (``ServiceDemand.offer``), ``notify`` sends the owner a reminder only.
ACTIONS = ("offer", "notify")
JOBS = ("battery_check", "air_filter")   # demand.condition jobs an offer books
OWNER_FIXABLE = "tires.pressure_low_frac_est"   # a reminded owner may top the tires up


@dataclass
class TargetConfig:
    """One followed quantity, its service threshold and what an alert does."""

    signal: str = choice("battery.soh_est", *SIGNALS)
    below: bool = True             # the threshold is crossed from above (else from below)
    threshold: float = num(0.0, -1e9, 1e9)    # in the signal's unit
    horizon_days: float = num(14.0, 0.0, 365.0)   # alert when the predicted crossing is this near
    action: str = choice("notify", *ACTIONS)
    job: str = choice("", "", *JOBS)           # the demand job an ``offer`` books
    window_days: int = num(60, 3, 365)         # <= 365 keeps RollingLine's time sums exact
    min_points: int = num(10, 3, 365)          # readings needed in the window for a prediction
    reading_every_days: int = num(1, 1, 365)   # the signal's data frequency (vehicles staggered)
    evaluate_every_days: int = num(1, 1, 365)  # RUL evaluated for alerts this often
    min_slope_t: float = num(2.0, 0.0, 1e6)    # a crossing ahead needs slope / se >= this
    confirm_readings: int = num(1, 1, 30)      # consecutive evaluations (each with a new reading)
    # inside the horizon before alerting
    repeat_after_days: int = num(30, 1, 3650)  # no repeat alert of a target for a vehicle before
    reset_jump: float = num(0.5, 0.0, 1e9, lo_open=True)   # a true jump away from the threshold
    # this large in a day is a new part (or a top-up): the fit restarts
    owner_fix_prob: float = prob(0.0)   # notified owners who fix it themselves at once (a
    # tire top-up; only for the pressure signal)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        errs = must_not_exceed(cfg, path, "min_points", "window_days")
        if cfg.owner_fix_prob > 0 and cfg.signal != OWNER_FIXABLE:
            errs.append(f"{path}.owner_fix_prob={cfg.owner_fix_prob} needs signal "
                        f"{OWNER_FIXABLE!r} (owners top up tires; nothing else is fixed by hand)")
        if cfg.action == "offer" and not cfg.job:
            errs.append(f"{path}.job='' but {path}.action='offer' needs a job; allowed: "
                        f"{', '.join(JOBS)}")
        return errs


@dataclass
class PrognosticsConfig:
    """Prognostics (see ``configs/prognostics/default.yaml`` for each value's source)."""

    enabled: bool = True
    # ProgPy-style scoring against the twin's true crossing day (sim.prognostics.metrics).
    alpha_frac: float = prob(0.2)        # alpha-lambda and horizon band: +-alpha x true RUL
    lambda_frac: float = prob(0.5)       # t_lambda = t_first + lambda (t_cross - t_first)
    score_every_days: int = num(7, 1, 365)   # a snapshot of every vehicle's RUL this often
    max_rul_days: float = num(3650.0, 1.0, 60000.0)  # RUL cap (a flat or receding trend)
    filter_noise_sd: float = num(0.02, 0.0, 1.0)     # air-filter loss reading noise, absolute
    targets: dict[str, TargetConfig] = field(default_factory=dict)

    @staticmethod
    def cross_checks(cfg: Any, path: str) -> list[str]:
        return []

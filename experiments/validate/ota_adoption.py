"""OTA adoption against the wave schedule (issue 18; fast tier, ~4 s).

A clean release (no latent defect, operator off) on the OTA sandbox (:mod:`sim.ota.sandbox`:
50 000 vehicles, the containment check's seeds, 150 days, release on day 30), per rollout
preset: the days from the release to 50 %, 90 % and 99 % of the targets running it, simulated
against the days the config implies (:mod:`experiments.validate.ota_schedule`: the policy's
wave starts or release rate and the owners' install delay, no simulation).

The band is per point, in days: ``1 + u + 3 sd``. One day because both curves are read on
the daily grid (a crossing a hair above the level analytically can fall on the next day);
``u``, the number of wave or rate decisions the analysis marks uncertain (a finite wave's
reported share within two binomial sd of its success threshold on the decision day or the
day before: e.g. ``staged``'s 50 employee cars, 56 % expected after a night against 50 %),
each of which may move every later wave by a day; ``sd`` the binomial sd of the simulated
adoption share at the analytic crossing, ``sqrt(a (1 - a) / n)``, over the curve's slope
there (per day). The figure is the largest ``|simulated - analytic| / band`` (pass <= 1).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from experiments.validate.checks import Check
from experiments.validate.ota_schedule import FleetShares, analytic_adoption
from sim.ota.sandbox import SyntheticFleet, ota_config, run

RELEASE = "fix_2026_12"
POLICIES = ("big_bang", "staged_rate", "staged", "staged_wilson", "staged_beta",
            "hawkbit_default", "aws_abort", "mender_phased")
LEVELS = (0.5, 0.9, 0.99)
VEHICLES, DAYS = 50_000, 150
GRID_DAYS = 1.0       # both curves are read on whole days
SD_FACTOR = 3.0       # binomial sd of the simulated share, in days via the slope
CLEAN = {f"releases.{RELEASE}.defect_prob_by_hw_config": {}, "operator.enabled": False}
SOURCE = ("the policy's own schedule (configs/ota/rollout/<policy>.yaml: waves, min_days, "
          "success_threshold_frac, soak_days, or the exponential rate) and the owners' install "
          "behaviour of configs/ota/default.yaml (connectivity, download, deferral, parked "
          "nights, failed attempts), derived without simulating (experiments/validate/"
          "ota_schedule.py)")


def crossing_day(curve: np.ndarray, level: float) -> int | None:
    """First day index on which ``curve`` reaches ``level`` (None: never)."""
    hit = np.flatnonzero(np.asarray(curve) >= level)
    return int(hit[0]) if len(hit) else None


def simulated_adoption(policy: str, vehicles: int = VEHICLES, days: int = DAYS,
                       overrides: Mapping[str, Any] | None = None
                       ) -> tuple[np.ndarray, Any, SyntheticFleet]:
    """Share of the targets that installed the clean release by the end of each day."""
    cfg = ota_config(rollout=policy, overrides={**CLEAN, **(overrides or {})})
    fleet = SyntheticFleet(n=vehicles)
    ota, _ = run(cfg, fleet, days)
    day = ota.installed_day(RELEASE)
    per_day = np.bincount(day[day >= 0], minlength=days)[:days]
    n_targets = int(np.count_nonzero(ota.install_state(RELEASE)))   # 0 = not targeted
    return np.cumsum(per_day) / n_targets, cfg, fleet


def tolerance_days(curve: np.ndarray, day: int, n: int, uncertain: int) -> float:
    """The band of one crossing (see the module docstring)."""
    a = float(curve[day])
    slope = float(curve[day] - curve[day - 1]) if day > 0 else a
    sd = math.sqrt(max(a * (1 - a), 0.0) / n) / max(slope, 1e-9)
    return GRID_DAYS + uncertain + SD_FACTOR * sd


def policy_rows(policy: str, vehicles: int = VEHICLES, days: int = DAYS,
                overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Simulated and analytic curves of one policy and its crossings (days since release)."""
    sim_curve, cfg, fleet = simulated_adoption(policy, vehicles, days, overrides)
    an_curve, schedule = analytic_adoption(cfg, RELEASE, FleetShares.of(fleet), days)
    day0 = int(cfg.releases[RELEASE].release_day)
    rows = []
    for level in LEVELS:
        t_an, t_sim = crossing_day(an_curve, level), crossing_day(sim_curve, level)
        tol = None if t_an is None else tolerance_days(an_curve, t_an, vehicles,
                                                       schedule["uncertain_decisions"])
        rows.append({"level": level, "analytic_days": None if t_an is None else t_an - day0,
                     "simulated_days": None if t_sim is None else t_sim - day0,
                     "tolerance_days": None if tol is None else round(tol, 3)})
    return {"release_day": day0, "simulated": sim_curve, "analytic": an_curve,
            "schedule": schedule, "rows": rows}


def adoption_curves(policies: Sequence[str] = POLICIES, **kwargs: Any) -> dict[str, Any]:
    """Policy -> :func:`policy_rows`."""
    return {p: policy_rows(p, **kwargs) for p in policies}


def _ratio(row: Mapping[str, Any]) -> float:
    if row["analytic_days"] is None or row["simulated_days"] is None:
        return math.inf if row["analytic_days"] != row["simulated_days"] else 0.0
    return abs(row["simulated_days"] - row["analytic_days"]) / row["tolerance_days"]


def adoption_check(curves: Mapping[str, Mapping[str, Any]], vehicles: int = VEHICLES) -> Check:
    """Largest |simulated - analytic| / band over the policies' 50 / 90 / 99 % crossings."""
    ratios = {p: [_ratio(r) for r in c["rows"]] for p, c in curves.items()}
    worst = max(max(v) for v in ratios.values())
    day0 = next(iter(curves.values()))["release_day"]
    end = max(max((r["simulated_days"] or 0) for r in c["rows"]) for c in curves.values())
    x = list(range(0, min(end + 10, len(next(iter(curves.values()))["simulated"]) - day0)))
    return Check(
        name="ota_adoption_schedule",
        title=("OTA adoption of a clean release vs its wave schedule: days to 50 / 90 / 99 % "
               "of the targets per rollout policy, simulated (sandbox) vs derived from the "
               "config"),
        figure=round(float(worst), 4), unit="largest |simulated - analytic| / band",
        reference="analytic days to 50 / 90 / 99 % adoption, within 1 day + 1 per uncertain "
                  "wave decision + 3 sd",
        band=(0.0, 1.0), source=SOURCE,
        detail={"vehicles": vehicles, "release_day": day0,
                "per_policy": {p: {"rows": c["rows"], "schedule": {
                    k: v for k, v in c["schedule"].items() if k != "released_per_day"},
                    "share_of_band": [round(r, 4) for r in ratios[p]]}
                    for p, c in curves.items()}},
        plot={"kind": "adoption", "x": x, "x_label": "days since the release",
              "y_label": "targets running the release (%)",
              "simulated": {p: [round(100 * float(c["simulated"][day0 + d]), 3) for d in x]
                            for p, c in curves.items()},
              "analytic": {p: [round(100 * float(c["analytic"][day0 + d]), 3) for d in x]
                           for p, c in curves.items()}})

"""The adoption curve of a clean OTA release as its config implies it, without simulating.

Two parts, both read from the ``ota`` config and the fleet's shares only:

* **the owners' install delay**: days from the day a vehicle gets the job to the night it
  installs (:func:`install_delay_pmf`). The download starts on a connected day
  (``connectivity_prob_per_day``; a start hangs with ``stuck_download_prob_per_attempt``)
  and needs ``ceil(size_mb / download_mb_per_day)`` connected days (it restarts when storage
  runs out at 50 %, ``insufficient_storage_prob_per_attempt``); an optional release is then
  postponed by ``deferral_prob`` of the owners for ``max(1, ceil(Exp(deferral_days_mean)))``
  days; the install runs on the first night after that when the car is parked and the ECU
  answers (``1 - ecu_comm_error_prob_per_attempt``); a share
  ``brick_prob_per_install + ab_rollback_prob`` never boots the new image. The cap on
  retries (``max_retries``) is left out: exhausting it has a probability below 1e-6.
* **the policy's schedule**: when each wave starts and how many it takes
  (:func:`wave_starts`), or, for an exponential rate, how many are released each day
  (:func:`rate_releases`). A wave advances on the first day at least ``max(1, min_days)``
  after its start on which the expected share of its members the server has seen succeed
  (the install delay CDF ``report_delay_days`` earlier) reaches ``success_threshold_frac``,
  plus ``soak_days``. The exponential rate is the mean-field recursion of AWS's rule on the
  expected reported successes.

The adoption on day ``t`` is the sum over releases ``r(s)`` on day ``s`` of
``r(s) * P(installed by t - s)``, over the targets.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

AFTER_REBOOT = "after_reboot"


@dataclass(frozen=True)
class FleetShares:
    """The fleet the analysis assumes: attribute shares and the nightly parking probability."""

    n: int
    shares: Mapping[str, Mapping[str, float]]   # attribute -> name -> share
    parked_night_prob: float

    @classmethod
    def of(cls, fleet: Any) -> FleetShares:
        """From a :class:`sim.ota.sandbox.SyntheticFleet` (its parameters, not its draws)."""
        if fleet.low_soc_prob > 0:
            raise ValueError(f"low_soc_prob={fleet.low_soc_prob}: the analytic install delay "
                             f"assumes every parked night has the charge to install (0 allowed)")
        return cls(int(fleet.n), {"hw_config": dict(fleet.hw_shares),
                                  "cohort": dict(fleet.cohort_shares),
                                  "region": dict(fleet.region_shares)},
                   float(fleet.parked_night_prob))


def _download_ready_pmf(cfg: Any, release: Any, days: int) -> np.ndarray:
    """P(the download is complete on day offset k) for k < ``days`` (job handed over on 0)."""
    c = float(cfg.connectivity_prob_per_day)
    speed, size = float(cfg.download_mb_per_day), float(release.size_mb)
    m = max(1, math.ceil(size / speed))
    half_day = max(1, math.ceil(size / 2 / speed))     # the connected day that crosses 50 %
    p_stuck = float(cfg.stuck_download_prob_per_attempt)
    p_storage = float(cfg.insufficient_storage_prob_per_attempt)
    state = np.zeros(m)          # state[j]: j connected download days done (0 = queued)
    state[0] = 1.0
    out = np.zeros(days)
    for k in range(days):
        nxt = state * (1 - c)                           # not connected today: no change
        moving = state * c
        moving[0] *= 1 - p_stuck                        # a start may hang (back to queued)
        nxt[0] += state[0] * c * p_stuck
        for j in range(m):
            after = j + 1
            ok = moving[j] * (1 - p_storage) if after == half_day else moving[j]
            nxt[0] += moving[j] - ok                    # storage full at 50 %: from 0 again
            if after >= m:
                out[k] += ok
            else:
                nxt[after] += ok
        state = nxt
    return out


def _deferral_pmf(cfg: Any, release: Any, days: int) -> np.ndarray:
    """P(an owner postpones a ready install by k days)."""
    out = np.zeros(days)
    if not release.optional:
        out[0] = 1.0
        return out
    p, mean = float(cfg.deferral_prob), float(cfg.deferral_days_mean)
    k = np.arange(1, days)
    out[0] = 1 - p
    out[1:] = p * (np.exp(-(k - 1) / mean) - np.exp(-k / mean))
    return out


def install_delay_pmf(cfg: Any, release: Any, parked_night_prob: float, days: int,
                      booted: bool = True) -> np.ndarray:
    """P(a vehicle that gets the job on day 0 installs on day k), k < ``days``.

    Args:
        cfg: the ``ota`` config.
        release: the release's config.
        parked_night_prob: probability that a car is parked in tonight's window.
        days: length of the result.
        booted: count only installs that boot the new image (``after_reboot`` successes,
            adoption); False counts every finished install (hawkBit's ``report``).
    """
    ready = _download_ready_pmf(cfg, release, days)
    deferral = _deferral_pmf(cfg, release, days)
    q = parked_night_prob * (1 - float(cfg.ecu_comm_error_prob_per_attempt))
    night = q * (1 - q) ** np.arange(days)              # first good night, from the same day
    pmf = np.convolve(np.convolve(ready, deferral)[:days], night)[:days]
    if booted:
        pmf *= 1 - float(cfg.brick_prob_per_install) - float(cfg.ab_rollback_prob)
    return pmf


def _cells(fleet: FleetShares) -> tuple[list[dict[str, str]], np.ndarray]:
    """Every combination of attribute names and its expected vehicle count (independent draws)."""
    attrs = list(fleet.shares)
    combos, counts = [], []
    for names in itertools.product(*(fleet.shares[a] for a in attrs)):
        share = 1.0
        for a, name in zip(attrs, names, strict=True):
            total = sum(fleet.shares[a].values())
            share *= fleet.shares[a][name] / total
        combos.append(dict(zip(attrs, names, strict=True)))
        counts.append(fleet.n * share)
    return combos, np.array(counts)


def _matches(combos: list[dict[str, str]], cohort: str, regions: list[str],
             hw_configs: list[str]) -> np.ndarray:
    return np.array([(cohort == "any" or c["cohort"] == cohort)
                     and (not regions or c["region"] in regions)
                     and (not hw_configs or c["hw_config"] in hw_configs) for c in combos])


def _targets(release: Any, combos: list[dict[str, str]], counts: np.ndarray) -> np.ndarray:
    """Expected targets per cell (the release's hw config and region filters)."""
    return counts * _matches(combos, "any", list(release.applies_to_regions),
                             list(release.applies_to_hw_configs))


def _near(share: float, thr: float, m: float) -> bool:
    """Whether a wave of ``m`` vehicles may be on either side of ``thr`` (2 binomial sd)."""
    return abs(share - thr) <= 2 * math.sqrt(max(share * (1 - share), 0.0) / max(m, 1.0))


def wave_starts(cfg: Any, release: Any, fleet: FleetShares, days: int
                ) -> tuple[list[tuple[int, float]], int]:
    """(start day, expected vehicles) of each wave of a waves policy (big bang: one), and how
    many wave decisions are uncertain: the expected share seen on the decision day, or on the
    day before, is within two binomial sd of the success threshold for the wave's size, so a
    finite wave may advance a day earlier or later than its expectation."""
    rollout, g = cfg.rollout, cfg.rollout.gates
    combos, counts = _cells(fleet)
    left = _targets(release, combos, counts)
    n_targets = left.sum()
    start = int(release.release_day)
    if rollout.policy == "big_bang":
        return [(start, float(n_targets))], 0
    seen = np.cumsum(install_delay_pmf(cfg, release, fleet.parked_night_prob, days,
                                       booted=g.success_counts_on == AFTER_REBOOT))
    delay, thr = int(cfg.report_delay_days), float(g.success_threshold_frac)

    def share(k: int) -> float:
        return float(seen[min(k - delay, days - 1)]) if k >= delay else 0.0

    out, uncertain = [], 0
    last = len(rollout.waves) - 1
    for i, w in enumerate(rollout.waves):
        match = _matches(combos, w.cohort, list(w.regions), list(w.hw_configs))
        avail = left * match
        size = float(w.size) if w.size > 1 else max(1.0, round(float(w.size) * n_targets))
        take = avail if i == last or size >= avail.sum() \
            else avail * size / avail.sum()            # drawn at random among the matches
        left = left - take
        m = float(take.sum())
        out.append((start, m))
        first = k = max(1, int(w.min_days))
        while k - delay < days and share(k) < thr:
            k += 1
        if i < last and thr > 0 and (_near(share(k), thr, m)
                                     or (k > first and _near(share(k - 1), thr, m))):
            uncertain += 1
        start += k + int(g.soak_days)
    return out, uncertain


def rate_releases(cfg: Any, release: Any, fleet: FleetShares, days: int
                  ) -> tuple[np.ndarray, int]:
    """Expected vehicles released per day (index = day) under an exponential rate, and how
    many days' rate steps are uncertain (the expected reported successes within two Poisson
    sd of a step boundary below the cap)."""
    exp, g = cfg.rollout.exponential, cfg.rollout.gates
    combos, counts = _cells(fleet)
    left = float(_targets(release, combos, counts).sum())
    seen = np.cumsum(install_delay_pmf(cfg, release, fleet.parked_night_prob, days,
                                       booted=g.success_counts_on == AFTER_REBOOT))
    base, factor = float(exp.base_rate_per_day), float(exp.increment_factor)
    per_step, cap = int(exp.increase_after_succeeded), float(exp.max_rate_per_day)
    delay = int(cfg.report_delay_days)
    rel = np.zeros(days)
    carry, uncertain = 0.0, 0
    for t in range(int(release.release_day), days):
        # successes the server has seen today: releases of day s installed by t - delay
        lag = t - delay - np.arange(t)
        ok = lag >= 0
        succ = float((rel[:t][ok] * seen[lag[ok]]).sum())
        step = succ // per_step
        rate = min(base * factor ** step, cap)
        below_cap = base * factor ** step < cap
        edge = min(succ - step * per_step, (step + 1) * per_step - succ)
        if below_cap and succ > 0 and edge <= 2 * math.sqrt(succ) and left > 0:
            uncertain += 1
        carry += rate
        k = int(carry)
        carry -= k
        rel[t] = min(k, left)
        left -= rel[t]
    return rel, uncertain


def analytic_adoption(cfg: Any, release_name: str, fleet: FleetShares, days: int
                      ) -> tuple[np.ndarray, dict[str, Any]]:
    """Expected share of the targets running the release at the end of each day < ``days``,
    and the schedule behind it (wave starts and sizes, or releases per day; the number of
    uncertain decisions)."""
    release = cfg.releases[release_name]
    combos, counts = _cells(fleet)
    n_targets = float(_targets(release, combos, counts).sum())
    if cfg.rollout.policy == "exponential":
        rel, uncertain = rate_releases(cfg, release, fleet, days)
        schedule: dict[str, Any] = {"released_per_day": [round(float(r), 1) for r in rel]}
    else:
        rel = np.zeros(days)
        waves, uncertain = wave_starts(cfg, release, fleet, days)
        for day, size in waves:
            if day < days:
                rel[day] += size
        schedule = {"wave_starts": [[d, round(s, 1)] for d, s in waves]}
    schedule["uncertain_decisions"] = uncertain
    pmf = install_delay_pmf(cfg, release, fleet.parked_night_prob, days)
    installed = np.convolve(rel, pmf)[:days]
    return np.cumsum(installed) / n_targets, schedule

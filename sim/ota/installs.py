"""The vehicles' side of one release: a vectorized per-vehicle install state machine.

States: waiting (targeted, not released) -> queued (the job is on the
vehicle) -> downloading (progress in MB, only on connected days, resumes
across days) -> ready -> installed in the nightly maintenance window, if the
vehicle is parked there with its 12 V battery healthy (else it waits). An
attempt can fail (seed 000's table): the download hangs at 0 % (network) or
fails at 50 % (storage full; restarts from 0), the install refuses on low
state of charge or fails on ECU communication. A failed attempt is retried
(the next connected day / the next window) up to ``max_retries`` times, then
the vehicle needs a dealer flash. A stuck download is retried on another
network and a failed one after clearing the cache (the engine logs both); an
install refused on low charge asks the owner to charge: the vehicle retries
only on a night it has ``install_retry_soc_frac`` or more, either by itself or
because the owner answered the request (``charge_request_response_prob_per_day``,
drawn from the release's own charge stream, so the other draws do not move).
An installed image may fail to boot: the vehicle rolls back to the old
version (A/B) or, rarely, does not start (bricked, silent). A vehicle
installed with the release's latent defect has a fault after an exponential
onset delay. Owners of an optional release may postpone a ready install.

Per-vehicle draws that decide *which* vehicles fail (defect, boot outcome,
deferral) are made once at construction, so two rollout policies on the same
seed hit the same vehicles (common random numbers).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np

from sim.ota.monitor import ReportQueue
from sim.ota.outcome import FAILURE_MODES, ReleaseEvents

STATES = ("not_targeted", "waiting", "queued", "downloading", "ready", "installed", "failed",
          "rolled_back", "bricked", "cancelled", "reverted", "superseded")
(NOT_TARGETED, WAITING, QUEUED, DOWNLOADING, READY, INSTALLED, FAILED, ROLLED_BACK, BRICKED,
 CANCELLED, REVERTED, SUPERSEDED) = range(len(STATES))
STUCK, STORAGE, LOW_BATTERY, ECU = range(len(FAILURE_MODES))
BOOT_OK, BOOT_BRICK, BOOT_ROLLBACK = 0, 1, 2
I64 = np.int64


def _exp_days(u: np.ndarray, mean: float) -> np.ndarray:
    """Whole days of an exponential delay with ``mean`` from uniforms ``u``."""
    return np.floor(-mean * np.log1p(-u)).astype(np.int32)


class ReleaseInstalls:
    """Install state of every vehicle for one release (the truth the server never sees).

    Args:
        cfg: the ``ota`` config (download, preconditions, failure probabilities, retries,
            deferral); attribute access.
        release: the release's config (size_mb, optional, defect_effect, defect_onset_days_mean).
        targets: int64 indices of the vehicles the release applies to.
        defect_prob: per-vehicle latent-defect probability (fleet length).
        hw_config: per-vehicle hw config codes (for holds by hw config).
        draws: stream of the per-vehicle draws made at construction.
        rng: stream of the per-attempt draws.
        reports: the queue the vehicles' reports go to.
        charge: stream of the owners' answers to a charge request (None: a stream of its own
            from a fixed seed, for sketches).
    """

    def __init__(self, cfg: Any, release: Any, targets: np.ndarray, defect_prob: np.ndarray,
                 hw_config: np.ndarray, draws: np.random.Generator, rng: np.random.Generator,
                 reports: ReportQueue, charge: np.random.Generator | None = None) -> None:
        n = len(hw_config)
        self.rng = rng
        self.reports = reports
        self.hw = hw_config
        self.size_mb = np.float32(release.size_mb)
        self.speed_mb = np.float32(cfg.download_mb_per_day)
        self.p_stuck = float(cfg.stuck_download_prob_per_attempt)
        self.p_storage = float(cfg.insufficient_storage_prob_per_attempt)
        self.p_ecu = float(cfg.ecu_comm_error_prob_per_attempt)
        self.min_soc = np.float32(cfg.min_soc_frac)
        self.min_12v = np.float32(cfg.min_12v_health)
        self.max_retries = int(cfg.max_retries)
        self.retry_soc = np.float32(cfg.install_retry_soc_frac)
        self.p_answer = float(cfg.charge_request_response_prob_per_day)
        self.charge_rng = charge if charge is not None else np.random.default_rng(0)
        self.no_start = release.defect_effect == "no_start"

        self.state = np.full(n, NOT_TARGETED, np.int8)
        self.state[targets] = WAITING
        self.n_targets = len(targets)
        self.n_released = 0
        self.progress_mb = np.zeros(n, np.float32)
        self.attempts = np.zeros(n, np.int8)
        self.await_charge = np.zeros(n, bool)   # low charge: retries once charged
        self.defer_until = np.zeros(n, np.int32)
        self.installed_day = np.full(n, -1, np.int32)
        self.withdrawn = np.zeros(n, bool)   # cloud rollback reached it while awaiting a flash
        self.paused_all = False
        self.paused_hw = np.zeros(1, bool)
        self._onsets: dict[int, list[np.ndarray]] = defaultdict(list)
        self._reverts: list[np.ndarray] = []

        self.defect_hw = defect_prob > 0      # on a hw config where the release is defective
        u = draws.random((5, len(targets)))
        self.defective = np.zeros(n, bool)
        self.defective[targets] = u[0] < defect_prob[targets]
        self.onset_days = np.zeros(n, np.int32)
        self.onset_days[targets] = _exp_days(u[1], float(release.defect_onset_days_mean))
        p_brick, p_rb = float(cfg.brick_prob_per_install), float(cfg.ab_rollback_prob)
        self.boot = np.zeros(n, np.int8)
        self.boot[targets] = np.where(u[2] < p_brick, BOOT_BRICK,
                                      np.where(u[2] < p_brick + p_rb, BOOT_ROLLBACK, BOOT_OK))
        self.defer_days = np.zeros(n, np.int32)
        if release.optional:
            defers = u[3] < float(cfg.deferral_prob)
            days = np.maximum(1, np.ceil(-float(cfg.deferral_days_mean) * np.log1p(-u[4])))
            self.defer_days[targets] = np.where(defers, days, 0).astype(np.int32)

    # ----------------------------------------------------------- server commands
    def release(self, vehicles: np.ndarray) -> None:
        """Hand the job to ``vehicles`` (waiting ones become queued)."""
        v = vehicles[self.state[vehicles] == WAITING]
        self.state[v] = QUEUED
        self.n_released += len(v)

    def cancel(self, vehicles: np.ndarray) -> int:
        """Cancel the job where it has not started (waiting or queued); returns how many."""
        s = self.state[vehicles]
        v = vehicles[(s == WAITING) | (s == QUEUED)]
        self.state[v] = CANCELLED
        return len(v)

    def hold(self, paused_all: bool, paused_hw: np.ndarray) -> None:
        """Withhold downloads from queued vehicles (all, or by hw config code)."""
        self.paused_all = bool(paused_all)
        self.paused_hw = np.array(paused_hw, bool)   # indexed by code: covers every hw config

    def revert(self, vehicles: np.ndarray) -> int:
        """Cloud rollback: installed ``vehicles`` return to the old version at their next window.

        The server also withdraws the job from those still on their way
        (queued, downloading, downloaded): they are cancelled, so none of them
        installs the version being rolled back. Returns how many were withdrawn.
        """
        s = self.state[vehicles]
        self._reverts.append(vehicles[s == INSTALLED])
        pending = vehicles[(s == WAITING) | (s == QUEUED) | (s == DOWNLOADING) | (s == READY)]
        self.state[pending] = CANCELLED
        # A car waiting for a dealer flash (failed or bricked) gets the previous version there.
        self.withdrawn[vehicles[(s == FAILED) | (s == BRICKED)]] = True
        return len(pending)

    def withdraw(self) -> int:
        """A later release supersedes this one: every vehicle not yet installed is cancelled."""
        s = self.state
        pending = np.flatnonzero((s == WAITING) | (s == QUEUED) | (s == DOWNLOADING)
                                 | (s == READY))
        s[pending] = CANCELLED
        return len(pending)

    def supersede(self, vehicles: np.ndarray) -> np.ndarray:
        """``vehicles`` now run the release that supersedes this one; returns those that ran
        this one (installed) and those waiting for a flash of it (failed, bricked) among them."""
        s = self.state[vehicles]
        v = vehicles[(s == INSTALLED) | (s == FAILED) | (s == BRICKED)]
        self.state[v] = SUPERSEDED
        return vehicles[s == INSTALLED]

    def force_install(self, vehicles: np.ndarray, day: int) -> np.ndarray:
        """A service center flashed ``vehicles`` with this release; returns the newly installed."""
        v = vehicles[self.state[vehicles] != INSTALLED]
        v = v[self.state[v] != NOT_TARGETED]
        self.reports.send(day, "reported", v)
        self._install(v, day)
        return v

    def dealer_flashed(self, vehicles: np.ndarray, day: int) -> np.ndarray:
        """A service center flashed ``vehicles`` (failed or bricked): now installed."""
        s = self.state[vehicles]
        v = vehicles[(s == FAILED) | (s == BRICKED)]
        self.reports.send(day, "reported", v)
        back = self.withdrawn[v]
        self.state[v[back]] = REVERTED    # the release was rolled back: the old version
        self._install(v[~back], day)
        return v[~back]

    # ------------------------------------------------------------------- a day
    def _install(self, v: np.ndarray, day: int) -> None:
        self.state[v] = INSTALLED
        self.installed_day[v] = day
        self.reports.send(day, "booted", v)
        bad = v[self.defective[v]]
        for onset in np.unique(self.onset_days[bad]):
            self._onsets[day + int(onset)].append(bad[self.onset_days[bad] == onset])

    def _fail(self, v: np.ndarray, mode: int, day: int, ev: dict[str, list]) -> None:
        if not len(v):
            return
        self.attempts[v] += 1
        out = self.attempts[v] > self.max_retries
        dealer, retry = v[out], v[~out]
        self.state[dealer] = FAILED
        self.reports.send(day, "failed", dealer)
        self.reports.send(day, "attempt_failed", retry)
        if mode in (STUCK, STORAGE):          # the download starts again from 0
            self.state[retry] = QUEUED
            self.progress_mb[v] = 0.0
        elif mode == LOW_BATTERY:             # the owner is asked to charge
            self.await_charge[retry] = True
        ev["failed"].append(v)
        ev["mode"].append(np.full(len(v), mode, np.int8))
        ev["retry"].append(retry)
        ev["dealer"].append(dealer)

    def advance(self, day: int, connected: np.ndarray, ctx: Any) -> ReleaseEvents:
        """One day: downloads on connected vehicles, installs in tonight's window, defect onsets."""
        st = self.state
        active = np.flatnonzero((st >= QUEUED) & (st <= READY))
        ev: dict[str, list] = defaultdict(list)
        rand = self.rng.random

        q = active[st[active] == QUEUED]
        if self.paused_all:
            q = q[:0]
        elif self.paused_hw.any():
            q = q[~self.paused_hw[self.hw[q]]]
        start = q[connected[q]]
        stuck = rand(len(start)) < self.p_stuck
        st[start[~stuck]] = DOWNLOADING
        self._fail(start[stuck], STUCK, day, ev)

        d = active[st[active] == DOWNLOADING]
        d = d[connected[d]]
        before = self.progress_mb[d]
        after = np.minimum(before + self.speed_mb, self.size_mb)
        half = self.size_mb / 2
        crossing = np.flatnonzero((before < half) & (after >= half))
        full = np.zeros(len(d), bool)
        full[crossing[rand(len(crossing)) < self.p_storage]] = True
        self.progress_mb[d] = after
        done = d[~full & (after >= self.size_mb)]
        st[done] = READY
        self.defer_until[done] = day + self.defer_days[done]
        self._fail(d[full], STORAGE, day, ev)

        r = active[st[active] == READY]
        r = r[(self.defer_until[r] <= day) & ctx.parked_night[r]
              & (ctx.aux12v_health[r] >= self.min_12v)]
        waits = self.await_charge[r]
        charged = self._charged(r[waits], ctx.soc_frac)
        r = r[~waits]
        low = ctx.soc_frac[r] < self.min_soc
        self._fail(r[low], LOW_BATTERY, day, ev)
        tries = np.concatenate([r[~low], charged]) if len(charged) else r[~low]
        self.reports.send(day, "in_progress", tries)
        ecu = rand(len(tries)) < self.p_ecu
        self._fail(tries[ecu], ECU, day, ev)
        done = tries[~ecu]
        self.reports.send(day, "reported", done)
        boot = self.boot[done]
        bricked, rolled, ok = done[boot == BOOT_BRICK], done[boot == BOOT_ROLLBACK], done[boot == 0]
        st[bricked] = BRICKED
        st[rolled] = ROLLED_BACK
        self.reports.send(day, "rolled_back", rolled)
        self._install(ok, day)

        reverted = self._revert(day, ctx)
        faults = self._onset(day)
        cat = _cat
        return ReleaseEvents(
            install_failed=cat(ev["failed"]), install_failed_mode=cat(ev["mode"], np.int8),
            retry=cat(ev["retry"]), dealer_flash=cat(ev["dealer"]), installed=ok.astype(I64),
            rolled_back=rolled.astype(I64), bricked=bricked.astype(I64),
            defect_fault=faults if not self.no_start else cat([]),
            defect_no_start=faults if self.no_start else cat([]),
            cloud_rolled_back=reverted, charge_retried=charged.astype(I64))

    def _charged(self, w: np.ndarray, soc: np.ndarray) -> np.ndarray:
        """Vehicles of ``w`` (asked to charge) that have ``install_retry_soc_frac`` tonight
        (by themselves, or the owner answered today); they retry and leave the wait."""
        if not len(w):
            return w
        answered = self.charge_rng.random(len(w)) < self.p_answer
        go = w[(soc[w] >= self.retry_soc) | answered]
        self.await_charge[go] = False
        return go

    def _revert(self, day: int, ctx: Any) -> np.ndarray:
        if not self._reverts:
            return _cat([])
        pending = np.unique(np.concatenate(self._reverts))
        pending = pending[self.state[pending] == INSTALLED]
        now = pending[ctx.parked_night[pending]]
        self.state[now] = REVERTED
        rest = pending[~ctx.parked_night[pending]]
        self._reverts = [rest] if len(rest) else []
        return now.astype(I64)

    def _onset(self, day: int) -> np.ndarray:
        due = [v for d in sorted(k for k in self._onsets if k <= day) for v in self._onsets.pop(d)]
        if not due:
            return _cat([])
        v = np.concatenate(due)
        v = v[self.state[v] == INSTALLED]     # reverted vehicles no longer run the release
        self.reports.send(day, "fault", v)
        return v.astype(I64)

    @property
    def busy(self) -> bool:
        """Anything left to simulate: pending onsets or reverts (vehicles in flight aside)."""
        return bool(self._onsets) or bool(self._reverts)

    def counts(self, day: int) -> dict[str, int]:
        """Vehicles per state at the end of ``day`` (name -> count), plus deferred."""
        c = np.bincount(self.state, minlength=len(STATES))
        ready = np.flatnonzero(self.state == READY)
        out = {name: int(c[i]) for i, name in enumerate(STATES)}
        out["deferred"] = int((self.defer_until[ready] > day).sum())
        out["on_defect"] = int((self.defect_hw & (self.state == INSTALLED)).sum())
        return out


def _cat(parts: list[np.ndarray], dtype: type = I64) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)

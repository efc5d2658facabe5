"""The campaign server's decisions for one release: waves or rate, gates, pause, abort, rollback.

The controller sees only what an OTA server sees (:class:`~sim.ota.monitor.ServerView`):
reports arriving ``report_delay_days`` late, timeouts, fault reports after
install, and its own inventory (targets, their hw config / cohort / region).
It acts through the vehicles' side (``release``, ``cancel``, ``hold``,
``revert``) and never reads their true state.

Each day, in order: the error gate (per hw config first if ``per_cohort_pause``,
then the campaign), reviews of pauses older than ``soak_days`` (resumed when
the rate is below ``resume_threshold_frac``; 0 = only a person resumes), the next
wave or today's rate-limited releases, and completion (every released vehicle
has a result; the server stops watching the campaign then). The error rate is
errors / released vehicles if ``min_executed`` is 0 (hawkBit: the whole group),
else errors / executed vehicles once at least ``min_executed`` have a result
(AWS ``minNumberOfExecutedThings``). With ``per_cohort_pause``, once the
campaign's sample is big enough, the errors are attributed: the hw configs
whose own rate is over the threshold, while the others' is not, are paused
alone (``cohort_paused``). ``pause`` stops releases and withholds
downloads from vehicles that have not started; ``abort`` cancels them for good
(AWS: those in progress go on); ``cloud_rollback`` reverts vehicles already on
the release (Azure Device Update).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.ota.evidence import BAD, GOOD, VERDICTS, EvidenceGate
from sim.ota.monitor import ServerView
from sim.ota.outcome import Decision
from sim.ota.policies import RatePlan, WavePlan
from sim.ota.targets import FleetAttributes

WAITING, RUNNING, PAUSED, ABORTED, COMPLETED, SUPERSEDED, CANCELLED = (
    "waiting", "running", "paused", "aborted", "completed", "superseded", "cancelled")
OVER = (ABORTED, COMPLETED, SUPERSEDED, CANCELLED)   # the server no longer acts


class CampaignController:
    """Server-side campaign of one release.

    Args:
        name: the release's name.
        release_day: first day of the campaign.
        rollout: the rollout config (policy, waves, exponential, gates).
        targets: int64 indices of the release's targets.
        attrs: the fleet's attributes (the server's inventory).
        rng: stream of the wave draws / release order.
        actuator: the vehicles' side (``release``, ``cancel``, ``hold``, ``revert``).
        path: config path of the rollout, for error messages.
    """

    def __init__(self, name: str, release_day: int, rollout: Any, targets: np.ndarray,
                 attrs: FleetAttributes, rng: np.random.Generator, actuator: Any,
                 path: str) -> None:
        self.name = name
        self.release_day = int(release_day)
        self.policy = str(rollout.policy)
        g = rollout.gates
        self.success_thr = float(g.success_threshold_frac)
        self.error_thr = float(g.error_threshold_frac)
        self.resume_thr = float(g.resume_threshold_frac)
        self.min_executed = int(g.min_executed)
        self.error_action = str(g.error_action)
        self.soak = int(g.soak_days)
        self.cloud_rollback = bool(g.cloud_rollback)
        self.per_cohort = bool(g.per_cohort_pause)
        self.per_cohort_min_errors = int(g.per_cohort_min_errors)
        self.evidence = EvidenceGate(g) if str(g.error_test) != "rate" else None
        self.targets = targets
        self.hw = attrs.hw_config
        self.hw_names = attrs.hw_config_names
        n_hw = len(attrs.hw_config_names)
        self.targets_by_hw = np.bincount(self.hw[targets], minlength=n_hw)
        self.act = actuator
        if self.policy == "exponential":
            self.plan: WavePlan | RatePlan = RatePlan(rollout.exponential, targets, rng)
        else:
            self.plan = WavePlan(rollout, targets, attrs, rng, path)
        self.status = WAITING
        self.released = np.zeros(attrs.n, bool)
        self.released_by_hw = np.zeros(n_hw, np.int64)
        self.assigned = np.zeros(attrs.n, bool)
        self.wave = -1
        self.wave_start = 0
        self.wave_members: list[np.ndarray] = []
        self.gate_met_day: int | None = None
        self._rate_now = 0.0
        self.paused_since = 0
        self.paused_hw = np.zeros(n_hw, bool)
        self.paused_hw_since = np.zeros(n_hw, np.int64)
        self._held: list[np.ndarray] = []     # assigned, not released: their hw config is paused
        self.decisions: list[Decision] = []

    # ----------------------------------------------------------------- helpers
    def _decide(self, day: int, action: str, reason: str, wave: int = -1, cohort: str = "",
                hw: str = "") -> None:
        self.decisions.append(Decision(day, self.name, action, wave, cohort, hw, reason))

    def _rate(self, view: ServerView, hw_mask: np.ndarray,
              min_executed: int | None = None) -> tuple[float | None, str]:
        """Error rate over the hw configs in ``hw_mask`` and its terms (None: no sample yet)."""
        err = int(view.errored_by_hw[hw_mask].sum())
        if self.min_executed > 0:
            exe = int(view.executed_by_hw[hw_mask].sum())
            if exe < (self.min_executed if min_executed is None else max(1, min_executed)):
                return None, f"{exe} executed < min_executed {self.min_executed}"
            floor = "" if min_executed is not None else f" (min_executed {self.min_executed})"
            return err / exe, f"{err} errors / {exe} executed{floor}"
        rel = int(self.released_by_hw[hw_mask].sum())
        if rel == 0:
            return None, "nothing released"
        return err / rel, f"{err} errors / {rel} released (whole wave)"

    def _release(self, vehicles: np.ndarray) -> None:
        if self.paused_hw.any():
            held = self.paused_hw[self.hw[vehicles]]
            if held.any():
                self._held.append(vehicles[held])
                vehicles = vehicles[~held]
        self.released[vehicles] = True
        self.released_by_hw += np.bincount(self.hw[vehicles], minlength=len(self.released_by_hw))
        self.act.release(vehicles)

    def _hold(self) -> None:
        self.act.hold(self.status == PAUSED, self.paused_hw)

    def _rollback(self, day: int, hw_mask: np.ndarray, who: str) -> None:
        t = self.targets
        v = t[self.released[t] & hw_mask[self.hw[t]]]
        withdrawn = self.act.revert(v)
        self._decide(day, "cloud_rollback", f"revert {len(v)} released vehicles ({who}) to the "
                     f"previous version; {withdrawn} not yet installed withdrawn",
                     hw=who if who != "all" else "")

    # ------------------------------------------------------------------ gates
    def _error_gate(self, day: int, view: ServerView) -> None:
        if self.error_action == "none" or self.status in (WAITING, *OVER):
            return
        if self.evidence is not None:
            self._evidence_gate(day, view)
            return
        live = ~self.paused_hw & (self.targets_by_hw > 0)
        thr = self.error_thr
        if self.per_cohort and live.sum() > 1 and self._rate(view, live)[0] is not None:
            # The sample is the campaign's: once it is big enough, errors are attributed to the
            # hw configs whose own rate is over the threshold while the others' is not.
            over = np.zeros_like(live)
            notes = {}
            for h in np.flatnonzero(live):
                mask = np.zeros_like(live)
                mask[h] = True
                # The campaign's sample is big enough; a hw config is singled out only with
                # at least per_cohort_min_errors errors of its own (one A/B rollback in a
                # dozen reports is noise, and a paused hw config gets no results to clear it).
                r, note = self._rate(view, mask, min_executed=0)
                own_errors = int(view.errored_by_hw[h])
                if r is not None and r >= thr and own_errors >= self.per_cohort_min_errors:
                    over[h] = True
                    notes[h] = f"error rate {r:.3f} = {note} >= {thr:g}"
            if over.any() and not over[live].all():
                r_o, note_o = self._rate(view, live & ~over, min_executed=0)
                if r_o is None or r_o < thr:
                    others = "no sample" if r_o is None else f"{r_o:.3f}"
                    for h in np.flatnonzero(over):
                        self._pause_hw(day, h, f"{notes[h]}; other hw configs {others} "
                                               f"({note_o})")
                    self._hold()
                    live &= ~over
        if self.status != RUNNING:
            return
        r, note = self._rate(view, live)
        if r is None or r < thr:
            return
        self._trip(day, f"error rate {r:.3f} = {note} >= {thr:g}", live)

    def _pause_hw(self, day: int, h: int, reason: str) -> None:
        self.paused_hw[h] = True
        self.paused_hw_since[h] = day
        self._decide(day, "cohort_paused", f"{self.hw_names[h]}: {reason}", wave=self.wave,
                     hw=self.hw_names[h])
        if self.cloud_rollback:
            self._rollback(day, np.eye(len(self.paused_hw), dtype=bool)[h], self.hw_names[h])

    def _evidence_gate(self, day: int, view: ServerView) -> None:
        """Pause the hw configs (or the campaign) whose failure rate is shown unacceptable."""
        if self.status != RUNNING:
            return
        live = ~self.paused_hw & (self.released_by_hw > 0)
        if not live.any():
            return
        ev = self.evidence
        k, n = ev.sample(view, day)
        if not self.per_cohort:
            if ev.judge(k[live].sum(), n[live].sum()) == BAD:
                self._trip(day, ev.note(k[live].sum(), n[live].sum()), live)
            return
        bad = live & (ev.judge(k, n) == BAD)
        if not bad.any():
            return
        if not bad[live].all():
            for h in np.flatnonzero(bad):
                self._pause_hw(day, h, ev.note(k[h], n[h]))
            self._hold()
            return
        self._trip(day, "; ".join(f"{self.hw_names[h]}: {ev.note(k[h], n[h])}"
                                  for h in np.flatnonzero(bad)), live)

    def _trip(self, day: int, reason: str, live: np.ndarray) -> None:
        """Pause or abort the whole campaign (and roll back ``live`` hw configs if configured)."""
        if self.error_action == "abort":
            self.status = ABORTED
            cancelled = self.act.cancel(self.targets)
            self._decide(day, "aborted", f"{reason}; {cancelled} not-started vehicles cancelled",
                         wave=self.wave)
        else:
            self.status = PAUSED
            self.paused_since = day
            self._decide(day, "paused", reason, wave=self.wave)
        self._hold()
        if self.cloud_rollback:
            self._rollback(day, live, "all")

    def _review(self, day: int, view: ServerView) -> None:
        """Resume a pause (campaign or hw config) whose error rate fell below the resume rate.

        The resume rate sits below the error threshold so that a rate hovering
        at the threshold does not pause and resume day after day.
        """
        wait = max(1, self.soak)
        for h in np.flatnonzero(self.paused_hw):
            if day - self.paused_hw_since[h] < wait:
                continue
            mask = np.zeros_like(self.paused_hw)
            mask[h] = True
            clear, note = self._clears(day, view, mask, one_hw=True)
            if clear:
                self.paused_hw[h] = False
                self._decide(day, "resumed", f"{self.hw_names[h]}: {note} after "
                             f"{day - self.paused_hw_since[h]} days", hw=self.hw_names[h])
                held = [v[self.hw[v] == h] for v in self._held]
                self._held = [v[self.hw[v] != h] for v in self._held]
                self._hold()
                for v in held:
                    self._release(v)
        if self.status == PAUSED and day - self.paused_since >= wait:
            clear, note = self._clears(day, view, ~self.paused_hw & (self.targets_by_hw > 0),
                                       one_hw=False)
            if clear:
                self.status = RUNNING
                self._decide(day, "resumed", f"{note} after {day - self.paused_since} days",
                             wave=self.wave)
                self._hold()

    def _clears(self, day: int, view: ServerView, mask: np.ndarray,
                one_hw: bool) -> tuple[bool, str]:
        """Whether the hw configs in ``mask`` may resume, and the numbers behind it."""
        if self.evidence is not None:
            k, n = self.evidence.sample(view, day)
            kk, nn = int(k[mask].sum()), int(n[mask].sum())
            verdict = int(self.evidence.judge(kk, nn))
            return verdict == GOOD, f"{VERDICTS[verdict]}: {self.evidence.note(kk, nn)}"
        r, note = self._rate(view, mask, min_executed=0 if one_hw else None)
        return (r is not None and r < self.resume_thr,
                f"error rate {'n/a' if r is None else f'{r:.3f}'} = {note} < {self.resume_thr:g}")

    # --------------------------------------------------------------- releases
    def _start_wave(self, day: int, i: int, why: str) -> None:
        members = self.plan.members(i, ~self.assigned)
        self.assigned[members] = True
        self.wave_members.append(members)
        self.wave, self.wave_start, self.gate_met_day = i, day, None
        w = self.plan.waves[i]
        self._decide(day, "wave_started", f"wave {i + 1}/{len(self.plan)}: {len(members)} "
                     f"vehicles ({w.cohort}){why}", wave=i, cohort=w.cohort)
        self._release(members)

    def _advance_waves(self, day: int, view: ServerView) -> None:
        if self.wave < 0:
            self._start_wave(day, 0, "")
            return
        if self.wave + 1 >= len(self.plan):
            return
        w = self.plan.waves[self.wave]
        members = self.wave_members[self.wave]
        live = members[~self.paused_hw[self.hw[members]]]   # a paused hw config cannot succeed
        succeeded = int(view.succeeded[live].sum())
        frac = succeeded / len(live) if len(live) else 1.0
        days = day - self.wave_start
        if self.gate_met_day is None:
            if days < w.min_days or frac < self.success_thr:
                return
            self.gate_met_day = day
        if day - self.gate_met_day < self.soak:
            return
        self._start_wave(day, self.wave + 1,
                         f"; wave {self.wave + 1}: {succeeded}/{len(live)} "
                         f"succeeded ({frac:.2f} >= {self.success_thr:g}) after {days} days "
                         f"(min {w.min_days}, soak {self.soak})")

    def _advance_rate(self, day: int, view: ServerView) -> None:
        succeeded = int(view.succeeded_by_hw.sum())
        step, rate = self.plan.rate(succeeded)
        if rate != self._rate_now:        # a new step (steps past the cap change nothing)
            self.wave, self._rate_now = step, rate
            self._decide(day, "wave_started", f"release rate {rate:g}/day (step {step}) after "
                         f"{succeeded} reported successes", wave=step, cohort="any")
        eligible = ~self.released & ~self.paused_hw[self.hw]
        self._release(self.plan.take(rate, eligible))

    def _check_complete(self, day: int, view: ServerView) -> None:
        if self.status != RUNNING or self._held or self.paused_hw.any():
            return
        released = int(self.released_by_hw.sum())
        if released < len(self.targets) and (self.policy == "exponential"
                                             or self.wave + 1 < len(self.plan)):
            return
        executed = int(view.executed_by_hw.sum())
        if executed < released:
            return
        self.status = COMPLETED
        self._decide(day, "completed", f"{released} vehicles released, all reported: "
                     f"{int(view.succeeded_by_hw.sum())} succeeded, "
                     f"{int(view.errored_by_hw.sum())} errors", wave=self.wave)

    # ------------------------------------------------------ operator commands
    @property
    def stopped(self) -> bool:
        """Paused (the campaign or a hw config): what the operator investigates."""
        return self.status == PAUSED or (self.status == RUNNING and bool(self.paused_hw.any()))

    def stopped_hw(self) -> np.ndarray:
        """Bool per hw config code: stopped (all hw configs with targets if the campaign is)."""
        if self.status == PAUSED:
            return self.paused_hw | (self.targets_by_hw > 0)
        return self.paused_hw.copy()

    def resume_all(self, day: int, reason: str) -> None:
        """A person lifts every pause (campaign and hw configs) and releases what was held."""
        self.status = RUNNING if self.status == PAUSED else self.status
        self.paused_hw[:] = False
        held, self._held = self._held, []
        self._hold()
        for v in held:
            self._release(v)
        self._decide(day, "resumed", reason, wave=self.wave)

    def close(self, day: int, action: str, reason: str) -> int:
        """End the campaign as ``superseded`` or ``cancelled``; vehicles not yet installed are
        withdrawn (returned: how many). ``cancelled`` also rolls back those installed."""
        self.status = SUPERSEDED if action == "superseded" else CANCELLED
        withdrawn = self.act.withdraw()
        if action == "cancelled":
            self.act.revert(self.targets[self.released[self.targets]])
        self._decide(day, action, f"{reason}; {withdrawn} vehicles not yet installed withdrawn",
                     wave=self.wave)
        return withdrawn

    # -------------------------------------------------------------------- day
    def step(self, day: int, view: ServerView) -> list[Decision]:
        """Decide day ``day`` from the server view; returns the day's decisions."""
        if day < self.release_day or self.status in OVER:
            return []
        start = len(self.decisions)
        if self.status == WAITING:
            self.status = RUNNING
        self._error_gate(day, view)
        self._review(day, view)
        if self.status == RUNNING:
            if self.policy == "exponential":
                self._advance_rate(day, view)
            else:
                self._advance_waves(day, view)
        self._check_complete(day, view)
        return self.decisions[start:]

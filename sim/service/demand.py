"""Service demand with no fault behind it, drawn per day over the whole fleet as arrays.

Three sources (``configs/demand/*.yaml``, schema :mod:`configs.demand_schema`):

* **maintenance**: each schedule item has a km clock and a day clock per vehicle
  (an ``(n, items)`` array). When an item falls due the owner has it done with
  its ``compliance_prob`` (else its clocks restart: that service is skipped);
  the visit then also does every item due within the bundling look-ahead, so
  it is one contact, named after its heaviest item (the one that decides the
  channel), with the others' hands-on hours in :attr:`DemandBatch.extra_h`.
* **condition** (seed 002:55-60): cabin-filter efficiency loss grows with days
  and km at a per-vehicle rate times the region's pollution factor; past the
  threshold a mobile replacement is offered (accepted or re-offered later); a
  replacement, condition or scheduled, resets the filter and the scheduled
  item's clocks. A battery whose SOH falls below the threshold gets one free
  check offer, once per vehicle.
* **owner issues**: Poisson contacts per vehicle-year (noises, questions, ...).
* **recall** (off by default): a batch defect's failures and its field campaign's
  bookings (:mod:`sim.service.recall`, its own random stream).

Clocks and filters are reset when the contact is made (the owner books it), so
:meth:`ServiceDemand.done` has nothing to do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from configs.demand_schema import DemandConfig
from configs.service_schema import JobTypeConfig
from sim.records import REPORTED, SCHEDULED
from sim.service.recall import CAMPAIGN, DEFECT, Recall
from sim.service.recall import COMPONENT as RECALL

_CHANNEL_RANK = {"mobile": 0, "center": 1, "body": 2}
_SKILL_RANK = {"junior": 0, "senior": 1, "expert": 2}
_DAYS_PER_YEAR = 365.0


@dataclass
class DemandBatch:
    """The vehicles with one kind of non-fault service contact on one day."""

    component: str        # "maintenance" | "condition" | "owner_issue"
    cause: str            # the item name, e.g. "tire_rotation", "air_filter", "noise"
    severity: str         # sim.records.SCHEDULED (maintenance, condition) or REPORTED
    vehicles: np.ndarray  # int64, sorted, distinct within a batch
    extra_h: np.ndarray | None = None   # maintenance: hands-on hours of the bundled items (float32)


def _rank(job: JobTypeConfig) -> float:
    """Order of the items of one visit: the heaviest channel, then skill, then hours leads it."""
    return 1000.0 * _CHANNEL_RANK[job.channel] + 100.0 * _SKILL_RANK[job.skill] + job.repair_h


class _Schedule:
    """Maintenance clocks of every vehicle and schedule item, and the owners' bundling."""

    def __init__(self, cfg, tier: np.ndarray, age_days: np.ndarray,
                 rng: np.random.Generator) -> None:
        items = list(cfg.schedule.values())
        self.names = list(cfg.schedule)
        n, k = tier.size, len(items)
        ikm = np.array([it.interval_km for it in items], dtype=np.float64)
        iday = np.array([it.interval_days for it in items], dtype=np.float64)
        self.ikm = np.where(ikm > 0, ikm, np.inf)      # 0 = no interval of that kind
        self.iday = np.where(iday > 0, iday, np.inf)
        self.comply = np.array([it.compliance_prob for it in items], dtype=np.float64)
        self.hours = np.array([it.job.repair_h for it in items], dtype=np.float64)
        self.rank = np.array([_rank(it.job) for it in items], dtype=np.float64)
        self.applies = np.zeros((n, k), dtype=bool)
        for j, it in enumerate(items):
            self.applies[:, j] = np.isin(tier, list(it.tiers))
        self.bundle_km, self.bundle_days = float(cfg.bundle_km), float(cfg.bundle_days)
        # Steady state of a mixed-age fleet: one phase per vehicle and item puts both clocks at
        # the same fraction of their intervals, so whichever binds first leaves a uniform residual;
        # a vehicle younger than the elapsed time is scaled back to its age.
        u = rng.random((n, k))
        days, km = u * iday, u * ikm
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(days > 0, np.minimum(1.0, age_days[:, None] / days), 1.0)
        self.days, self.km = days * scale, km * scale

    def step(self, km: np.ndarray,
             rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """Advance one day; the vehicles with a visit today and the items each visit does."""
        self.days += 1.0
        self.km += km[:, None]
        due = self.applies & ((self.km >= self.ikm) | (self.days >= self.iday))
        rows = np.flatnonzero(due.any(axis=1))
        d = due[rows]
        kept = d & (rng.random(d.shape) < self.comply)
        visit = kept.any(axis=1)
        self.reset(rows[~visit], d[~visit])       # every due item skipped: the clocks restart
        rows = rows[visit]
        done = self.applies[rows] & ((self.km[rows] + self.bundle_km >= self.ikm)
                                     | (self.days[rows] + self.bundle_days >= self.iday))
        self.reset(rows, done)
        return rows, done

    def reset(self, rows: np.ndarray, mask: np.ndarray) -> None:
        """Restart the clocks of ``mask`` (rows x items) of the vehicles ``rows``."""
        if rows.size:
            self.km[rows] = np.where(mask, 0.0, self.km[rows])
            self.days[rows] = np.where(mask, 0.0, self.days[rows])


class _Filter:
    """Cabin-filter efficiency loss per vehicle (seed 002:60: down > 20 % -> mobile replacement)."""

    def __init__(self, cfg, tier: np.ndarray, sched: _Schedule,
                 rng: np.random.Generator) -> None:
        self.cfg = cfg
        n, s = tier.size, float(cfg.vehicle_sigma)
        factor = rng.lognormal(-0.5 * s * s, s, n) * np.asarray(cfg.pollution_by_tier)[tier]
        self.per_day = factor * cfg.loss_per_day
        self.per_km = factor * cfg.loss_per_1000km / 1000.0
        self.col = sched.names.index(cfg.maintenance_item) if cfg.maintenance_item else None
        thr = float(cfg.threshold_loss)
        if self.col is None:
            self.loss = rng.random(n) * thr
        else:    # the filter is as old as its scheduled item's clocks say
            self.loss = self.per_day * sched.days[:, self.col] + self.per_km * sched.km[:, self.col]
        # Filters already past the threshold were offered and declined before the start.
        self.next_offer = np.where(self.loss > thr, rng.random(n) * cfg.reoffer_days, 0.0)

    def step(self, day: int, km: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Age the filters one day; the vehicles that accept a replacement today."""
        self.loss += self.per_day + self.per_km * km
        if not self.cfg.enabled:
            return np.empty(0, dtype=np.int64)
        rows = np.flatnonzero((self.loss > self.cfg.threshold_loss) & (self.next_offer <= day))
        accept = rng.random(rows.size) < self.cfg.accept_prob
        self.next_offer[rows[~accept]] = day + self.cfg.reoffer_days
        self.replaced(rows[accept])
        return rows[accept]

    def replaced(self, rows: np.ndarray) -> None:
        self.loss[rows] = 0.0
        self.next_offer[rows] = 0.0


class ServiceDemand:
    """Daily non-fault service contacts of a fleet (see the module docstring).

    Args:
        cfg: the ``demand`` config node as a typed :class:`DemandConfig`.
        vehicle_region: region index of each vehicle, shape ``(n,)``.
        region_tier: city tier of each region (0 = remote, 1..3).
        age_days: age of each vehicle at the start, shape ``(n,)``.
        rng: the stream of every draw (construction and each :meth:`day`).
    """

    def __init__(self, cfg: DemandConfig, vehicle_region: np.ndarray, region_tier: list[int],
                 age_days: np.ndarray, rng: np.random.Generator) -> None:
        self.cfg, self.rng = cfg, rng
        tier = np.asarray(region_tier, dtype=np.int64)[np.asarray(vehicle_region, dtype=np.int64)]
        self.n = tier.size
        age = np.asarray(age_days, dtype=np.float64)
        self._sched = _Schedule(cfg.maintenance, tier, age, rng)
        self._filter = _Filter(cfg.condition.air_filter, tier, self._sched, rng)
        self._checked: np.ndarray | None = None     # battery check offered (set on the first day)
        self._issues = [(name, -np.expm1(-it.rate_per_vehicle_year / _DAYS_PER_YEAR))
                        for name, it in cfg.owner_issues.items()]
        self.recall: Recall | None = None    # a field campaign (set by the engine, own stream)

    def job_types(self) -> dict[str, dict[str, JobTypeConfig]]:
        """component -> cause -> how it is served, for every item of the config."""
        cond = self.cfg.condition
        return {
            "maintenance": {name: it.job for name, it in self.cfg.maintenance.schedule.items()},
            "condition": {"air_filter": cond.air_filter.job,
                          "battery_check": cond.battery_check.job},
            "owner_issue": {name: it.job for name, it in self.cfg.owner_issues.items()},
            RECALL: {DEFECT: self.cfg.recall.defect_job, CAMPAIGN: self.cfg.recall.campaign_job},
        }

    def day(self, day: int, km: np.ndarray, soh: np.ndarray) -> list[DemandBatch]:
        """The contacts of ``day`` given each vehicle's km driven today and battery SOH fraction."""
        if not self.cfg.enabled:
            return []
        km = np.asarray(km, dtype=np.float64)
        recall = ([DemandBatch(RECALL, cause, severity, vehicles)
                   for cause, severity, vehicles in self.recall.day(day)]
                  if self.recall is not None else [])
        return [b for b in (*self._maintenance(km), *self._condition(day, km, soh),
                            *self._owner_issues(), *recall) if b.vehicles.size]

    @property
    def filter_loss(self) -> np.ndarray:
        """Each vehicle's cabin-filter efficiency loss (fraction; read-only view)."""
        view = self._filter.loss.view()
        view.flags.writeable = False
        return view

    def offer(self, day: int, cause: str, vehicles: np.ndarray,
              rng: np.random.Generator) -> DemandBatch:
        """Offer the condition job ``cause`` ahead of its trigger (a prognostic alert).

        ``battery_check``: the vehicles' one free check is used up by the offer (the
        SOH trigger will not offer it again; a vehicle whose check was offered before
        declines). ``air_filter``: an accepted offer is a new filter (and restarts the
        scheduled cabin-filter clocks); a declined one is offered again, by either path,
        only after ``reoffer_days`` (an owner who declined the trigger's offer less than
        ``reoffer_days`` ago is not asked: the offer counts as declined). Owners accept
        with the job's ``accept_prob``, drawn from ``rng`` (the caller's stream).

        Returns:
            The accepted vehicles as a ``condition`` batch (empty with the job disabled).
        """
        vehicles = np.asarray(vehicles, dtype=np.int64)
        cond = self.cfg.condition
        job = {"battery_check": cond.battery_check, "air_filter": cond.air_filter}.get(cause)
        if job is None:
            raise ValueError(f"no condition job {cause!r} to offer; allowed: battery_check, "
                             "air_filter")
        accept = rng.random(vehicles.size) < job.accept_prob
        if not (self.cfg.enabled and job.enabled):
            accept[:] = False
        asked = (self._filter.next_offer[vehicles] <= day if cause == "air_filter"
                 else np.ones(vehicles.size, dtype=bool))   # a filter declined by either path
        accept &= asked                                     # < reoffer_days ago: not asked
        if cause == "battery_check":
            if self._checked is None:
                self._checked = np.zeros(self.n, dtype=bool)
            accept &= ~self._checked[vehicles]      # one free check per vehicle
            self._checked[vehicles] = True
        rows = vehicles[accept]
        if cause == "air_filter":    # declined: asked again after reoffer_days, not at the trigger
            self._filter.next_offer[vehicles[asked & ~accept]] = day + job.reoffer_days
        if cause == "air_filter" and rows.size:
            self._filter.replaced(rows)
            col = self._filter.col
            if col is not None:
                mask = np.zeros((rows.size, len(self._sched.names)), dtype=bool)
                mask[:, col] = True
                self._sched.reset(rows, mask)
        return DemandBatch("condition", cause, SCHEDULED, rows)

    def done(self, component: str, cause: str, vehicles: np.ndarray) -> None:
        """Hook for a fixed job: a no-op, the state was reset when the contact was made."""

    def _maintenance(self, km: np.ndarray) -> list[DemandBatch]:
        sched = self._sched
        if not sched.names:
            return []
        rows, done = sched.step(km, self.rng)
        if self._filter.col is not None:    # a scheduled cabin filter is a new filter
            self._filter.replaced(rows[done[:, self._filter.col]])
        lead = np.argmax(np.where(done, sched.rank, -np.inf), axis=1)
        extra = (done * sched.hours).sum(axis=1) - sched.hours[lead]
        return [DemandBatch("maintenance", name, SCHEDULED, rows[lead == j].astype(np.int64),
                            extra[lead == j].astype(np.float32))
                for j, name in enumerate(sched.names)]

    def _condition(self, day: int, km: np.ndarray, soh: np.ndarray) -> list[DemandBatch]:
        filt, col = self._filter, self._filter.col
        filt_rows = filt.step(day, km, self.rng)
        if col is not None and filt_rows.size:    # the condition replacement restarts the schedule
            mask = np.zeros((filt_rows.size, len(self._sched.names)), dtype=bool)
            mask[:, col] = True
            self._sched.reset(filt_rows, mask)
        return [DemandBatch("condition", "air_filter", SCHEDULED, filt_rows.astype(np.int64)),
                DemandBatch("condition", "battery_check", SCHEDULED, self._battery(soh))]

    def _battery(self, soh: np.ndarray) -> np.ndarray:
        cfg = self.cfg.condition.battery_check
        low = np.asarray(soh) < cfg.soh_below
        if self._checked is None:     # below before the start: offered then, not again
            self._checked = low.copy()
            return np.empty(0, dtype=np.int64)
        rows = np.flatnonzero(low & ~self._checked)
        self._checked[rows] = True
        if not cfg.enabled:
            return np.empty(0, dtype=np.int64)
        return rows[self.rng.random(rows.size) < cfg.accept_prob].astype(np.int64)

    def _owner_issues(self) -> list[DemandBatch]:
        out = []
        for name, p in self._issues:
            k = self.rng.binomial(self.n, p)
            vehicles = np.sort(self.rng.choice(self.n, size=k, replace=False)).astype(np.int64)
            out.append(DemandBatch("owner_issue", name, REPORTED, vehicles))
        return out

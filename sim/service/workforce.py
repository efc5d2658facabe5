"""The technicians in the vans' seats over time: hiring, academy, ramp-up, skill, attrition.

Routed van days only (``service.workforce``; on-demand dispatch policies keep a
fixed crew). A :class:`~sim.service.dispatch.Tech` is a van's seat; the person in
it has an experience ``xp`` (visits-equivalent), a start day, whether they passed
the academy, and a specialty. Once per evening and region, before the next day is
planned (called from :class:`sim.service.vanday.RegionVans`):

- every technician in a seat may quit, with a daily hazard (per year
  ``attrition.base_per_year``) multiplied by ``novice_factor`` in their first
  ``novice_days``, ``isolation_factor`` without the expert platform
  (``first_time_fix.remote_expert_support``), ``untrained_factor`` without the
  academy, ``exp(fail_weight x (recent failed share - fail_reference))`` and
  ``exp(overload_weight_per_h x hours above overload_h)``, recent = an exponential
  moving average over ``memory_days``. Seed 001: 45 % of new technicians gone
  within 3 months in 2015, 12 % with the academy and the platform;
- every ``hiring.review_days`` the region hires up to the headcount the demand
  needs, plus the departures forecast over ``hiring.forecast_days``, minus recruits
  on their way. The headcount is one per van, or with ``hiring.demand_driven`` the
  van requests a day (owners who want a van at no extra wait, whether they then
  wait or not; an EWMA over ``demand_memory_days``) x ``(1 + demand_headroom)`` /
  ``jobs_per_technician_day``, at least one and at most one per van: a line with
  more vans than demand does not refill its leavers' seats;
  a recruit starts ``hiring.lead_days`` later, after the academy when it runs
  (``academy.weeks``, at most ``academy.capacity`` trainees at once fleet-wide,
  ``pass_rate``; graduates start with ``graduate_xp``, failures leave);
- recruits who are ready take the vacant seats.

Experience grows by ``xp_per_visit`` per visit and by coaching
(:meth:`Workforce.coach`); the skill level is junior below ``senior_xp``, expert
from ``expert_xp``. A novice works ``novice_slowdown`` times slower and fails on
skill ``novice_fail_factor`` times as often, both fading as ``exp(-xp / ramp_xp)``.

Events (``job = -1``, ``technician`` = the seat): ``tech_hired`` (outcome ``academy``
or ``direct``); ``academy_passed`` / ``academy_failed``; ``tech_started`` (due = start
day, value = xp, outcome ``initial`` / ``graduate`` / ``untrained``); ``tech_left``
(due = start day, value = tenure days).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.clock import DAYS_PER_YEAR

LEVELS = ("junior", "senior", "expert")


@dataclass(eq=False)
class Recruit:
    """A hire on the way to a seat."""

    region: int
    ready_d: float            # recruited: joins the academy (or starts) at this day
    academy: bool
    stage: str = "recruiting"  # recruiting | waiting (academy full) | training | ready
    out_d: float = math.nan    # end of training


class Workforce:
    """The people of every region's vans (one per network)."""

    def __init__(self, net: Any, cfg: Any, rng: np.random.Generator) -> None:
        self.net, self.cfg, self.rng = net, cfg, rng
        self.support = bool(net.cfg.first_time_fix.remote_expert_support)
        self.recruits: list[Recruit] = []
        self.by_id: dict[int, Any] = {}
        self.today = {"hired": 0, "left": 0}
        self.staffed_van_days = 0   # van-days with a technician in the seat (KPI denominators)
        self.needed: dict[int, int] = {}   # region -> headcount the demand needs (last evening)
        for region, d in enumerate(net.dispatchers):
            for tech in d.techs:
                self._seat_initial(tech, region)

    # ------------------------------------------------------------ people
    def level(self, xp: float) -> int:
        return 2 if xp >= self.cfg.expert_xp else 1 if xp >= self.cfg.senior_xp else 0

    def _seat_initial(self, tech: Any, region: int) -> None:
        c, a = self.cfg, self.cfg.academy
        self.by_id[tech.id] = tech
        if c.initial_tenure_days_mean > 0:   # an established line: its people as the mix says
            tenure = float(self.rng.exponential(c.initial_tenure_days_mean))
            xp = (c.ramp_xp * 3.0, c.senior_xp, c.expert_xp)[tech.skill]
            self._start(tech, region, -tenure, xp, a.enabled, "initial")
        else:                                # a new line: everybody just hired
            self._start(tech, region, 0.0, a.graduate_xp if a.enabled else 0.0, a.enabled,
                        "initial")

    def _start(self, tech: Any, region: int, start_d: float, xp: float, trained: bool,
               how: str) -> None:
        tech.staffed, tech.start_d, tech.xp, tech.trained = True, start_d, xp, trained
        tech.skill = self.level(xp)
        tech.fail_ewma = self.cfg.attrition.fail_reference
        tech.load_ewma = 0.0
        tech.cum_hazard, tech.cohort_logged = 0.0, False
        tech.specialty = bool(self.rng.random() < self.cfg.specialist_share)
        self._log("tech_started", region, tech.id, how, start_d, xp)

    def _log(self, event: str, region: int, tech: int, outcome: str = "",
             due: float = math.nan, value: float = math.nan) -> None:
        net = self.net
        net.record((net.env.now, event, -1, "", "", "", -1, net.region_names[region], tech,
                    "mobile", outcome, due, value))

    def novice(self, tech: Any) -> float:
        """Weight of the novice penalties: 1 on the first job, fading with experience."""
        return math.exp(-tech.xp / self.cfg.ramp_xp)

    def novice_fail_factor(self, tech: Any) -> float:
        return 1.0 + (self.cfg.novice_fail_factor - 1.0) * self.novice(tech)

    def slowdown(self, tech: Any) -> float:
        return 1.0 + (self.cfg.novice_slowdown - 1.0) * self.novice(tech)

    def specialist(self, tech: Any, job: Any) -> float:
        return (self.cfg.specialist_fail_factor
                if tech.specialty and job.component in self.cfg.specialist_components else 1.0)

    def after_visit(self, tech: Any, hours: float, failed: bool) -> None:
        """One visit done: experience, and today's hours and failures for the hazard."""
        tech.xp += self.cfg.xp_per_visit
        tech.skill = self.level(tech.xp)
        tech.day_h += hours
        tech.day_visits += 1
        tech.day_fails += int(failed)

    def coach(self, tech_id: int, xp: float) -> None:
        """A review's coaching: experience for the technician in the seat."""
        tech = self.by_id.get(tech_id)
        if tech is not None and tech.staffed:
            tech.xp += xp
            tech.skill = self.level(tech.xp)

    # ------------------------------------------------------------ the evening
    def hazard_per_day(self, tech: Any, now: float) -> float:
        a = self.cfg.attrition
        h = a.base_per_year
        if now - tech.start_d < a.novice_days:
            h *= a.novice_factor
        if not self.support:
            h *= a.isolation_factor
        if not tech.trained:
            h *= a.untrained_factor
        h *= math.exp(a.fail_weight * (tech.fail_ewma - a.fail_reference)
                      + a.overload_weight_per_h * max(tech.load_ewma - a.overload_h, 0.0))
        return -math.expm1(-h / DAYS_PER_YEAR)

    def evening(self, vans: Any, day: int) -> None:
        """Quits, hiring and arrivals of one region (before tomorrow is planned)."""
        now, region, a = self.net.env.now, vans.region, self.cfg.attrition
        alpha = 1.0 / a.memory_days
        vans.wanted_per_day += ((vans.wanted_today - vans.wanted_per_day)
                                / self.cfg.hiring.demand_memory_days)
        worked = self.net.shift.works_on(day)
        if worked:
            self.staffed_van_days += sum(v.tech.staffed for v in vans.vans)
        for van in vans.vans:
            tech = van.tech
            if not tech.staffed:
                continue
            if worked:
                share = tech.day_fails / tech.day_visits if tech.day_visits else tech.fail_ewma
                tech.fail_ewma += alpha * (share - tech.fail_ewma)
                tech.load_ewma += alpha * (tech.day_h - tech.load_ewma)
            tech.day_h, tech.day_visits, tech.day_fails = 0.0, 0, 0
            p = self.hazard_per_day(tech, now)
            self._expect(tech, region, now, p)
            if self.rng.random() < p:
                tech.staffed = False
                self.today["left"] += 1
                self._log("tech_left", region, tech.id, "", tech.start_d, now - tech.start_d)
                self._expect(tech, region, now, p, leaving=True)
                vans.release(van)
        self.needed[region] = self.headcount_needed(vans)
        if day % self.cfg.hiring.review_days == 0:
            self._hire(vans, now)
        self._academy(now)
        self._arrivals(vans, now)

    def _expect(self, tech: Any, region: int, now: float, p: float,
                leaving: bool = False) -> None:
        """The expected 3-month attrition of a new technician: the hazard integrated along
        their first ``novice_days`` (``tech_cohort``, value = 1 - exp(-integral)); one who
        leaves earlier is carried on at the last day's hazard. A lower-variance estimate of
        the same share as the realized count."""
        window = self.cfg.attrition.novice_days
        tenure = now - tech.start_d
        if tech.start_d < 0.0 or tech.cohort_logged:
            return
        tech.cum_hazard += -math.log1p(-min(p, 1.0 - 1e-12))
        if leaving:
            tech.cum_hazard += max(window - tenure - 1.0, 0.0) * -math.log1p(-min(p, 1 - 1e-12))
        if leaving or tenure + 1.0 >= window:
            tech.cohort_logged = True
            self._log("tech_cohort", region, tech.id, "", tech.start_d,
                      -math.expm1(-tech.cum_hazard))

    def headcount_needed(self, vans: Any) -> int:
        """The technicians the region's demand needs (see module), at most one per van."""
        h = self.cfg.hiring
        if not h.demand_driven:
            return len(vans.vans)
        per_tech_day = h.jobs_per_technician_day * self.net.shift.work_days_per_week / 7.0
        need = math.ceil(vans.wanted_per_day * (1.0 + h.demand_headroom) / per_tech_day)
        return min(max(need, 1), len(vans.vans))

    def _hire(self, vans: Any, now: float) -> None:
        c = self.cfg
        staffed = [v.tech for v in vans.vans if v.tech.staffed]
        expected = sum(self.hazard_per_day(t, now) for t in staffed) * c.hiring.forecast_days
        pipeline = sum(r.region == vans.region for r in self.recruits)
        need = self.headcount_needed(vans) - len(staffed) + int(round(expected)) - pipeline
        for _ in range(max(need, 0)):
            self.recruits.append(Recruit(vans.region, now + c.hiring.lead_days,
                                         c.academy.enabled))
            self._log("tech_hired", vans.region, -1, "academy" if c.academy.enabled
                      else "direct", now + c.hiring.lead_days)

    def _academy(self, now: float) -> None:
        a = self.cfg.academy
        training = sum(r.stage == "training" for r in self.recruits)
        for r in self.recruits:
            if r.academy and r.stage != "training" and r.ready_d <= now:
                if training >= a.capacity:
                    r.stage = "waiting"
                    continue
                r.stage, r.out_d = "training", now + 7.0 * a.weeks
                training += 1

    def _arrivals(self, vans: Any, now: float) -> None:
        c = self.cfg
        tomorrow = math.floor(now) + 1.0
        for r in [r for r in self.recruits if r.region == vans.region]:
            if r.stage == "training" and r.out_d <= tomorrow:
                passed = self.rng.random() < c.academy.pass_rate
                self._log("academy_passed" if passed else "academy_failed", vans.region, -1)
                if not passed:
                    self.recruits.remove(r)
                    continue
                r.stage = "ready"
            elif not r.academy and r.ready_d <= tomorrow:
                r.stage = "ready"
            if r.stage != "ready":
                continue
            seat = next((v.tech for v in vans.vans if not v.tech.staffed), None)
            if seat is None:
                continue                     # no vacancy yet: waits for one
            self.recruits.remove(r)
            self.today["hired"] += 1
            self._start(seat, vans.region, tomorrow, c.academy.graduate_xp if r.academy
                        else 0.0, r.academy, "graduate" if r.academy else "untrained")

    # ------------------------------------------------------------ the daily table
    def row(self, now: float) -> dict[str, float]:
        """Headcount, skill mix and tenure for ``daily.parquet``; resets today's counts."""
        techs = list(self.by_id.values())
        active = [t for t in techs if t.staffed]
        levels = np.bincount([t.skill for t in active], minlength=3)
        novice_days = self.cfg.attrition.novice_days
        row = {"technicians_active": len(active),
               "vans_unstaffed": len(techs) - len(active),
               "technicians_needed": sum(self.needed.values()) if self.needed else len(techs),
               "technicians_in_academy": sum(r.stage == "training" for r in self.recruits),
               "technicians_ramping": sum(now - t.start_d < novice_days for t in active),
               "technicians_hired": self.today["hired"],
               "technicians_left": self.today["left"],
               "technician_tenure_days_mean": (float(np.mean([now - t.start_d for t in active]))
                                               if active else math.nan)}
        row |= {f"technicians_{name}": int(n) for name, n in zip(LEVELS, levels, strict=True)}
        self.today = {"hired": 0, "left": 0}
        return row

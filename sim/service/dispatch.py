"""Mobile technicians and the per-region dispatcher with its policies.

A job asks its region's :class:`Dispatcher` for a technician and receives a
simpy event that succeeds with the assigned :class:`Tech`. The dispatcher
re-assigns whenever a job arrives, a technician is released or a shift opens
(per discrete event, never per vehicle), using one of the policies:

- ``fifo``: oldest job first, to the technician idle longest;
- ``priority``: rescue > red alert > booked, then oldest first;
- ``nearest_skill``: per priority class, a batched assignment of waiting jobs
  to free technicians minimising travel time plus a penalty for sending an
  over-qualified technician (``scipy.optimize.linear_sum_assignment``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import simpy
from scipy.optimize import linear_sum_assignment

from sim.service.calendar import Shift, Travel

INFEASIBLE = 1e9


@dataclass(eq=False)
class Tech:
    """A mobile technician: global id, region, skill level (0 junior .. 2 expert), position."""

    id: int
    region: int
    skill: int
    pos: tuple[float, float] = (0.0, 0.0)
    # The person in the seat (routed van days with ``service.workforce``; see
    # :mod:`sim.service.workforce`). Defaults: a fixed, fully ramped-up crew.
    staffed: bool = True
    xp: float = math.inf
    trained: bool = True
    specialty: bool = False
    start_d: float = -math.inf
    fail_ewma: float = 0.0
    load_ewma: float = 0.0
    day_h: float = 0.0
    day_visits: int = 0
    day_fails: int = 0
    cum_hazard: float = 0.0        # quitting hazard integrated over the first months
    cohort_logged: bool = True


@dataclass(eq=False)
class Request:
    """A job waiting for a technician."""

    seq: int
    priority: int
    min_skill: int
    pos: tuple[float, float]
    anytime: bool                      # may be served outside the shift (rescue on call)
    event: simpy.Event = field(repr=False, default=None)  # type: ignore[assignment]


Pairs = list[tuple[Request, Tech]]


class Dispatcher:
    """Waiting requests and idle technicians of one region."""

    def __init__(self, env: simpy.Environment, techs: list[Tech], policy: str, shift: Shift,
                 travel: Travel, overqualified_penalty_h: float) -> None:
        self.env, self.shift, self.travel = env, shift, travel
        self.techs = techs
        self.idle: list[Tech] = list(techs)
        self.waiting: list[Request] = []
        self.penalty_h = overqualified_penalty_h
        self.policy: Callable[[Dispatcher, bool], Pairs] = POLICIES[policy]
        self.max_skill = max((t.skill for t in techs), default=0)
        if techs:
            env.process(self._shift_opener())

    def request(self, req: Request) -> Tech | simpy.Event:
        """Queue ``req``: the :class:`Tech` the policy assigns to it now, else an event.

        The event succeeds with the assigned technician later. Serving a request
        at once without an event saves the job process a simpy step (the common
        case when technicians are idle). A job needing more skill than any
        technician here has gets the most skilled one (escalation stays within
        the region).
        """
        req.min_skill = min(req.min_skill, self.max_skill)
        self.waiting.append(req)
        tech = self.assign(serving=req)
        if tech is not None:
            return tech
        req.event = self.env.event()
        return req.event

    def release(self, tech: Tech) -> None:
        """A technician is free again."""
        self.idle.append(tech)
        self.assign()

    def busy(self) -> int:
        """Technicians working now."""
        return len(self.techs) - len(self.idle)

    def eligible(self, req: Request, tech: Tech, shift_open: bool) -> bool:
        """Whether ``tech`` may serve ``req`` now (skill, and shift unless on call)."""
        return tech.skill >= req.min_skill and (shift_open or req.anytime)

    def assign(self, serving: Request | None = None) -> Tech | None:
        """Pair waiting requests with idle technicians by the policy.

        Returns the technician paired with ``serving`` (whose event is not yet
        made), if any; every other paired request's event succeeds.
        """
        if not self.waiting or not self.idle:
            return None
        mine = None
        for req, tech in self.policy(self, self.shift.is_open(self.env.now)):
            self.waiting.remove(req)
            self.idle.remove(tech)
            if req is serving:
                mine = tech
            else:
                req.event.succeed(tech)
        return mine

    def _shift_opener(self):
        while True:
            yield self.env.timeout(self.shift.next_start_after(self.env.now) - self.env.now)
            self.assign()


def _greedy(d: Dispatcher, shift_open: bool, order: list[Request]) -> Pairs:
    pairs: Pairs = []
    free = list(d.idle)
    for req in order:
        tech = next((t for t in free if d.eligible(req, t, shift_open)), None)
        if tech is not None:
            pairs.append((req, tech))
            free.remove(tech)
            if not free:
                break
    return pairs


def fifo(d: Dispatcher, shift_open: bool) -> Pairs:
    """Oldest request first, to the eligible technician idle longest."""
    return _greedy(d, shift_open, sorted(d.waiting, key=lambda r: r.seq))


def priority(d: Dispatcher, shift_open: bool) -> Pairs:
    """Highest priority (lowest number) first, then oldest."""
    return _greedy(d, shift_open, sorted(d.waiting, key=lambda r: (r.priority, r.seq)))


def nearest_skill(d: Dispatcher, shift_open: bool) -> Pairs:
    """Per priority class, the assignment minimising travel + over-qualification penalty."""
    pairs: Pairs = []
    free = list(d.idle)
    for level in sorted({r.priority for r in d.waiting}):
        if not free:
            break
        reqs = sorted((r for r in d.waiting if r.priority == level), key=lambda r: r.seq)
        cost = np.full((len(reqs), len(free)), INFEASIBLE)
        for i, req in enumerate(reqs):
            for j, tech in enumerate(free):
                if d.eligible(req, tech, shift_open):
                    cost[i, j] = (d.travel.hours_between(tech.pos, req.pos, d.env.now)
                                  + d.penalty_h * (tech.skill - req.min_skill))
        rows, cols = linear_sum_assignment(cost)
        chosen = [(reqs[i], free[j]) for i, j in zip(rows, cols, strict=True)
                  if cost[i, j] < INFEASIBLE]
        pairs += chosen
        taken = {id(t) for _, t in chosen}
        free = [t for t in free if id(t) not in taken]
    return pairs


POLICIES: dict[str, Callable[[Dispatcher, bool], Pairs]] = {
    "fifo": fifo, "priority": priority, "nearest_skill": nearest_skill}

"""Fixed facilities: service centers and body shops (lift bays), and tow trucks."""

from __future__ import annotations

import bisect
import math
from operator import attrgetter

import simpy

from sim.clock import hours
from sim.service.calendar import Shift

_REQUEST_KEY = attrgetter("key")


class _InsortQueue(list):
    """simpy's ``SortedQueue`` order (requests by (priority, time, preempt), ties in arrival
    order) kept by one binary insertion instead of re-sorting the whole queue with a Python
    key per request (a busy center's queue holds tens of waiting cars: ~1.2 M key calls in
    100 000 vehicles x 90 days). ``insort_right`` after equal keys is what the stable sort of
    the appended list gives, so the queue order, and every result, are the same."""

    def __init__(self, maxlen: int | None = None) -> None:
        super().__init__()
        self.maxlen = maxlen

    def append(self, item) -> None:
        if self.maxlen is not None and len(self) >= self.maxlen:
            raise RuntimeError("Cannot append event. Queue is full.")
        bisect.insort_right(self, item, key=_REQUEST_KEY)


class PriorityResource(simpy.PriorityResource):
    """simpy's ``PriorityResource`` with the :class:`_InsortQueue` request queue."""

    PutQueue = _InsortQueue


class Facility:
    """A region's service center or body shop: staffed bays and booked appointments.

    Args:
        env: the simpy environment.
        bay_ids: global technician ids of the staffed bays (empty: no facility here).
        shift: opening hours (appointments start at opening time).
        appointment_lead_days: earliest appointment after booking.
        first_time_fix_prob: chance a visit fixes the car.
    """

    def __init__(self, env: simpy.Environment, bay_ids: list[int], shift: Shift,
                 appointment_lead_days: float, first_time_fix_prob: float,
                 walk_in_share: float = 0.0, booking_fill_frac: float = 1.0) -> None:
        self.env, self.shift = env, shift
        self.walk_in_share = walk_in_share
        self.full_h = max(len(bay_ids), 1) * shift.hours_per_day
        self.capacity_h = self.full_h * booking_fill_frac
        self.booked_h: dict[int, float] = {}
        self.bays = PriorityResource(env, capacity=max(len(bay_ids), 1))
        self.free = list(reversed(bay_ids))
        self.size = len(bay_ids)
        self.lead_days = appointment_lead_days
        self.ftf = first_time_fix_prob

    def book(self, t: float, planned_h: float, urgent: bool = False) -> float:
        """Appointment time of a job booked at ``t``: the first working day at least
        ``lead_days`` ahead whose bookings leave ``planned_h`` bay-hours free; within the
        day, appointments are spread as the bays' booked hours fill. Routine bookings
        fill ``booking_fill_frac`` of the bay-hours; an ``urgent`` one (a predicted
        failure) may take the reserve kept for walk-ins and rescues.
        """
        cap = self.full_h if urgent else self.capacity_h
        day = math.floor(t + self.lead_days)
        while True:
            used = self.booked_h.get(day, 0.0)
            start = day + hours(self.shift.start_h)
            if (self.shift.works_on(day) and start >= t
                    and (used + planned_h <= cap or used == 0.0)):
                self.booked_h[day] = used + planned_h
                bays = max(self.bays.capacity, 1)
                return start + hours(min(used / bays, self.shift.hours_per_day - 1e-6))
            day += 1

    def busy(self) -> int:
        """Bays in use now."""
        return self.bays.count


class TowFleet:
    """A region's tow trucks (ids are global technician ids)."""

    def __init__(self, env: simpy.Environment, truck_ids: list[int]) -> None:
        self.trucks = PriorityResource(env, capacity=max(len(truck_ids), 1))
        self.free = list(reversed(truck_ids))
        self.size = len(truck_ids)

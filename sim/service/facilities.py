"""Fixed facilities: service centers and body shops (lift bays), and tow trucks."""

from __future__ import annotations

import math

import simpy

from sim.clock import hours
from sim.service.calendar import Shift


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
                 appointment_lead_days: float, first_time_fix_prob: float) -> None:
        self.env, self.shift = env, shift
        self.bays = simpy.PriorityResource(env, capacity=max(len(bay_ids), 1))
        self.free = list(reversed(bay_ids))
        self.size = len(bay_ids)
        self.lead_days = appointment_lead_days
        self.ftf = first_time_fix_prob

    def next_appointment(self, t: float) -> float:
        """Opening time of the first working day at least ``lead_days`` after ``t``."""
        day = math.floor(t + self.lead_days)
        start = max(day + hours(self.shift.start_h), t)
        return self.shift.next_open(start)

    def busy(self) -> int:
        """Bays in use now."""
        return self.bays.count


class TowFleet:
    """A region's tow trucks (ids are global technician ids)."""

    def __init__(self, env: simpy.Environment, truck_ids: list[int]) -> None:
        self.trucks = simpy.PriorityResource(env, capacity=max(len(truck_ids), 1))
        self.free = list(reversed(truck_ids))
        self.size = len(truck_ids)

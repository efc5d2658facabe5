"""Working hours: shifts with days off, appointment windows, travel with rush hours.

Time is in days (see :mod:`sim.clock`); day 0 of a run is a weekday 0.
"""

from __future__ import annotations

import math

from sim.clock import HOURS_PER_DAY, hours

_TOL_H = 1e-6  # absorbs float rounding of absolute times late in long runs
DAYS_PER_WEEK = 7


class Shift:
    """Daily working hours ``[start_h, end_h)`` on all but ``days_off_per_week`` days."""

    def __init__(self, start_h: float, end_h: float, days_off_per_week: int = 0) -> None:
        self.start_h, self.end_h, self.days_off = start_h, end_h, days_off_per_week
        self.hours_per_day = end_h - start_h
        self.work_days_per_week = DAYS_PER_WEEK - days_off_per_week

    def works_on(self, day: int) -> bool:
        """Whether ``day`` is a working day (the last ``days_off`` days of each week are off)."""
        return day % DAYS_PER_WEEK < self.work_days_per_week

    def is_open(self, t: float) -> bool:
        """Whether the shift is on at time ``t``."""
        day = math.floor(t)
        hour = (t - day) * HOURS_PER_DAY
        return self.works_on(day) and self.start_h - _TOL_H <= hour < self.end_h

    def next_open(self, t: float) -> float:
        """The earliest time >= ``t`` at which the shift is on."""
        if self.is_open(t):
            return t
        return self.next_start_after(t)

    def next_start_after(self, t: float) -> float:
        """The start of the next shift strictly after ``t``."""
        day = math.floor(t)
        for d in range(day, day + 2 * DAYS_PER_WEEK + 1):
            start = d + hours(self.start_h)
            if self.works_on(d) and start > t + hours(_TOL_H):
                return start
        raise RuntimeError("a shift with no working day")  # unreachable: validated config

    def working_days(self, horizon_days: int) -> int:
        """Working days in ``[0, horizon_days)``."""
        return sum(self.works_on(d) for d in range(horizon_days))


class WindowBook:
    """Appointment windows of one region with a booking capacity per window.

    Windows of ``window_h`` hours tile each working day's shift; a window is
    numbered ``day * per_day + j``. Full windows are skipped with a
    union-find "next candidate" pointer, so a booking costs near O(1) even
    when the calendar is booked out for weeks.
    """

    def __init__(self, shift: Shift, window_h: float, lead_h: float, capacity: int) -> None:
        self.shift, self.window_h, self.lead_h = shift, window_h, lead_h
        self.per_day = max(int((shift.hours_per_day + _TOL_H) // window_h), 1)
        self.capacity = max(capacity, 1)
        self.booked: dict[int, int] = {}
        self._next: dict[int, int] = {}

    def _first_slot(self, t: float) -> int:
        day = math.floor(t)
        j = math.ceil(((t - day) * HOURS_PER_DAY - self.shift.start_h - _TOL_H) / self.window_h)
        if j >= self.per_day:
            return (day + 1) * self.per_day
        return day * self.per_day + max(j, 0)

    def _usable(self, slot: int) -> bool:
        return (self.shift.works_on(slot // self.per_day)
                and self.booked.get(slot, 0) < self.capacity)

    def _find(self, slot: int) -> int:
        path = []
        while not self._usable(slot):
            path.append(slot)
            slot = self._next.get(slot, slot + 1)
        for s in path:
            self._next[s] = slot
        return slot

    def book(self, t: float) -> tuple[float, float]:
        """Book the first window starting at or after ``t`` + lead that is not full."""
        slot = self._find(self._first_slot(t + hours(self.lead_h)))
        self.booked[slot] = self.booked.get(slot, 0) + 1
        day, j = divmod(slot, self.per_day)
        start = day + hours(self.shift.start_h + j * self.window_h)
        return start, start + hours(self.window_h)


class Travel:
    """Travel time between two points (km) at a speed slowed in rush hours."""

    def __init__(self, enabled: bool, speed_kmh: float, rush_factor: float,
                 rush_hours: list[int]) -> None:
        self.enabled, self.speed_kmh, self.rush_factor = enabled, speed_kmh, rush_factor
        self.rush = set(int(h) for h in rush_hours)

    def hours_between(self, a: tuple[float, float], b: tuple[float, float], t: float) -> float:
        """Hours to drive from ``a`` to ``b`` leaving at time ``t`` (0 if travel is off)."""
        if not self.enabled:
            return 0.0
        dist = math.hypot(a[0] - b[0], a[1] - b[1])
        hour = int((t - math.floor(t)) * HOURS_PER_DAY + _TOL_H) % 24
        factor = self.rush_factor if hour in self.rush else 1.0
        return dist / self.speed_kmh * factor

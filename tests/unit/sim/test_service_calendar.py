"""sim.service.calendar: shifts with days off, appointment windows, travel with rush hours.

Times are days from the start of the run (day 0 is weekday 0); ``at(d, h)`` is
hour ``h`` of day ``d``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.clock import hours
from sim.service.calendar import Shift, Travel, WindowBook

_TOL_H = 1e-6
DAYS_PER_WEEK = 7


def next_window(self: Shift, t: float, lead_h: float, window_h: float) -> tuple[float, float]:
    """Reference oracle: the first window starting at or after ``t + lead_h``, ignoring capacity.

    Windows of ``window_h`` hours tile the shift from its start.
    """
    earliest = t + hours(lead_h)
    day = math.floor(earliest)
    for d in range(day, day + 2 * DAYS_PER_WEEK + 1):
        if not self.works_on(d):
            continue
        k = 0
        while self.start_h + (k + 1) * window_h <= self.end_h + _TOL_H:
            start = d + hours(self.start_h + k * window_h)
            if start >= earliest - hours(_TOL_H):
                return start, start + hours(window_h)
            k += 1
    raise RuntimeError("no appointment window fits the shift")


MINUTE = hours(1 / 60)


def at(day: int, hour: float) -> float:
    return day + hours(hour)


@pytest.fixture
def shift() -> Shift:
    """08:00-18:00, six days a week (days 6, 13, 20, ... are off)."""
    return Shift(8.0, 18.0, days_off_per_week=1)


# ------------------------------------------------------------------ Shift
def test_working_days_skip_the_days_off(shift):
    assert [shift.works_on(d) for d in range(15)] == [True] * 6 + [False] + [True] * 6 + [
        False, True]
    assert shift.working_days(7) == 6
    assert shift.working_days(10) == 9
    assert shift.working_days(14) == 12
    assert shift.working_days(0) == 0
    assert Shift(8, 18, 0).working_days(10) == 10
    assert Shift(8, 18, 2).working_days(7) == 5
    assert [Shift(8, 18, 2).works_on(d) for d in range(7)] == [True] * 5 + [False] * 2
    assert shift.hours_per_day == 10.0


@pytest.mark.parametrize(("t", "expected"), [
    (at(0, 0.0), False),
    (at(0, 8.0) - MINUTE, False),
    (at(0, 8.0), True),              # the shift starts on the hour
    (at(0, 8.0) + MINUTE, True),
    (at(0, 12.0), True),
    (at(0, 18.0) - MINUTE, True),
    (at(0, 18.0) + MINUTE, False),
    (at(0, 23.9), False),
    (at(5, 17.0), True),             # last working day of the week
    (at(6, 10.0), False),            # day off
    (at(7, 8.0), True),              # the next week
    (at(13, 12.0), False),
    (at(400, 9.0), True),            # late in a long run (400 % 7 == 1)
    (at(398, 9.0), False),           # 398 % 7 == 6
])
def test_is_open(shift, t, expected):
    assert shift.is_open(t) is expected


@pytest.mark.parametrize(("t", "expected"), [
    (at(0, 10.0), at(0, 10.0)),          # open: now
    (at(0, 3.0), at(0, 8.0)),            # before the shift: its start
    (at(0, 8.0) - MINUTE, at(0, 8.0)),
    (at(0, 18.0) + MINUTE, at(1, 8.0)),  # after the shift: tomorrow
    (at(0, 23.0), at(1, 8.0)),
    (at(5, 19.0), at(7, 8.0)),           # Saturday evening: day 6 is off
    (at(6, 9.0), at(7, 8.0)),            # on the day off
])
def test_next_open(shift, t, expected):
    assert shift.next_open(t) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("t", "expected"), [
    (at(0, 0.0), at(0, 8.0)),
    (at(0, 8.0), at(1, 8.0)),            # strictly after: not the start it is at
    (at(0, 8.0) - MINUTE, at(0, 8.0)),
    (at(0, 8.0) + MINUTE, at(1, 8.0)),
    (at(4, 20.0), at(5, 8.0)),
    (at(5, 9.0), at(7, 8.0)),
    (at(6, 7.0), at(7, 8.0)),
    (at(700, 8.0), at(701, 8.0)),        # float rounding of late absolute times
])
def test_next_start_after(shift, t, expected):
    assert shift.next_start_after(t) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(("t", "lead_h", "window_h", "expected_start"), [
    (at(0, 8.0), 4.0, 2.0, at(0, 12.0)),     # on a window boundary
    (at(0, 8.5), 4.0, 2.0, at(0, 14.0)),     # 12:30 -> the next tile
    (at(0, 10.0), 0.0, 2.0, at(0, 10.0)),
    (at(0, 2.0), 0.0, 2.0, at(0, 8.0)),      # before the shift: its first window
    (at(0, 16.0), 4.0, 2.0, at(1, 8.0)),     # the lead spills into the next day
    (at(0, 20.0), 10.0, 2.0, at(1, 8.0)),    # ... past midnight
    (at(0, 10.0), 30.0, 2.0, at(1, 16.0)),   # a lead longer than a day
    (at(0, 16.0), 1.0, 2.0, at(1, 8.0)),     # 17:00 would end at 19:00, after the shift
    (at(5, 15.0), 4.0, 2.0, at(7, 8.0)),     # lead lands on the day off
    (at(0, 13.0), 0.0, 3.0, at(0, 14.0)),    # 3 h tiles: 8, 11, 14
    (at(0, 14.5), 0.0, 3.0, at(1, 8.0)),     # 17:00-20:00 would cross the shift end
])
def test_next_window(shift, t, lead_h, window_h, expected_start):
    start, end = next_window(shift, t, lead_h, window_h)
    assert start == pytest.approx(expected_start, abs=1e-12)
    assert end - start == pytest.approx(hours(window_h), abs=1e-12)


def test_a_round_the_clock_shift_is_always_open():
    s = Shift(0.0, 24.0, 0)
    for t in (0.0, at(3, 0.0), at(3, 23.99), at(1000, 12.3)):
        assert s.is_open(t) and s.next_open(t) == t
    assert s.next_start_after(at(2, 0.5)) == pytest.approx(3.0)
    assert next_window(s, at(2, 23.5), 0.0, 2.0)[0] == pytest.approx(3.0)


# ------------------------------------------------------------- WindowBook
def test_window_book_fills_each_window_up_to_its_capacity(shift):
    book = WindowBook(shift, window_h=2.0, lead_h=4.0, capacity=2)
    starts = [book.book(at(0, 8.0))[0] for _ in range(5)]
    assert starts == pytest.approx([at(0, 12.0)] * 2 + [at(0, 14.0)] * 2 + [at(0, 16.0)])
    start, end = book.book(at(0, 8.0))  # 16:00 still has a place
    assert (start, end) == pytest.approx((at(0, 16.0), at(0, 18.0)))
    assert book.book(at(0, 8.0))[0] == pytest.approx(at(1, 8.0))  # today is full
    # A later booking is not placed before its own earliest window.
    assert book.book(at(1, 9.0))[0] == pytest.approx(at(1, 14.0))


def test_window_book_skips_full_windows_and_days_off(shift):
    book = WindowBook(shift, window_h=2.0, lead_h=0.0, capacity=1)
    starts = [book.book(at(5, 12.0))[0] for _ in range(5)]
    # 12, 14, 16 on day 5; day 6 is off; then 8, 10 on day 7.
    assert starts == pytest.approx([at(5, 12.0), at(5, 14.0), at(5, 16.0), at(7, 8.0),
                                    at(7, 10.0)])
    # An earlier request still finds the free windows before the full ones.
    assert book.book(at(5, 8.0))[0] == pytest.approx(at(5, 8.0))
    assert book.book(at(5, 8.0))[0] == pytest.approx(at(5, 10.0))
    assert book.book(at(5, 8.0))[0] == pytest.approx(at(7, 12.0))


def test_window_book_tiles_only_whole_windows(shift):
    book = WindowBook(shift, window_h=3.0, lead_h=0.0, capacity=1)
    assert book.per_day == 3
    assert book.book(at(0, 14.5))[0] == pytest.approx(at(1, 8.0))   # no 17:00-20:00 tile
    assert book.book(at(0, 13.0))[0] == pytest.approx(at(0, 14.0))
    assert book.book(at(0, 13.0))[0] == pytest.approx(at(1, 11.0))  # 14:00 and 8:00 taken


@pytest.mark.parametrize(("start_h", "end_h", "off", "window_h", "lead_h"), [
    (8.0, 18.0, 1, 2.0, 4.0), (7.5, 19.0, 2, 1.5, 0.0), (0.0, 24.0, 0, 2.0, 0.0),
    (9.0, 17.0, 0, 3.0, 26.0)])
def test_window_book_with_room_agrees_with_next_window(start_h, end_h, off, window_h, lead_h):
    s = Shift(start_h, end_h, off)
    rng = np.random.default_rng(3)
    # Random times and times exactly on window boundaries, late in the run too.
    grid = [at(d, start_h + k * window_h) for d in (0, 3, 250) for k in range(4)]
    for t in [*rng.uniform(0, 400, 300), *grid]:
        book = WindowBook(s, window_h, lead_h, capacity=10**6)
        assert book.book(t) == pytest.approx(next_window(s, t, lead_h, window_h), abs=1e-9), t


def test_window_book_never_overbooks_and_keeps_first_fit(shift):
    rng = np.random.default_rng(11)
    book = WindowBook(shift, window_h=2.0, lead_h=4.0, capacity=3)
    t = np.sort(rng.uniform(0, 30, 400))
    starts = np.array([book.book(x)[0] for x in t])
    slots, counts = np.unique(np.round(starts, 9), return_counts=True)
    assert counts.max() == 3
    assert len(slots) > 100
    assert all(shift.is_open(s) for s in starts)
    assert (starts >= t + hours(4.0) - 1e-9).all()
    # First fit: every window before a booking's own, from its earliest window on, was full.
    full = {s for s, c in zip(slots, counts, strict=True) if c == 3}
    for x, s in zip(t[-50:], starts[-50:], strict=True):
        earliest = next_window(shift, x, 4.0, 2.0)[0]
        skipped = slots[(slots >= earliest - 1e-9) & (slots < s - 1e-9)]
        assert set(skipped) <= full


# ------------------------------------------------------------------ Travel
@pytest.fixture
def travel() -> Travel:
    return Travel(True, speed_kmh=30.0, rush_factor=1.5, rush_hours=[7, 8, 17, 18])


@pytest.mark.parametrize(("hour", "expected_h"), [
    (6.5, 5 / 30), (7.0 + 1 / 60, 5 / 30 * 1.5), (8.99, 5 / 30 * 1.5), (9.25, 5 / 30),
    (12.0 + 1 / 60, 5 / 30), (16.99, 5 / 30), (17.5, 5 / 30 * 1.5), (18.75, 5 / 30 * 1.5),
    (19.0 + 1 / 60, 5 / 30), (23.5, 5 / 30)])
def test_travel_time_is_distance_over_speed_slowed_in_rush_hours(travel, hour, expected_h):
    for day in (0, 4, 300):
        assert travel.hours_between((0.0, 0.0), (3.0, 4.0), at(day, hour)) == pytest.approx(
            expected_h, rel=1e-12)
        assert travel.hours_between((3.0, 4.0), (0.0, 0.0), at(day, hour)) == pytest.approx(
            expected_h, rel=1e-12)


def test_travel_between_two_points_of_any_position(travel):
    assert travel.hours_between((-10.0, 2.0), (14.0, -5.0), at(1, 12.0)) == pytest.approx(
        25.0 / 30.0)
    assert travel.hours_between((7.0, 7.0), (7.0, 7.0), at(1, 8.0)) == 0.0


def test_travel_disabled_takes_no_time():
    off = Travel(False, speed_kmh=30.0, rush_factor=1.5, rush_hours=[7, 8, 17, 18])
    assert off.hours_between((0.0, 0.0), (300.0, 400.0), at(0, 8.0)) == 0.0
    no_rush = Travel(True, speed_kmh=60.0, rush_factor=3.0, rush_hours=[])
    assert no_rush.hours_between((0.0, 0.0), (30.0, 40.0), at(0, 8.0)) == pytest.approx(50 / 60)


def test_travel_leaving_exactly_on_the_hour_uses_that_hour(travel):
    assert travel.hours_between((0.0, 0.0), (3.0, 4.0), at(1, 19.0)) == pytest.approx(5 / 30)
    assert travel.hours_between((0.0, 0.0), (3.0, 4.0), at(2, 7.0)) == pytest.approx(0.25)
    wrong = [(d, h) for d in range(30) for h in range(24)
             if travel.hours_between((0.0, 0.0), (3.0, 4.0), at(d, h))
             != pytest.approx(5 / 30 * (1.5 if h in (7, 8, 17, 18) else 1.0))]
    assert wrong == []

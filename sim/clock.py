"""The simulation's one time unit.

One simpy time unit is one day (``env.now == 2.5`` is noon of day 2, counted
from the start of the run). Config durations carry their unit in their name;
hours are converted here and nowhere else.
"""

HOURS_PER_DAY = 24.0
DAYS_PER_YEAR = 365.25


def hours(h: float) -> float:
    """Convert hours to simulation time units (days)."""
    return h / HOURS_PER_DAY

"""One region's geometry and travel model: a disc of customers around a depot.

Positions are km in the plane, the depot at the origin by default. A road leg
is the straight line times a detour factor; its speed depends on the hour of
day (rush hours) and on rain. Two travel models use the same numbers:

- :meth:`City.travel_h`, the *actual* time-dependent time of one leg, for the
  simulated van day;
- :meth:`City.matrix_h` at one speed (e.g. :meth:`City.mean_speed_kmh` over the
  shift), the flat *planning* matrix a dispatcher or solver plans with.

Pure numpy, no simulation state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

HOURS_PER_DAY = 24
_EPS_H = 1e-12  # a departure this close below an hour boundary counts as on it


@dataclass(frozen=True)
class City:
    """A region's road network in a few numbers.

    Attributes:
        radius_km: customers live in the disc of this radius around the origin.
        detour_factor: road km = straight-line km x detour (urban ~1.3-1.4).
        speed_kmh_by_hour: 24 average road speeds (km/h), one per hour of day,
            for a van leaving in that hour (rush hours are slow).
        rain_speed_factor: every speed is multiplied by this on a rain day.
        depot: where the vans sleep, km.
    """

    radius_km: float
    detour_factor: float
    speed_kmh_by_hour: tuple[float, ...]
    rain_speed_factor: float
    depot: tuple[float, float] = (0.0, 0.0)

    def __post_init__(self) -> None:
        speeds = tuple(float(s) for s in self.speed_kmh_by_hour)
        if len(speeds) != HOURS_PER_DAY or min(speeds) <= 0.0:
            raise ValueError(f"speed_kmh_by_hour: give 24 speeds > 0, got {speeds}")
        if self.detour_factor < 1.0 or not 0.0 < self.rain_speed_factor <= 1.0:
            raise ValueError(f"detour_factor={self.detour_factor} must be >= 1 and "
                             f"rain_speed_factor={self.rain_speed_factor} in (0, 1]")
        object.__setattr__(self, "speed_kmh_by_hour", speeds)
        object.__setattr__(self, "depot", (float(self.depot[0]), float(self.depot[1])))

    def speed_kmh(self, hour: float, rain: bool) -> float:
        """The road speed at ``hour`` of day (any real hour; it wraps at 24)."""
        v = self.speed_kmh_by_hour[int(math.floor(hour)) % HOURS_PER_DAY]
        return v * (self.rain_speed_factor if rain else 1.0)

    def road_km(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Road km between every point of ``a`` (m, 2) and every point of ``b`` (k, 2): (m, k)."""
        a = np.asarray(a, dtype=float).reshape(-1, 2)
        b = np.asarray(b, dtype=float).reshape(-1, 2)
        # In place on two (m, k) planes: ~8x faster than an (m, k, 2) difference and its
        # sum for a region-day's matrix, and the same floats (dx*dx + dy*dy, sqrt, x detour).
        dx = a[:, 0, None] - b[None, :, 0]
        dy = a[:, 1, None] - b[None, :, 1]
        dx *= dx
        dy *= dy
        dx += dy
        np.sqrt(dx, out=dx)
        dx *= self.detour_factor
        return dx

    def leg_km(self, a, b) -> float:
        """Road km of one leg from point ``a`` to point ``b`` (each a pair): the scalar
        :meth:`road_km`, without building arrays (the van day asks it per leg)."""
        return self.detour_factor * math.hypot(float(a[0]) - float(b[0]),
                                               float(a[1]) - float(b[1]))

    def travel_h(self, a: np.ndarray, b: np.ndarray, depart_h: float, rain: bool) -> float:
        """Actual hours from point ``a`` to point ``b`` (each (2,)) leaving at ``depart_h``.

        The speed is integrated over hour boundaries: a leg that starts at 16:50
        drives 10 minutes at the 16:00 speed and the rest at the 17:00 speed.
        So leaving later never means arriving earlier (FIFO), unlike "the speed
        at departure for the whole leg", which jumps at each hour boundary.
        """
        km = self.leg_km(a, b)
        t = float(depart_h)
        while km > 0.0:
            hour = math.floor(t + _EPS_H)
            v = self.speed_kmh(hour, rain)
            step_h = hour + 1.0 - t
            if km <= v * step_h:
                t += km / v
                break
            km -= v * step_h
            t = hour + 1.0
        return t - float(depart_h)

    def mean_speed_kmh(self, start_h: float, end_h: float, rain: bool) -> float:
        """The speed of a flat planning model for legs leaving in ``[start_h, end_h)``.

        It is the *harmonic* time-mean, ``(end - start) / integral(1 / v(t) dt)``:
        then a short leg's planned time ``km / mean`` is its actual time averaged
        over departures spread evenly across the shift. (The arithmetic mean of
        the speeds would plan too little time: slow hours cost more per km.)
        """
        if end_h <= start_h:
            return self.speed_kmh(start_h, rain)
        pace_h = 0.0  # integral of 1 / v dt, hours per km x hours
        t = float(start_h)
        while t < end_h:
            nxt = min(math.floor(t + _EPS_H) + 1.0, float(end_h))
            pace_h += (nxt - t) / self.speed_kmh(t + _EPS_H, rain)
            t = nxt
        return (end_h - start_h) / pace_h

    def matrix_h(self, points: np.ndarray, speed_kmh: float) -> np.ndarray:
        """The planning matrix (m, m) of hours between ``points`` (m, 2) at one speed."""
        if speed_kmh <= 0.0:
            raise ValueError(f"speed_kmh={speed_kmh} must be > 0")
        return self.road_km(points, points) / float(speed_kmh)


def random_points(rng: np.random.Generator, radius_km: float, n: int) -> np.ndarray:
    """``n`` points (n, 2) uniform in the disc of ``radius_km`` around the origin."""
    r = radius_km * np.sqrt(rng.random(n))
    theta = 2.0 * np.pi * rng.random(n)
    return np.column_stack([r * np.cos(theta), r * np.sin(theta)])


def customer_radius_km(u: np.ndarray, radius_km: np.ndarray | float,
                       scale_km: float) -> np.ndarray:
    """Distance of customers from the city centre for uniforms ``u``.

    ``scale_km`` > 0: Clark's urban density law (density falls as exp(-r / scale)),
    truncated at ``radius_km``: the radial law r·exp(-r/scale) is inverted exactly with
    Lambert's W. ``scale_km`` = 0: uniform over the disc.
    """
    u = np.asarray(u, dtype=float)
    radius = np.asarray(radius_km, dtype=float)
    if scale_km <= 0:
        return radius * np.sqrt(u)
    from scipy.special import lambertw

    x_max = radius / scale_km
    f_max = 1.0 - np.exp(-x_max) * (1.0 + x_max)        # mass inside the radius
    p = np.minimum(u * f_max, 1.0 - 1e-15)
    x = -1.0 - np.real(lambertw(-(1.0 - p) / np.e, k=-1))
    return np.minimum(scale_km * x, radius)

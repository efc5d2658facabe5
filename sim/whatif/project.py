"""Per-vehicle what-if: one vehicle's twins projected forward under its own and other usage.

:func:`project` takes a vehicle loaded by :func:`sim.whatif.load_vehicle` and
replicates it into Monte-Carlo copies and steps every twin daily for all
copies at once (numpy over copies, a Python loop over days only), once per
usage scenario. No repairs happen during a projection, so a maintenance need
is the first day a fault mask turns true, and health never rises.

Every scenario draws from the same named random streams (common random
numbers): copy ``i`` gets the same random numbers for its daily km, weather
and shocks under every usage, so a difference between scenarios comes from
the usage alone, and the own-usage projection does not depend on which
alternative is asked.

Example::

    from sim.whatif import load_vehicle, project
    vt = load_vehicle("outputs/my_run", 17)
    proj = project(vt, usage="calm")
    proj.summary()                  # health now, at 3 and 12 months, per scenario
    proj.maintenance_list("alt")    # plain-language maintenance needs
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from sim.rng import Streams
from sim.whatif.result import ALT, NEVER, OWN, Projection
from sim.whatif.usage import (
    NUMERIC_KEYS,
    REGION_KEY,
    describe,
    parse_usage,
    resolve_usage,
)
from sim.whatif.vehicle import VehicleTwin
from twins import FleetState, UsageModel


def _run_scenario(vt: VehicleTwin, usage: Mapping[str, Any], days: int, samples: int,
                  seed: int) -> tuple[np.ndarray, dict[tuple[str, str], np.ndarray]]:
    """Step ``samples`` copies of the vehicle for ``days`` days under ``usage``.

    Returns the mean health per twin per day ``(n_twins, days + 1)`` and, per
    (twin, cause), each copy's first fault day (``NEVER`` if none).
    """
    regions = list(vt.cfg.fleet.regions)
    attrs = {k: np.full(samples, usage[k], np.float32) for k in NUMERIC_KEYS}
    attrs[REGION_KEY] = np.full(samples, regions.index(usage[REGION_KEY]), np.int16)
    fleet = FleetState(n=samples, attrs=attrs)
    for name, st in vt.state.items():
        fleet.add_twin(name, {k: np.repeat(v, samples) for k, v in st.items()})
    streams = Streams(seed)  # same streams for every scenario: common random numbers
    model = UsageModel(vt.cfg.fleet, attrs, streams.get("whatif.usage"))
    rngs = {name: streams.get(f"whatif.twin.{name}") for name in vt.twins}
    health = np.empty((len(vt.twins), days + 1))
    first = {(name, cause): np.full(samples, NEVER, np.int32)
             for name, twin in vt.twins.items() for cause in twin.EVENTS}

    def record(day: int) -> None:
        for i, (name, twin) in enumerate(vt.twins.items()):
            st, p = fleet.twins[name], vt.params[name]
            health[i, day] = twin.health(st, p).mean()
            for cause, mask in twin.faults(st, p).items():
                f = first[(name, cause)]
                f[mask & (f == NEVER)] = day

    record(0)
    for day in range(1, days + 1):
        # Copies keep driving after a fault: the projection asks when needs arise, not
        # how the vehicle is stranded meanwhile.
        usage_today = model.day(vt.start_day + day - 1)
        for name, twin in vt.twins.items():
            twin.step(fleet.twins[name], usage_today, 1.0, vt.params[name], rngs[name])
        record(day)
    return health, first


def project(vt: VehicleTwin, days: int = 365, usage: Any = None,
            scenarios: Mapping[str, Any] | None = None, seed: int = 0,
            samples: int = 200) -> Projection:
    """Project a vehicle's component health and maintenance needs.

    Args:
        vt: from :func:`load_vehicle` or :func:`vehicle_twin`.
        days: days to project (>= 1).
        usage: one alternative usage spec (see :func:`sim.whatif.usage.parse_usage`);
            the scenarios are then ``own`` and ``alt``.
        scenarios: instead of ``usage``, named specs, e.g. ``{"own": None, "calm": "calm"}``.
        seed: seed of the Monte-Carlo streams; same seed, same projection.
        samples: Monte-Carlo copies per scenario.

    Raises:
        ValueError: bad ``days``/``samples``, both ``usage`` and ``scenarios``, or a bad spec
            (:class:`~sim.whatif.usage.UsageError`).
    """
    if isinstance(days, bool) or int(days) != days or days < 1:
        raise ValueError(f"days={days!r} must be an integer >= 1")
    if isinstance(samples, bool) or int(samples) != samples or samples < 1:
        raise ValueError(f"samples={samples!r} must be an integer >= 1")
    if usage is not None and scenarios is not None:
        raise ValueError("give either usage (one alternative) or scenarios, not both")
    if scenarios is None:
        scenarios = {OWN: None} if usage is None else {OWN: None, ALT: usage}
    if not scenarios:
        raise ValueError("scenarios is empty")
    specs = {name: parse_usage(spec) for name, spec in scenarios.items()}
    resolved = {name: resolve_usage(spec, vt.usage, vt.cfg.fleet.regions)
                for name, spec in specs.items()}
    health, first = {}, {}
    for name, traits in resolved.items():
        h, f = _run_scenario(vt, traits, int(days), int(samples), int(seed))
        health[name] = pd.DataFrame(h.T, columns=list(vt.twins)).rename_axis("day")
        first[name] = f
    meta = {name: {"spec": describe(scenarios[name]), "usage": resolved[name]} for name in specs}
    return Projection(vt, int(days), int(samples), int(seed), meta, health, first)


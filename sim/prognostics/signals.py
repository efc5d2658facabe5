"""The prognostics' view of the fleet: true values of the followed signals, and their readings.

Truth comes from the twins' state (and the service demand's cabin filters),
noise-free and bias-free: it decides the true threshold crossing day that
the predictions are scored against. Readings come from the prognostics' own
:class:`~sim.telemetry.Telemetry` on its own random stream, so switching
prognostics on or off leaves the alert detectors' telemetry (and every other
stream) as it was; the cabin filter, which has no twin, is read with its
own noise and per-vehicle calibration gain. Everything is numpy over the fleet.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.fleet import Fleet
from sim.service.demand import ServiceDemand
from sim.telemetry import Telemetry
from twins import aux12v, battery, brakes, tires

F32 = np.float32
FILTER = "demand.air_filter_loss_est"


def source(signal: str) -> str:
    """The twin (or ``demand``) a signal key belongs to."""
    return signal.partition(".")[0]


def truth(signal: str, fleet: Fleet, demand: ServiceDemand | None) -> np.ndarray:
    """The noise-free value of ``signal`` for every vehicle (float32)."""
    state, params = fleet.state.twins, fleet.params
    if signal == "battery.soh_est":
        return np.asarray(battery.soh(state["battery"]), F32)
    if signal == "brakes.pad_remaining_frac_est":
        return np.asarray(brakes.remaining_frac(state["brakes"], params["brakes"]), F32)
    if signal == "tires.tread_mm_est":
        return np.asarray(state["tires"]["tread_mm"], F32)
    if signal == "tires.pressure_low_frac_est":
        p = params["tires"]
        return (1.0 - tires.pressure_hot_psi(state["tires"], p)
                / F32(p.pressure_nominal_psi)).astype(F32)
    if signal == "aux12v.health_est":
        return np.asarray(aux12v.health(state["aux12v"], params["aux12v"]), F32)
    if signal == FILTER:
        if demand is None:
            raise ValueError(f"prognostics signal {signal!r} needs the service demand "
                             "(demand.enabled=true, service.demand=failures)")
        return demand.filter_loss.astype(F32)
    raise ValueError(f"unknown prognostics signal {signal!r}")


class Sensors:
    """Daily readings of the followed signals (NaN where no reading today).

    Args:
        fleet: the fleet.
        demand: the service demand (for the cabin filter), or None.
        telemetry_cfg: the ``telemetry`` config (upload success, calibration bias).
        signals: the signal keys followed.
        filter_noise_sd: the cabin-filter loss reading noise (absolute).
        rng: the ``prognostics.telemetry`` stream.
    """

    def __init__(self, fleet: Fleet, demand: ServiceDemand | None, telemetry_cfg: Any,
                 signals: set[str], filter_noise_sd: float, rng: np.random.Generator) -> None:
        self.fleet, self.demand, self.rng = fleet, demand, rng
        self.twin_signals = {s for s in signals if source(s) in fleet.twins}
        self.filter = FILTER in signals
        self.noise_sd = F32(filter_noise_sd)
        self.telemetry = Telemetry(fleet.twins, fleet.params, telemetry_cfg, fleet.state.n, rng)
        b = float(telemetry_cfg.calibration_bias_max_frac)
        self.filter_gain = ((1.0 + rng.uniform(-b, b, fleet.state.n)).astype(F32)
                            if self.filter else None)

    def read(self) -> dict[str, np.ndarray]:
        """Today's readings by signal key (float32, NaN where the upload failed)."""
        out: dict[str, np.ndarray] = {}
        if self.twin_signals:
            _, out = self.telemetry.read(self.fleet.state.twins, self.twin_signals)
        if self.filter:
            loss = self.demand.filter_loss.astype(F32)
            noise = self.rng.standard_normal(loss.size, dtype=F32) * self.noise_sd
            out[FILTER] = loss * self.filter_gain + noise
        return out

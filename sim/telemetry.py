"""Telemetry as a server receives it: noisy, biased per vehicle, and with upload gaps.

Each twin's ``sense`` gives noisy readings; on top of that every vehicle's
sensor for each signal has its own calibration gain error (uniform within
``calibration_bias_max_frac``, drawn once per vehicle and signal, stable for
the run), and a vehicle's daily upload succeeds with
``upload_success_prob``; a failed upload leaves that vehicle's readings NaN
for the day. Everything is numpy over the fleet.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import numpy as np

from twins._random import rare_events

F32 = np.float32


class Telemetry:
    """Daily fleet telemetry reader.

    Args:
        twins: twin modules by name.
        params: each twin's parameters.
        cfg: the ``telemetry`` config (upload_success_prob, calibration_bias_max_frac).
        n: fleet size.
        rng: the telemetry stream (noise, dropouts, biases).
    """

    def __init__(self, twins: dict[str, ModuleType], params: dict[str, Any], cfg: Any,
                 n: int, rng: np.random.Generator) -> None:
        self.twins, self.params, self.cfg, self.n, self.rng = twins, params, cfg, n, rng
        self._gain: dict[str, np.ndarray] = {}

    def gain(self, signal: str) -> np.ndarray:
        """Per-vehicle calibration gain (1 + bias) of ``signal``, drawn on first use."""
        if signal not in self._gain:
            b = self.cfg.calibration_bias_max_frac
            self._gain[signal] = (1.0 + self.rng.uniform(-b, b, self.n)).astype(F32)
        return self._gain[signal]

    def read(self, state: dict[str, dict[str, np.ndarray]], only: set[str] | None = None,
             ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """One day's uploads.

        Args:
            state: the fleet's twin states by twin name.
            only: the keys wanted (None: every signal); twins with none of them
                are not sensed at all.

        Returns:
            ``(uploaded, readings)``: the mask of vehicles whose upload succeeded,
            and readings keyed ``<twin>.<signal>``, NaN where the upload failed.
        """
        # Failed uploads are few: draw them as rare events, then blank those rows.
        failed = rare_events(self.rng, 1.0 - float(self.cfg.upload_success_prob), self.n)
        uploaded = np.ones(self.n, dtype=bool)
        uploaded[failed] = False
        wanted: dict[str, set[str] | None] = {name: None for name in self.twins}
        if only is not None:
            wanted = {name: {k.partition(".")[2] for k in only if k.startswith(f"{name}.")}
                      for name in self.twins}
            wanted = {name: sigs for name, sigs in wanted.items() if sigs}
        readings: dict[str, np.ndarray] = {}
        for name, sigs in wanted.items():
            sensed = self.twins[name].sense(state[name], self.params[name], self.rng, only=sigs)
            for signal, values in sensed.items():
                if sigs is not None and signal not in sigs:
                    continue
                key = f"{name}.{signal}"
                observed = np.asarray(values, F32) * self.gain(key)
                observed[failed] = np.nan
                readings[key] = observed
        return uploaded, readings

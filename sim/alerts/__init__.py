"""Predictive alerts (issue 5): detectors, fatigue gate, owner behaviour and scoring.

Daily flow the engine runs: ``Detector.update`` over the telemetry ->
``AlertGate.admit`` (dedup and per-vehicle cap) -> ``Owners.respond`` per
admitted batch; on a repair, ``AlertGate.clear`` and ``Detector.reset`` for
the component; when an alert's truth is known, ``Owners.learn``.
:func:`score_alerts` scores a finished run from its event log.
"""

from sim.alerts.detectors import AlertBatch, Detector, horizons, needed_signals
from sim.alerts.gate import AlertGate
from sim.alerts.owners import Owners
from sim.alerts.rolling import ClockLine, RollingLine
from sim.alerts.scoring import alert_truth, score_alerts

__all__ = ["AlertBatch", "AlertGate", "ClockLine", "Detector", "Owners", "RollingLine",
           "alert_truth", "horizons", "needed_signals", "score_alerts"]

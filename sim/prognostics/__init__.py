"""Prognostics (issue 15): remaining useful life of slowly wearing components.

Daily flow the engine runs: :class:`PrognosticsLoop.day` reads the signals
(:mod:`~sim.prognostics.signals`), fits each vehicle's trend
(:mod:`~sim.prognostics.fit`), alerts when the predicted threshold crossing
falls inside the booking horizon and books or notifies; at the end,
:func:`prognostics_results` scores the predictions against the twins' true
crossing days (:mod:`~sim.prognostics.metrics`, as NASA ProgPy does).
"""

from sim.prognostics.loop import PrognosticsLoop
from sim.prognostics.scoring import KPI_KEYS, prognostics_results

__all__ = ["KPI_KEYS", "PrognosticsLoop", "prognostics_results"]

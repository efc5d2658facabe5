"""The reports layer: self-contained HTML reports built from the result files of fleetsim.

It reads only files (kpis.json, run.json, daily.parquet, events.parquet, and an
experiment's summary), never live simulator objects. The imports from the
simulator are pure functions and constants over result files: the scoring of
alerts against the event log (``sim.alerts.alert_truth``) and the OTA adoption
measure and names (``sim.ota.kpis``, ``sim.ota.outcome``), so the report and the
KPIs share one definition of each.

Layout: ``page/`` (shared: loading, formatting, figures, tiles, findings,
comparisons, templates), one folder per domain of the run report (``fleet/``,
``service/``, ``ota/``, ``alerts/``, each with ``section.py``), ``experiment/``
(the comparison report of experiments and sweeps), ``build.py`` (the run page),
and the programs that end in a report: ``app.py`` (``fleetsim``) and ``cli.py``
(``fleetsim-report``).
"""

from reports.build import build_report
from reports.page.loader import ReportInputError

__all__ = ["ReportInputError", "build_report"]

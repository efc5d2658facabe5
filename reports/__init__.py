"""Self-contained HTML reports built from the result files of a fleetsim run.

The package reads only files (kpis.json, run.json, daily.parquet, events.parquet),
never live simulator objects. The imports from the simulator are pure functions and
constants over result files: the scoring of alerts against the event log
(``sim.alerts.alert_truth``) and the OTA adoption measure and names (``sim.ota.kpis``,
``sim.ota.outcome``), so the report and the KPIs share one definition of each.
"""

from reports.build import build_report
from reports.loader import ReportInputError

__all__ = ["ReportInputError", "build_report"]

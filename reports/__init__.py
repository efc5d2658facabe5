"""Self-contained HTML reports built from the result files of a fleetsim run.

The package reads only files (kpis.json, run.json, daily.parquet, events.parquet),
never live simulator objects. The one import from the simulator is the pure function
that scores alerts against the event log (``sim.alerts.alert_truth``), so the report
and the alert KPIs share one definition of a true alert.
"""

from reports.build import build_report
from reports.loader import ReportInputError

__all__ = ["ReportInputError", "build_report"]

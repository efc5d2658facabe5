"""Self-contained HTML reports built from the result files of a fleetsim run.

The package reads only files (kpis.json, run.json, daily.parquet, events.parquet);
it never imports the simulator.
"""

from reports.build import build_report
from reports.loader import ReportInputError

__all__ = ["ReportInputError", "build_report"]

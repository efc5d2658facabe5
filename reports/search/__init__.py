"""The policy search's report and command (``fleetsim-search``).

:func:`build_report` renders ``<run>/reports/search/report.html`` from a search
run directory (:mod:`experiments.search`), finished or interrupted.
"""

from __future__ import annotations

from reports.search.report import build_report, is_search_dir

__all__ = ["build_report", "is_search_dir"]

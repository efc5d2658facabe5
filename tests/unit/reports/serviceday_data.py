"""Run data shared by the service-day report tests (a week's config, KPIs, a sizing)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from reports.page.loader import RunFiles

CONFIG = {"horizon_days": 7, "service": {
    "dispatch": "engine",
    "mobile": {"shift_start_h": 8.0, "shift_end_h": 18.0, "days_off_per_week": 1,
               "sizing": "fixed"},
    "sizing": {"utilization": 0.8, "jobs_per_van_day": 4.0},
}}
KPIS = {"horizon_days": 7.0, "technicians": 3.0}
SIZING = {
    "target": "utilization", "vans": {"north": 2, "south": 1}, "bays": {"north": 3, "south": 1},
    "curves": {
        "north": {"vans": [1, 2, 3, 4], "utilization": [1.4, 0.7, 0.47, 0.35],
                  "jobs_per_van_day": [8.0, 4.0, 2.67, 2.0]},
        "south": {"vans": [1, 2], "utilization": [0.6, 0.3], "jobs_per_van_day": [3.0, 1.5]},
    },
    "demand": [],
}


def run_files(events: pd.DataFrame | None, run: dict | None = None, kpis: dict | None = None,
           ) -> RunFiles:
    return RunFiles(Path("run"), dict(KPIS if kpis is None else kpis),
                    {"config": CONFIG} if run is None else run, dayplan_events=events)

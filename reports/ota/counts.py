"""OTA counts from the event log: install problems, exposure to a latent defect, OTA jobs.

Counted as the OTA KPIs count them (:mod:`sim.ota.kpis`), so the data checks can
compare the two.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from reports.ota.view import Release
from sim.ota.kpis import OTA_JOB_CAUSES
from sim.ota.outcome import FAILURE_MODES

MODE_LABELS = {
    "stuck_download": "Download stuck (network)",
    "insufficient_storage": "Storage full",
    "low_battery": "Low battery",
    "ecu_comm_error": "ECU communication error",
}
CAUSE_LABELS = {
    "ota_fault": "defect: software fault",
    "ota_no_start": "no-start: rescue",
    "ota_dealer_flash": "dealer flash",
}


class ProblemRow(NamedTuple):
    """One line of the install-problem table: events, distinct vehicles."""

    group: str          # "failures", "rollbacks", "consequences"
    key: str
    label: str
    events: int
    vehicles: int


_ROLLBACKS = (("ota_rolled_back", "A/B rollback (failed boot, back on the old version)"),
              ("ota_cloud_rolled_back", "Cloud rollback (reverted by the server)"))
_CONSEQUENCES = (
    ("ota_defect_fault", "Latent defect: software fault (drivable)"),
    ("ota_defect_no_start", "Latent defect: no-start (roadside)"),
    ("ota_bricked", "Bricked: silent no-start after the reboot"),
    ("ota_dealer_flash", "Retries exhausted: dealer flash booked"),
)


def _row(group: str, key: str, label: str, rows: pd.DataFrame) -> ProblemRow:
    return ProblemRow(group, key, label, len(rows), int(rows["vehicle"].nunique()))


def problem_rows(events: pd.DataFrame, release: str) -> list[ProblemRow]:
    """Install failures by mode (every mode, then any other found, then all), rollbacks and
    their consequences for one release, from the event log."""
    mine = events[events["cause"] == release]
    failed = mine[mine["event"] == "ota_install_failed"]
    found = set(failed["outcome"])
    out = [
        _row("failures", m, MODE_LABELS.get(m, m), failed[failed["outcome"] == m])
        for m in [*FAILURE_MODES, *sorted(found - set(FAILURE_MODES))]
    ]
    out.append(_row("failures", "all", "All failed install attempts", failed))
    out += [_row("rollbacks", e, text, mine[mine["event"] == e]) for e, text in _ROLLBACKS]
    out += [_row("consequences", e, text, mine[mine["event"] == e]) for e, text in _CONSEQUENCES]
    flashed = mine[(mine["event"] == "ota_installed") & (mine["outcome"] == "dealer_flash")]
    out.append(_row("consequences", "flashed", "Installed by a dealer flash", flashed))
    return out


def exposed_installs(events: pd.DataFrame, release: Release, vehicle_hw: pd.Series | None,
                     before_day: float = math.inf) -> int | None:
    """Installs of a release on a hw config where it carries a latent defect.

    Counted like ``ota_vehicles_exposed_to_defect`` (every ``ota_installed`` event,
    dealer flashes included), optionally only those logged before ``before_day``
    (a decision of day ``d`` precedes that night's installs, logged at ``d + 0.5``).

    Returns:
        The count, 0 for a release without defect, ``None`` without the hw configs.
    """
    if not release.defect_hw:
        return 0
    if vehicle_hw is None:
        return None
    rows = events[(events["event"] == "ota_installed") & (events["cause"] == release.name)
                  & (events["time_d"] < before_day)]
    hw = vehicle_hw.reindex(rows["vehicle"].to_numpy())
    return int(hw.isin(release.defect_hw).sum())


def ota_jobs(events: pd.DataFrame | None) -> pd.DataFrame | None:
    """Service jobs the campaigns caused: ``time_d`` and ``cause`` (``None`` without a log)."""
    if events is None:
        return None
    rows = events[(events["event"] == "job_created") & (events["component"] == "software")
                  & events["cause"].isin(OTA_JOB_CAUSES)]
    return rows[["time_d", "cause"]].reset_index(drop=True)


def jobs_by_period(jobs: pd.DataFrame, horizon_days: int, period: int) -> pd.DataFrame:
    """OTA jobs opened per period from day 0, one column per cause of :data:`OTA_JOB_CAUSES`.

    Returns:
        ``start_d``, ``days`` (the last period may be shorter) and one count per cause.
    """
    n = max(1, math.ceil(horizon_days / period))
    start = np.arange(n) * period
    out = pd.DataFrame({"start_d": start, "days": np.minimum(period, horizon_days - start)})
    idx = np.minimum((jobs["time_d"].to_numpy(float) // period).astype(np.int64), n - 1)
    for cause in OTA_JOB_CAUSES:
        out[cause] = np.bincount(idx[(jobs["cause"] == cause).to_numpy(bool)], minlength=n)
    return out


def count_events(events: pd.DataFrame, names: Sequence[str]) -> int:
    """Rows of the log whose event is one of ``names``."""
    return int(events["event"].isin(list(names)).sum())

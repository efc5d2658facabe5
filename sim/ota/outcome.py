"""What one simulated day of OTA campaigns hands back to the engine.

Per release: a snapshot of counts for the adoption curve (:class:`ReleaseCounts`)
and the few per-vehicle events of the day as int64 vehicle arrays
(:class:`ReleaseEvents`); for the whole day, the campaign decisions
(:class:`Decision`). :class:`OtaContext` is what the engine passes in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

FAILURE_MODES = ("stuck_download", "insufficient_storage", "low_battery", "ecu_comm_error")
ACTIONS = ("wave_started", "paused", "resumed", "aborted", "cohort_paused", "cloud_rollback",
           "completed", "investigation_started", "root_cause_found", "false_alarm", "superseded",
           "cancelled", "hotfix_released")

_EMPTY = np.zeros(0, np.int64)


class OtaContext(NamedTuple):
    """Per-vehicle state the engine passes to ``step`` each day (arrays of fleet length)."""

    parked_night: np.ndarray   # bool: parked through tonight's maintenance window
    soc_frac: np.ndarray       # float32 state of charge 0..1
    aux12v_health: np.ndarray  # float32 12 V battery health 0..1


class Decision(NamedTuple):
    """One campaign decision, with the numbers the server saw."""

    day: int
    release: str
    action: str          # one of ACTIONS
    wave: int            # wave index (exponential: rate step); -1 if none
    cohort: str          # the wave's owner cohort ("any"), "" if none
    hw_config: str       # the hw config a cohort pause / resume concerns, "" if all
    reason: str


class ReleaseCounts(NamedTuple):
    """Vehicles of one release per state at the end of the day (truth), and the server's view."""

    targeted: int
    released_to_vehicle: int   # the job was handed to the vehicle (cumulative)
    queued: int                # released, download not started
    downloading: int
    ready: int                 # downloaded, waiting for a window (incl. deferred)
    deferred: int              # ready but postponed by the owner
    installed: int
    failed: int                # retries exhausted, waiting for a dealer flash
    rolled_back: int           # A/B: failed to boot, back on the old version
    bricked: int               # no-start after the reboot, waiting for a rescue
    cancelled: int             # aborted before it started
    reverted: int              # cloud rollback: back on the old version
    reported_succeeded: int    # server view: counted successes
    reported_failed: int       # server view: counted errors (incl. timeouts, fault reports)
    timed_out: int             # server view: in progress for timeout_days with no result
    superseded: int = 0        # moved on to the release that supersedes this one (a hotfix)
    on_defect: int = 0         # running the release on a hw config where it is defective


@dataclass
class ReleaseEvents:
    """The day's per-vehicle events of one release (int64 vehicle indices).

    ``retry`` and ``dealer_flash`` are subsets of ``install_failed``;
    ``install_failed_mode`` holds an index into :data:`FAILURE_MODES` per
    ``install_failed`` vehicle.
    """

    install_failed: np.ndarray = field(default_factory=lambda: _EMPTY)
    install_failed_mode: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int8))
    retry: np.ndarray = field(default_factory=lambda: _EMPTY)
    dealer_flash: np.ndarray = field(default_factory=lambda: _EMPTY)
    installed: np.ndarray = field(default_factory=lambda: _EMPTY)
    rolled_back: np.ndarray = field(default_factory=lambda: _EMPTY)
    bricked: np.ndarray = field(default_factory=lambda: _EMPTY)
    defect_fault: np.ndarray = field(default_factory=lambda: _EMPTY)
    defect_no_start: np.ndarray = field(default_factory=lambda: _EMPTY)
    cloud_rolled_back: np.ndarray = field(default_factory=lambda: _EMPTY)
    superseded: np.ndarray = field(default_factory=lambda: _EMPTY)   # of ``installed``: ran the
    # release this one supersedes (its effects are already on)
    charge_retried: np.ndarray = field(default_factory=lambda: _EMPTY)   # asked to charge after a
    # low-charge failure, charged to install_retry_soc_frac: retried tonight
    patched: np.ndarray = field(default_factory=lambda: _EMPTY)   # of ``superseded``: ran the
    # parent on a hw config where it is defective (wrong behaviour): the hotfix patches it


@dataclass
class DayOutcome:
    """Everything the OTA campaigns did on ``day`` (a release shows from its release day)."""

    day: int
    counts: dict[str, ReleaseCounts] = field(default_factory=dict)
    events: dict[str, ReleaseEvents] = field(default_factory=dict)
    decisions: list[Decision] = field(default_factory=list)

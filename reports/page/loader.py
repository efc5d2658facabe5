"""Read the result files of one run directory into a :class:`RunFiles` holder.

Only ``kpis.json`` is required; ``run.json``, ``daily.parquet`` and
``events.parquet`` are optional and the report skips what it cannot draw.
Event logs written before the service network (no ``channel`` / ``outcome``
columns) still give waiting times, but no service-quality view; logs written
before predictive alerts simply have no ``alert`` rows, logs written before OTA
campaigns no ``ota_*`` rows. ``fleet_state.parquet``, when present, gives each
vehicle's hardware configuration (to count installs on a hw config with a defect).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.dataset import IncompleteDatasetError, daily_path, events_table, has_dataset, manifest
from sim.records import table_frame

KPIS_FILE = "kpis.json"
RUN_FILE = "run.json"
DAILY_FILE = "daily.parquet"
REGION_KPIS_FILE = "kpis_by_region.json"
EVENTS_FILE = "events.parquet"
FLEET_STATE_FILE = "fleet_state.parquet"
EXPECTED_FILES = (KPIS_FILE, RUN_FILE, DAILY_FILE, EVENTS_FILE)

# The event log can hold millions of rows; the report reads only the job events it uses.
JOB_EVENT_TYPES = ("job_created", "job_assigned", "job_finished")
JOB_EVENT_COLUMNS = ("time_d", "event", "job")
SERVICE_EVENT_TYPES = (*JOB_EVENT_TYPES, "job_triaged", "job_arrived", "tow_arrived",
                       "job_rolled")
# channel and outcome are required for the service view; the others enrich it when present.
SERVICE_REQUIRED_COLUMNS = ("channel", "outcome")
SERVICE_OPTIONAL_COLUMNS = ("severity", "component", "due_d")
# Alerts are scored against the failures (real and prevented) of the same vehicle+component.
ALERT_EVENT_TYPES = ("alert", "failure", "failure_prevented")
ALERT_REQUIRED_COLUMNS = ("time_d", "event", "vehicle", "component", "severity", "outcome")
ALERT_OPTIONAL_COLUMNS = ("cause", "job", "due_d")
# OTA: per-vehicle outcomes and campaign decisions (``ota_*``, release in ``cause``), and
# the software jobs, whose ``cause`` tells the OTA-caused ones.
OTA_EVENT_TYPES = (
    "ota_installed", "ota_install_failed", "ota_rolled_back", "ota_bricked", "ota_dealer_flash",
    "ota_defect_fault", "ota_defect_no_start", "ota_cloud_rolled_back", "ota_wave_started",
    "ota_paused", "ota_resumed", "ota_aborted", "ota_cohort_paused", "ota_cloud_rollback",
    "ota_completed", "ota_investigation_started", "ota_root_cause_found", "ota_false_alarm",
    "ota_superseded", "ota_cancelled", "ota_hotfix_released",
)
OTA_COLUMNS = ("time_d", "event", "vehicle", "component", "cause", "severity", "channel", "outcome")
# The routed van day: van legs (departure, arrival in due_d, road km in value, van in
# technician), hands-on time, triage verdicts, wasted trips and rebookings.
DAYPLAN_EVENT_TYPES = (
    "job_created", "job_triaged", "job_started", "job_finished", "job_rebooked", "van_leg",
)
DAYPLAN_REQUIRED_COLUMNS = ("time_d", "event", "job", "channel", "outcome")
DAYPLAN_OPTIONAL_COLUMNS = ("region", "technician", "due_d", "value")
# The remote expert desk (``service.experts.mode: pool``): calls, answers and abandoned calls.
EXPERT_EVENT_TYPES = ("help_requested", "help_answered", "help_abandoned")
EXPERT_REQUIRED_COLUMNS = ("time_d", "event")
EXPERT_OPTIONAL_COLUMNS = ("outcome", "value")


class ReportInputError(ValueError):
    """The run directory is missing or its files cannot be read."""


@dataclass(frozen=True)
class RunFiles:
    """Contents of a run directory, as far as the report needs them.

    Attributes:
        run_dir: The directory the files were read from.
        kpis: KPI name -> value; ``None`` where the value is undefined (JSON null/NaN).
        run: Parsed ``run.json``, or an empty dict when absent.
        daily: ``daily.parquet`` sorted by day, or ``None`` when absent.
        job_events: ``time_d``, ``event``, ``job`` rows of job_created / job_assigned /
            job_finished events, or ``None`` when the event log is absent or lacks those
            columns.
        service_events: Rows of the job events in :data:`SERVICE_EVENT_TYPES` with the
            ``channel`` and ``outcome`` columns (plus ``severity``, ``component``, ``due_d``
            where present), or ``None`` for a log without channel / outcome columns.
        notes: Plain-language notes on files or columns that were missing.
        alert_events: Rows of the events in :data:`ALERT_EVENT_TYPES` with the
            :data:`ALERT_REQUIRED_COLUMNS` (plus the optional ones where present), or
            ``None`` when the event log is absent or lacks those columns.
        ota_events: The :data:`OTA_EVENT_TYPES` rows and the software ``job_created`` rows,
            :data:`OTA_COLUMNS` only, or ``None`` when the log is absent or lacks a column.
        vehicle_hw: Hardware configuration by vehicle index (from fleet_state.parquet), or
            ``None`` when that file or its columns are absent.
        dayplan_events: Rows of the events in :data:`DAYPLAN_EVENT_TYPES` with the
            :data:`DAYPLAN_REQUIRED_COLUMNS` (plus the optional ones where present, text
            columns as plain strings), or ``None`` when the log is absent or lacks a column.
        kpis_by_region: ``kpis_by_region.json`` (region -> KPI -> value), or ``{}``.
        expert_events: Rows of the events in :data:`EXPERT_EVENT_TYPES` (``time_d``, ``event``,
            plus ``outcome`` and ``value`` where present; empty for a run without an expert
            desk), or ``None`` when the log is absent or lacks a column.
    """

    run_dir: Path
    kpis: dict[str, float | None]
    run: dict[str, Any] = field(default_factory=dict)
    daily: pd.DataFrame | None = None
    job_events: pd.DataFrame | None = None
    service_events: pd.DataFrame | None = None
    notes: tuple[str, ...] = ()
    alert_events: pd.DataFrame | None = None
    ota_events: pd.DataFrame | None = None
    vehicle_hw: pd.Series | None = None
    dayplan_events: pd.DataFrame | None = None
    expert_events: pd.DataFrame | None = None
    kpis_by_region: dict[str, dict[str, float | None]] = field(default_factory=dict)


def expected_files_text() -> str:
    """Return a one-line description of the files a run directory should hold."""
    optional = ", ".join(EXPECTED_FILES[1:])
    return f"expected a run directory containing {KPIS_FILE} (and optionally {optional})"


def load_run(run_dir: str | Path) -> RunFiles:
    """Read the result files of a run directory.

    Args:
        run_dir: Directory written by one simulator run.

    Returns:
        The parsed files.

    Raises:
        ReportInputError: If the directory or ``kpis.json`` is missing, or a file
            that is present cannot be parsed.
    """
    root = Path(run_dir)
    if not root.exists():
        raise ReportInputError(f"{root}: no such directory; {expected_files_text()}")
    if not root.is_dir():
        raise ReportInputError(f"{root}: not a directory; {expected_files_text()}")
    if not (root / KPIS_FILE).is_file():
        raise ReportInputError(f"{root}: {KPIS_FILE} not found; {expected_files_text()}")

    notes: list[str] = []
    kpis = _read_kpis(root / KPIS_FILE)
    run = _read_json_object(root / RUN_FILE) if (root / RUN_FILE).is_file() else {}
    if not run:
        notes.append(f"{RUN_FILE} missing: scenario details are incomplete.")
    daily = _read_daily(root, notes)
    events = EventSource(root)
    job_events, service_events = _read_job_events(events, notes)
    alert_events = _read_alert_events(events)
    return RunFiles(
        root, kpis, run, daily, job_events, service_events, tuple(notes), alert_events,
        _read_ota_events(events), _read_vehicle_hw(root / FLEET_STATE_FILE),
        _read_dayplan_events(events), _read_expert_events(events),
        _read_region_kpis(root / REGION_KPIS_FILE),
    )


class EventSource:
    """A run's event log: its results dataset (:mod:`sim.dataset`, refused unless complete)
    or, for a run saved before it, ``events.parquet``.

    Raises:
        ReportInputError: the dataset is incomplete (one line, from its manifest check).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.dataset = has_dataset(root)
        self.path = root / EVENTS_FILE
        if self.dataset:
            try:
                self.sources = manifest(root)["sources"]
            except IncompleteDatasetError as exc:
                raise ReportInputError(str(exc)) from None

    def is_file(self) -> bool:
        """Whether the run has an event log to read."""
        return self.sources is not None if self.dataset else self.path.is_file()

    def columns(self) -> list[str]:
        if not self.dataset:
            return _parquet_columns(self.path)
        parts = [p for s in self.sources for p in s["parts"]]
        return (_parquet_columns(self.root / parts[0]["path"]) if parts
                else list(events_table(self.root, sources=self.sources).column_names))

    def read(self, columns: list[str] | None = None, filters: Any = None) -> pa.Table:
        if not self.dataset:
            return _read_parquet(self.path, columns=columns, filters=filters)
        try:
            table = events_table(self.root, columns, filters, self.sources)
        except (pa.ArrowException, OSError) as exc:
            raise ReportInputError(f"{self.root}: cannot read the events dataset ({exc})") from exc
        # As a pandas-written file reads: text as pandas' nullable strings.
        return pa.Table.from_pandas(table_frame(table), preserve_index=False)


def _read_region_kpis(path: Path) -> dict[str, dict[str, float | None]]:
    """``kpis_by_region.json`` (NaN written as null), or ``{}`` when absent."""
    if not path.is_file():
        return {}
    data = _read_json_object(path)
    return {str(r): {k: (None if v is None else float(v)) for k, v in row.items()}
            for r, row in data.items() if isinstance(row, dict)}


def _read_json_object(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportInputError(f"{path}: cannot read JSON ({exc})") from exc
    if not isinstance(data, dict):
        raise ReportInputError(f"{path}: expected a JSON object, got {type(data).__name__}")
    return data


def _read_kpis(path: Path) -> dict[str, float | None]:
    """Parse kpis.json; null, NaN, infinities and non-numbers become ``None``."""
    kpis: dict[str, float | None] = {}
    for name, value in _read_json_object(path).items():
        number = float(value) if isinstance(value, int | float) else math.nan
        kpis[str(name)] = number if math.isfinite(number) else None
    return kpis


def _read_parquet(path: Path, columns: list[str] | None = None, filters: Any = None) -> pa.Table:
    try:
        return pq.read_table(path, columns=columns, filters=filters)
    except (pa.ArrowException, OSError) as exc:
        raise ReportInputError(f"{path}: cannot read Parquet ({exc})") from exc


def _parquet_columns(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as exc:
        raise ReportInputError(f"{path}: cannot read Parquet ({exc})") from exc


def _read_daily(root: Path, notes: list[str]) -> pd.DataFrame | None:
    try:
        path = daily_path(root)
    except IncompleteDatasetError as exc:
        raise ReportInputError(str(exc)) from None
    if path is None:
        notes.append(f"{DAILY_FILE} missing: charts over time are skipped.")
        return None
    daily = _read_parquet(path).to_pandas()
    if "day" in daily.columns:
        daily = daily.sort_values("day", kind="stable").reset_index(drop=True)
    return daily


def _read_job_events(
    path: EventSource, notes: list[str]
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """Return (job timing rows, service rows); either is ``None`` when it cannot be built."""
    if not path.is_file():
        notes.append(f"{EVENTS_FILE} missing: the waiting-time chart is skipped.")
        return None, None
    present = path.columns()
    missing = [c for c in JOB_EVENT_COLUMNS if c not in present]
    if missing:
        notes.append(f"{EVENTS_FILE} lacks column(s) {', '.join(missing)}: waits are skipped.")
        return None, None
    has_service = all(c in present for c in SERVICE_REQUIRED_COLUMNS)
    extra = [*SERVICE_REQUIRED_COLUMNS, *SERVICE_OPTIONAL_COLUMNS] if has_service else []
    types = SERVICE_EVENT_TYPES if has_service else JOB_EVENT_TYPES
    table = path.read(
        columns=list(JOB_EVENT_COLUMNS) + [c for c in extra if c in present],
        filters=[("event", "in", list(types))],
    ).to_pandas()
    is_job = table["event"].isin(JOB_EVENT_TYPES).to_numpy()
    job_events = table.loc[is_job, list(JOB_EVENT_COLUMNS)].reset_index(drop=True)
    return job_events, (table if has_service else None)


def _read_alert_events(path: EventSource) -> pd.DataFrame | None:
    """Return the alert and failure rows, or ``None`` without a log that can hold them."""
    if not path.is_file():
        return None  # _read_job_events has already noted the missing log
    present = path.columns()
    if not all(c in present for c in ALERT_REQUIRED_COLUMNS):
        return None
    columns = [*ALERT_REQUIRED_COLUMNS, *(c for c in ALERT_OPTIONAL_COLUMNS if c in present)]
    table = path.read(columns=columns, filters=[("event", "in", list(ALERT_EVENT_TYPES))])
    return table.to_pandas()


def _read_ota_events(path: EventSource) -> pd.DataFrame | None:
    """Return the OTA rows and the software job openings, or ``None`` without a usable log."""
    if not path.is_file() or not all(c in path.columns() for c in OTA_COLUMNS):
        return None
    filters = [
        [("event", "in", list(OTA_EVENT_TYPES))],
        [("event", "==", "job_created"), ("component", "==", "software")],
    ]
    table = path.read(columns=list(OTA_COLUMNS), filters=filters).to_pandas()
    # Strings, not categories: the report compares and groups them as plain text.
    for column in ("event", "component", "cause", "severity", "channel", "outcome"):
        table[column] = table[column].astype(object).fillna("").astype(str)
    return table.sort_values("time_d", kind="stable").reset_index(drop=True)


def _read_dayplan_events(path: EventSource) -> pd.DataFrame | None:
    """Return the van-day and channel rows, or ``None`` without a usable log."""
    if not path.is_file():
        return None
    present = path.columns()
    if not all(c in present for c in DAYPLAN_REQUIRED_COLUMNS):
        return None
    columns = [*DAYPLAN_REQUIRED_COLUMNS, *(c for c in DAYPLAN_OPTIONAL_COLUMNS if c in present)]
    filters = [("event", "in", list(DAYPLAN_EVENT_TYPES))]
    table = path.read(columns=columns, filters=filters).to_pandas()
    for column in ("event", "channel", "outcome", "region"):
        if column in table:
            table[column] = table[column].astype(object).fillna("").astype(str)
    return table.sort_values("time_d", kind="stable").reset_index(drop=True)


def _read_expert_events(path: EventSource) -> pd.DataFrame | None:
    """Return the expert desk's rows, or ``None`` without a usable log."""
    if not path.is_file():
        return None
    present = path.columns()
    if not all(c in present for c in EXPERT_REQUIRED_COLUMNS):
        return None
    columns = [*EXPERT_REQUIRED_COLUMNS, *(c for c in EXPERT_OPTIONAL_COLUMNS if c in present)]
    filters = [("event", "in", list(EXPERT_EVENT_TYPES))]
    table = path.read(columns=columns, filters=filters).to_pandas()
    for column in ("event", "outcome"):
        if column in table:
            table[column] = table[column].astype(object).fillna("").astype(str)
    return table.sort_values("time_d", kind="stable").reset_index(drop=True)


def _read_vehicle_hw(path: Path) -> pd.Series | None:
    """Hardware configuration per vehicle index, or ``None`` (the file is optional)."""
    if not path.is_file() or not {"vehicle", "hw_config"} <= set(_parquet_columns(path)):
        return None
    frame = _read_parquet(path, columns=["vehicle", "hw_config"]).to_pandas()
    return frame.set_index("vehicle")["hw_config"].astype(str)

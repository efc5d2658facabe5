"""Reading run directories."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reports.page.loader import ReportInputError, load_run

if TYPE_CHECKING:
    from conftest import SyntheticRun


def test_loads_all_four_files(run: SyntheticRun) -> None:
    files = load_run(run.path)
    assert files.kpis["vehicles"] == 50_000
    assert files.run["seed"] == 7
    assert files.daily is not None and list(files.daily["day"]) == list(range(30))
    assert files.notes == ()


def test_event_log_is_reduced_to_job_timing(run: SyntheticRun) -> None:
    files = load_run(run.path)
    assert files.job_events is not None
    assert list(files.job_events.columns) == ["time_d", "event", "job"]
    assert set(files.job_events["event"]) == {"job_created", "job_assigned", "job_finished"}
    # 161 jobs; 174 assignments (return visits included); 188 visits ended or remote fixes.
    assert len(files.job_events) == 161 + 174 + 188


def test_service_events_keep_channel_outcome_and_deadline(run: SyntheticRun) -> None:
    files = load_run(run.path)
    assert files.service_events is not None
    columns = "time_d event job channel outcome severity component due_d"
    assert set(files.service_events.columns) == set(columns.split())
    events = "job_created job_triaged job_assigned job_arrived job_finished tow_arrived"
    assert set(files.service_events["event"]) == set(events.split())
    # Deadlines: 141 mobile arrivals (windows, rescue targets) and 1 tow; center visits none.
    deadlines = files.service_events.dropna(subset=["due_d"])
    assert deadlines["event"].value_counts().to_dict() == {"job_arrived": 141, "tow_arrived": 1}


def test_legacy_event_log_has_waits_but_no_service_view(
    make_run: Callable[..., SyntheticRun],
) -> None:
    files = load_run(make_run(legacy=True).path)
    assert files.job_events is not None and files.service_events is None
    assert files.notes == ()


def test_null_nan_and_non_numeric_kpis_become_none(tmp_path: Path) -> None:
    text = '{"a": null, "b": NaN, "c": "x", "d": 2, "e": 0.5, "f": Infinity}'
    (tmp_path / "kpis.json").write_text(text)
    kpis = load_run(tmp_path).kpis
    assert kpis == {"a": None, "b": None, "c": None, "d": 2.0, "e": 0.5, "f": None}


def test_optional_files_missing_are_noted(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(omit_files=["run.json", "daily.parquet", "events.parquet"])
    files = load_run(run.path)
    assert (files.run, files.daily, files.job_events) == ({}, None, None)
    assert len(files.notes) == 3


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda p: None, "no such directory"),
        (lambda p: p.write_text("x"), "not a directory"),
        (lambda p: p.mkdir(), "kpis.json not found"),
    ],
)
def test_bad_run_dir_names_path_and_expected_files(
    tmp_path: Path, setup: Callable[[Path], object], message: str
) -> None:
    target = tmp_path / "nowhere"
    setup(target)
    with pytest.raises(ReportInputError) as info:
        load_run(target)
    text = str(info.value)
    assert str(target) in text and message in text
    assert "kpis.json" in text and "events.parquet" in text


def test_corrupt_files_raise_input_error(run: SyntheticRun) -> None:
    (run.path / "daily.parquet").write_bytes(b"not parquet")
    with pytest.raises(ReportInputError, match="daily.parquet"):
        load_run(run.path)
    (run.path / "kpis.json").write_text(json.dumps([1, 2]))
    with pytest.raises(ReportInputError, match="expected a JSON object"):
        load_run(run.path)

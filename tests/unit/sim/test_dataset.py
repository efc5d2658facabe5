"""The results dataset (issue 17, 3): the log drained into time-ordered parts gives the same
table and KPIs as the log held whole; a dataset is complete only with its manifest and
every part it lists; saving moves it; readers refuse an incomplete one."""

from __future__ import annotations

import gc
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import sim.dataset as dataset
from configs.load import load_config
from sim.dataset import (
    MANIFEST,
    IncompleteDatasetError,
    SourceWriter,
    manifest,
    read_daily,
    read_events,
)
from sim.engine import simulate
from sim.records import Event, EventLog, table_frame

SMALL = ["fleet.size=1500", "horizon_days=45", "output.progress=false"]


def _log(seed: int, n: int, days: int) -> list[tuple[float, Event]]:
    """(clock, record) pairs: each record logged at the clock or ahead of it (a visit's
    arrival), with ties, as processes log them."""
    rng = np.random.default_rng(seed)
    clock = np.sort(rng.integers(0, days * 4, n) / 4.0)
    ahead = np.where(rng.random(n) < 0.3, rng.integers(0, 12, n) / 4.0, 0.0)
    return [(float(c), Event(float(c + a), f"e{i % 5}", i, "x" if i % 3 else "",
                             job=i // 2, due_d=float(a)))
            for i, (c, a) in enumerate(zip(clock, ahead, strict=True))]


def test_drained_parts_in_order_are_the_logs_stable_sort_by_time():
    records, days = _log(1, 3000, 30), 30
    whole = EventLog()
    for _, r in records:
        whole.append(r)
    expected = whole.to_frame(until=days)
    streamed, parts, i = EventLog(), [], 0
    for day in range(1, days + 1):          # the clock's day ends, a drain every 4 days
        while i < len(records) and records[i][0] < day:
            streamed.append(records[i][1])
            i += 1
        if day % 4 == 0:
            parts.append(streamed.drain(day))
    parts.append(streamed.to_table(until=days))
    assert len(parts) > 5 and all(p.num_rows for p in parts)
    pd.testing.assert_frame_equal(table_frame(pa.concat_tables(parts)), expected)
    assert streamed.drained + len(streamed) == len(records)


def test_a_record_dated_before_a_drain_is_refused():
    log = EventLog()
    log.append(Event(1.5, "a"))
    log.drain(2.0)
    log.append(Event(1.9, "late"))
    with pytest.raises(RuntimeError, match="before t=2.0"):
        log.drain(3.0)


@pytest.fixture(scope="module")
def whole(tmp_path_factory):
    out = tmp_path_factory.mktemp("whole")
    return simulate(load_config(SMALL), results_dir=out)


def test_small_parts_give_the_same_run(whole, tmp_path, monkeypatch):
    monkeypatch.setattr(dataset, "PART_ROWS", 400)
    parted = simulate(load_config(SMALL), results_dir=tmp_path)
    man = json.loads((tmp_path / MANIFEST).read_text())
    [fleet] = man["sources"]
    assert fleet["name"] == "fleet" and len(fleet["parts"]) >= 5
    assert sum(p["rows"] for p in fleet["parts"]) == man["events_rows"] == len(whole.events)
    assert parted.kpis == pytest.approx(whole.kpis, nan_ok=True, rel=0, abs=0)
    pd.testing.assert_frame_equal(parted.events, whole.events)
    pd.testing.assert_frame_equal(read_daily(tmp_path), whole.daily)
    pd.testing.assert_frame_equal(parted.daily, whole.daily)


def test_reading_a_few_columns_and_rows(whole):
    ev = read_events(whole.dataset, ["time_d", "job"], [("event", "==", "job_finished")])
    ref = whole.events[whole.events["event"] == "job_finished"][["time_d", "job"]]
    assert len(ev) > 50 and list(ev.columns) == ["time_d", "job"]
    pd.testing.assert_frame_equal(ev, ref.reset_index(drop=True))


def test_a_missing_or_short_part_or_manifest_is_incomplete(whole, tmp_path):
    result = simulate(load_config(SMALL), results_dir=tmp_path / "a")
    root = result.dataset
    part = root / manifest(root)["sources"][0]["parts"][0]["path"]
    kept = part.read_bytes()
    part.unlink()
    with pytest.raises(IncompleteDatasetError, match="part-00000.parquet missing"):
        read_events(root)
    SourceWriter(root, "other").write(table_frame_to_table(whole.events.iloc[:10]))
    (root / "events" / "src=other" / "part-00000.parquet").rename(part)
    with pytest.raises(IncompleteDatasetError, match=r"10 rows, \d+ listed"):
        read_events(root)
    part.write_bytes(kept)
    assert len(read_events(root)) == len(whole.events)
    (root / MANIFEST).unlink()
    with pytest.raises(IncompleteDatasetError, match="no _SUCCESS manifest") as err:
        read_daily(root)
    assert "\n" not in str(err.value)


def table_frame_to_table(frame):
    return pa.Table.from_pandas(frame, preserve_index=False)


def test_save_moves_the_dataset_and_drops_events_when_asked(tmp_path):
    result = simulate(load_config(SMALL + ["output.events=false"]))
    temp = result.dataset
    assert temp.is_dir() and (temp / MANIFEST).is_file()
    result.save(tmp_path / "out")
    assert not (temp / MANIFEST).exists() and result.dataset == tmp_path / "out"
    assert not (tmp_path / "out" / "events").exists()
    assert len(read_daily(tmp_path / "out")) == 45
    with pytest.raises(IncompleteDatasetError, match=r"without its events \(output.events"):
        read_events(tmp_path / "out")
    del result
    gc.collect()
    assert not temp.exists()        # the temporary folder went with its result


def test_the_kpis_read_without_the_events_no_kpi_reads_are_the_whole_logs(whole):
    # the same run with its log held whole in memory (no dataset): the KPIs of the full table
    from sim.engine import build, collect, mark_sample_day, run_clock
    from sim.kpis.compute import NOT_READ_BY_KPIS
    assert whole.events["event"].isin(NOT_READ_BY_KPIS).sum() > 100
    s = build(load_config(SMALL))
    mark_sample_day(s)
    run_clock(s)
    held = collect(s, 0.0)
    assert held.dataset is None and len(held.events) == len(whole.events)
    assert held.kpis == pytest.approx(whole.kpis, nan_ok=True, rel=0, abs=0)
    assert held.kpis_by_region == whole.kpis_by_region

"""Results store: hive layout, atomic rows, fingerprints, temp files; seeds and tasks."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import sim
from experiments.store import ResultStore, StaleResultError
from experiments.tasks import (
    TaskResult,
    config_hash,
    fingerprint,
    make_tasks,
    replication_seeds,
)


def _tasks():
    return make_tasks(["fleet.size=10"], {"a": [], "b": ["alerts=none"]}, [11, 22])


def _result(task, value):
    return TaskResult(task, {"cost": value, "rate": math.nan, "count": 3.0}, 0.25)


def test_seeds_are_spawned_from_the_base_seed_and_stable_when_extended():
    seeds = replication_seeds(2026, 3)
    children = np.random.SeedSequence(2026).spawn(3)
    expected = [int(c.generate_state(1, dtype=np.uint64)[0]) >> 1 for c in children]
    assert seeds == expected
    assert len(set(seeds)) == 3 and all(0 <= s < 2**63 for s in seeds)
    assert replication_seeds(2026, 5)[:3] == seeds
    assert replication_seeds(2027, 3) != seeds


def test_tasks_share_seeds_across_variants_and_fingerprint_their_overrides():
    tasks = _tasks()
    assert [(t.variant, t.replication, t.seed) for t in tasks] == [
        ("a", 0, 11), ("b", 0, 11), ("a", 1, 22), ("b", 1, 22)]
    assert tasks[1].overrides == ("fleet.size=10", "alerts=none", "seed=11")
    assert tasks[1].fingerprint == fingerprint(["fleet.size=10", "alerts=none", "seed=11"])
    assert len({t.fingerprint for t in tasks}) == 4
    assert fingerprint(["x=1", "y=2"]) != fingerprint(["y=2", "x=1"])


def test_rows_are_written_in_the_hive_layout_and_read_as_one_dataset(tmp_path):
    store = ResultStore(tmp_path)
    for i, t in enumerate(_tasks()):
        path = store.write(_result(t, float(i)), "exp")
        name = f"replication={t.replication}.parquet"
        assert path == tmp_path / "kpis" / f"variant={t.variant}" / name
    # A stray temp file of an interrupted write is never read.
    (tmp_path / "kpis" / "variant=a" / ".replication=5.parquet.x1y2.tmp").write_bytes(b"PAR1junk")
    ds = pd.read_parquet(tmp_path / "kpis").sort_values(["variant", "replication"])
    assert len(ds) == 4
    assert ds["variant"].astype(str).tolist() == ["a", "a", "b", "b"]
    assert ds["cost"].tolist() == [0.0, 2.0, 1.0, 3.0]
    assert ds["seed"].tolist() == [11, 22, 11, 22]
    assert (ds["experiment"] == "exp").all() and ds["rate"].isna().all()
    for col in ("cost", "rate", "count", "wall_s"):
        assert ds[col].dtype == np.float64, col
    loaded = store.load(_tasks())
    assert list(loaded.columns[:5]) == ["experiment", "variant", "replication", "seed",
                                        "fingerprint"]
    assert loaded["cost"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_duckdb_reads_the_experiment_as_one_table(tmp_path):
    # Not skipped when missing: DuckDB is in the `test` extra, so CI runs this (issue 16, 9).
    import duckdb

    store = ResultStore(tmp_path)
    for i, t in enumerate(_tasks()):
        store.write(_result(t, float(i)), "exp")
    glob = str(tmp_path / "kpis" / "*" / "*.parquet")
    rows = duckdb.sql(f"SELECT variant, sum(cost) FROM read_parquet('{glob}', "
                      "hive_partitioning = true) GROUP BY variant ORDER BY variant").fetchall()
    assert rows == [("a", 2.0), ("b", 4.0)]


def test_is_done_checks_the_fingerprint_and_names_a_stale_file(tmp_path):
    store = ResultStore(tmp_path)
    t = _tasks()[0]
    assert not store.is_done(t)
    store.write(_result(t, 1.0), "exp")
    assert store.is_done(t)
    other = make_tasks(["fleet.size=20"], {"a": []}, [11])[0]
    with pytest.raises(StaleResultError, match=r"variant=a/replication=0\.parquet holds a result"):
        store.is_done(other)
    store.path("b", 0).parent.mkdir(parents=True)
    store.path("b", 0).write_bytes(b"not parquet")
    with pytest.raises(StaleResultError, match="cannot read"):
        store.is_done(_tasks()[1])


def test_config_hash_covers_the_scenario_not_seed_or_output():
    a = config_hash(sim.load_config(["seed=1", "output.progress=false"]))
    assert a == config_hash(sim.load_config(["seed=2", "output.report=false"]))
    assert a != config_hash(sim.load_config(["fleet.size=11"]))
    assert a != config_hash(sim.load_config(["alerts=sensitive"]))


def test_same_overrides_on_another_resolved_config_are_stale(tmp_path):
    store = ResultStore(tmp_path)
    old = make_tasks(["fleet.size=10"], {"a": []}, [11], {"a": "c0ffee"})[0]
    store.write(_result(old, 1.0), "exp")
    assert pd.read_parquet(store.path("a", 0))["config_hash"].tolist() == ["c0ffee"]
    assert store.is_done(old)
    edited = make_tasks(["fleet.size=10"], {"a": []}, [11], {"a": "beef00"})[0]
    with pytest.raises(StaleResultError, match=r"replication=0\.parquet was made from the same "
                                               r"overrides but another resolved config"):
        store.is_done(edited)


def test_clean_temp_removes_only_temp_files(tmp_path):
    store = ResultStore(tmp_path)
    t = _tasks()[0]
    store.write(_result(t, 1.0), "exp")
    stray = store.path("a", 1).parent / ".replication=1.parquet.abc.tmp"
    stray.write_bytes(b"half")
    assert store.clean_temp() == [stray]
    assert not stray.exists() and store.path("a", 0).is_file()


def test_a_task_timeline_is_stored_beside_its_row_and_read_back_stacked(tmp_path):
    store = ResultStore(tmp_path)
    tl = pd.DataFrame({"day": [0, 1], "ota_installed_share": [math.nan, 0.5],
                       "jobs_waited": [1, 2], "wait_h_sum": [3.0, 4.0]})
    a0, _, a1, _ = _tasks()     # replication-major: a0, b0, a1, b1
    store.write(TaskResult(a0, {"cost": 1.0}, 0.1, tl), "exp")
    store.write(TaskResult(a1, {"cost": 2.0}, 0.1), "exp")     # an older worker: no timeline
    assert store.timeline_path("a", 0) == tmp_path / "timeline/variant=a/replication=0.parquet"
    assert store.timeline_path("a", 0).is_file() and not store.timeline_path("a", 1).exists()
    got = store.load_timelines(["a", "b"], 2)
    assert got[["variant", "replication", "day", "wait_h_sum"]].values.tolist() == [
        ["a", 0, 0, 3.0], ["a", 0, 1, 4.0]]
    assert ResultStore(tmp_path / "none").load_timelines(["a"], 1).empty
    stray = store.timeline_path("b", 0).parent / ".replication=0.parquet.x.tmp"
    stray.parent.mkdir(parents=True)
    stray.write_text("half")
    assert store.clean_temp() == [stray] and not stray.exists()

"""Scale check arithmetic: speedup = serial wall / parallel wall, efficiency = speedup / n_jobs."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest

from experiments.scale import efficiency_table, parallel_efficiency


def test_efficiency_table_arithmetic():
    t = efficiency_table({4: 3.0, 1: 10.0, 2: 5.5})
    assert t["n_jobs"].tolist() == [1, 2, 4]
    assert t["speedup"].tolist() == pytest.approx([1.0, 10 / 5.5, 10 / 3])
    assert t["efficiency"].tolist() == pytest.approx([1.0, 10 / 5.5 / 2, 10 / 3 / 4])
    with pytest.raises(ValueError, match="n_jobs=1"):
        efficiency_table({2: 1.0})


def test_parallel_efficiency_times_each_count_on_the_same_tasks(tmp_path):
    calls = []
    now = [0.0]
    cost = {1: 8.0, 2: 5.0, 4: 4.0}  # seconds each run takes on the fake clock
    kpis = pd.DataFrame({"variant": ["base"] * 2, "replication": [0, 1], "seed": [5, 6],
                         "wall_s": [1.0, 2.0], "x": [1.0, 2.0]})

    def runner(base, variants, replications, out_dir, *, n_jobs, backend, progress):
        calls.append((tuple(base), replications, out_dir.name, n_jobs, backend, progress))
        now[0] += cost[n_jobs]
        frame = kpis.assign(wall_s=kpis["wall_s"] * n_jobs)  # wall times differ; KPIs do not
        if n_jobs == 4:
            frame = frame.assign(x=[1.0, 2.5])
        return SimpleNamespace(kpis=frame)

    t = parallel_efficiency([4, 2], ["fleet.size=10"], replications=2, workdir=tmp_path,
                            runner=runner, clock=lambda: now[0])
    assert [c[3] for c in calls] == [1, 2, 4]
    assert {c[2] for c in calls} == {"n_jobs=1", "n_jobs=2", "n_jobs=4"}
    assert all(c[0] == ("fleet.size=10",) and c[1] == 2 and c[5] is False for c in calls)
    assert t["wall_s"].tolist() == [8.0, 5.0, 4.0]
    assert t["speedup"].tolist() == pytest.approx([1.0, 1.6, 2.0])
    assert t["efficiency"].tolist() == pytest.approx([1.0, 0.8, 0.5])
    assert t["tasks"].tolist() == [2, 2, 2]
    assert t["identical"].tolist() == [True, True, False]
    assert list(tmp_path.iterdir()) == []  # the measurement dirs are removed


def test_warm_up_runs_first_untimed_and_the_loss_is_split(tmp_path):
    calls = []
    now = [0.0]
    # Serial: 2 tasks of 4 s in 8 s. Two workers: tasks 5 s each (slower), done in 6 s.
    plan = {1: (8.0, 4.0), 2: (6.0, 5.0)}

    def runner(base, variants, replications, out_dir, *, n_jobs, backend, progress):
        calls.append((out_dir.name, tuple(base), replications, n_jobs))
        if out_dir.name.startswith("warm"):
            now[0] += 1.5
            return SimpleNamespace(kpis=None)
        wall, task = plan[n_jobs]
        now[0] += wall
        return SimpleNamespace(kpis=pd.DataFrame({
            "variant": ["base"] * 2, "replication": [0, 1], "seed": [5, 6],
            "wall_s": [task, task], "x": [1.0, 2.0]}))

    t = parallel_efficiency([2], ["fleet.size=10"], replications=2, workdir=tmp_path,
                            runner=runner, clock=lambda: now[0], warm=["fleet.size=3"])
    assert [c[0] for c in calls] == ["warm-1", "n_jobs=1", "warm-2", "n_jobs=2"]
    assert calls[2][1:] == (("fleet.size=3",), 4, 2)      # 2 tiny tasks per worker
    assert t["start_s"].tolist() == [1.5, 1.5]
    assert t["wall_s"].tolist() == [8.0, 6.0]             # the warm-up is not timed
    assert t["task_s"].tolist() == [8.0, 10.0]
    assert t["occupancy"].tolist() == pytest.approx([1.0, 10.0 / 12.0])
    assert t["task_slowdown"].tolist() == pytest.approx([1.0, 1.25])
    # efficiency = occupancy / slowdown when the serial run is all tasks
    assert t["efficiency"].tolist() == pytest.approx((t["occupancy"] / t["task_slowdown"]).tolist())
    assert (t["other_cores"] >= 0).all()

"""The batched repair queue, the event log's horizon cut, and the daily collector's sample."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.engine import build
from sim.records import EventLog


def _small(**over):
    base = {"fleet.size": 400, "horizon_days": 3, "output.progress": "false", "seed": 9}
    base |= over
    return build(sim.load_config([f"{k}={v}" for k, v in base.items()]))


def test_queued_repairs_wait_for_apply_then_reset_the_twin():
    s = _small()
    state = s.fleet.state
    tires, aux = state.twins["tires"], state.twins["aux12v"]
    v = np.array([3, 17])
    tires["tread_mm"][v] = 1.0
    aux["wear_frac"][v[:1]] = 1.2
    state.open_job["tires"][v] = True
    state.open_job["aux12v"][v[:1]] = True
    state.strand_count[v[:1]] = 2  # two roadside jobs open: stays down after one repair
    state.down[v[:1]] = True
    seen = []
    s.repairs.before_repair.append(
        lambda comp, cause, sev, idx: seen.append((comp, idx.tolist(),
                                                   state.twins[comp][next(iter(
                                                       state.twins[comp]))][idx].tolist())))
    after = []
    s.repairs.after_repair.append(
        lambda comp, cause, sev, idx: after.append((comp, idx.tolist(),
                                                    state.open_job[comp][idx].tolist())))
    for vehicle in v.tolist():
        s.repairs(vehicle, "tires", "tread_worn", "drivable")
    s.repairs(3, "aux12v", "no_start", "roadside")
    assert len(s.repairs) == 3
    assert tires["tread_mm"][v].tolist() == [1.0, 1.0]  # nothing happens before apply
    done = s.repairs.apply()
    assert [(c, cause, sev, idx.tolist()) for c, cause, sev, idx in done] == [
        ("tires", "tread_worn", "drivable", [3, 17]), ("aux12v", "no_start", "roadside", [3])]
    assert tires["tread_mm"][v] == pytest.approx(s.fleet.params["tires"].tread_new_mm)
    assert aux["wear_frac"][3] == 0.0
    assert not state.open_job["tires"][v].any() and not state.open_job["aux12v"][3]
    assert state.strand_count[3] == 1 and state.down[3]  # one roadside job still open
    assert seen[0][0] == "tires" and seen[0][1] == [3, 17] and seen[0][2] == [1.0, 1.0]
    # after_repair hooks see each batch once it is repaired (its open-job flag cleared).
    assert after == [("tires", [3, 17], [False, False]), ("aux12v", [3], [False])]
    assert len(s.repairs) == 0 and s.repairs.apply() == []


def test_the_log_export_drops_records_past_the_horizon_and_sorts_by_time():
    log = EventLog()
    for t, name in [(2.5, "b"), (0.5, "a"), (3.25, "late"), (2.5, "c")]:
        log.append((t, name, 1, "", "", "", 0, "", -1, "", "", np.nan, np.nan))
    ev = log.to_frame(until=3.0)
    assert ev["event"].tolist() == ["a", "b", "c"]  # stable for equal times
    assert log.to_frame()["event"].tolist() == ["a", "b", "c", "late"]


@pytest.mark.parametrize("sample", [0, 100])
def test_daily_health_means_come_from_the_documented_sample(sample):
    s = _small(**{"output.daily_sample_vehicles": sample})
    s.collector.record(0, s.fleet.usage.day(0), [], None, 0)
    row = s.collector.rows[-1]
    step = 1 if sample == 0 else 400 // sample
    for name, twin in s.fleet.twins.items():
        st = {k: a[::step] for k, a in s.fleet.state.twins[name].items()}
        want = float(twin.health(st, s.fleet.params[name]).mean())
        assert row[f"health_{name}_mean"] == pytest.approx(want, rel=1e-6)
    # The SOH mean is always exact.
    soh = 1.0 - s.fleet.state.twins["battery"]["q_cal"] - s.fleet.state.twins["battery"]["q_cyc"]
    assert row["battery_soh_mean"] == pytest.approx(float(soh.mean()), rel=1e-6)


def test_the_log_export_types_each_column_and_keeps_empty_and_ragged_logs_apart():
    from sim.records import COLUMNS, Event

    log = EventLog()
    empty = log.to_frame()
    assert list(empty.columns) == list(COLUMNS) and len(empty) == 0
    assert str(empty["job"].dtype) == "int64" and str(empty["event"].dtype) == "string"
    log.append(Event(1.5, "job_created", vehicle=4, job=2, region="north", due_d=3.0))
    log.append((0.5, "van_leg", 7, "", "", "", 2, "north", 1, "mobile", "", float("nan"), 12.5))
    ev = log.to_frame()
    assert ev["event"].tolist() == ["van_leg", "job_created"]
    assert ev["vehicle"].tolist() == [7, 4] and str(ev["vehicle"].dtype) == "int64"
    assert ev["technician"].tolist() == [1, -1] and ev["value"].iloc[0] == 12.5
    assert ev["due_d"].iloc[1] == 3.0 and str(ev["time_d"].dtype) == "float64"
    log.append((2.0, "short"))
    with pytest.raises(ValueError):
        log.to_frame()

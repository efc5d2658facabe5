"""Sharded runs (issue 17): the same result for any shard count and backend, region-keyed
streams, the OTA server's gates over the whole fleet, and the ``run`` keys' validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

import experiments.shards  # noqa: F401  (registers run.backend=local and dask)
from configs.load import load_config
from configs.validate import ConfigError, validate
from sim.engine import simulate
from sim.ota.targets import FleetAttributes
from sim.rng import Streams
from sim.shards.ota_server import OtaServer, split_orders
from sim.shards.plan import apportion, assign

# Small, with the default OTA release: its SPRT gate pauses hw3 and the operator's hotfix
# supersedes the release inside 60 days (asserted below, so the gates really act).
SMALL = ["fleet.size=1500", "horizon_days=60", "output.progress=false"]


def _run(*extra: str):
    return simulate(load_config(SMALL + list(extra)))


def _sorted(events: pd.DataFrame) -> pd.DataFrame:
    return events.sort_values(list(events.columns), kind="stable").reset_index(drop=True)


@pytest.fixture(scope="module")
def one():
    return _run("run.shards=1")


def _same(a, b) -> None:
    assert a.kpis == pytest.approx(b.kpis, nan_ok=True, rel=0, abs=0)
    assert list(a.kpis) == list(b.kpis)
    pd.testing.assert_frame_equal(_sorted(a.events), _sorted(b.events))
    pd.testing.assert_frame_equal(a.daily, b.daily)


def test_the_gates_act_in_the_small_scenario(one):
    ota = one.events[one.events["event"].str.startswith("ota_") & (one.events["vehicle"] < 0)]
    assert {"ota_wave_started", "ota_cohort_paused", "ota_superseded"} <= set(ota["event"])
    # a command's count reached the decision's reason (no placeholder token left)
    assert not ota["outcome"].str.contains("\x00").any()
    withdrawn = ota.loc[ota["event"] == "ota_superseded", "outcome"].iloc[0]
    assert int(withdrawn.split("; ")[1].split()[0]) > 0


@pytest.mark.parametrize("shards", [2, 4])
def test_processes_give_the_same_run_as_one_shard(one, shards):
    _same(one, _run(f"run.shards={shards}"))


def test_dask_gives_the_same_run_as_one_shard(one):
    _same(one, _run("run.shards=2", "run.backend=dask"))


def test_a_regions_draws_do_not_depend_on_the_other_regions():
    # 1400 vehicles over three regions (tier1_east's share 0.5) give tier1_east the same 700
    # vehicles as 2000 over four.
    base = ["ota=none", "horizon_days=20", "output.progress=false", "run.shards=1"]
    four = simulate(load_config(base + ["fleet.size=2000"]))
    three = simulate(load_config(base + ["fleet.size=1400", "~fleet.regions.remote_west",
                                         "fleet.regions.tier1_east.share=0.5"]))
    assert four.kpis["vehicles"] == 2000 and three.kpis["vehicles"] == 1400

    def east(r):
        ev = r.events[r.events["region"] == "tier1_east"]
        return ev.drop(columns=["job", "technician"]).reset_index(drop=True)

    assert len(east(four)) > 100
    pd.testing.assert_frame_equal(east(four), east(three))
    s4 = four.fleet_state[four.fleet_state["region"] == "tier1_east"].reset_index(drop=True)
    s3 = three.fleet_state[three.fleet_state["region"] == "tier1_east"].reset_index(drop=True)
    pd.testing.assert_frame_equal(s4, s3)
    # ... while the other regions' draws differ from tier1_east's
    s_south = four.fleet_state[four.fleet_state["region"] == "tier1_south"]
    assert not np.array_equal(s_south["battery.q_cal"].to_numpy()[:100],
                              s4["battery.q_cal"].to_numpy()[:100])


def test_region_streams_are_keyed_by_name():
    s = Streams(7)
    a = s.region("north").get("usage").random(4)
    assert np.array_equal(a, Streams(7).region("north").get("usage").random(4))
    assert not np.array_equal(a, s.region("south").get("usage").random(4))
    assert not np.array_equal(a, s.get("usage").random(4))


def test_apportion_and_assign_are_fixed_rules():
    # remainders .5 .5 .5 .5: the two left over go to the earlier regions
    assert apportion(10, [0.35, 0.25, 0.25, 0.15]) == [4, 3, 2, 1]
    assert apportion(20, [0.35, 0.25, 0.25, 0.15]) == [7, 5, 5, 3]
    assert sum(apportion(10_001, [0.35, 0.25, 0.25, 0.15])) == 10_001
    assert assign([3500, 2500, 2500, 1500], 2) == [[0, 3], [1, 2]]
    assert assign([3500, 2500, 2500, 1500], 4) == [[0], [1], [2], [3]]
    assert assign([3500, 2500], 4) == [[0], [1]]


def _gate_server(n_regions: int, per_region: int):
    cfg = load_config(["ota/rollout=big_bang", "ota.rollout.gates.error_action=pause",
                       "ota.rollout.gates.min_executed=20",
                       "ota.rollout.gates.error_threshold_frac=0.1", "ota.operator.enabled=false"])
    ota = OmegaConf.to_object(cfg.ota)
    n = n_regions * per_region
    attrs = FleetAttributes(np.zeros(n, np.int64), ("hw4", "hw3"), np.full(n, 2, np.int64),
                            ("employee", "early_adopter", "regular"),
                            np.repeat(np.arange(n_regions), per_region).astype(np.int64),
                            tuple(f"r{i}" for i in range(n_regions)))
    day = int(ota.releases["fix_2026_12"].release_day)
    return OtaServer(ota, attrs, Streams(1).get("ota")), day


def _reports(ids: np.ndarray, errors: int) -> list:
    return [("in_progress", ids), ("booted", ids[errors:]), ("failed", ids[:errors])]


def test_the_gate_judges_the_fleet_not_one_region():
    # Each region: 12 results, 2 errors (17 %): under min_executed 20 alone, so no region's
    # own server could decide; the fleet's 24 results with 4 errors trip the 10 % gate.
    server, day = _gate_server(2, 50)
    orders = server.decide(day, {})
    assert [c[1] for c in orders["commands"]] == ["release"]
    assert [len(o["commands"][0][2][0]) for o in split_orders(orders, np.array([0, 50, 100]))] \
        == [50, 50]
    reports = {"fix_2026_12": _reports(np.arange(12), 2) + _reports(np.arange(50, 62), 2)}
    server.decide(day + 1, reports)
    [paused] = server.settle([[], []])
    assert paused.action == "paused" and "4 errors / 24 executed" in paused.reason

    alone, day = _gate_server(1, 50)
    alone.decide(day, {})
    alone.decide(day + 1, {"fix_2026_12": _reports(np.arange(12), 2)})
    assert alone.settle([[]]) == []


@pytest.mark.parametrize("override, key", [("run.shards=0", "run.shards"),
                                           ("run.shards=two", "run.shards"),
                                           ("run.backend=ray", "run.backend")])
def test_bad_run_values_stop_with_one_line(override, key):
    with pytest.raises(ConfigError) as err:
        validate(load_config([override]))
    msg = str(err.value)
    assert msg.startswith(key) and "\n" not in msg and "allowed" in msg


# --- the results dataset of a sharded run (issue 17, 3): streamed, complete only at the end

def test_the_dataset_is_complete_and_read_back_in_fleet_numbering(one, tmp_path):
    import json

    from sim.dataset import MANIFEST, read_events
    man = json.loads((one.dataset / MANIFEST).read_text())
    names = [s["name"] for s in man["sources"]]
    assert names[0] == "ota_server" and names[1:] == list(load_config(SMALL).fleet.regions)
    assert man["events_rows"] == len(one.events) and man["seed"] == load_config(SMALL).seed
    shifts = [s["shift"]["vehicle"] for s in man["sources"][1:]]
    assert shifts == sorted(shifts) and shifts[0] == 0 and shifts[-1] > 0
    # the regions' parts hold local ids; the reader shifts them into one dense numbering
    ev = read_events(one.dataset)
    pd.testing.assert_frame_equal(ev, one.events)
    assert ev["vehicle"].max() < 1500 and ev["vehicle"].max() > shifts[-1]
    assert ev["time_d"].is_monotonic_increasing


def _fault(monkeypatch, tmp_path, spec: str, *extra: str):
    from sim.shards.region import FAULT_ENV
    monkeypatch.setenv(FAULT_ENV, spec)
    out = tmp_path / "run"
    with pytest.raises(RuntimeError) as err:
        simulate(load_config(SMALL + list(extra)), results_dir=out)
    return str(err.value), out


def _refused(out) -> None:
    from reports.page.loader import ReportInputError, load_run
    from sim.dataset import IncompleteDatasetError, read_events
    with pytest.raises(IncompleteDatasetError, match="incomplete"):
        read_events(out)
    (out / "kpis.json").write_text("{}")
    with pytest.raises(ReportInputError, match="incomplete"):
        load_run(out)


@pytest.mark.parametrize("spec, expected", [
    # a region raises: its shard, the shard's regions, the day and the region's error
    ("tier1_south:7:raise", "shard 1 (regions tier1_south, tier2_north) failed at day 7: "
                            "RegionFailed: region tier1_south failed on day 7"),
    # a shard's process dies
    ("remote_west:12:exit", "shard 0 (regions tier1_east, remote_west) exited with code 70 "
                            "at day 12"),
])
def test_a_failed_local_shard_is_named_and_leaves_no_complete_dataset(
        monkeypatch, tmp_path, spec, expected):
    msg, out = _fault(monkeypatch, tmp_path, spec, "run.shards=2")
    assert "\n" not in msg
    assert msg.startswith(expected) and msg.endswith("the run's dataset is not complete")
    _refused(out)


def test_dask_retries_a_lost_worker_and_gives_the_same_run(one, monkeypatch, tmp_path):
    from sim.shards.region import FAULT_ENV
    marker = tmp_path / "killed-once"
    monkeypatch.setenv(FAULT_ENV, f"tier1_east:9:exit:{marker}")
    again = simulate(load_config(SMALL + ["run.shards=2", "run.backend=dask"]),
                     results_dir=tmp_path / "run")
    assert marker.exists()              # the worker did die once
    _same(one, again)
    assert (tmp_path / "run" / "_SUCCESS").is_file()


def test_dask_gives_up_on_a_region_that_always_fails(monkeypatch, tmp_path):
    msg, out = _fault(monkeypatch, tmp_path, "tier1_east:3:raise", "run.shards=2",
                      "run.backend=dask")
    assert msg.startswith("shard 0 (regions tier1_east, remote_west) failed after 2 retries")
    assert "region tier1_east failed on day 3" in msg
    _refused(out)

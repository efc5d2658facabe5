"""The service-day section's van sizing: curves, the searched targets' trials, captions."""

from __future__ import annotations

from reports.serviceday import section as serviceday
from reports.serviceday.view import sizing_of
from tests.unit.reports.serviceday_data import CONFIG, SIZING, run_files


def test_sizing_curves_and_target() -> None:
    sizing, why = sizing_of({"config": CONFIG, "sizing": SIZING})
    assert sizing is not None and why == ""
    assert sizing.target == "utilization" and sizing.target_value == 0.8
    assert sizing.vans == {"north": 2, "south": 1}
    assert sizing.curves["north"]["utilization"].tolist() == [1.4, 0.7, 0.47, 0.35]
    block, note = serviceday.sizing_block(run_files(None, {"config": CONFIG, "sizing": SIZING}))
    assert block is not None and block.image is not None and note == ""
    assert "utilization at or under 80 %" in block.caption
    assert "Vans: north 2, south 1. Center bays: north 3, south 1." in block.caption


def test_searched_sizing_keeps_its_trials_and_names_missed_regions() -> None:
    config = {**CONFIG, "service": {**CONFIG["service"], "sizing": {"p90_wait_h": 72.0}}}
    searched = {**SIZING, "target": "p90_wait_h",
                "trials": {"north": {"vans": [1, 2], "value": [130.0, 60.0]},
                           "south": {"vans": [1], "value": [95.0]}},
                "met": {"north": True, "south": False}}
    sizing, why = sizing_of({"config": config, "sizing": searched})
    assert sizing is not None and why == ""
    assert sizing.target_value == 72.0
    assert sizing.trials["north"]["value"].tolist() == [130.0, 60.0]
    assert sizing.met == {"north": True, "south": False}
    block, _ = serviceday.sizing_block(run_files(None, {"config": config, "sizing": searched}))
    assert block is not None and block.image is not None
    assert "90th-percentile wait of its van jobs of at most 72 h" in block.caption
    assert "Target still missed after the last pilot in: south." in block.caption
    plain, _ = serviceday.sizing_block(run_files(None, {"config": CONFIG, "sizing": SIZING}))
    assert len(block.image) > len(plain.image)          # a third panel: the pilot runs
    bad = {**searched, "trials": {"north": {"vans": [1]}}}
    assert sizing_of({"config": config, "sizing": bad})[1] == "run.json's sizing is malformed."


def test_no_sizing_gives_a_note() -> None:
    block, note = serviceday.sizing_block(run_files(None))
    assert block is None
    assert note == "Vans per region were not sized by the simulator (service.mobile.sizing=fixed)."
    assert sizing_of({"sizing": {"curves": 3}})[1] == "run.json's sizing is malformed."

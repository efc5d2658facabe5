"""The prognostics section of a real run's report: one row per component with the run's
scores, and the RUL-error chart; absent with ``prognostics=none``."""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path

import pytest

import sim
from reports.build import build_report

BASE = ["fleet.size=1000", "horizon_days=240", "output.progress=false"]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, tuple[str, dict]]:
    out = {}
    for name, extra in (("on", []), ("off", ["prognostics=none"])):
        run_dir = tmp_path_factory.mktemp(name)
        sim.simulate(sim.load_config([*BASE, *extra])).save(run_dir)
        page = Path(build_report(run_dir)).read_text(encoding="utf-8")
        out[name] = (page, json.loads((run_dir / "run.json").read_text(encoding="utf-8")))
    return out


def _row(page: str, name: str) -> list[str]:
    found = re.search(rf'<tr id="prognostics-{name}">(.*?)</tr>', page, re.S)
    assert found, name
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td.*?</td>", found.group(1))]


def test_section_rows_are_the_run_table(pages):
    page, run = pages["on"]
    assert 'id="prognostics"' in page
    targets = run["prognostics"]["targets"]
    assert set(targets) == {"battery_soh", "brake_pads", "tire_tread", "tire_pressure",
                            "battery_12v", "air_filter"}
    for name, t in targets.items():
        cells = _row(page, name)
        assert cells[2] == f"{t['horizon_days']:g} d"
        assert cells[3] == t["action"]
        assert cells[4].replace(",", "") == str(t["alerts"])
        assert cells[5].replace(",", "") == str(t["crossings"])
        ra = t["relative_accuracy"]
        assert cells[7] == ("n/a" if ra is None or math.isnan(ra) else f"{ra:.2f}")
    assert _row(page, "battery_soh")[1] == "< 85.0 % SOH"
    assert _row(page, "air_filter")[1] == "> 20.0 % efficiency loss"
    assert 'alt="RUL error against days before the crossing"' in page


def test_no_section_without_prognostics(pages):
    page, run = pages["off"]
    assert "prognostics" not in run
    assert 'id="prognostics"' not in page

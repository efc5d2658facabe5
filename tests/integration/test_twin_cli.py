"""``fleetsim-twin`` end to end on a small saved run: table, maintenance, plot, JSON, errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim.whatif import load_vehicle
from sim.whatif.result import component_label
from twins import TWINS

VEHICLES, DAYS = 200, 10
VEHICLE = 17
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def twin_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("fleetsim-twin")
    cmd = [exe] if exe else [sys.executable, "-m", "sim.whatif.cli"]
    return subprocess.run([*cmd, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    cfg = sim.load_config([f"fleet.size={VEHICLES}", f"horizon_days={DAYS}",
                           "output.progress=false"])
    return sim.simulate(cfg).save(tmp_path_factory.mktemp("twin_cli") / "run")


@pytest.fixture(scope="module")
def text_run(run_dir):
    plot = run_dir.parent / "plots" / "v17.png"
    proc = twin_cli(run_dir, "--vehicle", VEHICLE, "--usage", "calm", "--usage",
                    "dc_share=0.02", "--samples", 50, "--plot", plot, cwd=run_dir.parent)
    return proc, plot


def _table(stdout: str) -> dict[str, list[str]]:
    """Rows of the health table: label -> cells (the label may contain spaces)."""
    lines = stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("component"))
    rows = {}
    for line in lines[start + 1:]:
        if not line.strip():
            break
        label, _, cells = line.partition("  ")
        rows[label.strip()] = cells.split()
    return rows


def test_prints_vehicle_table_and_maintenance(run_dir, text_run):
    proc, _ = text_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    out = proc.stdout
    vt = load_vehicle(run_dir, VEHICLE)
    assert f"vehicle {VEHICLE} of {run_dir} (state at day {DAYS} of the run" in out
    assert f"profile {vt.info['profile']}, region {vt.usage['region']}" in out
    assert "alternative (calm, dc_share=0.02): aggressiveness" in out and "dc_share" in out
    header = next(line for line in out.splitlines() if line.startswith("component"))
    assert header.split()[1:] == ["now", "3", "mo", "(own)", "12", "mo", "(own)", "3", "mo",
                                  "(alt)", "12", "mo", "(alt)"]
    rows = _table(out)
    assert set(rows) == {component_label(n) for n in TWINS}
    for name, health in vt.health().items():
        cells = rows[component_label(name)]
        assert len(cells) == 5
        assert cells[0] == f"{health:.1%}"
    assert "maintenance, own usage:" in out
    assert "maintenance, alternative (calm, dc_share=0.02):" in out


def test_plot_is_a_png(text_run):
    proc, plot = text_run
    assert proc.returncode == 0, proc.stderr
    data = plot.read_bytes()
    assert data[:8] == PNG_SIGNATURE and len(data) > 10_000
    assert f"plot: {plot}" in proc.stdout


def test_json_output_parses_and_matches_the_vehicle(run_dir):
    proc = twin_cli(run_dir, "--vehicle", VEHICLE, "--usage", "hot_climate", "--samples", 30,
                    "--days", 120, "--seed", 3, "--json", cwd=run_dir.parent)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    vt = load_vehicle(run_dir, VEHICLE)
    assert data["vehicle"] == VEHICLE and data["days"] == 120 and data["samples"] == 30
    assert data["seed"] == 3 and list(data["scenarios"]) == ["own", "alt"]
    assert data["scenarios"]["alt"]["spec"] == "hot_climate"
    assert {c: h["now"] for c, h in data["health"].items()} == pytest.approx(vt.health())
    assert all(h["12 mo (alt)"] is None for h in data["health"].values())
    assert len(data["health_by_day"]["own"]["battery"]) == 121


@pytest.mark.parametrize("args, message", [
    (["--vehicle", VEHICLES],
     f"vehicle {VEHICLES} is not in this run; valid ids: 0..{VEHICLES - 1}"),
    (["--vehicle", 1, "--usage", "speed=3"], "unknown usage key 'speed'; presets: calm"),
    (["--vehicle", 1, "--usage", "region=mars"], "valid regions: "),
])
def test_bad_input_exits_2_with_a_message(run_dir, args, message):
    proc = twin_cli(run_dir, *args, cwd=run_dir.parent)
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_missing_run_dir_exits_2(tmp_path):
    proc = twin_cli(tmp_path / "nope", "--vehicle", 0, cwd=tmp_path)
    assert proc.returncode == 2
    assert "no such run directory" in proc.stderr and "Traceback" not in proc.stderr

"""fleetsim's own argument handling before Hydra takes over."""

from __future__ import annotations

import math
import subprocess
import sys

from sim.cli import _overrides, format_headline, sweep_points


def test_only_plain_overrides_are_prevalidated():
    argv = ["-m", "fleet.size=5", "hydra.run.dir=x", "+hydra.job.name=y", "--cfg", "job",
            "seed=3"]
    assert _overrides(argv) == ["fleet.size=5", "seed=3"]


def test_sweep_points_try_each_swept_value_once():
    points = sweep_points(["fleet.size=10,20,30", "battery=nmc,lfp", "seed=1"])
    assert points[0] == ["fleet.size=10", "battery=nmc", "seed=1"]
    assert ["fleet.size=30", "battery=nmc", "seed=1"] in points
    assert ["fleet.size=10", "battery=lfp", "seed=1"] in points
    assert len(points) == 1 + 2 + 1


def test_headline_formats_values_and_marks_undefined_ones():
    text = format_headline({"vehicle_days": 3_650_000, "mean_wait_h": math.nan,
                            "technician_utilization": 0.263})
    assert "3,650,000" in text and "26.3%" in text
    assert "mean wait (h)" in text and "n/a" in text


def test_a_bad_value_anywhere_in_a_sweep_stops_it_before_any_job(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "sim.cli", "-m", "battery=nmc,foo", "horizon_days=3",
         f"hydra.sweep.dir={tmp_path / 'mr'}"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 2
    assert "battery='foo'" in out.stderr and "lfp, nca, nmc" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "mr").exists()

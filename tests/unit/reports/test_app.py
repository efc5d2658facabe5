"""``fleetsim``: the headline it prints, and a bad sweep value stopped before any job."""

from __future__ import annotations

import math
import subprocess
import sys

from reports.app import format_headline


def test_headline_formats_values_and_marks_undefined_ones():
    text = format_headline({"vehicle_days": 3_650_000, "mean_wait_h": math.nan,
                            "technician_utilization": 0.263})
    assert "3,650,000" in text and "26.3%" in text
    assert "mean wait (h)" in text and "n/a" in text


def test_a_bad_value_anywhere_in_a_sweep_stops_it_before_any_job(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "reports.app", "-m", "battery=nmc,foo", "horizon_days=3",
         f"hydra.sweep.dir={tmp_path / 'mr'}"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 2
    assert "battery='foo'" in out.stderr and "lfp, nca, nmc" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "mr").exists()

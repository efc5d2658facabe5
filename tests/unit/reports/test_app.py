"""``fleetsim``: the headline it prints, and a bad sweep value stopped before any job."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

from reports.app import HEADLINE, format_headline
from sim.kpis.catalogue import kpi


def test_headline_formats_values_and_marks_undefined_ones():
    text = format_headline({"vehicle_days": 3_650_000, "mean_wait_h": math.nan,
                            "technician_utilization": 0.263,
                            "service_cost_per_vehicle_year": 185.26,
                            "battery_soh_mean_end": 0.94377, "p90_wait_h": 53.491})
    lines = text.splitlines()
    assert len(lines) == len(HEADLINE) == 13
    assert "3,650,000" in text and "26.3%" in text
    assert lines[HEADLINE.index("mean_wait_h")].split() == ["Mean", "wait", "n/a"]
    assert lines[HEADLINE.index("p90_wait_h")].split()[-2:] == ["53.49", "h"]
    assert lines[HEADLINE.index("service_cost_per_vehicle_year")].endswith("  185 CNY")
    assert lines[HEADLINE.index("battery_soh_mean_end")].endswith("  94.38%")
    assert text.count("n/a") == len(HEADLINE) - 5  # the KPIs not given


def test_headline_labels_come_from_the_kpi_catalogue():
    lines = format_headline({}).splitlines()
    for key, line in zip(HEADLINE, lines, strict=True):
        assert line.startswith(f"  {kpi(key).label} ")
        assert line.endswith(" n/a")
    value_columns = {line.rindex(" n/a") for line in lines}
    assert len(value_columns) == 1  # aligned


def test_readme_example_output_uses_the_headline_labels():
    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    block = readme[readme.index("fleetsim: 10,000 vehicles"):readme.index("report:  outputs/")]
    assert [line.split("  ")[1] for line in block.splitlines()[1:]] == [
        kpi(key).label for key in HEADLINE]


def test_a_bad_value_anywhere_in_a_sweep_stops_it_before_any_job(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "reports.app", "-m", "battery=nmc,foo", "horizon_days=3",
         f"hydra.sweep.dir={tmp_path / 'mr'}"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert out.returncode == 2
    assert "battery='foo'" in out.stderr and "lfp, nca, nmc" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (tmp_path / "mr").exists()

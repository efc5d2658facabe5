"""``fleetsim --help``: what fleetsim does, its commands, experiments and presets."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources
from pathlib import Path

from reports import usage

CONFIGS = Path(str(resources.files("configs")))


def test_help_starts_with_what_fleetsim_does_and_is_not_hydras():
    proc = subprocess.run([sys.executable, "-m", "reports.app", "--help"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("fleetsim: a digital-twin fleet simulator for electric-vehicle")
    assert "powered by Hydra" not in proc.stdout
    assert len(lines) < 120


def test_help_lists_the_commands_experiments_and_presets_with_one_line_each():
    text = usage.help_text()
    rows: dict[str, str] = {}   # the first row of a name: experiments come before presets
    for line in text.splitlines():
        if line.startswith("  ") and len(line.split()) > 1:
            rows.setdefault(line.split()[0], line.split(None, 1)[1])
    for name in ("fleetsim-report", "fleetsim-check", "fleetsim-bench", "fleetsim-kpis",
                 "fleetsim-twin"):
        assert name in rows, name
    assert rows["fleetsim-check"] == "KPI regression guard against a committed baseline."
    for path in sorted((CONFIGS / "experiment").glob("*.yaml")):
        assert rows[path.stem] == usage.first_comment(path)
    assert rows["technician_fleet_sizing"] == "How many mobile vans per 10 000 vehicles?"
    for path in sorted((CONFIGS / "ota" / "rollout").glob("*.yaml")):
        assert path.stem in rows
    assert rows["lfp"].startswith("LFP traction pack")
    assert rows["nca"].startswith("NCA traction pack (high-nickel cathode, e.g. the Panasonic")


def test_first_comment_skips_the_package_line_and_stops_at_the_first_sentence(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("# @package _global_\n# Which vans? More text here.\n# And more.\nkey: 1\n")
    assert usage.first_comment(path) == "Which vans?"
    path.write_text("# A long line " + "word " * 40 + "\nkey: 1\n")
    assert len(usage.first_comment(path)) == 88 and usage.first_comment(path).endswith("...")


def test_sweep_size_is_the_product_of_the_swept_values():
    from reports.progress import callback_overrides, sweep_size

    assert sweep_size(["battery=nmc,lfp", "seed=1,2,3", "fleet.size=5"]) == 6
    assert sweep_size(["fleet.size=5"]) == 1
    assert callback_overrides(["fleet.size=5,6"]) == []   # not a multirun
    assert callback_overrides(["-m", "seed=1,2"])[-1] == "+hydra.callbacks.sweep_progress.total=2"


def test_a_sweep_prints_job_k_of_n(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "reports.app", "-m", "fleet.size=20,30",
                           "horizon_days=2", "output.report=false",
                           f"hydra.sweep.dir={tmp_path / 'sweep'}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    progress = [line for line in proc.stderr.splitlines() if line.startswith("fleetsim sweep")]
    assert progress == [
        "fleetsim sweep: job 1 of 2 done (fleet.size=20 horizon_days=2 output.report=False)",
        "fleetsim sweep: job 2 of 2 done (fleet.size=30 horizon_days=2 output.report=False)"]

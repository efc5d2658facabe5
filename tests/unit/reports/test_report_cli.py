"""The fleetsim-report command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from reports import cli

if TYPE_CHECKING:
    from conftest import SyntheticRun

REPO_ROOT = Path(__file__).resolve().parents[3]


def test_prints_the_written_path(run: SyntheticRun, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([str(run.path)]) == 0
    out = capsys.readouterr().out
    assert out == f"{run.path / 'report.html'}\n"
    assert (run.path / "report.html").is_file()


def test_out_option(run: SyntheticRun, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.html"
    assert cli.main([str(run.path), "--out", str(target)]) == 0
    assert capsys.readouterr().out.strip() == str(target)
    assert target.is_file()


def test_missing_directory_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-run"
    with pytest.raises(SystemExit) as info:
        cli.main([str(missing)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert str(missing) in err and "kpis.json" in err
    assert err.startswith("fleetsim-report: error:")


def test_directory_without_kpis_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main([str(tmp_path)])
    assert info.value.code == 2
    assert "kpis.json not found" in capsys.readouterr().err


def test_module_entry_point_has_no_traceback(tmp_path: Path) -> None:
    missing = tmp_path / "gone"
    proc = subprocess.run(
        [sys.executable, "-m", "reports.cli", str(missing)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    assert str(missing) in proc.stderr

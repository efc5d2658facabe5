"""``.ci/run`` gates on the validation dossier's fast tier (issue 18, deliverable 1).

The script stops at the first failing command (``set -e``); ``fleetsim-validate`` exits
non-zero naming the failing checks (``tests/integration/test_validate_cli.py``), so a failing
check fails CI. It runs after the test suite and without ``--full`` (<= 3 min).
"""

from __future__ import annotations

from pathlib import Path

CI = Path(__file__).resolve().parents[2] / ".ci" / "run"


def _commands() -> list[str]:
    return [line.strip() for line in CI.read_text().splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_ci_runs_the_fast_tier_after_the_tests_and_stops_on_failure():
    lines = _commands()
    assert "set -euo pipefail" in lines
    validate = [i for i, line in enumerate(lines) if line.startswith("fleetsim-validate")]
    assert len(validate) == 1 and "--full" not in lines[validate[0]]
    assert lines.index("python -m pytest") < validate[0] < lines.index("fleetsim-check")
    assert not lines[validate[0]].endswith(("|| true", "|| :"))

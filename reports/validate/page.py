"""``validation/report.html``: one section per check, built from ``validation.json`` only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reports.page.html import render
from reports.validate.figures import figure

TEMPLATE = "validate/validation.html.j2"
REPORT_FILE = Path("validation") / "report.html"


def build(doc: Mapping[str, Any]) -> str:
    """The HTML dossier of a ``validation.json`` document."""
    checks = [dict(c, image=figure(c)) for c in doc["checks"]]
    return render({"doc": doc, "checks": checks,
                   "record_json": json.dumps(doc["reproducibility"], indent=1)}, TEMPLATE)


def write_report(run_dir: str | Path) -> Path:
    """Read ``run_dir/validation.json`` and write ``run_dir/validation/report.html``."""
    run_dir = Path(run_dir)
    doc = json.loads((run_dir / "validation.json").read_text(encoding="utf-8"))
    out = run_dir / REPORT_FILE
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(build(doc), encoding="utf-8")
    return out

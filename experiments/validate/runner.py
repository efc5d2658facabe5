"""Run the validation checks of a tier and write ``validation.json``.

Fast tier (CI, <= 3 min): the battery cell model against BLAST-Lite for every parameter set
that declares a reference, and the default fleet's battery fade against Geotab (one
default run). ``full`` runs the same checks today; the longer checks of issue 18 (queueing,
interval coverage, alerts, OTA) are to be added to it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import sim
from configs import parameter_sets
from experiments.validate import battery
from experiments.validate.checks import Check
from experiments.validate.record import reproducibility

TIERS = ("fast", "full")
RESULT_FILE = "validation.json"


def run_checks(tier: str = "fast", battery_params: Mapping[str, Any] | None = None,
               overrides: Sequence[str] = (), fleet: bool = True) -> dict[str, Any]:
    """Run the checks of ``tier``; returns the ``validation.json`` document.

    Args:
        tier: ``"fast"`` or ``"full"``.
        battery_params: chemistry -> a battery parameter set to check instead of the
            shipped one (a deliberately perturbed set, for instance).
        overrides: Hydra overrides of the scenario the fleet checks run.
        fleet: run the fleet checks (one default simulation); off for the cell checks alone.
    """
    if tier not in TIERS:
        raise ValueError(f"tier={tier!r}: one of {', '.join(TIERS)}")
    reference = battery.load_reference()
    params = {c: parameter_sets.load("battery", c)
              for c in battery.chemistries_with_reference(reference)}
    params |= dict(battery_params or {})
    checks: list[Check] = [battery.blast_check(c, p, reference) for c, p in params.items()]
    cfg = sim.load_config(["output.progress=false", *overrides])
    if fleet:
        checks.append(battery.geotab_check(sim.simulate(cfg).kpis))
    failed = [c.name for c in checks if not c.passed]
    return {"passed": not failed, "failed": failed,
            "checks": [c.to_dict() for c in checks],
            "reproducibility": reproducibility(cfg, tier, params, reference)}


def write(doc: Mapping[str, Any], run_dir: str | Path) -> Path:
    """Write ``validation.json`` into ``run_dir`` (created if needed); returns its path."""
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / RESULT_FILE
    path.write_text(json.dumps(doc, indent=1, default=str) + "\n", encoding="utf-8")
    return path

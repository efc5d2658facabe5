"""What a validation report needs to be regenerated exactly: versions, revision, hashes, seeds."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import json
from typing import Any

from experiments.tasks import config_hash
from sim.result import git_commit, package_versions


def digest(obj: Any) -> str:
    """A short stable hash of a JSON-able object (a dataclass is hashed field by field)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def reproducibility(cfg, tier: str, battery_params: dict[str, Any],
                    reference: dict[str, Any]) -> dict[str, Any]:
    """The reproducibility record of ``validation.json``.

    Args:
        cfg: the composed scenario the fleet checks ran (its seed and config hash).
        tier: ``"fast"`` or ``"full"``.
        battery_params: chemistry -> the battery parameter set checked.
        reference: the BLAST-Lite reference document (hashed, with its generator's versions).
    """
    return {
        "created_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "tier": tier,
        "git_commit": git_commit(),
        "versions": dict(package_versions()),
        "seed": int(cfg.seed),
        "config_hash": config_hash(cfg),
        "battery_param_hashes": {c: digest(p) for c, p in battery_params.items()},
        "blast_reference_hash": digest(reference),
        "blast_reference_versions": reference.get("versions", {}),
    }

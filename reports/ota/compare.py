"""The OTA KPIs of this run against a baseline run with another rollout (``--baseline``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reports.ota.view import ota_config, ota_state
from reports.page.compare import ComparisonRow, flatten, pairing, signed
from reports.page.findings import Finding, kpi_value, lower_first
from reports.page.loader import RunFiles

# Settings that may differ between two OTA runs (the campaigns) or are checked on their own.
_NOT_COMPARED_OTA = ("ota", "output", "seed", "horizon_days", "fleet.size")
# (KPI, what, table label, decimals, share, text when undefined)
OTA_COMPARED: tuple[tuple[str, str, str, int, bool, str], ...] = (
    ("ota_vehicles_exposed_to_defect", "Vehicles exposed to a latent defect",
     "Vehicles exposed to a latent defect", 0, False, "n/a"),
    ("ota_days_to_95pct", "Days to 95 % installed", "Days to 95 % installed (slowest release)",
     0, False, "not reached"),
    ("ota_installed_share_end", "Installed at the end", "Installed share at the end", 1, True,
     "n/a"),
    ("ota_service_jobs", "OTA service jobs", "Service jobs caused by OTA", 0, False, "n/a"),
    ("ota_vehicles_bricked", "Bricked vehicles", "Bricked vehicles", 0, False, "n/a"),
    ("ota_install_failures", "Failed install attempts", "Failed install attempts", 0, False,
     "n/a"),
    ("ota_rollbacks", "Rollbacks", "Rollbacks (A/B and cloud)", 0, False, "n/a"),
    ("ota_campaign_paused", "Pauses", "Pauses (campaign or hw config)", 0, False, "n/a"),
    ("ota_data_cost", "Data cost", "Data cost (CNY)", 0, False, "n/a"),
)
# The KPIs the one-sentence finding names (the table shows them all).
_OTA_HEADLINE = ("ota_vehicles_exposed_to_defect", "ota_days_to_95pct",
                 "ota_installed_share_end", "ota_service_jobs", "ota_vehicles_bricked")


@dataclass(frozen=True)
class OtaComparison:
    """The OTA KPIs of this run against a baseline run.

    Attributes:
        baseline_dir: The baseline's run directory.
        rows: The OTA KPIs that both kpis.json hold.
        statements: The rollout of each run and what matches.
        warnings: Why the runs are not a paired comparison of two rollouts, if they are not.
        this_rollout: This run's rollout, e.g. ``"staged"`` or ``"OTA off"``.
        baseline_rollout: The baseline's.
    """

    baseline_dir: Path
    rows: tuple[ComparisonRow, ...]
    statements: tuple[str, ...]
    warnings: tuple[str, ...]
    this_rollout: str
    baseline_rollout: str


def rollout_name(files: RunFiles) -> str:
    """The run's rollout: the preset chosen on the command line, else the config's policy."""
    state, _ = ota_state(files.kpis, files.run)
    if state == "off":
        return "OTA off"
    overrides = files.run.get("overrides")
    for item in overrides if isinstance(overrides, list) else []:
        text = str(item).lstrip("+~")
        for prefix in ("ota/rollout=", "ota.rollout.policy="):
            if text.startswith(prefix):
                return text.removeprefix(prefix)
    rollout = ota_config(files.run).get("rollout")
    policy = rollout.get("policy") if isinstance(rollout, Mapping) else None
    return str(policy) if policy else "unknown rollout"


def compare_ota(files: RunFiles, baseline: RunFiles) -> OtaComparison | None:
    """Compare the OTA KPIs that both runs have.

    Args:
        files: This run.
        baseline: The run to compare with, e.g. the same scenario and seed with
            ``ota/rollout=big_bang``.

    Returns:
        The comparison, or ``None`` when the runs share no OTA KPI, neither had campaigns
        or both had the same OTA settings.
    """
    states = (ota_state(files.kpis, files.run)[0], ota_state(baseline.kpis, baseline.run)[0])
    if "on" not in states:
        return None
    rows = tuple(
        ComparisonRow(key, what, "", text, kpi_value(files.kpis, key),
                      kpi_value(baseline.kpis, key), None, None, digits, pct, missing)
        for key, what, text, digits, pct, missing in OTA_COMPARED
        if key in files.kpis and key in baseline.kpis
    )
    if not rows:
        return None
    this_cfg, other_cfg = ota_config(files.run), ota_config(baseline.run)
    if this_cfg and flatten(this_cfg) == flatten(other_cfg):
        return None  # same campaigns: the baseline is about something else (e.g. alerts)
    this, other = rollout_name(files), rollout_name(baseline)
    statements, warnings = pairing(files, baseline, "the rollout", _NOT_COMPARED_OTA)
    return OtaComparison(baseline.run_dir, rows,
                         (f"This run: {this}. The baseline: {other}.", *statements),
                         tuple(warnings), this, other)


def ota_comparison_finding(comparison: OtaComparison) -> Finding | None:
    """One sentence: the headline OTA KPIs of both runs, then the caveats."""
    parts = []
    for row in comparison.rows:
        if row.key not in _OTA_HEADLINE or (row.key == "ota_vehicles_bricked"
                                           and not (row.this or row.other)):
            continue
        if row.pct:
            change = f" ({row.diff_text})" if row.diff is not None else ""
        else:
            change = "" if row.change is None else f" ({signed(row.change * 100, 0)} %)"
        parts.append(f"{lower_first(row.what)} {row.this_text} vs {row.other_text}{change}")
    if not parts:
        return None
    text = (f"OTA rollout {comparison.this_rollout} against the baseline's "
            f"{comparison.baseline_rollout}: " + ", ".join(parts) + ".")
    if comparison.warnings:
        return Finding(text + " Not a paired comparison: " + " ".join(comparison.warnings),
                       "watch")
    return Finding(text, "info")

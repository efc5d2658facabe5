"""``fleetsim``: the Hydra app that runs one scenario and writes its result files.

With ``experiment.variants`` set or ``experiment.replications`` > 1 (e.g.
``fleetsim experiment=technician_fleet_sizing``) it runs that experiment into
the run dir instead (see :mod:`experiments`) and prints the headline answer.

The overrides are composed and validated by :func:`sim.load_config` before
Hydra takes over, so a bad value ends the run with one plain message (key,
value, what is allowed), exit code 2 and no traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from configs.load import SEARCHPATH, check_command_line
from configs.validate import ConfigError, validate
from sim.engine import simulate
from sim.kpis.catalogue import format_value, kpi

EXIT_CONFIG_ERROR = 2
EXIT_STALE_RESULT = 3
# The KPIs ``fleetsim`` prints after a single run; labels and formats come from the
# KPI catalogue (``fleetsim-kpis``).
HEADLINE = (
    "vehicle_days",
    "breakdowns_per_1000_vehicle_years",
    "failures_total",
    "service_jobs",
    "mean_wait_h",
    "p90_wait_h",
    "first_time_fix_rate",
    "on_time_arrival_rate",
    "rescue_within_target_rate",
    "technician_utilization",
    "service_cost_per_vehicle_year",
    "battery_soh_mean_end",
    "battery_soh_p05_end",
)


def _fail(message: str) -> None:
    print(f"fleetsim: config error: {message}", file=sys.stderr)
    sys.exit(EXIT_CONFIG_ERROR)


def format_headline(kpis: dict[str, float]) -> str:
    """The headline KPIs as aligned text lines: catalogue label, formatted value."""
    labels = [kpi(key).label for key in HEADLINE]
    width = max(len(label) for label in labels)
    return "\n".join(f"  {label:<{width}}  {format_value(key, kpis.get(key))}"
                     for key, label in zip(HEADLINE, labels, strict=True))


def _run_experiment(cfg: DictConfig, out: Path, task_overrides: list[str]) -> None:
    """Replications / variants of ``cfg.experiment`` into the run dir; print the answer."""
    from experiments.adapter import format_result, run_from_config
    from experiments.store import StaleResultError

    try:
        result = run_from_config(cfg, out, task_overrides)
    except ConfigError as ex:
        _fail(str(ex))
    except StaleResultError as ex:
        print(f"fleetsim: experiment error: {ex}", file=sys.stderr)
        sys.exit(EXIT_STALE_RESULT)
    if cfg.output.get("report", True):
        from reports.experiment import build_report

        result.report_path = build_report(out)
    print(format_result(result), flush=True)


def _user_folders(hc: Any) -> list[str]:
    """The user's config folders (``--config-dir``, ``hydra.searchpath``) as one override, so
    that an experiment's tasks compose with them too."""
    paths = [f"file://{src.path}" for src in hc.runtime.config_sources
             if src.schema == "file"]
    return [f"{SEARCHPATH}=[{','.join(dict.fromkeys(paths))}]"] if paths else []


@hydra.main(config_path="pkg://configs", config_name="config", version_base=None)
def _app(cfg: DictConfig) -> None:
    try:
        validate(cfg)
    except ConfigError as ex:
        _fail(str(ex))
    hc = HydraConfig.get()
    out = Path(hc.runtime.output_dir)
    overrides = [*hc.overrides.task, *_user_folders(hc)]
    if "experiment" in cfg:
        from experiments.adapter import is_experiment

        if is_experiment(cfg):
            _run_experiment(cfg, out, overrides)
            return
    result = simulate(cfg)
    result.save(out, overrides=overrides)
    lines = [f"fleetsim: {result.kpis['vehicles']:,} vehicles x {result.kpis['horizon_days']} "
             f"days in {result.meta['wall_s']:.1f} s "
             f"({result.meta['vehicle_days_per_s']:,.0f} vehicle-days/s)",
             format_headline(result.kpis)]
    if cfg.output.report:
        from reports.build import build_report

        lines.append(f"report:  {build_report(out)}")
    lines.append(f"results: {out}")
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: validate the overrides, then run the Hydra app."""
    args = sys.argv[1:] if argv is None else argv
    try:
        check_command_line(args)
    except ConfigError as ex:
        _fail(str(ex))
    if argv is not None:
        sys.argv = [sys.argv[0], *argv]
    _app()


if __name__ == "__main__":
    main()

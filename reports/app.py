"""``fleetsim``: the Hydra app that runs one scenario and writes its result files.

With ``experiment.variants`` set or ``experiment.replications`` > 1 (e.g.
``fleetsim experiment=technician_fleet_sizing``) it runs that experiment into
the run dir instead (see :mod:`experiments`) and prints the headline answer.

The overrides are composed and validated by :func:`sim.load_config` before
Hydra takes over, so a bad value ends the run with one plain message (key,
value, what is allowed), exit code 2 and no traceback. So do the faults of a
running run: Ctrl-C (exit 130; an experiment says how many tasks it kept), a full
disk (exit 4, naming the file) and a run dir another run is writing (exit 5, at
once: the run dir is locked while a run writes it, see :func:`sim.io.locked_dir`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import warnings
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

import experiments.shards  # noqa: F401  (run.backend: the shards' worker processes or Dask)
from configs.load import SEARCHPATH, check_command_line
from configs.validate import ConfigError, validate
from sim.engine import simulate
from sim.io import DirLockedError, DiskFullError, locked_dir
from sim.kpis.catalogue import format_value, kpi

EXIT_CONFIG_ERROR = 2
EXIT_STALE_RESULT = 3
EXIT_DISK_FULL = 4
EXIT_BUSY = 5
EXIT_INTERRUPTED = 130   # 128 + SIGINT, as a shell reports Ctrl-C
_RUN: dict[str, Path | None] = {"out": None}   # the run dir, once Hydra has made it
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


def _stop(message: str, code: int) -> None:
    print(f"fleetsim: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


@contextlib.contextmanager
def _guarded(out: Path | None):
    """Lock ``out`` while the block writes it; a full disk or a busy dir ends in one line."""
    try:
        with locked_dir(out) if out is not None else contextlib.nullcontext():
            yield
    except DirLockedError as ex:
        _stop(str(ex), EXIT_BUSY)
    except DiskFullError as ex:
        _stop(f"disk full: {ex.strerror}; free some space and rerun the same command",
              EXIT_DISK_FULL)


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
    _RUN["out"] = out
    with _guarded(out):
        _run(cfg, hc, out)


def _run(cfg: DictConfig, hc: Any, out: Path) -> None:
    overrides = [*hc.overrides.task, *_user_folders(hc)]
    if "experiment" in cfg:
        from experiments.adapter import is_experiment

        if is_experiment(cfg):
            _run_experiment(cfg, out, overrides)
            return
    result = simulate(cfg, results_dir=out)   # streams its results dataset into the run dir
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


def explicit_run_dir(args: list[str]) -> Path | None:
    """The run dir a single run's command line names (``hydra.run.dir=...``), else None."""
    if any(a in ("-m", "--multirun", "-h", "--help", "--hydra-help", "-i", "--info", "-c",
                 "--cfg") for a in args):
        return None
    for a in args:
        key, _, value = a.partition("=")
        if key.lstrip("+") == "hydra.run.dir" and value and "${" not in value:
            return Path(value.strip("'\""))
    return None


def _interrupted(ex: KeyboardInterrupt, explicit: Path | None) -> None:
    out = getattr(ex, "out_dir", None) or _RUN["out"]
    if hasattr(ex, "kept"):
        again = "" if explicit else f" with hydra.run.dir={out}"
        _stop(f"interrupted: {ex.kept} of {ex.total} tasks kept in {out}; rerun the same "
              f"command{again} to resume", EXIT_INTERRUPTED)
    where = f": the run in {out} did not finish" if out else ""
    _stop(f"interrupted{where}; rerun the same command to run it", EXIT_INTERRUPTED)


def _quiet_resource_tracker() -> None:
    """Ctrl-C ends an experiment's worker processes in the middle of a task; joblib then
    says it cancelled them, and the resource tracker process, which removes their
    semaphores itself, would warn of them. The one-line message says it all. The tracker
    starts later, from this environment, so the filter reaches it."""
    warnings.filterwarnings("ignore", message=r"\d+ tasks which were still being processed",
                            category=UserWarning)
    quiet = "ignore:resource_tracker:UserWarning"
    current = os.environ.get("PYTHONWARNINGS", "")
    if quiet not in current:
        os.environ["PYTHONWARNINGS"] = f"{current},{quiet}" if current else quiet


def main(argv: list[str] | None = None) -> None:
    """Console entry point: validate the overrides, then run the Hydra app.

    A run dir named on the command line is locked before Hydra writes its record there,
    so a second run into it stops before touching the first one's files.
    """
    args = sys.argv[1:] if argv is None else argv
    if any(a in ("-h", "--help") for a in args):
        from reports.usage import help_text

        print(help_text())
        return
    logging.raiseExceptions = False   # a full disk: no logging traceback per log line
    _quiet_resource_tracker()
    explicit = explicit_run_dir(list(args))
    try:
        try:
            check_command_line(args)
        except ConfigError as ex:
            _fail(str(ex))
        from reports.progress import callback_overrides

        sys.argv = [sys.argv[0], *args, *callback_overrides(list(args))]
        with _guarded(explicit):
            _app()
    except KeyboardInterrupt as ex:
        _interrupted(ex, explicit)


if __name__ == "__main__":
    main()

"""The comparison report of an experiment or a Hydra multirun: one self-contained page."""

from reports.experiment.report import REPORT_FILE, build_report, multirun_report, render_report

__all__ = ["REPORT_FILE", "build_report", "multirun_report", "render_report"]

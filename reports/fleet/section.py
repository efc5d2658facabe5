"""The fleet's part of the run report: health over time, failures by component, findings."""

from __future__ import annotations

from reports.fleet.figures import failures_figure, health_figure
from reports.fleet.findings import consistency, fleet_findings
from reports.page.loader import RunFiles
from reports.page.section import Part, Section

GLOSSARY = "fleet/glossary.html.j2"


def health(files: RunFiles) -> Section:
    """Component health and battery SOH over the run."""
    image = health_figure(files.daily) if files.daily is not None else None
    caption = (
        "Fleet mean of each component's health index (1 = as new, 0 = at its failure "
        "threshold) and traction-battery capacity: fleet mean and the weakest 5 % of vehicles."
        if image
        else "Not available: daily.parquet is missing or has no health / battery SOH columns."
    )
    return Section.figure("health", "Fleet health over time", image, caption)


def failures(files: RunFiles) -> Section:
    """Failures and breakdowns per component."""
    image = failures_figure(files.kpis)
    caption = (
        "A failure is any component fault; a breakdown is a failure that leaves the car "
        "stranded on the road. Counts over the whole run, from kpis.json."
        if image
        else "Not available: kpis.json has no per-component failure counts."
    )
    return Section.figure("failures", "Failures by component", image, caption)


def build(files: RunFiles, baseline: RunFiles | None = None) -> Part:
    """The fleet's sections, findings (breakdowns, battery, availability) and data checks.

    Args:
        files: The run.
        baseline: Not used: the fleet part does not compare runs.
    """
    return Part((health(files), failures(files)),
                tuple(fleet_findings(files.kpis, files.daily)), tuple(consistency(files.kpis)),
                GLOSSARY)

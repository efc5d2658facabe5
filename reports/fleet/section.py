"""The fleet's part of the run report: health over time, failures by component, findings."""

from __future__ import annotations

from reports.fleet.figures import RATE_WINDOW_D, failures_figure, health_figure, split_components
from reports.fleet.findings import consistency, fleet_findings
from reports.page.components import label
from reports.page.loader import RunFiles
from reports.page.section import Part, Section

GLOSSARY = "fleet/glossary.html.j2"


def health(files: RunFiles) -> Section:
    """What varies in the fleet's health over the run."""
    daily = files.daily
    vehicles = files.kpis.get("vehicles")
    image = health_figure(daily, vehicles) if daily is not None else None
    if image:
        wearing, shock = split_components(daily)
        names = ", ".join(label(c) for c in wearing) or "none"
        caption = (f"Left: fleet mean health of the components that wear ({names}; 1 = as new, "
                   "0 = at the failure threshold). ")
        if shock:
            per = " per 1,000 vehicles" if vehicles else ""
            caption += (f"Middle: the components whose faults come as events "
                        f"({', '.join(label(c) for c in shock)}), as failures in the trailing "
                        f"{RATE_WINDOW_D} days{per}; their mean health stays near 1. ")
        caption += "Right: traction-battery capacity, fleet mean and the weakest 5 % of vehicles."
    else:
        caption = "Not available: daily.parquet is missing or has no health / battery SOH columns."
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

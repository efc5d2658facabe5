"""Per-vehicle what-if: one vehicle's twins projected under its own and another usage.

Public API::

    from sim.whatif import load_vehicle, project
    proj = project(load_vehicle("outputs/my_run", 17), usage="calm")
    proj.summary(); proj.maintenance_list("alt")

Modules: :mod:`~sim.whatif.vehicle` (load one vehicle of a saved run),
:mod:`~sim.whatif.usage` (usage specs and presets), :mod:`~sim.whatif.project`
(Monte-Carlo projection), :mod:`~sim.whatif.result` (what a projection returns,
in words) and :mod:`~sim.whatif.cli` (``fleetsim-twin``).
"""

from sim.whatif.project import project
from sim.whatif.result import ALT, OWN, Projection
from sim.whatif.usage import UsageError
from sim.whatif.vehicle import VehicleTwin, load_vehicle, run_config, vehicle_twin

__all__ = ["ALT", "OWN", "Projection", "UsageError", "VehicleTwin", "load_vehicle", "project",
           "run_config", "vehicle_twin"]

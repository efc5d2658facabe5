"""Vectorized component twins, the usage model and the fleet's struct-of-arrays state.

The package imports nothing else of fleetsim: parameters come in as objects
(any object with the fields of the twin's schema in ``configs``), so the physics
can be used, tested and validated on its own.

Each twin module follows one contract (see DESIGN.md, "Twin contract"):
``NAME``, ``LABEL`` (display name), ``STATES``, ``INPUTS``, ``EVENTS`` (cause ->
severity, most severe first) and the pure vectorized functions ``initial_state``,
``step``, ``sense``, ``health``, ``faults`` and ``repair``. A twin may list in
``EXTERNAL_EVENTS`` causes that other processes set (OTA campaigns), never its
own ``step``.
"""

from types import ModuleType

from twins import aux12v, battery, body, brakes, coolant, electrics, software, tires
from twins.state import FleetState
from twins.usage import Usage, UsageModel, build_population

TWINS: dict[str, ModuleType] = {
    m.NAME: m for m in (battery, brakes, coolant, tires, aux12v, electrics, software, body)}
SEVERITIES = ("roadside", "drivable", "silent")


def component_label(name: str) -> str:
    """Display name of a component, e.g. ``aux12v`` -> ``12 V battery``.

    A twin's ``LABEL``; a name that is not a twin (say, a component of a run made by
    another fleetsim version) is shown with spaces and a capital.
    """
    twin = TWINS.get(name)
    return twin.LABEL if twin is not None else name.replace("_", " ").capitalize()

__all__ = ["TWINS", "SEVERITIES", "FleetState", "Usage", "UsageModel", "build_population",
           "component_label"]

"""Vectorized component twins, the usage model and the fleet's struct-of-arrays state.

Each twin module follows one contract (see DESIGN.md, "Twin contract"):
``NAME``, ``STATES``, ``INPUTS``, ``EVENTS`` (cause -> severity, most severe
first) and the pure vectorized functions ``initial_state``, ``step``,
``sense``, ``health``, ``faults`` and ``repair``. A twin may list in
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

__all__ = ["TWINS", "SEVERITIES", "FleetState", "Usage", "UsageModel", "build_population"]

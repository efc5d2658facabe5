"""Component discovery from column / KPI names, display labels and colours.

Component names are never hard-coded: they are read from name patterns such as
``failures_by_component_<c>`` or ``health_<c>_mean``, so a simulator version that
adds a component gets it in the report without a code change. Labels are the
twins' own (``LABEL`` in each twin module).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from twins import component_label

# Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#CC79A7",
    "#56B4E9",
    "#F0E442",
    "#000000",
)

def components_from_names(names: Iterable[str], prefix: str, suffix: str = "") -> list[str]:
    """Return the sorted component names found between ``prefix`` and ``suffix``.

    Args:
        names: Column or KPI names to scan.
        prefix: Text before the component name, e.g. ``"failures_by_component_"``.
        suffix: Text after the component name, e.g. ``"_mean"``.

    Returns:
        Unique component names, sorted alphabetically.
    """
    pattern = re.compile(rf"^{re.escape(prefix)}(.+?){re.escape(suffix)}$")
    found = {m.group(1) for name in names if (m := pattern.match(name))}
    return sorted(found)


def label(component: str) -> str:
    """Return a human-readable label for a component name.

    Args:
        component: Internal component name, e.g. ``"aux12v"``.

    Returns:
        The twin's display label, e.g. ``"12 V battery"``; unknown names are capitalised
        with spaces (:func:`twins.component_label`).
    """
    return component_label(component)


def color_map(components: Iterable[str]) -> dict[str, str]:
    """Assign each component a stable colour (by sorted name) across all figures.

    Args:
        components: Component names.

    Returns:
        Mapping component name -> hex colour.
    """
    ordered = sorted(set(components))
    return {c: PALETTE[i % len(PALETTE)] for i, c in enumerate(ordered)}

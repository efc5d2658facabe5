"""Render the report template with jinja2 (autoescaped, strict about missing names)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

TEMPLATE_NAME = "report.html.j2"


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(context: Mapping[str, Any]) -> str:
    """Render the report HTML.

    Args:
        context: Template variables (see ``reports.build.build_context``).

    Returns:
        The complete HTML document.
    """
    return _environment().get_template(TEMPLATE_NAME).render(**context)

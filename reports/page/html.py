"""Render report pages with jinja2 (autoescaped, strict about missing names).

Templates are looked up from the ``reports`` folder, so each domain keeps the
partial that renders its section beside its code (``alerts/section.html.j2``)
and every page can include them by that path.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

REPORTS_DIR = Path(__file__).resolve().parent.parent
RUN_PAGE = "page/report.html.j2"


@functools.cache
def environment() -> jinja2.Environment:
    """The one template environment of every report page."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(REPORTS_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render(context: Mapping[str, Any], template: str = RUN_PAGE) -> str:
    """Render a report page.

    Args:
        context: Template variables (for the run page, see ``reports.build.build_context``).
        template: Path of the page template under ``reports/``.

    Returns:
        The complete HTML document.
    """
    return environment().get_template(template).render(**context)

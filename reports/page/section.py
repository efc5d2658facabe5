"""What a domain contributes to the run report: sections, findings and data checks.

Every domain folder (``fleet/``, ``service/``, ``ota/``, ``alerts/``) has a
``section.py`` whose ``build(files, baseline)`` returns one :class:`Part`; the
page (``reports/build.py``) lays the parts out in its order of domains. Adding
a domain's section is adding a folder with that function (and, for content
other than a chart, the partial template that renders it; for new terms, a
``glossary.html.j2``), then naming the module in the page's list of domains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.page.findings import Finding
from reports.page.tiles import Tile

FIGURE_TEMPLATE = "page/figure.html.j2"


@dataclass(frozen=True)
class Figure:
    """A chart with its caption (content of a section drawn by :data:`FIGURE_TEMPLATE`).

    Attributes:
        image: Base64 PNG, or ``None`` when the data for it is missing.
        caption: What the chart shows (or why it is missing).
        tiles: KPI tiles shown above the chart, if any.
    """

    image: str | None
    caption: str
    tiles: tuple[Tile, ...] = ()


@dataclass(frozen=True)
class Section:
    """One section of the page.

    Attributes:
        anchor: HTML id.
        title: Heading.
        template: The partial that renders it, by its path under ``reports/``; it reads
            ``section.content``.
        content: What the partial shows (a :class:`Figure`, or the domain's own record).
    """

    anchor: str
    title: str
    template: str
    content: Any

    @classmethod
    def figure(cls, anchor: str, title: str, image: str | None, caption: str,
               tiles: tuple[Tile, ...] = ()) -> Section:
        """A chart section."""
        return cls(anchor, title, FIGURE_TEMPLATE, Figure(image, caption, tiles))


@dataclass(frozen=True)
class Part:
    """One domain's share of the page.

    Attributes:
        sections: Its sections, in display order.
        findings: Its findings for the page's findings list, most important first.
        checks: Its data checks (the result files disagree), listed after every finding.
        glossary: The partial with its glossary entries (``<dt>``/``<dd>``), or ``""``.
    """

    sections: tuple[Section, ...] = ()
    findings: tuple[Finding, ...] = ()
    checks: tuple[Finding, ...] = ()
    glossary: str = ""

    @classmethod
    def split(cls, sections: tuple[Section, ...], found: tuple[Finding, ...],
              glossary: str = "") -> Part:
        """A part whose findings and data checks come in one list (checks have level ``check``)."""
        return cls(sections, tuple(f for f in found if f.level != "check"),
                   tuple(f for f in found if f.level == "check"), glossary)


@dataclass(frozen=True)
class Block:
    """One chart of a section (``image`` ``None``: the caption says what is missing)."""

    anchor: str
    title: str
    image: str | None
    caption: str

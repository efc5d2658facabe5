"""One validation check's outcome: the figure, its reference and band, the source, pass/fail."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Check:
    """The outcome of one check, as written to ``validation.json``.

    Attributes:
        name: stable key, e.g. ``battery_blast_nmc``; a failing run names it.
        title: one line for people.
        figure: the measured figure (e.g. the largest deviation), in ``unit``.
        unit: unit of ``figure`` and ``band``.
        reference: what the figure is compared with (a model, a value, a curve).
        band: ``[low, high]``: the check passes when ``low <= figure <= high``.
        source: where the reference comes from.
        passed: ``low <= figure <= high``.
        detail: per-point numbers behind the figure.
        plot: the data of the overlay plot (see :mod:`reports.validate.page`).
    """

    name: str
    title: str
    figure: float
    unit: str
    reference: str
    band: tuple[float, float]
    source: str
    detail: dict[str, Any] = field(default_factory=dict)
    plot: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        low, high = self.band
        return bool(low <= self.figure <= high)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["band"] = list(self.band)
        out["passed"] = self.passed
        return out

"""The kinds of published reference a finding compares a KPI with.

A :class:`Reference` is a band, a :class:`Benchmark` the tiers of an industry
survey, a :class:`Target` a one-sided goal. Each domain keeps its values, with
their sources (``CALIBRATION.md``, the seeds), in its own ``targets.py``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reference:
    """A published reference band (``low == high`` for a single value).

    Attributes:
        low: Lower end of the band.
        high: Upper end of the band.
        source: Short citation shown to the reader.
    """

    low: float
    high: float
    source: str

    def band_text(self, digits: int = 1, scale: float = 1.0, unit: str = "") -> str:
        """Return the band as text, e.g. ``"2.8–3.8"`` or ``"50–54 %"``."""
        low = f"{self.low * scale:.{digits}f}"
        high = f"{self.high * scale:.{digits}f}"
        text = low if low == high else f"{low}–{high}"
        return f"{text}{unit}"


@dataclass(frozen=True)
class Benchmark:
    """Performance tiers of field-service organisations (fractions 0..1).

    Attributes:
        average: The average organisation.
        best: Best-in-class organisations.
        source: Short citation shown to the reader.
        laggard: The laggards, where published.
    """

    average: float
    best: float
    source: str
    laggard: float | None = None

    def tiers_text(self) -> str:
        """Return the tiers as text, e.g. ``"laggards 63 %, average 80 %, best-in-class 88 %"``."""
        parts = [] if self.laggard is None else [f"laggards {self.laggard * 100:.0f} %"]
        parts += [f"average {self.average * 100:.0f} %", f"best-in-class {self.best * 100:.0f} %"]
        return ", ".join(parts)


@dataclass(frozen=True)
class Target:
    """A one-sided target a KPI should pass (fractions 0..1 or plain rates).

    Attributes:
        bound: The value to beat.
        above: True when the KPI must exceed ``bound``, False when it must stay below.
        source: Short citation shown to the reader.
    """

    bound: float
    above: bool
    source: str

    def met(self, value: float) -> bool:
        """Return True when ``value`` passes the target."""
        return value > self.bound if self.above else value < self.bound

    def text(self, scale: float = 1.0, unit: str = "") -> str:
        """Return the target as text, e.g. ``"> 85 %"`` or ``"< 2"``."""
        return f"{'>' if self.above else '<'} {self.bound * scale:g}{unit}"

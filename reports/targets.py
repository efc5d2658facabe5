"""Published reference values the findings compare a run against.

Figures and sources follow ``CALIBRATION.md``. Component-keyed references are
looked up by component name; a component without an entry is simply not compared.
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


# ADAC Pannenstatistik 2024/2025: EVs 2-4 years old ~3.8, 2021 registrations 2.8.
BREAKDOWNS_PER_1000_VEHICLE_YEARS = Reference(2.8, 3.8, "ADAC breakdown statistics, EVs")

# Geotab 2019-2025: fleet average 1.8-2.3 %/yr; by DC-charging share 1.5 to 3.0 %/yr.
BATTERY_FADE_PCT_PER_YEAR = Reference(1.5, 3.0, "Geotab fleet studies")
# Geotab's fleet average is capacity lost since new per year of age: 1.8-2.3 %/yr.
BATTERY_LOSS_PCT_PER_YEAR_OF_AGE = Reference(1.8, 2.3, "Geotab 2019-2025 fleet average")

# ADAC EV breakdown causes (2020 analysis, 2024): share of all breakdowns.
BREAKDOWN_SHARE: dict[str, Reference] = {
    "aux12v": Reference(0.50, 0.54, "ADAC EV breakdown causes"),
}

# ADAC: tire breakdowns of EVs, per 1 000 vehicles per year.
BREAKDOWNS_PER_1000_VEHICLE_YEARS_BY_COMPONENT: dict[str, Reference] = {
    "tires": Reference(0.9, 0.9, "ADAC breakdown statistics, EVs"),
}


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


# Aberdeen field-service studies: share of jobs fixed at the first visit.
FIRST_TIME_FIX = Benchmark(0.80, 0.88, "Aberdeen field-service studies", laggard=0.63)
# Aberdeen 2012: share of service commitments (response times, appointments) met.
RESPONSE_COMPLIANCE = Benchmark(0.78, 0.92, "Aberdeen 2012, response-time compliance")

# Seed 001 three-level triage: L1 mobile work (tires, 12 V, software, small parts) ~70 % of demand.
MOBILE_SHARE_OF_DEMAND = Reference(0.70, 0.70, "seed 001, L1 mobile triage")
# J.D. Power 2025 China NEV-CSI: NEV owners who used mobile on-site service (owners, not jobs).
MOBILE_SERVICE_OWNERS_CHINA = Reference(0.323, 0.323, "J.D. Power 2025 China NEV-CSI")
# Seed 003: software faults fixed by remote diagnosis / OTA without a visit.
SOFTWARE_REMOTE_FIX = Reference(0.85, 0.85, "seed 003")
# Jobs per mobile technician (van) per working day: seeds 3-5; vendors claim 4-8 (weak).
JOBS_PER_VAN_DAY = Reference(3.0, 5.0, "seeds")
JOBS_PER_VAN_DAY_VENDOR = Reference(4.0, 8.0, "vendor claims")

# KBA/ADAC: average annual mileage of EVs in Germany, 2022.
KM_PER_VEHICLE_YEAR = Reference(12_000, 12_000, "KBA/ADAC, Germany 2022")

# Queueing rule of thumb, not a published target: above ~85 % utilization waits
# grow steeply with any extra load (M/M/c behaviour).
UTILIZATION_HIGH = 0.85
UTILIZATION_LOW = 0.40


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


# Seed 002 (XPeng three-level alerts): "better to miss than to false-alarm".
ALERT_PRECISION = Target(0.85, True, "seed 002")
OWNER_RESPONSE = Target(0.60, True, "seed 002")
BREAKDOWNS_AVOIDED = Target(0.80, True, "seed 002")
ALERTS_PER_VEHICLE_MONTH = Target(2.0, False, "seed 002")

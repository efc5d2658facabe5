"""Published figures the fleet findings compare a run with (sources: ``CALIBRATION.md``).

Component-keyed references are looked up by component name; a component
without an entry is simply not compared.
"""

from __future__ import annotations

from reports.page.targets import Reference

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

# KBA/ADAC: average annual mileage of EVs in Germany, 2022.
KM_PER_VEHICLE_YEAR = Reference(12_000, 12_000, "KBA/ADAC, Germany 2022")

"""Reference capacity curves from NREL's BLAST-Lite for the battery twin's validation grid.

Run in BLAST-Lite's own environment (it pins numpy < 2, fleetsim needs numpy 2):

    python -m venv /work/blast-venv && /work/blast-venv/bin/pip install blast-lite
    /work/blast-venv/bin/python validation/blast_reference.py

It writes ``experiments/validate/references/blast_reference.json``, the fixture that
``fleetsim-validate`` and ``tests/validation/test_battery_blast.py`` read; fleetsim
never imports ``blast``.

The grid (issue 18, deliverable 2):

* **cell** temperature 15, 25, 35 degC, constant (BLAST-Lite's temperature input is the
  cell temperature; fleetsim's ``simulate_profile`` takes ambient, see
  ``twins.battery.simulate_cell_profile``);
* duties, one identical day repeated (``DUTIES`` below):

  - ``calendar``: rest at 55 % SOC all day, no cycling;
  - ``swing_90_60``: one 90 -> 60 -> 90 % swing a day;
  - ``swing_80_40``: one 80 -> 40 -> 80 % swing a day;
  - ``full_1``: one full 100 -> 0 -> 100 % cycle a day;
  - ``full_2``: two full cycles a day;

  each cycle starts at the top of the window, discharges at constant current to the
  bottom ("driving", spread over the rest of the cycle period) and charges back at a fixed
  AC rate ``CHARGE_C_RATE_PER_H`` (11 kW on the fleet's 75 kWh pack, ~C/7); no rest, so
  the SOC is piecewise linear between the window's ends and its time average is the middle
  of the window, which is the twin's ``soc_mean``. The equivalent full cycles a day are
  ``cycles_per_day * (soc_high - soc_low)``, the twin's ``efc``. The charge rate is fixed
  (not proportional to the swing) because a car charges at its charger's power whatever
  the swing; BLAST-Lite's NMC622 model depends on it. The day is sampled every
  ``STEP_S`` seconds.

* years 1, 2, 5, 8, 10 (a BLAST-Lite year is 365 days); the curve is also stored every
  quarter year for the overlay plots.

BLAST-Lite is run with ``is_constant_input=True`` (the day's stressors are computed once
and the day repeated) and ``is_conserve_energy_throughput=True`` (the same charge
throughput every day as the pack ages, as a car driven the same km a day).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import blast
import numpy as np
from blast.models import (
    Lfp_Gr_250AhPrismatic,
    Nmc111_Gr_Kokam75Ah_Battery,
    Nmc622_Gr_DENSO50Ah_Battery,
)

# Package data of fleetsim-validate (experiments/validate/references/).
OUT = (Path(__file__).resolve().parents[1] / "experiments" / "validate" / "references"
       / "blast_reference.json")
STEP_S = 900  # sampling of the daily SOC profile, s
DAY_S = 86_400
BLAST_DAYS_PER_YEAR = 365
CHARGE_C_RATE_PER_H = 11.0 / 75.0  # 11 kW AC wallbox on a 75 kWh pack (configs/fleet/default.yaml)
CELL_TEMPERATURES_C = (15.0, 25.0, 35.0)
YEARS = (1, 2, 5, 8, 10)
CURVE_STEP_YEARS = 0.25
# name -> (soc_high, soc_low, cycles per day); calendar: constant SOC soc_high == soc_low.
DUTIES = {
    "calendar": (0.55, 0.55, 0.0),
    "swing_90_60": (0.90, 0.60, 1.0),
    "swing_80_40": (0.80, 0.40, 1.0),
    "full_1": (1.00, 0.00, 1.0),
    "full_2": (1.00, 0.00, 2.0),
}
MODELS = {
    "Nmc111_Gr_Kokam75Ah_Battery": Nmc111_Gr_Kokam75Ah_Battery,
    "Nmc622_Gr_DENSO50Ah_Battery": Nmc622_Gr_DENSO50Ah_Battery,
    "Lfp_Gr_250AhPrismatic": Lfp_Gr_250AhPrismatic,
}


def daily_soc(soc_high: float, soc_low: float, cycles_per_day: float) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """One day's (time s, SOC): discharge from the top of the window, AC charge back, repeated."""
    t = np.arange(0, DAY_S + STEP_S, STEP_S, dtype=float)
    if cycles_per_day == 0:
        return t, np.full_like(t, soc_high)
    period_s = DAY_S / cycles_per_day
    charge_s = (soc_high - soc_low) / CHARGE_C_RATE_PER_H * 3600.0
    if charge_s >= period_s:
        raise ValueError(f"a {soc_high}-{soc_low} swing does not fit {cycles_per_day} times a day")
    since = t % period_s  # time into the current cycle
    discharge_s = period_s - charge_s
    frac = np.where(since < discharge_s, 1.0 - since / discharge_s,  # 1 at the top
                    (since - discharge_s) / charge_s)
    frac[-1] = 1.0  # the day ends at the top, where the next one starts
    return t, soc_low + (soc_high - soc_low) * frac


def capacity_curve(model_cls, temperature_c: float, duty: tuple[float, float, float],
                   years: np.ndarray) -> np.ndarray:
    """BLAST-Lite relative capacity at ``years`` under a repeated day."""
    t, soc = daily_soc(*duty)
    cell = model_cls()
    cell.simulate_battery_life(
        {"Time_s": t, "SOC": soc, "Temperature_C": np.full_like(t, temperature_c)},
        threshold_time=float(years.max()) + 1.0 / BLAST_DAYS_PER_YEAR,
        is_constant_input=True, is_conserve_energy_throughput=True)
    t_years = np.asarray(cell.stressors["t_days"], float) / BLAST_DAYS_PER_YEAR
    return np.interp(years, t_years, np.asarray(cell.outputs["q"], float))


def main() -> None:
    curve_years = np.arange(0.0, max(YEARS) + CURVE_STEP_YEARS / 2, CURVE_STEP_YEARS)
    models = {}
    for name, cls in MODELS.items():
        grid = {}
        for temp in CELL_TEMPERATURES_C:
            for duty_name, duty in DUTIES.items():
                q = capacity_curve(cls, temp, duty, curve_years)
                grid[f"{temp:g}/{duty_name}"] = [round(float(x), 5) for x in q]
        models[name] = grid
    doc = {
        "source": "NREL BLAST-Lite (pip: blast-lite), https://github.com/NREL/BLAST-Lite",
        "generator": "validation/blast_reference.py",
        "versions": {"blast-lite": getattr(blast, "__version__", "1.1.1"),
                     "numpy": np.__version__, "python": platform.python_version()},
        "temperature": "cell temperature, degC, constant",
        "days_per_year": BLAST_DAYS_PER_YEAR,
        "cell_temperatures_c": list(CELL_TEMPERATURES_C),
        "duties": {k: {"soc_high": v[0], "soc_low": v[1], "cycles_per_day": v[2]}
                   for k, v in DUTIES.items()},
        "charge_c_rate_per_h": CHARGE_C_RATE_PER_H,
        "profile": ("from soc_high: constant-current discharge to soc_low, charge back at "
                    f"charge_c_rate_per_h, no rest; sampled every {STEP_S} s; "
                    "is_constant_input=True, is_conserve_energy_throughput=True"),
        "check_years": list(YEARS),
        "curve_years": [float(y) for y in curve_years],
        "capacity": models,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {OUT} ({sys.argv[0]})")


if __name__ == "__main__":
    main()

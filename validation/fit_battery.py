"""Fit the battery twin's ageing parameters to the BLAST-Lite reference grid.

    PYTHONPATH=. python validation/fit_battery.py nmc [--free calendar_soc_stress_per_soc_frac ...]

Least squares over every quarter-year point of the BLAST-Lite fixture
(``experiments/validate/references/blast_reference.json``)
(cell temperatures 15/25/35 degC x five duties x 0..10 years) for the chemistry's declared
``reference_model``, using the twin's closed form under a constant duty
(``q_cal = k * sqrt(t)``, ``q_cyc = c * EFC ** p``; :func:`twins.battery.age` is exact for a
constant stress). Prints the fitted values to copy into ``configs/battery/<chemistry>.yaml``
and the worst deviation at the check years. Fleet figures (Geotab) are checked by
``tests/validation/test_battery_calibration.py``, not here: keep the parameters that set
them (calendar SOC stress, thermal coupling, DC stress) fixed with ``--fixed``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

from configs import parameter_sets
from twins import battery

FIXTURE = (Path(__file__).resolve().parents[1] / "experiments" / "validate" / "references"
           / "blast_reference.json")
FITTED = ("calendar_loss_frac_per_sqrt_year", "calendar_activation_energy_j_per_mol",
          "calendar_soc_stress_per_soc_frac", "cycle_loss_frac_per_efc_pow",
          "cycle_efc_exponent", "cycle_activation_energy_j_per_mol",
          "cycle_soc_stress_per_soc_frac", "cycle_dod_stress_exponent",
          "cycle_throughput_stress_per_efc_per_day")
LOWER = {"cycle_efc_exponent": 0.1, "cycle_dod_stress_exponent": 0.0,
         "cycle_throughput_stress_per_efc_per_day": 0.0, "calendar_loss_frac_per_sqrt_year": 0.0,
         "cycle_loss_frac_per_efc_pow": 0.0}
UPPER = {"cycle_efc_exponent": 1.0}
SCALE = {"calendar_activation_energy_j_per_mol": 1e4, "cycle_activation_energy_j_per_mol": 1e4}


def grid(doc: dict, model: str):
    """(cell temperature, soc_high, soc_low, cycles/day) per curve, years, and reference q."""
    rows, ref = [], []
    for key, q in doc["capacity"][model].items():
        temp, duty = key.split("/")
        d = doc["duties"][duty]
        rows.append((float(temp), d["soc_high"], d["soc_low"], d["cycles_per_day"]))
        ref.append(q)
    return np.array(rows), np.array(doc["curve_years"]), np.array(ref)


def closed_form(p, rows: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The twin's capacity under each constant duty at ``years`` (BLAST-Lite years)."""
    temp, high, low, cycles = (rows[:, i:i + 1] for i in range(4))
    days = years[None, :] * 365.0
    soc, dod = 0.5 * (high + low), high - low
    k = battery.calendar_rate_cell(temp, soc, p)
    c = battery.cycle_rate_cell(temp, soc, dod, cycles * dod, 0.0, p)
    state = {"q_cal": k * np.sqrt(days / 365.25),
             "q_cyc": c * (cycles * dod * days) ** p.cycle_efc_exponent}
    return battery.soh(state, p)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("chemistry")
    ap.add_argument("--fixed", nargs="*", default=[], help="parameters kept at the yaml value")
    args = ap.parse_args()
    doc = json.loads(FIXTURE.read_text())
    p0 = parameter_sets.load("battery", args.chemistry)
    rows, years, ref = grid(doc, p0.reference_model)
    names = [n for n in FITTED if n not in args.fixed]
    scale = np.array([SCALE.get(n, 1.0) for n in names])

    def params(x):
        return dataclasses.replace(p0, **dict(zip(names, (x * scale).tolist(), strict=True)))

    def resid(x):
        return (closed_form(params(x), rows, years) - ref).ravel()

    x0 = np.array([getattr(p0, n) for n in names]) / scale
    lo = np.array([LOWER.get(n, -np.inf) for n in names]) / scale
    hi = np.array([UPPER.get(n, np.inf) for n in names]) / scale
    fit = least_squares(resid, np.clip(x0, lo, hi), bounds=(lo, hi), loss="soft_l1",
                        f_scale=0.01)
    p = params(fit.x)
    check = [doc["curve_years"].index(float(y)) for y in doc["check_years"]]
    dev = closed_form(p, rows, years)[:, check] - ref[:, check]
    for n in names:
        print(f"{n}: {getattr(p, n):.4g}")
    i = np.unravel_index(np.abs(dev).argmax(), dev.shape)
    print(f"max |dev| at check years: {np.abs(dev).max():.4f} "
          f"({rows[i[0]]}, year {doc['check_years'][i[1]]})")


if __name__ == "__main__":
    main()

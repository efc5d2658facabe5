"""Fleet figures of a run against ADAC's breakdown statistics (issue 18, deliverable 3).

ADAC's figures describe fleets serviced the usual way, so these checks read a run without
predictive alerts or an OTA campaign (``alerts=none ota=none``, :data:`ADAC_OVERRIDES`).
The breakdown rate needs a default-size fleet (10 000 vehicle-years); the cause shares of
rare causes (cooling, brakes under 1 %) need ~170 breakdowns, a 40 000-vehicle year
(:data:`SHARES_OVERRIDES`, the ``--full`` tier).
"""

from __future__ import annotations

from collections.abc import Mapping

from experiments.validate.checks import Check

ADAC_OVERRIDES = ("alerts=none", "ota=none")
SHARES_OVERRIDES = (*ADAC_OVERRIDES, "fleet.size=40000", "seed=11")
# ADAC Pannenstatistik 2024/2025 (CALIBRATION.md): EV ~3.8 breakdowns per 1 000 vehicles per
# year (2-4-year-old cars), 2.8 (2021 registrations); our components cover ~85 % of causes,
# so up to 8 is allowed (the product brief's 3-8 band).
ADAC_RATE_BAND = (2.8, 8.0)
ADAC_RATE_SOURCE = ("ADAC Pannenstatistik 2024, 2025 (CALIBRATION.md): EV 2.8-3.8 per 1 000 "
                    "vehicles per year; upper end 8 for the ~85 % of causes modelled")
# ADAC 2020 EV analysis, 2024 (CALIBRATION.md): 12 V 50-54 %, electrics 15 %, tires 14 %,
# HV battery / drive / charging 4.4 %, cooling 0.1 %; re-based on the ~85 % of causes
# modelled: 12 V ~61 %, electrics ~18 %, tires ~16 %. Bands allow the sampling noise of a
# 40 000-vehicle year (~170 breakdowns).
ADAC_SHARE_BANDS: dict[str, tuple[float, float]] = {
    "aux12v": (0.45, 0.70), "electrics": (0.10, 0.28), "tires": (0.08, 0.28),
    "battery": (0.01, 0.09), "coolant": (0.0, 0.01), "brakes": (0.0, 0.01)}
ADAC_SHARE_SOURCE = ("ADAC 2020 EV breakdown analysis, 2024 (CALIBRATION.md): 12 V 50-54 %, "
                     "electrics 15 %, tires 14 %, HV 4.4 %, cooling 0.1 %; re-based on the "
                     "~85 % of causes modelled")


def adac_rate_check(kpis: Mapping[str, float]) -> Check:
    """Roadside breakdowns per 1 000 vehicle-years of a run against ADAC's EV range."""
    figure = float(kpis["breakdowns_per_1000_vehicle_years"])
    return Check(
        name="breakdowns_adac_rate",
        title="Roadside breakdowns per 1 000 vehicle-years (no alerts, no OTA campaign)",
        figure=round(figure, 4), unit="breakdowns per 1 000 vehicle-years",
        reference="ADAC EV 2.8-3.8 per 1 000 vehicle-years (up to 8 for modelled causes)",
        band=ADAC_RATE_BAND, source=ADAC_RATE_SOURCE,
        detail={"breakdowns": kpis.get("breakdowns"), "vehicles": kpis.get("vehicles"),
                "horizon_days": kpis.get("horizon_days")},
        plot={"kind": "band", "value": figure, "band": list(ADAC_RATE_BAND),
              "x_label": "breakdowns per 1 000 vehicle-years"})


def adac_shares_check(kpis: Mapping[str, float],
                      bands: Mapping[str, tuple[float, float]] = ADAC_SHARE_BANDS) -> Check:
    """Each modelled cause's share of breakdowns against ADAC's; the figure counts the causes
    outside their band (0 to pass), and the largest cause must be the 12 V battery."""
    shares = {c: float(kpis[f"breakdown_share_{c}"]) for c in bands}
    outside = [c for c, (lo, hi) in bands.items() if not lo <= shares[c] <= hi]
    every = {k.removeprefix("breakdown_share_"): float(v) for k, v in kpis.items()
             if k.startswith("breakdown_share_")}
    largest = max(every, key=every.get)
    if largest != "aux12v":
        outside.append(f"largest cause {largest} (ADAC: 12 V)")
    labels = list(bands)
    return Check(
        name="breakdowns_adac_cause_shares",
        title="Breakdown cause shares vs ADAC (no alerts, no OTA campaign, 40 000 vehicles)",
        figure=float(len(outside)), unit="causes outside their band",
        reference="ADAC EV breakdown causes, re-based on the modelled causes",
        band=(0.0, 0.0), source=ADAC_SHARE_SOURCE,
        detail={"shares": {c: round(v, 5) for c, v in every.items()}, "outside": outside,
                "bands": {c: list(b) for c, b in bands.items()},
                "breakdowns": kpis.get("breakdowns")},
        plot={"kind": "ranges", "labels": labels, "value": [shares[c] for c in labels],
              "low": [bands[c][0] for c in labels], "high": [bands[c][1] for c in labels],
              "y_label": "share of breakdowns"})

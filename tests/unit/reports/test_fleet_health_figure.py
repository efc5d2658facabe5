"""The fleet health chart shows what varies: wear as health, shocks as failure rates."""

from __future__ import annotations

import numpy as np
import pandas as pd

from reports.fleet.figures import split_components
from reports.fleet.section import health
from reports.page.loader import RunFiles


def _daily(days: int = 90) -> pd.DataFrame:
    d = np.arange(days)
    return pd.DataFrame({
        "day": d,
        "health_tires_mean": 0.9 - 0.001 * d,          # wears
        "health_electrics_mean": np.full(days, 0.999),  # never visibly below new: a shock part
        "health_software_mean": np.ones(days),
        "failures_electrics": (d % 10 == 0).astype(int),
        "failures_software": (d % 30 == 0).astype(int),
        "battery_soh_mean": 0.95 - 1e-4 * d, "battery_soh_p05": 0.9 - 1e-4 * d})


def test_components_are_split_by_whether_their_health_moves():
    assert split_components(_daily()) == (["tires"], ["electrics", "software"])
    no_failure_counts = _daily().drop(columns=["failures_software"])
    assert split_components(no_failure_counts) == (["tires"], ["electrics"])


def test_the_caption_says_which_components_are_drawn_how():
    from pathlib import Path

    figure = health(RunFiles(Path("run"), {"vehicles": 2000.0}, daily=_daily())).content
    assert figure.image
    assert "the components that wear (Tires;" in figure.caption
    assert "(LV electrics, Software), as failures in the trailing 30 days per 1,000 vehicles" \
        in figure.caption

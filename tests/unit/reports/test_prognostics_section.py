"""The prognostics section from hand-made result files: its rows, chart and absence."""

from __future__ import annotations

from pathlib import Path

from reports.page.loader import RunFiles
from reports.prognostics import section as prognostics

BINS = [0.0, 7.0, 14.0, 30.0, 60.0, 90.0, 180.0, 365.0, None]


def _target(signal: str, threshold: float, counts: list[int], **kw) -> dict:
    row = {"signal": signal, "threshold": threshold, "horizon_days": 14.0, "action": "notify",
           "alerts": 1234, "accepted": 0, "crossings": 56, "scored": 50,
           "predictable_crossings": 40, "ahead": 30, "ahead_share": 0.75,
           "relative_accuracy": 0.6543, "alpha_lambda": 0.5, "horizon_days_median": 120.0,
           "mae_days_by_rul_bin": [5.0, 7.0, 9.0, 11.0, 13.0, 20.0, 38.0, None],
           "predictions_by_rul_bin": counts}
    row.update(kw)
    return row


def _files(targets: dict) -> RunFiles:
    run = {"prognostics": {"alpha_frac": 0.2, "lambda_frac": 0.5, "rul_bins_days": BINS,
                           "targets": targets}}
    return RunFiles(Path("run"), {"prognostics_alerts": 1234, "prognostics_alpha_lambda": 0.5},
                    run)


def test_rows_and_chart():
    targets = {"brake_pads": _target("brakes.pad_remaining_frac_est", 0.3, [20] * 7 + [0]),
               "tire_tread": _target("tires.tread_mm_est", 3.0, [20] * 7 + [0],
                                     relative_accuracy=float("nan"), predictable_crossings=0)}
    (sec,) = prognostics.build(_files(targets)).sections
    page = sec.content
    pads, tread = page.rows
    assert pads["label"] == "Brake pads" and pads["threshold"] == "< 30.0 % pad left"
    assert (pads["horizon"], pads["alerts"], pads["ahead"], pads["ra"], pads["alpha_lambda"],
            pads["ph"]) == ("14 d", "1,234", "30 of 40", "0.65", "50.0 %", "120 d")
    assert tread["threshold"] == "< 3 mm" and tread["ra"] == "n/a" and tread["ahead"] == "n/a"
    assert page.image and page.caption
    assert [t.key for t in page.tiles] == ["prognostics_alerts", "prognostics_alpha_lambda"]


def test_no_chart_with_too_few_predictions_and_no_section_without_the_table():
    few = {"brake_pads": _target("brakes.pad_remaining_frac_est", 0.3, [5] * 7 + [0])}
    (sec,) = prognostics.build(_files(few)).sections
    assert sec.content.image is None
    assert prognostics.build(RunFiles(Path("run"), {}, {})).sections == ()

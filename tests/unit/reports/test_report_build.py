"""The whole report built from a synthetic run directory."""

from __future__ import annotations

import base64
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

import reports
from reports.page.formatting import fmt_auto
from sim.io import write_text as write_atomic

if TYPE_CHECKING:
    from conftest import SyntheticRun

IMG_TAG = '<img src="data:image/png;base64,'
HEADINGS = (
    "Headline KPIs",
    "Findings",
    "Fleet health over time",
    "Failures by component",
    "Service load",
    "Service quality and cost",
    "Waiting time",
    "All KPIs",
    "Configuration",
    "Glossary",
)


@pytest.fixture(scope="module")
def html(shared_run: SyntheticRun) -> str:
    """The report of ``shared_run``, built once: the tests below only read it."""
    return reports.build_report(shared_run.path).read_text(encoding="utf-8")


def test_report_is_written_into_the_run_dir(run: SyntheticRun) -> None:
    path = reports.build_report(run.path)
    assert path == run.path / "report.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_all_section_headings_in_order(html: str) -> None:
    positions = [html.index(f"<h2>{h}</h2>") for h in HEADINGS]
    assert positions == sorted(positions)


def test_scenario_line(html: str) -> None:
    assert "50,000 vehicles · 30 days · seed 7 · wall time 1.2 s · 1.20 M vehicle-days/s" in html


def test_headline_kpi_values_are_formatted(shared_run: SyntheticRun, html: str) -> None:
    k = shared_run.kpis
    rate = 16 / 1_500_000 * 365_000  # 16 roadside failures in the fixture
    assert k["breakdowns_per_1000_vehicle_years"] == pytest.approx(rate)
    expected = {
        "breakdowns_per_1000_vehicle_years": "3.89",
        "failures_total": "180",
        "service_jobs": "161",
        "mean_wait_h": f"{np.mean(shared_run.waits_h):.1f} h",
        "p90_wait_h": f"{np.percentile(shared_run.waits_h, 90):.1f} h",
        "technician_utilization": "63 %",
        "battery_soh_mean_end": f"{k['battery_soh_mean_end'] * 100:.1f} %",
        "battery_soh_p05_end": f"{k['battery_soh_p05_end'] * 100:.1f} %",
    }
    for key, value in expected.items():
        tile = re.search(rf'id="tile-{key}">.*?class="value">([^<]*)<', html, re.S)
        assert tile is not None, key
        assert tile.group(1) == value, key


def test_all_figures_are_embedded_and_nothing_is_fetched(html: str) -> None:
    assert html.count(IMG_TAG) == 5
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html)
    assert "http://" not in html and "https://" not in html
    assert "<script" not in html and "<link" not in html


def test_embedded_images_are_valid_png(html: str) -> None:
    for payload in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html):
        assert base64.b64decode(payload).startswith(b"\x89PNG\r\n\x1a\n")


def test_findings_name_the_largest_component(html: str) -> None:
    # aux12v has 81 of 180 failures in the fixture.
    assert "12 V battery is the largest failure cause (45 % of 180 failures)." in html


def test_full_kpi_table_lists_every_kpi_with_its_catalogue_label(
    shared_run: SyntheticRun, html: str
) -> None:
    names = re.findall(r'<tr id="kpi-([a-z0-9_]+)">', html)
    assert sorted(names) == sorted(shared_run.kpis) and len(names) == len(set(names))
    row = re.search(r'<tr id="kpi-mean_wait_h"><td title="[^"]+">([^<]+)</td>'
                    r'<td class="num">([^<]+)</td><td>([^<]*)</td>', html)
    assert row is not None
    assert row.groups() == ("Mean wait", fmt_auto(shared_run.kpis["mean_wait_h"]), "h")
    assert ('<tr id="kpi-vehicle_days"><td title="fleet size x simulated days">Vehicle-days</td>'
            '<td class="num">1,500,000</td>') in html


def test_wait_caption_uses_event_log(shared_run: SyntheticRun, html: str) -> None:
    mean = f"{np.mean(shared_run.waits_h):.1f} h"
    assert f"from the event log: mean {mean}" in html
    # Jobs fixed remotely were never assigned, but they are not waiting either.
    remote = shared_run.events[shared_run.events["outcome"] == "remote_fixed"]["job"].nunique()
    assert remote == 14
    assert (
        f"over {len(shared_run.waits_h)} jobs. 14 jobs fixed remotely needed no visit. "
        "2 jobs were still waiting at the end" in html
    )


def test_config_dump_is_escaped(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(run_overrides={"config": {"note": "<script>alert(1)</script>"}})
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_null_kpi_shows_na(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(kpi_overrides={"mean_wait_h": None})
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert re.search(r'id="tile-mean_wait_h">.*?class="value">n/a<', html, re.S)


def test_missing_optional_column_still_builds(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(drop_daily_columns=["technicians_busy"])
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert html.count(IMG_TAG) == 5


def test_missing_optional_files_skip_their_sections(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run(omit_files=["daily.parquet", "events.parquet", "run.json"])
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert html.count(IMG_TAG) == 1  # failures by component comes from kpis.json
    assert "daily.parquet missing" in html and "events.parquet missing" in html
    assert all(f"<h2>{h}</h2>" in html for h in HEADINGS)


def test_daily_without_health_columns(make_run: Callable[..., SyntheticRun]) -> None:
    run = make_run()
    cols = [c for c in run.daily.columns if c.startswith(("health_", "battery_soh"))]
    run = make_run("bare", drop_daily_columns=cols)
    html = reports.build_report(run.path).read_text(encoding="utf-8")
    assert html.count(IMG_TAG) == 4
    assert "no health / battery SOH columns" in html


def test_out_path_and_no_temp_files_left(run: SyntheticRun, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere" / "summary.html"
    assert reports.build_report(run.path, out) == out
    assert out.is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == ["summary.html"]
    reports.build_report(run.path)
    before = {"kpis.json", "run.json", "daily.parquet", "events.parquet"}
    assert {p.name for p in run.path.iterdir()} == before | {"report.html"}


def test_atomic_write_replaces_and_cleans_up_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")
    target.chmod(0o640)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    with pytest.raises(TypeError):
        write_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_new_report_is_world_readable(run: SyntheticRun) -> None:
    path = reports.build_report(run.path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_same_input_gives_identical_report(run: SyntheticRun, tmp_path: Path) -> None:
    first = reports.build_report(run.path, tmp_path / "a.html").read_bytes()
    second = reports.build_report(run.path, tmp_path / "b.html").read_bytes()
    assert first == second

"""The economics section: the view of the KPIs, the seed rows and finding, the rendered
section, and its absence from runs without the economics KPIs."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import reports
from reports.economics import section as economics
from reports.economics.view import economics_view
from reports.page import html
from reports.page.loader import RunFiles

if TYPE_CHECKING:
    from conftest import SyntheticRun

IMG = '<img src="data:image/png;base64,'
KPIS = {
    "cost_per_job_mobile": 598.0,
    "cost_per_job_center": 687.0,
    "service_margin": 0.125,
    "van_payback_months": 15.2,
    "repair_gross_profit_per_vehicle_year": 1234.5,   # not in the catalogue yet
}


def _files(kpis: dict) -> RunFiles:
    return RunFiles(Path("run"), kpis)


def _section_html(part) -> str:
    (section,) = part.sections
    return html.environment().get_template(section.template).render(section=section)


def _cells(text: str, row_id: str) -> list[str]:
    row = re.search(rf'<tr id="{row_id}">(.*?)</tr>', text, re.S)
    assert row is not None, row_id
    return re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))


# ---------------------------------------------------------------- the view
def test_view_reads_the_kpis_and_the_seed_reference() -> None:
    view, why = economics_view(KPIS)
    assert view is not None and why == ""
    assert (view.cost_mobile, view.cost_center, view.margin) == (598.0, 687.0, 0.125)
    assert view.payback_months == 15.2 and view.payback_reported
    assert view.gross_profit == 1234.5 and view.owner_avoided is None
    assert view.reference_mobile == pytest.approx(0.85 * 687.0)
    assert view.mobile_vs_center == pytest.approx(598.0 / 687.0 - 1)


def test_undefined_kpis_are_none() -> None:
    view, _ = economics_view({"cost_per_job_mobile": 700.0, "cost_per_job_center": None,
                              "van_payback_months": math.nan})
    assert view is not None
    assert view.cost_center is None and view.reference_mobile is None
    assert view.mobile_vs_center is None
    assert view.payback_months is None and view.payback_reported
    assert not economics_view({"cost_per_job_mobile": 700.0})[0].payback_reported


@pytest.mark.parametrize("kpis, why", [
    ({}, "absent"),
    ({"cost_per_job_mobile": None, "cost_per_job_center": 500.0}, "undefined"),
    ({"cost_per_job_mobile": math.inf}, "undefined"),
])
def test_no_view_without_a_finite_mobile_cost(kpis: dict, why: str) -> None:
    view, text = economics_view(kpis)
    assert view is None and why in text
    assert economics.build(_files(kpis)).sections == ()


# ---------------------------------------------------------------- seeds and finding
def test_seed_rows_judge_the_cost_gap_and_the_payback() -> None:
    view, _ = economics_view(KPIS)
    rows = economics.seed_rows(view)
    assert [(r.key, r.value, r.seed, r.level) for r in rows] == [
        ("mobile_vs_center", "−13 %", "−15 %", "watch"),   # 598 / 687 - 1 = -13 %
        ("van_payback_months", "15 months", "60 months", "ok"),
    ]
    cheap, _ = economics_view(KPIS | {"cost_per_job_mobile": 500.0, "van_payback_months": None})
    rows = economics.seed_rows(cheap)
    assert [(r.value, r.mark, r.level) for r in rows] == [
        ("−27 %", "at or below the seed", "ok"),
        ("no payback", "never pays back", "watch"),
    ]
    finding = economics.economics_finding(rows)
    assert finding is not None and finding.level == "watch"
    assert finding.text.startswith("Service economics: mobile visit cost vs center −27 % "
                                   "(seed 001")


# ---------------------------------------------------------------- the part
def test_rendered_section_shows_the_figure_tiles_and_numbers() -> None:
    part = economics.build(_files(KPIS | {"owner_avoided_cost_per_vehicle_year": math.nan}))
    text = _section_html(part)
    assert text.startswith('<section id="economics">')
    assert text.count(IMG) == 1
    values = dict(re.findall(r'id="tile-(\w+)">.*?class="value">([^<]*)<', text, re.S))
    assert values == {
        "cost_per_job_mobile": "598 CNY/visit",
        "cost_per_job_center": "687 CNY/visit",
        "service_margin": "12.5 %",
        "van_payback_months": "15 months",
        "repair_gross_profit_per_vehicle_year": "1,234 CNY/vehicle-year",
    }
    assert "0.85 × 687 = 584 CNY" in text
    assert "Right: months for a van to pay back its fit-out and tools (15 months)" in text
    assert _cells(text, "economics-seed-van_payback_months")[:3] == ["Van payback", "15 months",
                                                                     "60 months"]
    assert [f.level for f in part.findings] == ["watch"]
    assert part.glossary == "economics/glossary.html.j2"


def test_without_center_or_payback_the_section_says_so() -> None:
    text = _section_html(economics.build(_files({"cost_per_job_mobile": 820.0})))
    assert text.count(IMG) == 1
    assert "no center cost (no center visit), so no seed reference" in text
    assert "Right:" not in text and "economics-seeds-table" not in text


def test_synthetic_report_without_economics_has_no_section(run: SyntheticRun) -> None:
    page = reports.build_report(run.path).read_text(encoding="utf-8")
    assert '<section id="economics">' not in page


def test_report_with_economics_places_it_after_the_service_day(make_run) -> None:
    run = make_run(kpi_overrides=KPIS)
    page = reports.build_report(run.path).read_text(encoding="utf-8")
    assert page.index("<h2>Service day</h2>") < page.index("<h2>Service economics</h2>")
    assert page.index("<h2>Service economics</h2>") < page.index("<h2>All KPIs</h2>")
    assert "<dt>Van payback</dt>" in page

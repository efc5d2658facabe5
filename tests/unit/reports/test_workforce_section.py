"""The workforce section: the view of the daily table and the expert desk's calls, the KPI
tiles and the return-visit table, the rendered section, and a real run's report without
the workforce columns."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reports
from reports.page import html
from reports.page.loader import RunFiles, load_run
from reports.page.tiles import display_label, fallback_label, fmt_kpi
from reports.workforce import section as workforce
from reports.workforce.view import binned, desk_load, workforce_view
from sim.dataset import read_daily

IMG = '<img src="data:image/png;base64,'
DAYS = 75  # two whole 30-day bins and a 15-day one
HIRED_DAYS = (0, 5, 29, 30, 31, 59, 60, 74)  # one hire on each; bins 0-29: 3, 30-59: 3, 60-74: 2
LEFT_DAYS = {10: 2, 45: 1}


@pytest.fixture
def daily() -> pd.DataFrame:
    day = np.arange(DAYS)
    return pd.DataFrame({
        "day": day,
        "technicians_active": 10 + day // 30,
        "technicians_in_academy": np.where(day < 20, 2, 0),
        "vans_unstaffed": np.where(day == 10, 1, 0),
        "technicians_junior": np.full(DAYS, 4),
        "technicians_senior": np.full(DAYS, 4),
        "technicians_expert": 2 + day // 30,
        "technician_tenure_days_mean": 100.0 + day,
        "technicians_hired": np.isin(day, HIRED_DAYS).astype(int),
        "technicians_left": [LEFT_DAYS.get(int(d), 0) for d in day],
        "jobs_created": np.full(DAYS, 7),
    })


@pytest.fixture
def calls() -> pd.DataFrame:
    """Day 0: 2 answered; day 2: 1 answered, 1 abandoned; day 3: 1 requested only."""
    return pd.DataFrame({
        "time_d": [0.1, 0.5, 2.2, 2.9, 3.4, 0.05],
        "event": ["help_answered", "help_answered", "help_answered", "help_abandoned",
                  "help_requested", "help_requested"],
        "outcome": ["", "", "", "no_answer", "", ""],
    })


KPIS = {
    "technician_attrition_3m_new": 0.125,
    "technicians_hired": 8.0,
    "technicians_left": 3.0,
    "academy_pass_rate": None,                 # undefined: no tile
    "expert_response_min_p90": 14.5,           # in the catalogue
    "expert_utilization": 0.42,
    "help_requests_per_job": math.nan,         # NaN: no tile
    "nps": 31.0,
    "revisit_share_parts": 0.48,
    "revisit_share_time": 0.2,
}


# ---------------------------------------------------------------- the view
def test_hires_and_departures_are_summed_per_30_days(daily: pd.DataFrame) -> None:
    view, why = workforce_view(daily)
    assert view is not None and why == ""
    flows = view.flows
    assert flows is not None
    assert list(flows.index) == [0, 30, 60]
    assert list(flows["technicians_hired"]) == [3, 3, 2]
    assert list(flows["technicians_left"]) == [2, 1, 0]
    assert list(flows["days"]) == [30, 30, 15]
    assert flows["technicians_hired"].sum() == daily["technicians_hired"].sum()
    assert view.last_bin_days == 15


def test_bins_start_at_the_first_day_of_the_table() -> None:
    day = np.arange(5, 70)
    sums = binned(day, pd.DataFrame({"n": np.ones(len(day))}), width=30)
    assert list(sums.index) == [5, 35, 65]
    assert list(sums["n"]) == [30, 30, 5]


def test_the_view_keeps_what_the_daily_table_has(daily: pd.DataFrame) -> None:
    view, _ = workforce_view(daily.sample(frac=1.0, random_state=3))  # out of order
    assert view is not None
    assert list(view.day) == list(range(DAYS))
    assert list(view.headcount.columns) == ["technicians_active", "technicians_in_academy",
                                            "vans_unstaffed"]
    assert view.headcount["technicians_active"].iloc[-1] == 12
    assert view.skills is not None and view.skills.iloc[-1].sum() == 4 + 4 + 4
    assert view.tenure_days is not None and view.tenure_days.iloc[-1] == 174.0

    bare, _ = workforce_view(daily[["day", "technicians_active"]])
    assert bare is not None
    assert list(bare.headcount.columns) == ["technicians_active"]
    assert bare.skills is None and bare.tenure_days is None and bare.flows is None


def test_no_view_without_technicians_active(daily: pd.DataFrame) -> None:
    view, why = workforce_view(daily.drop(columns=["technicians_active"]))
    assert view is None and "no technicians_active column" in why
    assert workforce_view(None)[0] is None
    assert workforce_view(daily.iloc[:0])[0] is None


def test_desk_load_counts_calls_per_day(calls: pd.DataFrame) -> None:
    desk, why = desk_load(calls, np.arange(5))
    assert desk is not None and why == ""
    assert list(desk.per_day.index) == [0, 1, 2, 3, 4]
    assert list(desk.per_day["help_answered"]) == [2, 0, 1, 0, 0]
    assert list(desk.per_day["help_abandoned"]) == [0, 0, 1, 0, 0]
    assert (desk.answered, desk.abandoned, desk.requested) == (3, 1, 2)


def test_desk_load_ignores_the_index_of_the_log(calls: pd.DataFrame) -> None:
    doubled = pd.concat([calls, calls])             # a repeated index, as after a concat
    desk, _ = desk_load(doubled)
    assert desk is not None and (desk.answered, desk.abandoned) == (6, 2)
    assert list(desk.per_day.index) == [0, 1, 2]    # no run days given: the calls' span


def test_no_desk_without_its_events(calls: pd.DataFrame) -> None:
    assert desk_load(None)[0] is None
    desk, why = desk_load(calls[calls["event"] == "help_requested"])
    assert desk is None and "no help_answered or help_abandoned" in why


# ---------------------------------------------------------------- tiles and table
def test_tiles_only_for_present_finite_kpis_in_spec_order() -> None:
    tiles = workforce.workforce_tiles(KPIS)
    assert [t.key for t in tiles] == ["technician_attrition_3m_new", "technicians_hired",
                                      "technicians_left", "expert_response_min_p90",
                                      "expert_utilization", "nps"]
    values = {t.key: (t.label, t.value) for t in tiles}
    # In the catalogue: its label, format and unit.
    assert values["expert_response_min_p90"] == ("Expert answer time, p90", "14.5 min")
    assert values["expert_utilization"] == ("Expert utilization", "42.0 %")
    # In the catalogue too (sim/kpis/definitions.py WORKFORCE):
    assert values["technician_attrition_3m_new"] == ("New technicians gone within 3 months",
                                                     "12.5 %")
    assert values["technicians_hired"] == ("Technicians hired", "8")
    assert values["nps"] == ("NPS (from CSAT)", "+31 points")
    assert workforce.workforce_tiles({}) == []


def test_labels_and_formats_fall_back_when_the_catalogue_lacks_a_key() -> None:
    assert display_label("cost_per_job_mobile") == "Cost per mobile visit"
    assert fallback_label("csat_center") == "CSAT center"
    assert fmt_kpi("cost_per_job_mobile", 991.2) == "991 CNY/visit"
    assert fmt_kpi("service_margin", -0.0091) == "-0.9 %"
    assert fmt_kpi("help_requests_per_job", 0.314) == "0.31"       # a rate: no unit
    assert fmt_kpi("not_a_kpi_yet", 0.25, "fraction") == "25.0 %"
    assert fmt_kpi("not_a_kpi_yet", 3.0, "min") == "3 min"
    assert fmt_kpi("not_a_kpi_yet", None) == "n/a"


def test_revisit_rows_against_aberdeen() -> None:
    rows = workforce.revisit_rows(KPIS)
    assert [(r.label, r.value, r.reference) for r in rows] == [
        ("Part missing", "48.0 %", "51 %"),
        ("Skills lacking", "n/a", "25 %"),
        ("Out of time", "20.0 %", "13 %"),
    ]
    assert workforce.revisit_rows({"revisit_share_parts": math.nan}) == []


# ---------------------------------------------------------------- the part
def _section_html(part) -> str:
    (section,) = part.sections
    return html.environment().get_template(section.template).render(section=section)


def test_rendered_section(daily: pd.DataFrame, calls: pd.DataFrame) -> None:
    part = workforce.build(RunFiles(Path("run"), KPIS, daily=daily, expert_events=calls))
    text = _section_html(part)
    assert text.startswith('<section id="workforce">')
    assert text.count(IMG) == 2
    assert "Not available" not in text
    tile = re.search(r'id="tile-technician_attrition_3m_new">.*?class="value">([^<]*)<',
                     text, re.S)
    assert tile is not None and tile.group(1) == "12.5 %"
    assert 'id="tile-academy_pass_rate"' not in text
    assert "8 hired and 3 left over the run. The last bin covers only 15 days." in text
    assert "3 answered (help_answered) and 1 abandoned" in text
    assert "expert answer time, p90 14.5 min" in text
    row = re.search(r'<tr id="revisit-revisit_share_parts">(.*?)</tr>', text, re.S)
    assert row is not None
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row.group(1))[:3] == ["Part missing", "48.0 %",
                                                                     "51 %"]
    assert part.glossary == "workforce/glossary.html.j2"


def test_without_desk_events_the_desk_block_says_so(daily: pd.DataFrame) -> None:
    text = _section_html(workforce.build(RunFiles(Path("run"), {}, daily=daily)))
    assert text.count(IMG) == 1
    assert "Not available: events.parquet is missing" in text
    assert "workforce-revisits-table" not in text and "class=\"tile" not in text


def test_no_section_without_the_columns(daily: pd.DataFrame) -> None:
    old = daily.drop(columns=["technicians_active"])
    assert workforce.build(RunFiles(Path("run"), KPIS, daily=old)).sections == ()
    assert workforce.build(RunFiles(Path("run"), KPIS)).sections == ()


def test_loader_reads_the_expert_desk_events(tmp_path: Path, daily: pd.DataFrame,
                                             calls: pd.DataFrame) -> None:
    log = calls.assign(job=1, channel="mobile")
    pd.concat([log, log.assign(event="job_created")]).astype({"event": "category"}).to_parquet(
        tmp_path / "events.parquet", index=False)
    daily.to_parquet(tmp_path / "daily.parquet", index=False)
    (tmp_path / "kpis.json").write_text('{"technicians_hired": 8}')
    files = load_run(tmp_path)
    assert files.expert_events is not None
    assert sorted(files.expert_events["event"]) == sorted(calls["event"])
    assert files.expert_events["event"].map(type).eq(str).all()
    page = reports.build_report(tmp_path).read_text(encoding="utf-8")
    section = re.search(r'<section id="workforce">(.*?)</section>', page, re.S)
    assert section is not None and section.group(1).count(IMG) == 2


# ---------------------------------------------------------------- a real run
@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from configs.load import load_config
    from sim.engine import simulate

    out = tmp_path_factory.mktemp("workforce_run")
    cfg = load_config(["fleet.size=2000", "horizon_days=30", "output.progress=false",
                       "service.workforce.enabled=false"])
    simulate(cfg).save(out)
    return out


def test_a_default_run_has_the_workforce_section(tmp_path: Path) -> None:
    from configs.load import load_config
    from sim.engine import simulate

    simulate(load_config(["fleet.size=2000", "horizon_days=30",
                          "output.progress=false"])).save(tmp_path)
    daily = read_daily(tmp_path)
    assert (daily["technicians_active"] + daily["vans_unstaffed"] > 0).all()
    page = reports.build_report(tmp_path).read_text(encoding="utf-8")
    assert "<h2>Workforce</h2>" in page


def test_real_run_without_the_workforce_columns_still_reports(real_run: Path) -> None:
    daily = read_daily(real_run)
    assert "technicians_active" not in daily.columns   # service.workforce.enabled=false
    context = reports.build.build_context(load_run(real_run))
    anchors = [s.anchor for s in context["sections"]]
    assert "workforce" not in anchors
    assert anchors.index("economics") == anchors.index("service-day") + 1
    page = reports.build_report(real_run).read_text(encoding="utf-8")
    assert '<section id="workforce">' not in page and "<h2>Workforce</h2>" not in page
    assert "<h2>Service economics</h2>" in page and "<h2>Service day</h2>" in page
    assert "<dt>Academy</dt>" not in page              # no glossary of an absent section
    kpis = json.loads((real_run / "kpis.json").read_text())
    tile = re.search(r'id="tile-cost_per_job_mobile">.*?class="value">([^<]*)<', page, re.S)
    assert tile is not None and tile.group(1) == f"{kpis['cost_per_job_mobile']:,.0f} CNY/visit"

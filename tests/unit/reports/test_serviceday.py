"""The service-day section: route day, van-day hours, channel flow, seeds table, the part.

The sizing figure and caption are in test_serviceday_sizing.py."""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest

import reports
from reports import build
from reports.page import html
from reports.page.loader import RunFiles, load_run
from reports.serviceday import section as serviceday
from reports.serviceday.flow import flow_figure
from reports.serviceday.seeds import seed_rows
from reports.serviceday.targets import generation_band
from reports.serviceday.view import (
    FLEET_ROW,
    calendar_days,
    channel_flow,
    hands_on_h,
    route_day,
    van_hours,
)
from tests.unit.reports.serviceday_data import CONFIG, KPIS, SIZING, run_files

if TYPE_CHECKING:
    from conftest import SyntheticRun

NAN = math.nan
H = 1 / 24  # one hour in days
COLUMNS = ["time_d", "event", "job", "region", "technician", "channel", "outcome", "due_d",
           "value"]


def _leg(day: float, depart_h: float, hours: float, van: int, job: int, region: str,
         km: float) -> tuple:
    t = day + depart_h * H
    return (t, "van_leg", job, region, van, "mobile", "depot" if job < 0 else "", t + hours * H,
            km)


def _ev(t: float, event: str, job: int, channel: str = "", outcome: str = "",
        region: str = "north", van: int = -1) -> tuple:
    return (t, event, job, region, van, channel, outcome, NAN, NAN)


@pytest.fixture
def events() -> pd.DataFrame:
    """Two regions, three vans, ten contacts: one of each way through the channels.

    Van legs (hours): north van 0 drives 0.5 + 1 + 0.5 (home), van 1 1 + 1 (home);
    south van 2 1 + 0.5 (home). Hands-on (mobile): jobs 10 and 11 two hours each
    (north), job 13 three hours (south); job 12's van trip was wasted and its
    center work is not van work.
    """
    rows = [
        _leg(0, 8.0, 0.5, 0, 10, "north", 10.0),
        _leg(0, 11.0, 1.0, 0, 11, "north", 20.0),
        _leg(0, 15.0, 0.5, 0, -1, "north", 8.0),
        _leg(1, 9.0, 1.0, 1, 12, "north", 15.0),
        _leg(1, 13.0, 1.0, 1, -1, "north", 15.0),
        _leg(0, 8.0, 1.0, 2, 13, "south", 12.0),
        _leg(0, 12.0, 0.5, 2, -1, "south", 12.0),
    ]
    for job in range(10, 20):
        rows.append(_ev(0.0, "job_created", job))
    rows += [
        # 10: van, right channel, fixed.  11: van, revisit, still open at the end.
        _ev(0.01, "job_triaged", 10, "mobile", "correct"),
        _ev(8.5 * H, "job_started", 10, "mobile", van=0),
        _ev(10.5 * H, "job_finished", 10, "mobile", "fixed", van=0),
        _ev(0.01, "job_triaged", 11, "mobile", "correct"),
        _ev(12 * H, "job_started", 11, "mobile", van=0),
        _ev(14 * H, "job_finished", 11, "mobile", "revisit", van=0),
        # 12: a lift job triaged to a van: wasted trip, rebooked, fixed at a center.
        _ev(0.01, "job_triaged", 12, "mobile", "wrong"),
        _ev(1 + 10 * H, "job_finished", 12, "mobile", "wasted_trip", van=1),
        _ev(1 + 10 * H, "job_rebooked", 12, "center"),
        _ev(3.0, "job_started", 12, "center", van=9),
        _ev(3.2, "job_finished", 12, "center", "fixed", van=9),
        # 13: south van, fixed after three hours.
        _ev(0.01, "job_triaged", 13, "mobile", "correct", region="south"),
        _ev(9 * H, "job_started", 13, "mobile", region="south", van=2),
        _ev(12 * H, "job_finished", 13, "mobile", "fixed", region="south", van=2),
        # 14: fixed remotely.  15, 16: center (16 a wrong triage, fixed anyway).
        _ev(0.02, "job_finished", 14, "remote", "remote_fixed"),
        _ev(0.01, "job_triaged", 15, "center", "correct"),
        _ev(2.0, "job_finished", 15, "center", "fixed"),
        _ev(0.01, "job_triaged", 16, "center", "wrong"),
        _ev(2.5, "job_finished", 16, "center", "fixed"),
        # 17: not triaged yet.  18: body shop.  19: van, the owner was not there.
        _ev(0.01, "job_triaged", 18, "body", "correct"),
        _ev(4.0, "job_finished", 18, "body", "fixed"),
        _ev(0.01, "job_triaged", 19, "mobile", "correct"),
        _ev(2.0, "job_finished", 19, "mobile", "no_show", van=0),
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values("time_d", kind="stable").reset_index(drop=True)


def _legs(*points: tuple[float, float, int], day: int = 0) -> list[dict]:
    """Sample legs to (x, y, job), one an hour from 8:00."""
    return [{"depart_d": day + (8 + i) * H, "arrive_d": day + (8.5 + i) * H, "x_km": x,
             "y_km": y, "job": job} for i, (x, y, job) in enumerate(points)]


SAMPLE = {
    "region": "north", "day": 0, "radius_km": 20.0, "depot_km": [0.0, 0.0],
    "shift_h": [8.0, 18.0],
    "vans": {
        # Van 0's legs are the event log's (departures 8:00, 11:00, 15:00).
        "0": [{"depart_d": 8 * H, "arrive_d": 8.5 * H, "x_km": 3.0, "y_km": 4.0, "job": 10},
              {"depart_d": 11 * H, "arrive_d": 12 * H, "x_km": 3.0, "y_km": -4.0, "job": 11},
              {"depart_d": 15 * H, "arrive_d": 15.5 * H, "x_km": 0.0, "y_km": 0.0, "job": -1}],
        "1": _legs((5.0, 0.0, 12), (0.0, 0.0, -1)),
    },
}
# ---------------------------------------------------------------- van hours
def test_hands_on_pairs_each_start_with_the_jobs_next_finish(events: pd.DataFrame) -> None:
    work = hands_on_h(events).set_index("job")["work_h"]
    assert work.to_dict() == pytest.approx({10: 2.0, 11: 2.0, 13: 3.0})


def test_drive_work_idle_hours_by_hand(events: pd.DataFrame) -> None:
    hours, why = van_hours(events, {"config": CONFIG}, KPIS)
    assert hours is not None and why == ""
    t = hours.table
    assert list(t.index) == ["north", "south", FLEET_ROW]
    assert hours.days_from == "calendar" and hours.shift_h == 10.0
    # 6 working days of the 7-day horizon (1 day off a week), 10 h shifts.
    assert (calendar_days(7, 1), calendar_days(120, 1), calendar_days(10, 0)) == (6, 103, 10)
    assert t["vans"].tolist() == [2, 1, 3]
    assert t["van_days"].tolist() == [12, 6, 18]
    assert t["drive_h"].tolist() == pytest.approx([4.0, 1.5, 5.5])
    assert t["work_h"].tolist() == pytest.approx([4.0, 3.0, 7.0])
    assert t["idle_h"].tolist() == pytest.approx([120 - 8.0, 60 - 4.5, 180 - 12.5])
    per = hours.per_van_day()
    assert per.loc[FLEET_ROW].tolist() == pytest.approx([5.5 / 18, 7 / 18, 167.5 / 18])


def test_without_a_calendar_the_days_with_van_legs_count(events: pd.DataFrame) -> None:
    run = {"van_day_sample": {"shift_h": [9.0, 17.0]}}  # no config: the sample's shift
    hours, _ = van_hours(events, run, {})
    assert hours is not None and hours.days_from == "activity" and hours.shift_h == 8.0
    # North drove on days 0 and 1, south on day 0.
    assert hours.table["van_days"].tolist() == [4, 1, 5]
    assert hours.table["idle_h"].tolist() == pytest.approx([32 - 8.0, 8 - 4.5, 40 - 12.5])
    caption = serviceday.hours_caption(hours, {})
    assert "the days with a van leg in the region" in caption


def test_hours_caption_names_vans_and_calendar(events: pd.DataFrame) -> None:
    hours, _ = van_hours(events, {"config": CONFIG}, KPIS)
    assert hours is not None
    caption = serviceday.hours_caption(hours, KPIS | {"travel_hours_per_van_day": 0.31,
                                                      "technician_productive_hours_per_day": 0.39})
    assert "(3 in all; kpis.json counts 3 vans)" in caption
    assert "the shift calendar's 6 of the 7-day horizon (1 day off a week)" in caption
    assert "All regions: 0.3 h driving and 0.4 h hands-on per van-day" in caption


def test_hours_check_against_the_kpis(events: pd.DataFrame) -> None:
    good = KPIS | {"travel_hours_per_van_day": 5.5 / 18,
                   "technician_productive_hours_per_day": 7 / 18}
    assert serviceday.hours_checks(run_files(events, kpis=good)) == []
    bad = good | {"travel_hours_per_van_day": 0.2}
    (check,) = serviceday.hours_checks(run_files(events, kpis=bad))
    assert check.level == "check"
    assert "driving per van-day is 0.20 h in kpis.json but 0.31 h from the event log" in check.text
    # A van that never drove: the denominators differ, no check.
    assert serviceday.hours_checks(run_files(events, kpis=bad | {"technicians": 4.0})) == []


def test_hours_check_counts_only_staffed_van_days(events: pd.DataFrame) -> None:
    """A seat vacant on days 2-3 (one technician left on day 1's evening, a recruit arrived
    on day 3's): the KPIs count 16 staffed working van-days of the 18 the calendar has."""
    daily = pd.DataFrame({"day": range(7), "technicians_active": [3, 2, 2, 3, 3, 3, 3],
                          "vans_unstaffed": [0, 1, 1, 0, 0, 0, 0]})
    assert serviceday.staffed_van_days(daily, 3, 1, 7) == 16.0
    good = KPIS | {"travel_hours_per_van_day": 5.5 / 16,
                   "technician_productive_hours_per_day": 7 / 16}
    files = dataclasses.replace(run_files(events, kpis=good), daily=daily)
    assert serviceday.hours_checks(files) == []
    calendar = good | {"technician_productive_hours_per_day": 7 / 18}
    (check,) = serviceday.hours_checks(dataclasses.replace(files, kpis=calendar))
    assert "0.39 h in kpis.json but 0.44 h from the event log" in check.text


# ---------------------------------------------------------------- channel flow
def test_flow_counts(events: pd.DataFrame) -> None:
    flow, why = channel_flow(events)
    assert flow is not None and why == ""
    assert flow.created == 10
    assert flow.first == {"remote": 1, "mobile": 5, "center": 2, "body": 1, "pending": 1}
    assert flow.final == {"remote": 1, "mobile": 2, "center": 3, "body": 1, "open": 3}
    b = flow.bands
    assert (b.loc["mobile", "mobile"], b.loc["mobile", "center"], b.loc["mobile", "open"]) == (
        2, 1, 2)
    assert b.loc["pending", "open"] == 1 and b.loc["center", "center"] == 2
    assert int(b.to_numpy().sum()) == 10
    assert flow.wrong == {"mobile": 1, "center": 1, "body": 0}
    assert (flow.wasted, flow.rebooked, flow.no_shows, flow.rain_blocked) == (
        1, {"center": 1}, 1, 0)
    assert flow_figure(flow) is not None
    caption = serviceday.flow_caption(flow, {"triage_accuracy": 0.75})
    assert "1 wasted trips (sent where the job could not be done) were rebooked (1 to a center)" \
        in caption
    assert "Triage sent 2 jobs to the wrong channel (triage accuracy 75.0 %)" in caption


# ---------------------------------------------------------------- route day
def test_route_picks_the_van_with_most_stops(events: pd.DataFrame) -> None:
    route, why = route_day(SAMPLE, events)
    assert route is not None and why == ""
    assert route.stops == {"0": 2, "1": 1}
    assert route.van == "0"
    assert route.road_km == pytest.approx(38.0)        # 10 + 20 + 8 from its van_leg records
    assert route.straight_km == pytest.approx(5 + 8 + 5)
    assert route.paths["0"].tolist() == [[0, 0], [3, 4], [3, -4], [0, 0]]
    caption = serviceday.route_caption(route)
    assert caption.startswith("Region north, day 0 (run.json van_day_sample): van 0, the one "
                              "with the most stops, made 2 stops and drove 38.0 road km")
    assert "The region's other van that day (van 1: 1 stops) is drawn faint." in caption
    busier = SAMPLE | {"vans": SAMPLE["vans"] | {
        "12": _legs((1, 1, 1), (2, 2, 2), (3, 3, 3), (0, 0, -1)),
        "9": _legs((1, 1, 4), (2, 2, 5), (3, 3, 6), (0, 0, -1))}}
    route, _ = route_day(busier, events)
    assert route is not None and route.van == "9"      # three stops; 9 before 12 on the tie
    assert route.road_km is None                       # no van_leg record of van 9
    assert "in straight lines (road km not available" in serviceday.route_caption(route)


@pytest.mark.parametrize("sample", [None, {}, {"region": "north"}, {"vans": {}}])
def test_missing_or_broken_sample(sample: object, events: pd.DataFrame) -> None:
    route, why = route_day(sample, events)
    assert route is None and ("van_day_sample" in why)


# ---------------------------------------------------------------- seeds table
KPI_VALUES = {
    "service_contacts_per_vehicle_year": 1.9, "mobile_share_of_visits": 0.45,
    "jobs_per_van_day": 6.0, "technician_productive_hours_per_day": 7.0,
    "on_time_arrival_rate": 0.70, "center_booking_lead_days": 3.0, "triage_accuracy": 0.9,
}


def test_generation_bands() -> None:
    figures = {"manual": 5.2, "engine": 7.1, "traffic_aware": 7.9}
    bands = {g: generation_band(figures, g) for g in figures}
    assert (bands["manual"].low, bands["manual"].high) == pytest.approx((4.25, 6.15))
    assert (bands["engine"].low, bands["engine"].high) == pytest.approx((6.15, 7.5))
    assert (bands["traffic_aware"].low, bands["traffic_aware"].high) == pytest.approx((7.5, 8.3))
    assert generation_band(figures, "fifo") is None


def test_seed_rows_and_marks() -> None:
    rows = {r.key: r for r in seed_rows(KPI_VALUES, "engine", "industry_average")}
    assert list(rows) == list(KPI_VALUES)
    marks = {k: (r.value, r.mark, r.level) for k, r in rows.items()}
    assert marks == {
        "service_contacts_per_vehicle_year": ("1.90", "in band 1.5–3.0 (industry average)",
                                              "ok"),
        "mobile_share_of_visits": ("45.0 %", "in band 34–46 %", "ok"),
        "jobs_per_van_day": ("6.00", "above 3.0–5.0", "watch"),
        "technician_productive_hours_per_day": ("7.0", "in band 6.2–7.5 h (engine)", "ok"),
        "on_time_arrival_rate": ("70 %", "below 80–94 % (engine)", "watch"),
        "center_booking_lead_days": ("3.0 d", "under 4.8 d", "ok"),
        "triage_accuracy": ("90.0 %", "context", ""),
    }
    assert rows["service_contacts_per_vehicle_year"].source.startswith("seed 002:63")
    assert rows["service_contacts_per_vehicle_year"].seed.endswith(
        "this run's brand: industry average, 2.1")
    assert rows["mobile_share_of_visits"].source.startswith("seed 001:597-606")
    assert rows["jobs_per_van_day"].source == "seed 003:283-284"
    assert rows["on_time_arrival_rate"].seed == (
        "68 % manual / 91 % engine / 96 % traffic-aware; this run's dispatch: engine, 91 %")
    assert rows["center_booking_lead_days"].source.startswith("J.D. Power 2023")
    assert rows["triage_accuracy"].source == "seed 001:254-260"


def test_contacts_are_judged_against_the_runs_own_brand() -> None:
    # seed 002:63: 2.1 is the industry average, 8.3 NIO's: two brands, not one band
    def row(brand, value=1.9):
        kpis = KPI_VALUES | {"service_contacts_per_vehicle_year": value}
        return seed_rows(kpis, "engine", brand)[0]

    assert row("industry_average").band == (1.5, 3.0)
    high = row("high_touch")
    assert (high.mark, high.level, high.band) == ("below 7.0–10.0 (high-touch (NIO))",
                                                  "watch", (7.0, 10.0))
    assert row("high_touch", 8.3).level == "ok"
    assert row("industry_average", 8.3).level == "watch"
    unknown = row(None)
    assert (unknown.mark, unknown.level, unknown.band) == ("— (brand unknown)", "", None)


def test_seed_rows_follow_the_dispatch_generation() -> None:
    manual = {r.key: r for r in seed_rows(KPI_VALUES, "manual")}
    assert manual["technician_productive_hours_per_day"].mark == "above 4.2–6.2 h (manual)"
    assert manual["on_time_arrival_rate"].level == "ok"            # 70 % in 56–80 %
    fifo = {r.key: r for r in seed_rows(KPI_VALUES, "fifo")}
    assert fifo["on_time_arrival_rate"].mark == "— (dispatch fifo is no generation)"
    assert fifo["on_time_arrival_rate"].level == ""
    empty = seed_rows({}, None)
    assert all(r.value == "n/a" and r.level == "" for r in empty)


def test_seeds_finding_lists_the_rows_outside() -> None:
    finding = serviceday.seeds_finding(seed_rows(KPI_VALUES, "engine", "high_touch"))
    assert finding is not None and finding.level == "watch"
    assert finding.text.startswith("Service day against the seeds: 3 of 6 in band; outside: "
                                   "service contacts per vehicle-year 1.90, below 7.0–10.0 "
                                   "(high-touch (NIO));")
    assert serviceday.seeds_finding(seed_rows({}, None)) is None


# ---------------------------------------------------------------- the part
def _section_html(part) -> str:
    (section,) = part.sections
    return html.environment().get_template(section.template).render(section=section)


def test_full_part(events: pd.DataFrame) -> None:
    run = {"config": CONFIG, "van_day_sample": SAMPLE, "sizing": SIZING}
    part = serviceday.build(run_files(events, run, KPIS | KPI_VALUES))
    text = _section_html(part)
    assert text.count('<img src="data:image/png;base64,') == 4
    assert '<tr id="seed-jobs_per_van_day">' in text
    assert '<td class="watch">&#10007; above 3.0–5.0</td>' in text
    assert "Not available" not in text
    assert [f.level for f in part.findings] == ["watch"]
    assert part.glossary == "serviceday/glossary.html.j2"


def test_without_the_new_events_every_block_says_what_is_missing(run: SyntheticRun) -> None:
    files = load_run(run.path)       # the service-network log, before the routed van day
    part = serviceday.build(files)
    text = _section_html(part)
    assert "<img" not in text
    assert "Not available: run.json has no van_day_sample" in text
    assert "Not available: events.parquet has no van_leg records" in text
    assert "Not available: events.parquet has no triage verdicts" in text
    assert part.checks == ()
    nothing = serviceday.build(RunFiles(Path("run"), {}))
    text = _section_html(nothing)
    assert "events.parquet is missing" in text
    assert "Not available: kpis.json has none of these KPIs." in text


def test_loader_reads_the_dayplan_events(tmp_path: Path, events: pd.DataFrame) -> None:
    events.astype({"event": "category"}).to_parquet(tmp_path / "events.parquet", index=False)
    (tmp_path / "kpis.json").write_text(json.dumps(KPIS))
    (tmp_path / "run.json").write_text(json.dumps({"config": CONFIG, "van_day_sample": SAMPLE}))
    files = load_run(tmp_path)
    assert files.dayplan_events is not None and len(files.dayplan_events) == len(events)
    assert files.dayplan_events["event"].map(type).eq(str).all()
    context = build.build_context(files)
    anchors = [s.anchor for s in context["sections"]]
    assert anchors.index("service-day") == anchors.index("waits") + 1
    page = html.render(context)
    day = re.search(r'<section id="service-day">(.*?)</section>', page, re.S).group(1)
    assert day.count('<img src="data:image/png;base64,') == 3


# ---------------------------------------------------------------- a real run
@pytest.fixture(scope="module")
def real_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from configs.load import load_config
    from sim.engine import simulate

    out = tmp_path_factory.mktemp("serviceday_run")
    cfg = load_config(["fleet.size=2000", "horizon_days=30", "output.progress=false"])
    simulate(cfg).save(out)
    return out


def test_real_run_has_the_section(real_run: Path) -> None:
    context = reports.build.build_context(load_run(real_run))
    (day,) = [s for s in context["sections"] if s.anchor == "service-day"]
    assert day.title == "Service day"
    hours, flow = day.content.blocks[1], day.content.blocks[2]
    assert hours.image is not None and "Van-days = vans × working days" in hours.caption
    assert flow.image is not None
    assert [r.key for r in day.content.seeds][0] == "service_contacts_per_vehicle_year"
    assert "Service day" in html.render(context)

"""The KPI definitions, per domain, as plain rows; :mod:`sim.kpis.catalogue` makes them ``Kpi``s.

One row per KPI: ``(key, label, unit, fmt, better, definition)``. A key with a
placeholder (``{component}``, ``{level}``, ``{release}``) is a family: one row
for all its members, and its label names the member through the same placeholder.
Domains are in reading order, and so are the rows within a domain.
"""

from __future__ import annotations

Row = tuple[str, str, str, str, str, str]

_PER_1000_VY = "1/(1000 vehicle-years)"

RUN: tuple[Row, ...] = (
    ("vehicles", "Vehicles", "count", ",.0f", "", "fleet size"),
    ("horizon_days", "Simulated days", "d", ",.0f", "", "simulated days"),
    ("vehicle_days", "Vehicle-days", "vehicle-days", ",.0f", "",
     "fleet size x simulated days"),
)

FLEET: tuple[Row, ...] = (
    ("breakdowns_per_1000_vehicle_years", "Breakdowns per 1,000 vehicle-years", _PER_1000_VY,
     ".2f", "lower",
     "roadside failures per 1000 vehicles per year (ADAC's measure; "
     "vehicle-year = 365.25 vehicle-days)"),
    ("failures_per_1000_vehicle_years", "Failures per 1,000 vehicle-years", _PER_1000_VY,
     ".2f", "lower", "all failures (all severities) per 1000 vehicles per year"),
    ("failures_total", "Component failures", "count", ",.0f", "lower",
     "failure events (all severities)"),
    ("failures_by_component_{component}", "Failures: {component}", "count", ",.0f", "lower",
     "failure events (all severities) of one component"),
    ("breakdowns", "Breakdowns", "count", ",.0f", "lower", "roadside failures (car stranded)"),
    ("breakdowns_by_component_{component}", "Breakdowns: {component}", "count", ",.0f",
     "lower", "roadside failures (car stranded) of one component"),
    ("breakdown_share_{component}", "Breakdown share: {component}", "fraction", ".1%", "",
     "component's share of all roadside breakdowns (NaN with no breakdowns)"),
    ("vehicles_down_end", "Vehicles down at the end", "count", ",.0f", "lower",
     "vehicles stranded at the horizon"),
    ("km_per_vehicle_year", "Distance per vehicle-year", "km/yr", ",.0f", "",
     "distance driven per vehicle per year"),
)

BATTERY: tuple[Row, ...] = (
    ("battery_soh_mean_end", "Battery SOH, fleet mean at the end", "fraction", ".2%", "higher",
     "traction battery state of health at the horizon, fleet mean"),
    ("battery_soh_p05_end", "Battery SOH, 5th percentile at the end", "fraction", ".2%",
     "higher", "traction battery state of health at the horizon, 5th percentile"),
    ("battery_loss_pct_per_year_of_age", "Battery loss per year of age", "%/yr", ".2f", "lower",
     "capacity lost since new divided by vehicle age, fleet mean "
     "(Geotab's \"fleet-average loss\")"),
    ("battery_fade_pct_per_year", "Battery fade during the run", "%/yr", ".2f", "lower",
     "fleet-mean SOH lost during the run, per year"),
)

SERVICE: tuple[Row, ...] = (
    ("service_jobs", "Service jobs", "count", ",.0f", "", "service jobs created"),
    ("service_jobs_finished", "Service jobs closed", "count", ",.0f", "",
     "jobs closed (`fixed` or `remote_fixed`)"),
    ("service_jobs_open_end", "Service jobs open at the end", "count", ",.0f", "lower",
     "jobs still open at the horizon"),
    ("remote_resolution_rate", "Fixed remotely", "fraction", ".1%", "higher",
     "jobs fixed by remote diagnosis / all jobs"),
    ("mobile_share", "Mobile share", "fraction", ".1%", "",
     "jobs triaged to mobile vans / jobs triaged to any visit channel"),
    ("first_time_fix_rate", "First-time fix", "fraction", ".1%", "higher",
     "jobs fixed at their first visit / jobs fixed by a visit"),
    ("revisits", "Revisits", "count", ",.0f", "lower",
     "visits that did not fix the car (each leads to another visit)"),
    ("on_time_arrival_rate", "On-time arrival (booked)", "fraction", ".1%", "higher",
     "booked mobile visits arriving by their promised window's end / booked mobile visits "
     "(a planned visit the shift could not reach, `job_rolled`, counts as late)"),
    ("rescue_within_target_rate", "Rescues within target", "fraction", ".1%", "higher",
     "roadside jobs reached (van or tow truck) within the region tier's response target; "
     "unanswered at the horizon count as missed"),
    ("mean_wait_h", "Mean wait", "h", ".2f", "lower",
     "job creation to its first technician or bay assignment (includes the wait for an "
     "appointment window or center appointment), mean over jobs"),
    ("p90_wait_h", "90th-percentile wait", "h", ".2f", "lower",
     "job creation to its first technician or bay assignment, 90th percentile over jobs"),
    ("mean_response_h", "Mean response", "h", ".2f", "lower",
     "job creation to the first arrival of help (van at the car, car at the center, "
     "or tow truck)"),
    ("mean_repair_h", "Mean repair time", "h", ".2f", "lower", "hands-on time per visit"),
    ("technicians", "Technicians", "count", ",.0f", "",
     "mobile vans (technicians) in all regions"),
    ("technician_utilization", "Technician utilization", "fraction", ".1%", "higher",
     "mobile visit time (travel + repair, overtime included) / shift hours on working days"),
    ("jobs_per_technician_day", "Visits per van-day", "1/(technician-day)", ".2f", "higher",
     "mobile visits per van per working day"),
    ("tows", "Tows", "count", ",.0f", "lower", "tow-truck rescues"),
    ("help_requests_per_job", "Expert calls per mobile job", "1/job", ".2f", "",
     "calls to the remote expert desk / mobile jobs started (`service.experts.mode: pool`; "
     "NaN with instant help)"),
    ("expert_response_min_p90", "Expert answer time, p90", "min", ".1f", "lower",
     "minutes a technician waited for an expert, 90th percentile over calls made while "
     "experts were on duty (an unanswered call counts with its wait, the patience)"),
    ("expert_utilization", "Expert utilization", "fraction", ".1%", "",
     "answered calls x `experts.answer_min` / (experts x on-duty hours x simulated days)"),
    ("csat_mobile", "CSAT, mobile", "fraction", ".1%", "higher",
     "owner ratings of 4 or 5 / all ratings (`job_rated`, 1..5) of mobile visits "
     "(`service.quality`; NaN without ratings); seed 001: 95 % in 2023"),
    ("csat_center", "CSAT, service center", "fraction", ".1%", "higher",
     "owner ratings of 4 or 5 / all ratings of service-center visits (NaN without ratings); "
     "seed 001: 90 % in 2023"),
    ("nps", "NPS (from CSAT)", "points", "+.0f", "higher",
     "the CSAT -> NPS mapping, on a -100..+100 scale: % of ratings that are 5 (promoters) - "
     "% that are 3 or lower (detractors), over all ratings (both channels)"),
    ("nps_mobile", "NPS of mobile service", "points", "+.0f", "higher",
     "`nps` over the ratings of mobile visits; seed 001:600: +78 in 2023, industry +30"),
    ("low_rating_reviewed_48h_share", "Low ratings reviewed within 48 h", "fraction", ".1%",
     "higher", "low ratings (<= `quality.low_rating_max`) whose review ended within "
     "`quality.review.target_h` (48 h) / low ratings sent to review (a review still open at "
     "the horizon counts as late); NaN with the review desk off or no low ratings; seed 001: "
     "every low rating reviewed within 48 h"),
    ("parts_stockouts", "Parts stock-outs", "count", ",.0f", "lower",
     "part reservations that found the regional stock empty (the job waited for the "
     "delivery)"),
    ("cost_per_job_mobile", "Cost per mobile visit", "CNY/visit", ",.0f", "lower",
     "the mobile line's cost (technicians paid every shift hour, van depreciation, energy "
     "per km, consumables and management per visit; `service.economics`) / mobile visits"),
    ("cost_per_job_center", "Cost per center visit", "CNY/visit", ",.0f", "lower",
     "center bays for every open hour (their technicians and the center's staff and site "
     "overheads; `service.economics`) plus consumables per visit, / center visits"),
    ("cost_per_job_mobile_to_center", "Mobile cost per job / center's", "ratio", ".2f", "lower",
     "cost_per_job_mobile / cost_per_job_center (seed 001:597-600: 0.85 in 2023)"),
    ("service_margin", "Service margin", "fraction", ".1%", "higher",
     "(revenue - cost) / revenue of the mobile line and the centers: revenue per visit, "
     "plus the fee of a visit at home, plus the bill of each repair fixed (seed 002: its "
     "part sold at a 45 % / 28 % gross margin, the rest a cost)"),
    ("van_payback_months", "Van payback", "months", ".0f", "lower",
     "a van's fit-out and tools / its monthly contribution (mobile revenue less technician, "
     "energy, consumables and management); NaN when the line does not pay for its vans"),
    ("service_revenue_per_vehicle_year", "Service revenue per vehicle-year", "CNY/vehicle-year",
     ",.0f", "higher",
     "revenue of the mobile and center visits (warranty visits at `warranty_rate_factor` of "
     "the retail rate, the fee of a visit at home) per vehicle-year"),
    ("warranty_revenue_share", "Warranty share of revenue", "fraction", ".1%", "",
     "visit revenue the maker pays under warranty (`warranty_share_by_source` of each contact "
     "source's visits, expected value) / all visit revenue"),
    ("repair_gross_profit_per_vehicle_year", "Repair gross profit per vehicle-year",
     "CNY/vehicle-year", ",.0f", "higher",
     "gross profit of the repairs fixed, preventive (booked from an alert) at "
     "`preventive_margin` of `repair_revenue_preventive`, of failures (roadside, drivable or "
     "silent) at `emergency_margin` of `repair_revenue_emergency` (seed 002: 45 % vs 28 %), "
     "per vehicle-year"),
    ("owner_avoided_cost_per_vehicle_year", "Owners' avoided emergency cost per vehicle-year",
     "CNY/vehicle-year", ",.0f", "higher",
     "failures prevented by preventive repairs (`failure_prevented`) x "
     "`owner_avoided_cost_per_breakdown` (seed 002: ~1 500 CNY), per vehicle-year"),
    ("academy_spend_per_month", "Academy spend per month", "CNY/month", ",.0f", "lower",
     "trainees who finished the academy (passed or failed) x `academy.cost_per_trainee`, per "
     "month of the run"),
    ("service_profit_per_month", "Service profit per month", "CNY/month", ",.0f", "higher",
     "revenue less the cost of the mobile line (the academy's included) and of the centers, "
     "per month of the run; an experiment's lever payback is its extra spend over the paired "
     "gain of this profit before that spend"),
    ("regular_mean_wait_h", "Mean wait of regular jobs", "h", ".2f", "lower",
     "mean wait (creation to assignment) of the jobs that are not recall jobs; against a run "
     "without the recall on the same seed, the extra wait a field campaign imposes"),
    ("recall_vehicles", "Recall: vehicles affected", "count", ",.0f", "",
     "vehicles of the defective production window (`demand.recall`; NaN without a recall)"),
    ("recall_defect_failures", "Recall: defect failures", "count", ",.0f", "lower",
     "failures caused by the batch defect (`job_created` of `recall/defect`)"),
    ("recall_days_to_announce", "Recall: day announced", "d", ".0f", "lower",
     "the run day the recall was announced: `discovery_failures` defect failures, then "
     "`investigation_days`"),
    ("recall_completion_share", "Recall: completion", "fraction", ".1%", "higher",
     "affected vehicles remedied by the end (a fixed campaign or defect job) / affected"),
    ("recall_days_to_90pct", "Recall: days to 90 % completion", "d", ".0f", "lower",
     "days from the announcement until 90 % of the affected vehicles are remedied (NaN if "
     "not within the run)"),
    ("service_cost_total", "Service cost", "CNY", ",.0f", "lower",
     "remote fixes, visits by channel (preventive visits at the preventive price), rescues "
     "and tows at the unit costs of `service.costs`"),
    ("service_cost_per_vehicle_year", "Service cost per vehicle-year", "CNY/vehicle-year",
     ",.0f", "lower", "`service_cost_total` per vehicle-year"),
)

_PER_VY = "1/vehicle-year"
DEMAND: tuple[Row, ...] = (
    ("service_contacts_per_vehicle_year", "Service contacts per vehicle-year", _PER_VY, ".2f",
     "", "jobs created (every reason an owner contacts service, remote included) per "
     "vehicle-year; seed 002: industry 2.1, NIO 8.3"),
    ("service_visits_per_vehicle_year", "Service visits per vehicle-year", _PER_VY, ".2f", "",
     "arrivals of a van at the owner or of the car at a center or body shop, per vehicle-year"),
    ("contacts_faults_per_vehicle_year", "Contacts from faults", _PER_VY, ".2f", "",
     "jobs created by component failures, per vehicle-year"),
    ("contacts_alerts_per_vehicle_year", "Contacts from alerts", _PER_VY, ".2f", "",
     "preventive jobs booked from accepted alerts, per vehicle-year"),
    ("contacts_maintenance_per_vehicle_year", "Contacts from maintenance", _PER_VY, ".2f", "",
     "scheduled maintenance and condition-triggered jobs, per vehicle-year"),
    ("contacts_owner_per_vehicle_year", "Contacts from owner-reported issues", _PER_VY, ".2f",
     "", "non-breakdown issues owners report (noises, trim, software questions, accessories), "
     "per vehicle-year"),
    ("triage_accuracy", "Triage accuracy", "fraction", ".1%", "higher",
     "jobs remote diagnosis sent to the channel that can do them / jobs triaged"),
    ("wasted_trips", "Wasted trips", "count", ",.0f", "lower",
     "visits sent where the job could not be done (a wrong triage: a lift job to a van, body "
     "work to a center); each is rebooked"),
    ("no_shows", "No-shows", "count", ",.0f", "lower",
     "van visits where the owner was not there (rebooked)"),
    ("rain_blocked_visits", "Visits blocked by rain", "count", ",.0f", "lower",
     "van visits to outdoor jobs on a rain day (rebooked)"),
    ("mobile_share_of_visits", "Mobile share of visits", "fraction", ".1%", "",
     "van arrivals / all visits (van, center, body shop); seed 001: 40 % in 2023, target 50 %"),
    ("center_booking_lead_days", "Center booking lead", "d", ".2f", "lower",
     "booking to appointment at the service center, mean; J.D. Power 4.8 days without remote "
     "diagnosis"),
    ("jobs_per_van_day", "Jobs per van-day", "1/(van-day)", ".2f", "higher",
     "van arrivals at owners per van per working day; seeds: 3-5"),
    ("technician_productive_hours_per_day", "Productive hours per van-day", "h", ".2f",
     "higher", "hands-on hours (job started to finished) per van per working day; seed 001: "
     "5.2 (manual) -> 7.1 (engine) -> +0.8 (traffic-aware)"),
    ("travel_hours_per_van_day", "Driving per van-day", "h", ".2f", "lower",
     "hours on the road (van legs, the return to the depot included) per van per working day"),
    ("km_per_job", "Road km per job", "km", ".1f", "lower",
     "road km of all van legs / van arrivals"),
)

ALERTS: tuple[Row, ...] = (
    ("alerts", "Alerts", "count", ",.0f", "",
     "predictive alerts raised (after the fatigue gate)"),
    ("alerts_censored", "Censored alerts", "count", ",.0f", "",
     "alerts not yet true whose window runs past the end of the run: their truth is unknown, "
     "so every precision and the false alarms leave them out"),
    ("alert_precision", "Alert precision", "fraction", ".1%", "higher",
     "alerts followed, within their level's horizon (red 2 d, yellow 7 d, blue 30 d), by a "
     "failure of the same vehicle and component, real or prevented (ground truth from the "
     "twins); censored alerts left out"),
    ("alert_precision_worst_half_year", "Alert precision, worst half-year", "fraction", ".1%",
     "higher", "the lowest `alert_precision` of the run's half-years (alerts by the day raised)"),
    ("alert_precision_{level}", "Alert precision: {level} alerts", "fraction", ".1%", "higher",
     "`alert_precision` of the alerts of one level"),
    ("alert_share_{level}", "Alert share: {level}", "fraction", ".1%", "",
     "alerts of one level / all alerts"),
    ("alert_median_lead_days_{level}", "Median lead time: {level} alerts", "d", ".1f", "higher",
     "median days from a true alert of one level to its failure (real or prevented)"),
    ("alert_precision_{component}", "Alert precision: {component}", "fraction", ".1%",
     "higher", "`alert_precision` of the alerts of one component"),
    ("alert_recall", "Alert recall", "fraction", ".1%", "higher",
     "failures (real or prevented) of the causes some detector predicts that had an alert at "
     "least `alerts.min_lead_days` before, inside its window; random shocks of other causes "
     "are not counted"),
    ("alert_recall_{component}", "Alert recall: {component}", "fraction", ".1%", "higher",
     "`alert_recall` of one component (NaN when no detector predicts it)"),
    ("alert_median_lead_days", "Median alert lead time", "d", ".1f", "higher",
     "median warning time of the predicted failures (from the earliest qualifying alert)"),
    ("alerts_per_vehicle_month", "Alerts per vehicle-month", "1/(vehicle-month)", ".3f", "",
     "alerts / (vehicles x days / 30.44)"),
    ("false_alarms_per_1000_vehicle_days", "False alarms per 1,000 vehicle-days",
     "1/(1000 vehicle-days)", ".3f", "lower",
     "alerts that did not come true (censored alerts left out)"),
    ("owner_response_rate", "Owner response", "fraction", ".1%", "higher",
     "alerts the owner accepted (a preventive job was booked)"),
    ("breakdowns_avoided_share", "Breakdowns avoided", "fraction", ".1%", "higher",
     "of the failures that would have happened inside true alerts' windows, the share "
     "prevented (`failure_prevented` / (`failure_prevented` + real failures)); ignored "
     "alerts count as not prevented"),
    ("preventive_jobs", "Preventive jobs", "count", ",.0f", "",
     "service jobs booked from accepted alerts (each visit costs `service.costs.preventive`)"),
)

OTA: tuple[Row, ...] = (
    ("ota_days_to_95pct", "Days to 95 % installed", "d", ".1f", "lower",
     "release day to the end of the first day with 95 % of the targeted vehicles installed "
     "(the slowest release; NaN if never)"),
    ("ota_days_to_95pct_{release}", "Days to 95 % installed: {release}", "d", ".1f", "lower",
     "`ota_days_to_95pct` of one release"),
    ("ota_installed_share_end", "OTA installed share at the end", "fraction", ".1%", "higher",
     "installed / targeted at the horizon, all releases (a hotfix's installs count for the "
     "release it supersedes)"),
    ("ota_install_failures", "OTA install failures", "count", ",.0f", "lower",
     "failed install attempts (each mode, before any retry)"),
    ("ota_rollbacks", "OTA rollbacks", "count", ",.0f", "lower",
     "A/B rollbacks (failed to boot) plus vehicles reverted by a cloud rollback"),
    ("ota_vehicles_exposed_to_defect", "Vehicles exposed to a defect", "count", ",.0f",
     "lower",
     "installs on a hardware configuration where the release carries a latent defect"),
    ("ota_vehicles_bricked", "Vehicles bricked", "count", ",.0f", "lower",
     "vehicles left unable to start (a brick or a no-start defect)"),
    ("ota_service_jobs", "OTA service jobs", "count", ",.0f", "lower",
     "service jobs caused by OTA: defect faults, no-starts, dealer flashes"),
    ("ota_campaign_paused", "OTA pause decisions", "count", ",.0f", "",
     "pause decisions (whole campaign or one hw config)"),
    ("ota_data_cost", "OTA data cost", "CNY", ",.0f", "lower",
     "GB of full downloads x `service.costs.ota_data_per_gb`"),
    ("ota_releases", "OTA releases", "count", ",.0f", "",
     "releases whose campaign started (configured releases and the operator's hotfixes)"),
    ("ota_days_to_fix", "Days to fix a paused release", "d", ".1f", "lower",
     "first gate stop of a release to the day its hotfix supersedes it (or it is cancelled), "
     "mean over the releases fixed; NaN if none"),
    ("ota_vehicle_days_on_defective_version", "Vehicle-days on a defective version",
     "vehicle-days", ",.0f", "lower",
     "days vehicles ran a release on a hardware configuration where it carries a latent "
     "defect, summed over the vehicles"),
)

PROGNOSTICS: tuple[Row, ...] = (
    ("prognostics_alerts", "Prognostic alerts", "count", ",.0f", "",
     "remaining-useful-life alerts (the predicted crossing of a service threshold inside its "
     "booking horizon, `prognostics.targets`): offers booked or declined and owner reminders"),
    ("prognostics_ahead_share", "Crossings alerted ahead", "fraction", ".1%", "higher",
     "true threshold crossings (twin truth, at least a fit window into the part's life) with a "
     "prognostic alert before them / those crossings; zero-horizon (immediate) targets left out"),
    ("prognostics_relative_accuracy", "Prognostic relative accuracy", "fraction", ".2f",
     "higher", "ProgPy relative accuracy 1 - |RUL error| / true RUL at t_lambda (halfway from "
     "a vehicle's first prediction to its true crossing), mean over vehicles that crossed"),
    ("prognostics_alpha_lambda", "Prognostic alpha-lambda accuracy", "fraction", ".1%",
     "higher", "vehicles whose predicted RUL at t_lambda is within +-20 % (alpha) of the true "
     "RUL / vehicles scored (ProgPy alpha_lambda)"),
    ("prognostics_horizon_days", "Prognostic horizon", "d", ".1f", "higher",
     "ProgPy prediction horizon: days before the true crossing of the first prediction within "
     "+-alpha of the true RUL (0 if none), median over vehicles that crossed"),
)

WORKFORCE: tuple[Row, ...] = (
    ("first_time_fix_mobile", "First-time fix, mobile visits", "fraction", ".1%", "higher",
     "mobile visits that fixed the car / mobile visits that did the work (wasted trips, "
     "no-shows and rain blocks excluded); seed 001: 62 % in 2015"),
    ("first_time_fix_center", "First-time fix, center visits", "fraction", ".1%", "higher",
     "center visits that fixed the car / center visits that did the work; seed 001: 85 %"),
    ("revisit_share_time", "Revisits for time", "fraction", ".1%", "lower",
     "mobile revisits because the shift ended before the work / mobile revisits; "
     "Aberdeen: 13 %"),
    ("revisit_share_parts", "Revisits for parts", "fraction", ".1%", "lower",
     "mobile revisits because the van lacked a part / mobile revisits; Aberdeen: 51 %"),
    ("revisit_share_skills", "Revisits for skills", "fraction", ".1%", "lower",
     "mobile revisits because the technician could not fix it / mobile revisits; "
     "Aberdeen: 25 %"),
    ("revisit_share_other", "Revisits for other causes", "fraction", ".1%", "lower",
     "mobile revisits for other causes (fault not reproduced, owner side) / mobile revisits"),
    ("predictive_share_of_mobile_jobs", "Predictive orders among mobile jobs", "fraction",
     ".1%", "", "mobile jobs booked from a predictive alert or a data-triggered condition "
     "service (air filter, battery check: threshold or prognostic offer) / jobs triaged to "
     "mobile; seed 001: 30 % in 2023"),
    ("technician_attrition_3m_new", "New technicians gone within 3 months", "fraction", ".1%",
     "lower", "technicians who started during the run (at least 90 days before its end) and "
     "left within 90 days / those technicians; seed 001: 45 % (2015) -> 12 %"),
    ("technician_attrition_3m_expected", "New technicians gone within 3 months, expected",
     "fraction", ".1%", "lower", "the same cohort's chance of leaving within 90 days, from the "
     "quitting hazard integrated along each one's simulated first 90 days (one who left earlier "
     "carried on at their last hazard): a lower-variance estimate of the realized share"),
    ("technicians_hired", "Technicians hired", "count", ",.0f", "",
     "recruits hired to fill vacancies and forecast departures (`service.workforce.hiring`)"),
    ("technicians_left", "Technicians who left", "count", ",.0f", "lower",
     "technicians who quit (the attrition hazard of `service.workforce.attrition`)"),
    ("academy_graduates", "Academy graduates", "count", ",.0f", "",
     "recruits who passed the academy"),
    ("academy_pass_rate", "Academy pass rate", "fraction", ".1%", "",
     "graduates / recruits who finished the academy; seed 001: 75 %"),
)

DOMAINS: dict[str, tuple[Row, ...]] = {
    "run": RUN, "fleet": FLEET, "battery": BATTERY, "service": SERVICE, "demand": DEMAND,
    "workforce": WORKFORCE, "alerts": ALERTS, "ota": OTA, "prognostics": PROGNOSTICS,
}

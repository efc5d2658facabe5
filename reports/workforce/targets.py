"""Published figures the workforce section shows beside a run's KPIs, with their sources."""

from __future__ import annotations

from reports.page.targets import Reference

ABERDEEN = "Aberdeen Group, field-service studies"
# Why a field-service job needs a return visit: the part was missing, the technician
# lacked the skill, the job ran out of time. Shares of return visits (the rest: other reasons).
REVISIT_REASONS: dict[str, Reference] = {
    "revisit_share_parts": Reference(0.51, 0.51, ABERDEEN),
    "revisit_share_skills": Reference(0.25, 0.25, ABERDEEN),
    "revisit_share_time": Reference(0.13, 0.13, ABERDEEN),
}
REVISIT_NAMES = {"revisit_share_parts": "Part missing",
                 "revisit_share_skills": "Skills lacking",
                 "revisit_share_time": "Out of time"}

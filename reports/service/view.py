"""Service quality from the event log: each job's channel and outcome, rescue response times.

Definitions follow the simulator's service KPIs so the report can cross-check them:

* a job's *channel* is where triage sent it (``mobile``, ``center``, ``body``),
  or ``remote`` when remote diagnosis fixed it without a visit;
* a job's *outcome* is ``remote_fixed``, ``fixed_first_visit``,
  ``fixed_after_revisit`` (some visit ended ``revisit``) or ``open`` at the end;
* a rescue's *response* is the first ``job_arrived`` / ``tow_arrived`` carrying a
  deadline (``due_d``) minus ``job_created``; its *target* is ``due_d`` minus
  ``job_created``. Roadside jobs fixed remotely need no rescue.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

HOURS_PER_DAY = 24.0
CHANNELS: dict[str, str] = {
    "remote": "Remote diagnosis",
    "mobile": "Mobile van",
    "center": "Service center",
    "body": "Body shop",
}
OUTCOMES: dict[str, str] = {
    "remote_fixed": "fixed remotely",
    "fixed_first_visit": "fixed at the first visit",
    "fixed_after_revisit": "fixed after a return visit",
    "open": "still open at the end",
}
_VISIT_CHANNELS = ("mobile", "center", "body")


@dataclass(frozen=True)
class ServiceView:
    """Per-job service facts derived from the event log.

    Attributes:
        jobs: One row per created job (index ``job``): ``channel`` (``""`` while still
            in remote diagnosis), ``outcome`` (a key of :data:`OUTCOMES`), ``severity``
            and ``component`` (``""`` when the log lacks them).
        rescues: One row per roadside job that needed help (index ``job``):
            ``response_h`` and ``target_h`` (both NaN when not reached by the end);
            ``None`` when the log has no ``severity`` or ``due_d`` column.
        booked_on_time: Booked mobile visits that arrived by their window end.
        booked_visits: Booked mobile visits with a window (0 without ``due_d``).
    """

    jobs: pd.DataFrame
    rescues: pd.DataFrame | None
    booked_on_time: int
    booked_visits: int

    def channel_share(self, channel: str) -> float:
        """Share of triaged jobs (remote fixes excluded) sent to ``channel`` by triage; NaN
        if none (a job rebooked after a wasted trip counts where triage sent it)."""
        visited = self.jobs["triaged"].isin(_VISIT_CHANNELS)
        return _ratio(int((self.jobs["triaged"] == channel).sum()), int(visited.sum()))

    def remote_share(self) -> float:
        """Share of all jobs fixed by remote diagnosis; NaN without jobs."""
        return _ratio(int((self.jobs["outcome"] == "remote_fixed").sum()), len(self.jobs))

    def first_time_fix(self) -> tuple[int, int]:
        """Jobs fixed at the first visit, and all jobs fixed with a visit."""
        first = int((self.jobs["outcome"] == "fixed_first_visit").sum())
        return first, first + int((self.jobs["outcome"] == "fixed_after_revisit").sum())

    def rescue_within_target(self) -> tuple[int, int]:
        """Rescues reached within their target, and all rescues (unreached count as missed)."""
        if self.rescues is None:
            return 0, 0
        within = self.rescues["response_h"] <= self.rescues["target_h"] + 1e-9
        return int(within.sum()), len(self.rescues)


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def _text(column: pd.Series) -> pd.Series:
    """String column with missing values as ``""`` and plain object dtype."""
    return column.astype(object).where(column.notna(), "").astype(str)


def job_table(events: pd.DataFrame) -> pd.DataFrame:
    """Return one row per created job with its channel, outcome, severity and component.

    Args:
        events: Service event rows (see :data:`reports.loader.SERVICE_EVENT_TYPES`) with
            ``time_d``, ``event``, ``job``, ``channel``, ``outcome``; ``severity`` and
            ``component`` are used when present.

    Returns:
        DataFrame indexed by job id, sorted.
    """
    ev = events[events["job"] >= 0].sort_values("time_d", kind="stable")
    ev = pd.DataFrame(
        {
            "job": ev["job"].to_numpy(),
            "event": _text(ev["event"]).to_numpy(),
            "channel": _text(ev["channel"]).to_numpy(),
            "outcome": _text(ev["outcome"]).to_numpy(),
            **{c: _text(ev[c]).to_numpy() for c in ("severity", "component") if c in ev},
        }
    )
    created = ev[ev["event"] == "job_created"].groupby("job").first()
    jobs = pd.DataFrame(index=created.index.sort_values())
    for col in ("severity", "component"):
        jobs[col] = created[col] if col in created else ""
    # Triage sets the channel; a remote fix closes the job on channel "remote".
    channels = ev[ev["channel"] != ""].groupby("job")["channel"].last()
    jobs["channel"] = channels.reindex(jobs.index).fillna("").astype(str)
    triaged = ev[ev["event"] == "job_triaged"].groupby("job")["channel"].first()
    jobs["triaged"] = triaged.reindex(jobs.index).fillna(jobs["channel"]).astype(str)
    finished = ev[ev["event"] == "job_finished"]
    final = finished[finished["outcome"].isin(["fixed", "remote_fixed"])]
    outcome = final.groupby("job")["outcome"].first().reindex(jobs.index).fillna("open")
    revisited = jobs.index.isin(finished.loc[finished["outcome"] == "revisit", "job"])
    outcome = outcome.astype(str).to_numpy()
    fixed = outcome == "fixed"
    outcome[fixed & revisited] = "fixed_after_revisit"
    outcome[fixed & ~revisited] = "fixed_first_visit"
    jobs["outcome"] = outcome
    return jobs


def rescue_table(events: pd.DataFrame, jobs: pd.DataFrame) -> pd.DataFrame | None:
    """Return response and target hours of every roadside job that needed help.

    Args:
        events: Service event rows with ``due_d`` and ``severity`` columns.
        jobs: The result of :func:`job_table` for the same events.

    Returns:
        DataFrame indexed by job id with ``response_h`` and ``target_h`` (NaN when
        nobody had arrived by the end), or ``None`` without ``due_d`` / ``severity``.
    """
    if "due_d" not in events.columns or "severity" not in events.columns:
        return None
    roadside = jobs.index[(jobs["severity"] == "roadside") & (jobs["outcome"] != "remote_fixed")]
    ev = events[events["job"].isin(roadside) & events["due_d"].notna()]
    ev = ev[ev["event"].astype(str).isin(["job_arrived", "tow_arrived"])]
    first = ev.sort_values("time_d", kind="stable").groupby("job")[["time_d", "due_d"]].first()
    created = events[events["event"].astype(str) == "job_created"].groupby("job")["time_d"].min()
    first = first.reindex(roadside)
    start = created.reindex(roadside)
    return pd.DataFrame(
        {
            "response_h": (first["time_d"] - start) * HOURS_PER_DAY,
            "target_h": (first["due_d"] - start) * HOURS_PER_DAY,
        },
        index=pd.Index(roadside, name="job"),
    ).astype("float64")


def _booked_arrivals(events: pd.DataFrame) -> tuple[int, int]:
    if "due_d" not in events.columns:
        return 0, 0
    arrived = events[(events["event"].astype(str) == "job_arrived") & events["due_d"].notna()]
    booked = arrived[_text(arrived["channel"]) == "mobile"]
    # A planned visit the van's shift could not reach (routed van days) broke its promise.
    rolled = events[events["event"].astype(str) == "job_rolled"]
    if "severity" in events.columns:
        booked = booked[_text(booked["severity"]) != "roadside"]
        rolled = rolled[_text(rolled["severity"]) != "roadside"]
    return int((booked["time_d"] <= booked["due_d"]).sum()), len(booked) + len(rolled)


def service_view(events: pd.DataFrame | None) -> ServiceView | None:
    """Build the service view, or ``None`` for a missing or pre-service-network log.

    Args:
        events: ``RunFiles.service_events``.

    Returns:
        The view, or ``None``.
    """
    if events is None or not {"channel", "outcome"} <= set(events.columns):
        return None
    jobs = job_table(events)
    on_time, booked = _booked_arrivals(events)
    return ServiceView(jobs, rescue_table(events, jobs), on_time, booked)

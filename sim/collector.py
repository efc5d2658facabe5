"""Daily collector: one row of fleet aggregates per simulated day (never per vehicle)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.failures import FailureBatch
from sim.fleet import Fleet
from sim.service import ServiceNetwork
from twins import Usage
from twins.battery import soh


def p05(x: np.ndarray) -> float:
    """5th percentile by partial sort (cheaper than a full percentile each day)."""
    k = int(0.05 * (len(x) - 1))
    return float(np.partition(x, k)[k])


class DailyCollector:
    """Collects one row per day; :meth:`to_frame` exports them.

    Args:
        fleet: the fleet being simulated.
        service: the service network (for job counters and busy technicians).
        sample_vehicles: the daily health means, telemetry means and SOH p05 read every k-th
            vehicle, about this many (0 or at least the fleet size: all of them).
            Vehicles are in random order, so this is a systematic random sample;
            strided views cost no copy. Counts, km, temperature, the SOH mean and
            the end-of-run KPIs are exact.
    """

    def __init__(self, fleet: Fleet, service: ServiceNetwork, sample_vehicles: int = 0) -> None:
        self.fleet, self.service = fleet, service
        self.rows: list[dict[str, float]] = []
        n = fleet.state.n
        step = n // sample_vehicles if 0 < sample_vehicles < n else 1
        self._sample = slice(None, None, max(step, 1))
        self._created = 0
        self._finished = 0
        self.soh_sample: np.ndarray | None = None

    def record(self, day: int, usage: Usage, failures: list[FailureBatch],
               sensed: tuple[np.ndarray, dict[str, np.ndarray]] | None = None,
               busy: int | None = None, extra: dict[str, float] | None = None) -> None:
        """Append the aggregates of ``day`` (called at the end of the day).

        With telemetry on (``sensed`` = uploads mask and readings), the row also
        holds the upload count and the fleet mean of each received signal.
        ``busy`` is the number of vans and bays working at the day's noon sample.
        """
        state, n = self.fleet.state, self.fleet.state.n
        down = int(state.down.sum())
        s = soh(state.twins["battery"], self.fleet.params["battery"])
        sampled_soh = s[self._sample]
        self.soh_sample = sampled_soh   # the day's sampled SOH (a sharded run pools the regions')
        row: dict[str, float] = {
            "day": day,
            "vehicles_on_road": n - down,
            "vehicles_down": down,
            "km_mean": float(usage.km.mean()),
            "temperature_mean_c": float(usage.temp_c.mean()),
            "battery_soh_mean": float(s.mean()),
            "battery_soh_p05": p05(sampled_soh),
        }
        for name, twin in self.fleet.twins.items():
            sampled = {k: v[self._sample] for k, v in state.twins[name].items()}
            row[f"health_{name}_mean"] = float(twin.health(sampled, self.fleet.params[name]).mean())
        per_comp = dict.fromkeys(self.fleet.twins, 0)
        breakdowns = 0
        for b in failures:
            per_comp[b.component] += b.vehicles.size
            breakdowns += b.vehicles.size if b.severity == "roadside" else 0
        for name, count in per_comp.items():
            row[f"failures_{name}"] = count
        row["failures"] = sum(per_comp.values())
        row["breakdowns"] = breakdowns
        svc = self.service
        row["jobs_created"] = svc.jobs_created - self._created
        row["jobs_finished"] = svc.jobs_finished - self._finished
        row["jobs_open"] = svc.jobs_created - svc.jobs_finished
        row["technicians_busy"] = svc.busy() if busy is None else busy
        self._created, self._finished = svc.jobs_created, svc.jobs_finished
        if sensed is not None:
            uploaded, readings = sensed
            row["telemetry_uploads"] = int(uploaded.sum())
            for key, values in readings.items():
                # Over the daily sample, like the health means; NaN rows did not upload.
                ok = values[self._sample][uploaded[self._sample]]
                name = f"sensed_{key.replace('.', '_')}_mean"
                row[name] = float(ok.mean()) if ok.size else np.nan
        if svc.workforce is not None:
            row.update(svc.workforce.row(day + 1.0))   # headcount, skill mix, tenure
        if extra:
            row.update(extra)  # e.g. the OTA adoption counts per release
        self.rows.append(row)

    def to_frame(self, events: pd.DataFrame | None = None) -> pd.DataFrame:
        """The daily table; count columns as int64, the rest float64.

        With the run's event log, also the waits of the jobs first assigned each day
        (:func:`wait_columns`).
        """
        return daily_frame(self.rows, events)


def daily_frame(rows: list[dict], events: pd.DataFrame | None = None) -> pd.DataFrame:
    """The daily table of ``rows`` (see :meth:`DailyCollector.to_frame`)."""
    df = pd.DataFrame(rows)
    if events is not None and "day" in df:
        df = df.join(wait_columns(events, df["day"]), on="day")
    # Count columns; OTA counts start on the release day (NaN before it, so float).
    ints = [c for c in df.columns if c == "day" or c.startswith(("failures", "jobs_"))
            or (c.startswith(("technicians_", "vans_")) and c != "technician_tenure_days_mean")
            or c in ("vehicles_on_road", "vehicles_down", "breakdowns", "technicians_busy",
                     "telemetry_uploads")]
    return df.astype({c: "int64" for c in ints})


HOURS_PER_DAY = 24.0


def wait_columns(events: pd.DataFrame, days: pd.Series) -> pd.DataFrame:
    """Per day, the jobs whose first technician or bay assignment fell on it and their waits.

    The wait is ``mean_wait_h``'s (the KPI catalogue): job creation to its first
    assignment, in hours. ``wait_h_sum / jobs_waited`` over any span of days is the mean
    wait of the jobs assigned in it; over the whole run it is ``mean_wait_h``.

    Returns:
        Indexed by day (every day of ``days``): ``jobs_waited`` (int) and ``wait_h_sum`` (h).
    """
    index = pd.Index(days.to_numpy(np.int64), name="day")
    first = (events[events["event"].isin(("job_created", "job_assigned"))]
             .groupby(["job", "event"])["time_d"].min().unstack())
    if first.empty or "job_assigned" not in first or "job_created" not in first:
        return pd.DataFrame({"jobs_waited": 0, "wait_h_sum": 0.0}, index=index)
    first = first.dropna(subset=["job_created", "job_assigned"])
    wait_h = (first["job_assigned"] - first["job_created"]) * HOURS_PER_DAY
    day = np.floor(first["job_assigned"].to_numpy(float)).astype(np.int64)
    per_day = wait_h.groupby(day).agg(["size", "sum"]).reindex(index, fill_value=0)
    return pd.DataFrame({"jobs_waited": per_day["size"].to_numpy(np.int64),
                         "wait_h_sum": per_day["sum"].to_numpy(float)}, index=index)

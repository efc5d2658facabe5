"""A Hydra callback that gives a sweep (``fleetsim -m``) an overall "job k of N" line.

``fleetsim`` adds it to a multirun's command line with the sweep's size
(:func:`sweep_size`), so no config file has to name it.
"""

from __future__ import annotations

import math
import sys
from typing import Any

from hydra.core.utils import JobStatus
from hydra.experimental.callback import Callback

TARGET = "reports.progress.SweepProgress"


def sweep_size(overrides: list[str]) -> int:
    """Jobs of a basic sweep over ``overrides``: the product of each swept key's values."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    return math.prod(len(list(ov.sweep_string_iterator())) for ov in parsed
                     if ov.is_sweep_override())


def callback_overrides(args: list[str]) -> list[str]:
    """The overrides that add the progress line to a multirun command line (else none)."""
    if not any(a in ("-m", "--multirun") for a in args):
        return []
    plain = [a for a in args if "=" in a and not a.startswith("-")]
    try:
        total = sweep_size(plain)
    except Exception:  # noqa: BLE001 - an unparsable line: Hydra reports it, without the line
        return []
    return [f"+hydra.callbacks.sweep_progress._target_={TARGET}",
            f"+hydra.callbacks.sweep_progress.total={total}"]


class SweepProgress(Callback):
    """Prints ``fleetsim sweep: job k of N done (overrides)`` on stderr as each job ends."""

    def __init__(self, total: int = 0) -> None:
        self.total = total

    def on_job_end(self, config: Any, job_return: Any, **kwargs: Any) -> None:
        k = int(config.hydra.job.num) + 1
        status = "done" if job_return.status == JobStatus.COMPLETED else "failed"
        overrides = " ".join(config.hydra.overrides.task)
        print(f"fleetsim sweep: job {k} of {self.total or '?'} {status} ({overrides})",
              file=sys.stderr, flush=True)

"""The containment chart of an experiment that sweeps a defect rate per rollout policy."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure

from reports.page.figures import to_base64_png


def containment_figure(rows: Sequence[dict[str, Any]]) -> str | None:
    """Vehicles exposed against the defect rate, one line per policy (log scale); None if no rows.

    Args:
        rows: :func:`experiments.containment.containment_rows`.
    """
    if not rows:
        return None
    fig = Figure(figsize=(7.0, 4.0))
    ax = fig.add_subplot()
    for policy in sorted({r["policy"] for r in rows}):
        mine = [r for r in rows if r["policy"] == policy]
        x = [r["defect_pct"] for r in mine]
        y = [max(r["exposed"], 1.0) for r in mine]
        ax.plot(x, y, marker="o", label=policy)
    ax.set_yscale("log")
    ax.set_xlabel("share of installs with the latent defect (%)")
    ax.set_ylabel("vehicles exposed (mean)")
    ax.set_xticks(sorted({r["defect_pct"] for r in rows}))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    fig.tight_layout()
    return to_base64_png(fig)


def containment_table(rows: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The chart's numbers as table rows (text)."""
    return [{"policy": r["policy"], "defect": f"{r['defect_pct']} %",
             "exposed": f"{r['exposed']:,.0f}",
             "share": ("n/a" if r["share_of_big_bang"] != r["share_of_big_bang"]
                       else f"{100 * r['share_of_big_bang']:.1f} %")} for r in rows]

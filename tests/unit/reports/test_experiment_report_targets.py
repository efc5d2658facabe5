"""The experiment report's "Published figures vs this experiment" section, from result files."""

from __future__ import annotations

import json
import math
import re

import pandas as pd
from scipy import stats

from experiments.stats import summarize
from experiments.store import ResultStore
from experiments.targets import normalize_targets
from experiments.tasks import Task, TaskResult
from reports.experiment.report import build_report

WAIT = {"now": [3.0, 3.2, 3.4, 3.6], "more_vans": [2.0, 2.1, 2.2, 2.3]}
FTF = {"now": [0.9, 0.9, 0.9, 0.9], "more_vans": [0.7, 0.7, 0.7, 0.7]}
TARGETS = {"now": {"mean_wait_h": {"value": 3.0, "source": "Seed 002"}},
           "more_vans": {"first_time_fix_rate": {"value": 0.85, "band_rel": 0.1,
                                                 "label": "First-time fix <published>"}}}


def _experiment(root, targets=TARGETS) -> None:
    """A finished two-variant experiment: kpis/ rows, summary.parquet, experiment.json."""
    store, rows = ResultStore(root), []
    for variant in WAIT:
        for r in range(4):
            kpis = {"mean_wait_h": WAIT[variant][r], "first_time_fix_rate": FTF[variant][r]}
            store.write(TaskResult(Task(variant, r, 100 + r, (), f"{variant}{r}"), kpis, 0.1),
                        "vans")
            rows.append({"variant": variant, "replication": r, **kpis})
    # A replication beyond the experiment's count (left by an earlier, longer run): not read.
    store.write(TaskResult(Task("now", 4, 104, (), "old"), {"mean_wait_h": 99.0}, 0.1), "vans")
    summarize(pd.DataFrame(rows), "now").to_parquet(root / "summary.parquet")
    meta = {"name": "vans", "baseline": "now", "headline": {"mean_wait_h": "lower"},
            "variants": {"now": [], "more_vans": ["x=1"]}, "replications": 4,
            "seeds": [100, 101, 102, 103], "base_overrides": []}
    if targets is not None:
        meta["targets"] = normalize_targets(targets)
    (root / "experiment.json").write_text(json.dumps(meta))


def _target_table(html: str) -> list[list[str]]:
    section = re.search(r'<section id="targets">(.*?)</section>', html, re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row)
            for row in re.findall(r"<tr>(.*?)</tr>", section) if "<td" in row]


def test_report_shows_each_published_figure_against_the_variant_mean(tmp_path):
    _experiment(tmp_path)
    html = build_report(tmp_path).read_text(encoding="utf-8")
    assert html.index('id="answer"') < html.index('id="targets"') < html.index('id="charts"')
    assert "<h2>Published figures vs this experiment</h2>" in html
    assert "<p>1 of 2 figures within their bands.</p>" in html
    sd = math.sqrt(sum((x - 3.3) ** 2 for x in WAIT["now"]) / 3)
    half = stats.t.ppf(0.975, 3) * sd / 2
    assert f"{half:.2f}" == "0.41"
    assert _target_table(html) == [
        # mean 3.3 h vs 3 h +- 15 % (default band): inside, 10 % above.
        ["Mean wait", "now", "Seed 002", "3.00 h", "2.55 h to 3.45 h", "3.30 h ± 0.41 h",
         "4", "+10.0%", "✓"],
        # 70 % vs 85 % +- 10 %: outside, (0.70 - 0.85) / 0.85 = -17.6 %; label escaped.
        ["First-time fix &lt;published&gt;", "more_vans", "", "85.0%", "76.5% to 93.5%",
         "70.0% ± 0.0%", "4", "-17.6%", "✗"],
    ]
    assert '<td class="yes">✓</td>' in html and '<td class="no">✗</td>' in html


def test_no_section_without_targets(tmp_path):
    for name, targets in (("none", None), ("empty", {})):
        root = tmp_path / name
        root.mkdir()
        _experiment(root, targets)
        html = build_report(root).read_text(encoding="utf-8")
        assert 'id="targets"' not in html and "Published figures" not in html
        assert "within their bands" not in html
        assert 'id="answer"' in html  # the rest of the report is there

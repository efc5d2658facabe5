"""fleetsim-kpis: the catalogue as a text table, a Markdown table or JSON, per domain."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sim.kpis import cli
from sim.kpis.catalogue import CATALOGUE, DOMAINS, kpi


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_text_table_lists_every_kpi_aligned(capsys):
    code, out, _ = _run(capsys)
    lines = out.splitlines()
    assert code == 0
    assert lines[0].split() == ["key", "label", "unit", "better", "domain", "definition"]
    assert set(lines[1]) == {"-", " "}
    assert len(lines) == 2 + len(CATALOGUE)
    row = next(line for line in lines if line.startswith("mean_wait_h "))
    assert row.split()[:3] == ["mean_wait_h", "Mean", "wait"]
    assert " h " in row and " lower " in row and " service " in row
    # every row's columns start at the header's positions
    label_col = lines[0].index("label")
    assert all(line[label_col - 2:label_col] == "  " for line in lines[2:])
    assert next(line for line in lines if line.startswith("technicians ")).split()[3] == "-"


def test_markdown_table(capsys):
    code, out, _ = _run(capsys, "--markdown")
    lines = out.splitlines()
    assert code == 0
    assert lines[:2] == ["| KPI | label | unit | better | domain | definition |",
                         "|---|---|---|---|---|---|"]
    assert len(lines) == 2 + len(CATALOGUE)
    assert ("| `breakdowns_per_1000_vehicle_years` | Breakdowns per 1,000 vehicle-years | "
            "1/(1000 vehicle-years) | lower | fleet | ") in out
    assert "| `failures_by_component_{component}` | Failures: {component} | count |" in out
    assert all(line.count(" | ") == 5 for line in [lines[0], *lines[2:]])


def test_json_has_every_field(capsys):
    code, out, _ = _run(capsys, "--json")
    data = json.loads(out)
    assert code == 0 and len(data) == len(CATALOGUE)
    assert [d["key"] for d in data] == [k.key for k in CATALOGUE]
    wait = next(d for d in data if d["key"] == "mean_wait_h")
    assert wait == kpi("mean_wait_h").as_dict()
    assert set(wait) == {"key", "label", "unit", "fmt", "better", "definition", "domain"}


@pytest.mark.parametrize("domain", DOMAINS)
def test_domain_filter(capsys, domain):
    code, out, _ = _run(capsys, "--json", "--domain", domain)
    data = json.loads(out)
    assert code == 0 and data
    assert {d["domain"] for d in data} == {domain}
    assert len(data) == sum(k.domain == domain for k in CATALOGUE)
    _, text, _ = _run(capsys, "--domain", domain)
    assert len(text.splitlines()) == 2 + len(data)


def test_unknown_domain_exits_2_naming_the_valid_ones(capsys):
    code, out, err = _run(capsys, "--domain", "weather")
    assert code == cli.EXIT_USAGE == 2
    assert out == ""
    assert "'weather'" in err
    assert "run, fleet, battery, service, demand, workforce, alerts, ota" in err


def test_markdown_and_json_are_exclusive(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["--markdown", "--json"])
    assert info.value.code == 2


def test_runs_as_a_module():
    ok = subprocess.run([sys.executable, "-m", "sim.kpis.cli", "--domain", "battery"],
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.splitlines()[2].startswith("battery_soh_mean_end ")
    bad = subprocess.run([sys.executable, "-m", "sim.kpis.cli", "--domain", "x"],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "domains: run, fleet" in bad.stderr
    assert "Traceback" not in bad.stderr

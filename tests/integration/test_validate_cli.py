"""``fleetsim-validate``: files, exit codes, failing checks named, reproducibility record."""

from __future__ import annotations

import dataclasses
import json

import pytest

from configs import parameter_sets
from experiments.validate import runner
from reports.validate import cli


@pytest.fixture(scope="module")
def passing(tmp_path_factory):
    out = tmp_path_factory.mktemp("validate")
    code = cli.main(["--cells-only", "--out", str(out)])
    return code, out


def test_all_checks_pass_exit_0_and_write_json_and_report(passing):
    code, out = passing
    assert code == 0
    doc = json.loads((out / "validation.json").read_text())
    assert doc["passed"] is True and doc["failed"] == []
    names = [c["name"] for c in doc["checks"]]
    assert names == ["battery_blast_lfp", "battery_blast_nmc"]
    for c in doc["checks"]:
        assert set(c) >= {"figure", "unit", "reference", "band", "source", "passed", "plot"}
        assert c["band"] == [0.0, 0.03] and c["figure"] <= 0.03
    html = (out / "validation" / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 2  # one overlay plot per check
    assert "Nmc622_Gr_DENSO50Ah_Battery" in html and "FAIL" not in html


def test_reproducibility_record(passing):
    _, out = passing
    rec = json.loads((out / "validation.json").read_text())["reproducibility"]
    assert set(rec) >= {"git_commit", "versions", "seed", "config_hash", "battery_param_hashes",
                        "blast_reference_hash", "tier"}
    assert rec["versions"]["numpy"].startswith("2.")
    assert rec["blast_reference_versions"]["blast-lite"] == "1.1.1"
    assert len(rec["config_hash"]) == 16 and set(rec["battery_param_hashes"]) == {"nmc", "lfp"}
    assert rec["check_seeds"]["interval_coverage"] == 18
    assert rec["check_seeds"]["alert_quality"] == [1, 2, 3, 4, 5]


def test_a_perturbed_parameter_exits_non_zero_naming_the_check(tmp_path, monkeypatch, capsys):
    nmc = parameter_sets.load("battery", "nmc")
    wrong = dataclasses.replace(nmc, calendar_activation_energy_j_per_mol=60_000.0)

    def perturbed(tier, fleet, **kwargs):
        return runner.run_checks(tier, battery_params={"nmc": wrong}, fleet=fleet, **kwargs)

    monkeypatch.setattr(cli, "run_checks", perturbed)
    code = cli.main(["--cells-only", "--out", str(tmp_path)])
    assert code == cli.EXIT_FAILED
    assert "failing checks: battery_blast_nmc" in capsys.readouterr().err
    doc = json.loads((tmp_path / "validation.json").read_text())
    assert doc["failed"] == ["battery_blast_nmc"]
    assert "FAIL" in (tmp_path / "validation" / "report.html").read_text()

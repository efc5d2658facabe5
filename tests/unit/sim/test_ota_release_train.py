"""The release train (issue 15, deliverable 4): monthly releases, 15 % safety fixes, a hotfix
through the operator's machinery, KPIs and the daily on-defect column."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import sim
from configs.load import ConfigError
from sim.ota.kpis import ON_DEFECT_TOTAL, operator_kpis
from sim.ota.sandbox import ota_config
from sim.ota.train import SAFETY, train_kinds, train_releases, with_train

RUN = ["ota=train", "fleet.size=1000", "horizon_days=200", "output.progress=false",
       "alerts=none", "demand.enabled=false"]


def test_a_two_year_train_has_a_release_a_month_and_15_pct_safety_fixes():
    cfg = ota_config("train")
    rel = train_releases(cfg.train, 730)
    assert len(rel) == 24
    assert [r.release_day for r in rel.values()] == list(range(30, 730, 30))
    safety = [name for name in rel if name.endswith(SAFETY)]
    assert safety == ["train_07_safety", "train_14_safety", "train_20_safety"]
    assert 0.10 <= len(safety) / len(rel) <= 0.20
    # safety fixes are mandatory, feature releases may be deferred; only release 3 is defective
    assert all(rel[n].optional == (n not in safety) for n in rel)
    assert [n for n, r in rel.items() if r.defect_prob_by_hw_config] == ["train_03_feature"]
    assert rel["train_03_feature"].defect_prob_by_hw_config == {"hw3": 0.1}
    assert rel["train_07_safety"].size_mb == 300.0 and rel["train_08_feature"].size_mb == 1000.0


@pytest.mark.parametrize("share", [0.0, 0.15, 0.3, 1.0])
def test_the_safety_share_holds_over_any_stretch_of_the_train(share):
    kinds = train_kinds(200, share)
    assert kinds.count(SAFETY) == math.floor(200 * share + 1e-9)
    for start in range(0, 180, 20):
        window = kinds[start:start + 20].count(SAFETY)
        assert abs(window - 20 * share) <= 1


def test_without_a_train_the_config_is_left_alone():
    ota = SimpleNamespace(train=SimpleNamespace(enabled=False), releases={"a": 1})
    assert with_train(ota, 730) is ota


def test_a_bad_defective_release_number_is_a_config_error():
    with pytest.raises(ConfigError, match="defective_releases"):
        sim.load_config(["ota=train", "ota.train.defective_releases=[0]"])


@pytest.fixture(scope="module")
def train_run():
    return sim.simulate(sim.load_config(RUN), progress=False)


def test_the_defective_release_is_paused_and_a_hotfix_follows(train_run):
    ev = train_run.events
    o = ev[ev["event"].str.startswith("ota_")]
    started = o.loc[o["event"] == "ota_wave_started"].groupby("cause")["time_d"].min()
    # releases on days 30, 60, ... 180, and the hotfix of release 3
    assert sorted(started.index) == sorted(
        [f"train_0{i}_feature" for i in range(1, 7)] + ["train_03_feature_hotfix"])
    assert train_run.kpis["ota_releases"] == 7
    bad = o[o["cause"] == "train_03_feature"]
    steps = list(bad.loc[~bad["event"].isin(["ota_installed", "ota_install_failed",
                                             "ota_defect_fault", "ota_rolled_back",
                                             "ota_network_switched", "ota_cache_cleared",
                                             "ota_wave_started", "ota_bricked"]), "event"])
    assert steps[:4] == ["ota_cohort_paused", "ota_investigation_started",
                         "ota_root_cause_found", "ota_superseded"]
    # no other release of the train was stopped
    assert set(o.loc[o["event"].isin(["ota_paused", "ota_cohort_paused"]), "cause"]) \
        <= {"train_03_feature", "train_03_feature_hotfix"}
    pause = bad.loc[bad["event"] == "ota_cohort_paused", "time_d"].min()
    fixed = bad.loc[bad["event"] == "ota_superseded", "time_d"].min()
    assert train_run.kpis["ota_days_to_fix"] == fixed - pause > 0


def test_the_daily_on_defect_column_rises_and_falls_with_the_fix(train_run):
    d, k = train_run.daily, train_run.kpis
    total = d[ON_DEFECT_TOTAL].to_numpy()
    per_release = d[[c for c in d.columns if c.endswith("_on_defect")
                     and c != ON_DEFECT_TOTAL]].fillna(0).sum(axis=1).to_numpy()
    assert np.array_equal(total, per_release)
    assert k["ota_vehicle_days_on_defective_version"] == total.sum() > 0
    assert total[:90].sum() == 0 and total.max() >= 30
    assert total[-1] <= 0.1 * total.max()


def test_days_to_fix_counts_only_root_caused_releases():
    def row(t, event, cause):
        return {"time_d": float(t), "event": event, "cause": cause}
    ev = pd.DataFrame([row(10, "ota_wave_started", "a"), row(20, "ota_cohort_paused", "a"),
                       row(25, "ota_root_cause_found", "a"), row(28, "ota_superseded", "a"),
                       # paused on noise, later superseded for another reason: not a fix
                       row(40, "ota_wave_started", "b"), row(41, "ota_paused", "b"),
                       row(90, "ota_superseded", "b")])
    k = operator_kpis(ev, pd.DataFrame({"day": [0]}))
    assert k["ota_days_to_fix"] == 8.0 and k["ota_releases"] == 2

"""The experiments package: its public names, imported on first use."""

from __future__ import annotations

import subprocess
import sys

import pytest

import experiments


def test_every_public_name_resolves_to_its_home_module() -> None:
    for name in experiments.__all__:
        value = getattr(experiments, name)
        home = getattr(value, "__module__", None)
        if home is not None and home.startswith("experiments."):
            assert getattr(sys.modules[home], name) is value
    assert "run_experiment" in dir(experiments)
    with pytest.raises(AttributeError, match="no_such_name"):
        experiments.no_such_name  # noqa: B018


def test_the_programs_in_the_package_do_not_load_the_experiment_machinery() -> None:
    code = ("import sys, experiments.bench.cli, experiments.check; "
            "print(sorted(m for m in ('experiments.runner', 'experiments.stats') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip() == "[]"

"""``fleetsim --help``: what fleetsim does, its other commands, the named experiments and the
presets, each with one line read from its own source (a config file's first comment, a
command module's docstring). Hydra's own options stay under ``fleetsim --hydra-help``.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from importlib import metadata, resources
from pathlib import Path

from configs import parameter_sets

ABOUT = """\
fleetsim: a digital-twin fleet simulator for electric-vehicle after-sales service. Every
vehicle carries a physics-and-degradation twin (battery, brakes, coolant, tires, 12 V); a
discrete-event simulation turns their faults into failures, their telemetry into predictive
alerts, OTA releases into staged campaigns, and all of them into service jobs served by
technicians, so after-sales policies can be compared with replications and intervals."""

USAGE = """\
usage:
  fleetsim [KEY=VALUE ...] [GROUP=SET ...]   one run -> outputs/<date>/<time>/report.html
  fleetsim experiment=NAME                   a named experiment (below): variants x replications
  fleetsim experiment.replications=8         replications of any scenario: means and 95 % CIs
  fleetsim -m KEY=A,B [KEY2=C,D]             a Hydra sweep -> multirun/<date>/<time>/<n>/
  fleetsim --cfg job                         print the composed config and exit
  fleetsim --hydra-help                      Hydra's own options (launchers, sweepers, ...)
exit codes: 0 done, 2 bad config, 3 stale experiment result, 4 disk full, 5 run dir in use,
130 interrupted (rerun the same command to resume an experiment)"""

# A sentence ends at ". " or "? " before a capital, not after "e.g." or "et al.".
_SENTENCE_END = re.compile(r"(?<!e\.g)(?<!\bal)(?<!i\.e)[.?] (?=[A-Z])")
# Groups whose presets are the choices a user makes; the twins' single sets are left out.
PRESET_GROUPS = ("battery", "alerts", "ota", "ota/rollout", "service", "demand", "telemetry")


def first_comment(path: Path, width: int = 88) -> str:
    """A YAML file's first sentence of comment (``# @package`` lines skipped), shortened."""
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            if words:
                break
            continue
        text = line.lstrip("# ").strip()
        if text.startswith("@package") or not text:
            continue
        words.append(text)
        if text.endswith((".", "?", ")")) or len(" ".join(words)) > width:
            break
    one = " ".join(words)
    end = _SENTENCE_END.search(one)
    if end:
        one = one[:end.start() + 1]
    return one if len(one) <= width else one[:width - 3].rstrip() + "..."


def _docline(module: str) -> str:
    """The first line of a module's docstring, read without importing the module."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.origin:
        return ""
    doc = ast.get_docstring(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))) or ""
    line = doc.split("\n\n")[0].replace("\n", " ")
    return line.split(": ", 1)[-1] if line.startswith("``") else line


def commands() -> list[tuple[str, str]]:
    """(name, one line) of fleetsim's other console commands, from the installed package."""
    found = {}
    for ep in metadata.entry_points(group="console_scripts"):
        if ep.name.startswith("fleetsim-") and ep.name not in found:
            found[ep.name] = _docline(ep.value.split(":")[0])
    return sorted(found.items())


def presets() -> list[tuple[str, str, str]]:
    """(group, preset, one line) of every named experiment and preset group's set."""
    root = Path(str(resources.files("configs")))
    out = []
    for group in ("experiment", *PRESET_GROUPS):
        folder = root / group
        if not folder.is_dir():
            continue
        names = parameter_sets.names(group) if group in parameter_sets.groups() else sorted(
            p.stem for p in folder.glob("*.yaml"))
        out += [(group, name, first_comment(folder / f"{name}.yaml")) for name in names
                if (folder / f"{name}.yaml").is_file()]
    return out


def _table(rows: list[tuple[str, str]], indent: str = "  ") -> list[str]:
    width = max((len(a) for a, _ in rows), default=0)
    return [f"{indent}{a:<{width}}  {b}".rstrip() for a, b in rows]


def help_text() -> str:
    """The whole ``fleetsim --help`` text."""
    lines = [ABOUT, "", USAGE, "", "other commands (each has --help):"]
    lines += _table(commands())
    by_group: dict[str, list[tuple[str, str]]] = {}
    for group, name, line in presets():
        by_group.setdefault(group, []).append((name, line))
    lines += ["", "named experiments (fleetsim experiment=NAME):"]
    lines += _table(by_group.pop("experiment", []))
    lines += ["", "presets (fleetsim GROUP=NAME; any key too: fleetsim fleet.size=500):"]
    for group, rows in by_group.items():
        lines.append(f"  {group}:")
        lines += _table(rows, indent="    ")
    lines += ["", "KPIs: fleetsim-kpis lists every KPI with its unit and definition; README.md "
              "has the rest."]
    return "\n".join(lines)

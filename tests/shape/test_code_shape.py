"""The shape of the code, checked so it cannot decay silently: layers, cycles, module size.

The layer contracts are import-linter's (``[tool.importlinter]`` in pyproject.toml);
the cycle check here is stricter than import-linter's ``acyclic_siblings``: it also
counts the import of a package's ``__init__`` that ``from pkg import x`` and
``import pkg.x`` perform, and imports inside functions or ``TYPE_CHECKING`` blocks.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("twins", "configs", "sim", "experiments", "reports")
MAX_LINES = 400


def modules(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the packages under ``root``."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _imported(module: str, path: Path, node: ast.AST) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if not isinstance(node, ast.ImportFrom):
        return []
    if node.level:
        base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    return [target, *(f"{target}.{alias.name}" for alias in node.names)]


def import_graph(found: Mapping[str, Path]) -> dict[str, set[str]]:
    """Module -> the project modules its import statements execute (anywhere in the file)."""
    graph: dict[str, set[str]] = {name: set() for name in found}
    for name, path in found.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _imported(name, path, node):
                parts = target.split(".")
                # Importing a.b.c runs a/__init__, a.b/__init__ and a.b.c, if they exist.
                for i in range(1, len(parts) + 1):
                    dep = ".".join(parts[:i])
                    inside = name == dep or name.startswith(dep + ".")
                    if dep in found and not inside:
                        graph[name].add(dep)
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles() -> None:
    assert cycles(import_graph(modules(ROOT, PACKAGES))) == []


def test_the_cycle_check_finds_a_cycle_through_a_package_init(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from pkg.build import run\n")
    (pkg / "build.py").write_text("from pkg import helpers\n\ndef run():\n    pass\n")
    (pkg / "helpers.py").write_text("def lazy():\n    from pkg.build import run\n")
    (pkg / "alone.py").write_text("import os\n")
    graph = import_graph(modules(tmp_path, ["pkg"]))
    assert graph["pkg.build"] == {"pkg.helpers"}
    assert cycles(graph) == [["pkg.build", "pkg.helpers"]]


def test_no_module_over_the_size_limit() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines())
             for name, path in modules(ROOT, PACKAGES).items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_layer_contracts_are_kept() -> None:
    lint = pytest.importorskip("importlinter.cli", reason="import-linter is in the test extra")
    cwd = os.getcwd()
    os.chdir(ROOT)  # the contracts are read from pyproject.toml and the packages found from here
    try:
        code = lint.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True,
                                 no_logo=True)
    finally:
        os.chdir(cwd)
    assert code == 0, "lint-imports reports a broken contract (run `lint-imports` to see it)"

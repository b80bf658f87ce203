"""The package's layout holds: its parts import one way (lazy imports included), so there
is no import circle; grading never imports the nbgrader pipeline; and every module
imports on its own."""
from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "autograder"
MODULES = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                 for p in PACKAGE.rglob("*.py"))


def source_of(module: str) -> str:
    path = ROOT / (module.replace(".", "/") + ".py")
    return (path if path.exists() else ROOT / module.replace(".", "/") / "__init__.py").read_text()


def module_level_imports(module: str) -> set[str]:
    """The ``autograder`` modules ``module`` imports at its top level (not inside functions)."""
    found = set()
    for node in ast.parse(source_of(module)).body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograder"):
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in MODULES)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("autograder"))
    return {m for m in found if m in MODULES and m != module}


def test_no_module_level_import_circle():
    graph = {m: module_level_imports(m) for m in MODULES}
    state: dict[str, int] = {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in graph[module]:
            if state.get(target) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(target):] + [target]))
            if target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in MODULES:
        if module not in state:
            visit(module, [module])


#: the package's parts, each importing only parts before it (docs/architecture.md)
ORDER = ["errors", "untrusted", "curriculum", "outcomes", "sandbox", "checking", "checks", "hidden", "authoring",
         "intake", "report", "grading", "export", "scale", "audit", "nbgrader", "gradescope", "cli", "__main__", "autograder"]


#: imports against the order, each to be removed by the part's owner: the course work (issue 23)
#: checks the public checks with the notebook's check-cell runner, while nbgrader reads
#: solutions through authoring: a circle between the two parts
PENDING = {("autograder.authoring.validate", "autograder.nbgrader"),
           ("autograder.authoring.validate", "autograder.nbgrader.check_cell")}


def part(module: str) -> str:
    return module.split(".")[1] if "." in module else module


def all_imports(module: str) -> set[str]:
    """The ``autograder`` modules ``module`` imports anywhere: at its top level or in a function."""
    found = set()
    for node in ast.walk(ast.parse(source_of(module))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("autograder"):
            submodules = {f"{node.module}.{a.name}" for a in node.names} & set(MODULES)
            found.update(submodules or {node.module})  # `from autograder import curriculum` imports curriculum
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("autograder"))
    return {m for m in found if m in MODULES and m != module}


def test_the_parts_import_one_way_lazy_imports_included():
    assert {part(m) for m in MODULES} <= set(ORDER)
    against = sorted((m, target) for m in MODULES for target in all_imports(m)
                     if ORDER.index(part(target)) > ORDER.index(part(m)) and (m, target) not in PENDING)
    assert against == [], "imports against the order of the parts"


def test_grading_never_imports_the_nbgrader_pipeline():
    for module in MODULES:
        if module.startswith(("autograder.grading", "autograder.sandbox", "autograder.checking")):
            assert "autograder.nbgrader" not in source_of(module), module


@pytest.mark.parametrize("module", [m for m in MODULES if m != "autograder.__main__"])
def test_each_module_imports_alone(module):
    result = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]

"""docs/authoring.md's walk-through, done as it says in a copy of the project: every command
run in order (each from the project's folder) and every file block applied. The course
then has the new assignment, graded, released and packaged, and git lists course files only."""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.authoring.new import add_import
from tests.course_copy import changed_files, copy_project, manifest
from tests.helpers import ROOT, course_folder, read_csv

pytestmark = pytest.mark.slow

DOC = ROOT / "docs" / "authoring.md"
_FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.M | re.S)


def walk_through() -> list[tuple[str, str]]:
    """(language, text) of each fenced block of the walk-through, in order."""
    text = DOC.read_text()
    start = text.index("## Walk-through")
    section = text[start: text.index("\n## ", start + 1)]
    return [(m.group(1), m.group(2)) for m in _FENCE.finditer(section)]


def replace_definitions(path: Path, block: str) -> None:
    """In ``path``, each top-level definition of ``block`` replaces the one of the same name
    (decorators included); its imports are added where missing."""
    text = path.read_text()
    for node in ast.parse(block).body:
        piece = "\n".join(block.splitlines()[_first_line(node) - 1: node.end_lineno])
        if isinstance(node, ast.ImportFrom):
            text = add_import(text, node.module, *[a.name for a in node.names])
            continue
        name = node.name if isinstance(node, (ast.FunctionDef, ast.ClassDef)) else node.targets[0].id
        old = next(n for n in ast.parse(text).body if _name(n) == name)
        lines = text.splitlines()
        text = "\n".join(lines[: _first_line(old) - 1] + piece.splitlines() + lines[old.end_lineno:]) + "\n"
    path.write_text(text)


def _first_line(node: ast.stmt) -> int:
    return min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])


def _name(node: ast.stmt) -> str | None:
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    return None


def replace_table(path: Path, block: str) -> None:
    """In ``course.toml``, the ``[[assignments]]`` table of the block's name is the block."""
    name = re.search(r'^name = "(\w+)"$', block, re.M).group(1)
    text = path.read_text()
    start = text.index(f'[[assignments]]\nname = "{name}"')
    following = text.find("\n[", start + 1)
    end = following + 1 if following >= 0 else len(text)
    path.write_text(text[:start] + block.rstrip("\n") + "\n" + text[end:])


def run(copy: Path, command: str, tools: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(copy), "PATH": f"{tools}:{Path(sys.executable).parent}:{os.environ['PATH']}"}
    return subprocess.run(["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True, timeout=900)


def test_the_walk_through_works_as_written():
    blocks = walk_through()
    with course_folder("doc") as base:
        copy = copy_project(base / "project")
        tools = base / "bin"  # `autograder` is the copy's own, whatever this environment installed
        tools.mkdir()
        (tools / "autograder").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m autograder "$@"\n')
        (tools / "autograder").chmod(0o755)
        ran = []
        for kind, text in blocks:
            first = text.splitlines()[0]
            if kind == "sh":
                for line in filter(None, (line.strip() for line in text.splitlines())):
                    expected = re.search(r"# exits (\d+)", line)
                    result = run(copy, line, tools)
                    assert result.returncode == (int(expected.group(1)) if expected else 0), \
                        f"{line}\n{result.stdout}\n{result.stderr}"
                    ran.append(line)
            else:  # a file block: nothing in the walk-through is there to read only
                assert first.startswith("# ") and (copy / first[2:]).is_file(), f"what to do with {first!r}?"
                body = text.split("\n", 1)[1]
                (replace_table if kind == "toml" else replace_definitions)(copy / first[2:], body)
        for step in ("autograder new", "autograder build", "autograder check", "autograder grade",
                     "nbgrader generate_assignment", "--gradescope", "git status"):
            assert any(step in line for line in ran), step

        losses = next(a for a in manifest(copy)["assignments"] if a["name"] == "losses")
        assert [e["name"] for e in losses["exercises"]] == ["mean_squared_error", "make_l1_loss"]
        assert losses["modules"] == ["L1Loss"]
        row = read_csv(copy / "out" / "losses" / "grades.csv")["reference"]
        assert row["total"] == row["max_total"] and row["make_l1_loss"] == "2"
        assert (copy / "course" / "release" / "losses" / "losses.ipynb").is_file()
        assert (copy / "out" / "losses.zip").is_file()
        sources = {"solutions/losses.py", "autograder/checks/public_losses.py", "autograder/checks/hints_losses.py",
                   "autograder/hidden/hidden_losses.py"}
        assert changed_files(copy) == sources | {"course.toml", "exercises/losses.py", "autograder/manifest.json"}

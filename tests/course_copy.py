"""A copy of the project, under git, where a test changes the course as an instructor would:
with ``autograder`` commands run from the copy (its own package on ``PYTHONPATH``) and edits
of the files those commands printed."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, run_cli

#: never copied: what is not the project's (environments, caches, outputs)
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.pyc", "*.egg-info", ".pytest_cache", "out",
                                    "course", "build")


def git(copy: Path, *args: str) -> str:
    result = subprocess.run(["git", "-c", "user.name=test", "-c", "user.email=test@example.org", *args], cwd=copy,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def copy_project(destination: Path) -> Path:
    """The project copied to ``destination`` and committed there: ``git status`` then lists
    what a test changed, and only that."""
    shutil.copytree(ROOT, destination, ignore=NOT_COPIED)
    git(destination, "init", "-q")
    git(destination, "add", "-A")
    git(destination, "commit", "-q", "-m", "the project as copied")
    return destination


def changed_files(copy: Path) -> set[str]:
    """Every path ``git status`` lists in ``copy`` (untracked files one by one)."""
    lines = git(copy, "status", "--porcelain", "--untracked-files=all").splitlines()
    return {line[3:].strip('"') for line in lines}


def autograder(copy: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    """``autograder *args`` run from ``copy`` with its own package."""
    result = run_cli(*args, cwd=copy, env={"PYTHONPATH": str(copy)})
    if ok:
        assert result.returncode == 0, f"autograder {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def printed_paths(output: str) -> list[str]:
    """The paths ``autograder new`` says it wrote."""
    block = output.split("Wrote:\n", 1)[1].split("\n\n", 1)[0]
    return [line.split()[0] for line in block.splitlines()]


def edit(copy: Path, relpath: str, old: str, new: str, within: str | None = None) -> None:
    """Replace ``old`` by ``new`` in ``relpath`` (in the function or check called ``within``
    only, when given); ``old`` must be there."""
    path = copy / relpath
    text = path.read_text(encoding="utf-8")
    start, end = 0, len(text)
    if within is not None:
        start = text.index(f"def {within}(")
        following = re.search(r"\n\n\n(?=\S)", text[start:])
        end = start + following.start() + 1 if following else len(text)
    assert old in text[start:end], f"{old!r} is not in {relpath}" + (f" ({within})" if within else "")
    path.write_text(text[:start] + text[start:end].replace(old, new, 1) + text[end:], encoding="utf-8")


def manifest(copy: Path) -> dict:
    return json.loads((copy / "autograder" / "manifest.json").read_text(encoding="utf-8"))


def handed_in(copy: Path, edits: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, str]:
    """The copy's reference solutions as a student would hand them in (markers removed),
    with ``edits`` (file -> [(old, new)]) applied."""
    files = {}
    for assignment in manifest(copy)["assignments"]:
        name = f"{assignment['name']}.py"
        text = "".join(line for line in (copy / "solutions" / name).read_text().splitlines(keepends=True)
                       if "### " not in line)
        for old, new in (edits or {}).get(name, []):
            assert old in text, (name, old)
            text = text.replace(old, new)
        files[name] = text
    return files


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """A real nbgrader command, run in the course directory ``course``."""
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}", "PYTHONPATH": str(course.parent)}
    result = subprocess.run([str(bin_dir / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result

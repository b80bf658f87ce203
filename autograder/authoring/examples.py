"""Submissions made from the reference solutions: what a student who got everything right
hands in, optionally with edits (a mistake, an attack). For testing checks and for
benchmarks; never shipped to students (``authoring`` is not in the kit)."""
from __future__ import annotations

from pathlib import Path

from autograder.curriculum import SOLUTIONS_DIR, course


def solution_copy(edits: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, str]:
    """The reference solutions as a student would hand them in (markers removed), with
    ``edits`` (file -> [(old, new), ...]) applied; each ``old`` must be in its file."""
    files = {}
    for assignment in course().assignments:
        name = assignment.relpath
        text = "\n".join(line for line in (SOLUTIONS_DIR / name).read_text().splitlines() if "### " not in line) + "\n"
        for old, new in (edits or {}).get(name, []):
            if old not in text:
                raise ValueError(f"edit target {old!r} not in {name}")
            text = text.replace(old, new)
        files[name] = text
    return files


def write_student(folder: Path, files: dict[str, str]) -> Path:
    """Write one student's ``files`` into ``folder`` (created); returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder

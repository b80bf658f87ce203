"""``course.toml``, read into the course model, each problem with its line.

The file declares what no solution file can: the course's id and title, its grading
defaults and its assignments in teaching order, each with a title and the torch.nn
classes its exercises may return beyond the sandbox's default set. The exercises
themselves are found in each assignment's solution file (``authoring.source``).
"""
from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.curriculum import COURSE_FILE, Assignment, Course, Grading, name_problem
from autograder.errors import CourseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (a dependency there, see pyproject.toml)
    import tomli as tomllib

COURSE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
MAX_TITLE = 100
_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z_]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z_]+)\s*=")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the course, where it is."""

    path: str  #: relative to the project: ``course.toml``, ``solutions/tensors.py``
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass
class CourseFile:
    """``course.toml`` read: the course without its exercises, and where each thing was said."""

    course: Course
    #: (table, index, key) -> line; ("assignments", 1, "name") is the second assignment's name
    lines: dict[tuple[str, int, str], int] = field(default_factory=dict)

    def line_of(self, assignment: str, key: str = "name") -> int:
        index = self.course.names.index(assignment)
        return self.lines.get(("assignments", index, key)) or self.lines.get(("assignments", index, "")) or 1


def _locate(text: str) -> dict[tuple[str, int, str], int]:
    """Where each table and key is, by line (tomllib says what, not where)."""
    found: dict[tuple[str, int, str], int] = {}
    table, counts = "", {}
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = header.group(1)
            counts[table] = counts.get(table, -1) + 1
            found.setdefault((table, counts[table], ""), number)
            continue
        key = _KEY.match(line)
        if key:
            found.setdefault((table, counts.get(table, 0), key.group(1)), number)
    return found


def read_course_file(root: Path) -> CourseFile:
    """``root/course.toml`` as a :class:`CourseFile`; a :class:`CourseError` listing every
    problem (with its line) when it cannot be read."""
    path = root / COURSE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CourseError([Problem(COURSE_FILE, 1, f"there is no {COURSE_FILE} in {root}; it declares the "
                                                   "course (see docs/authoring.md).")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        match = re.search(r"line (\d+)", str(err))
        raise CourseError([Problem(COURSE_FILE, int(match.group(1)) if match else 1,
                                   f"not valid TOML: {err}")]) from None
    lines = _locate(text)
    problems: list[Problem] = []

    def where(table: str, index: int = 0, key: str = "") -> int:
        return lines.get((table, index, key)) or lines.get((table, index, "")) or 1

    def complain(message: str, table: str, index: int = 0, key: str = "") -> None:
        problems.append(Problem(COURSE_FILE, where(table, index, key), message))

    for key in data:
        if key not in ("course", "grading", "assignments"):
            complain(f"unknown table {key!r}: the course file has [course], [grading] and [[assignments]].", key)
    about = _table(data, "course", complain)
    course_id = about.get("id", "")
    if not isinstance(course_id, str) or not COURSE_ID.fullmatch(course_id):
        complain("[course] id must be 1 to 64 letters, digits and _.- (nbgrader's course id).", "course", 0, "id")
    title = about.get("title", "")
    if not isinstance(title, str) or not 0 < len(title) <= MAX_TITLE:
        complain(f"[course] title must be a text of 1 to {MAX_TITLE} characters.", "course", 0, "title")
    _unknown(about, {"id", "title"}, "course", complain)
    grading = _grading(_table(data, "grading", complain), complain)
    assignments = _assignments(data.get("assignments", []), complain)
    if problems:
        raise CourseError(problems)
    return CourseFile(Course(id=course_id, title=title, assignments=tuple(assignments), grading=grading), lines)


def _table(data: dict, name: str, complain) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        complain(f"{name!r} must be a table, [{name}].", name)
        return {}
    return value


def _unknown(table: dict, known: set[str], name: str, complain, index: int = 0) -> None:
    for key in table:
        if key not in known:
            complain(f"unknown key {key!r} in [{name}]; known: {', '.join(sorted(known))}.", name, index, key)


def _number(value: Any) -> bool:
    return type(value) in (int, float)


def _grading(table: dict, complain) -> Grading:
    defaults = Grading()
    timeout = table.get("timeout", defaults.timeout)
    memory_mb = table.get("memory_mb", defaults.memory_mb)
    points = table.get("points", defaults.points)
    if not _number(timeout) or not 0 < timeout <= 600:
        complain("[grading] timeout must be a number of seconds, more than 0 and at most 600.", "grading", 0, "timeout")
    if type(memory_mb) is not int or not 256 <= memory_mb <= 1 << 20:
        complain("[grading] memory_mb must be a whole number of MB, at least 256.", "grading", 0, "memory_mb")
    if not _number(points) or not 0 < points <= 1000:
        complain("[grading] points must be a number more than 0 (at most 1000).", "grading", 0, "points")
    _unknown(table, {"timeout", "memory_mb", "points"}, "grading", complain)
    try:
        return Grading(timeout=float(timeout), memory_mb=int(memory_mb), points=float(points))
    except (TypeError, ValueError):
        return defaults  # already complained about


def _assignments(entries: Any, complain) -> list[Assignment]:
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        complain("assignments must be tables, each under its own [[assignments]] line.", "assignments")
        return []
    if not entries:
        complain("the course has no assignment: add one with `autograder new EXERCISE --assignment NAME`.",
                 "assignments")
    found: list[Assignment] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        name = entry.get("name")
        if not isinstance(name, str):
            complain("an assignment needs a name: name = \"...\".", "assignments", index)
            continue
        problem = name_problem(name, "assignment")
        if problem:
            complain(problem, "assignments", index, "name")
        elif name in seen:
            complain(f"the assignment {name!r} is declared twice.", "assignments", index, "name")
        seen.add(name)
        title = entry.get("title", name.replace("_", " ").capitalize())
        if not isinstance(title, str) or not 0 < len(title) <= MAX_TITLE:
            complain(f"the title of {name!r} must be a text of 1 to {MAX_TITLE} characters.", "assignments", index,
                     "title")
            title = name
        modules = entry.get("modules", [])
        if not isinstance(modules, list) or not all(isinstance(m, str) for m in modules):
            complain(f"the modules of {name!r} must be a list of torch.nn class names, such as [\"MSELoss\"].",
                     "assignments", index, "modules")
            modules = []
        _unknown(entry, {"name", "title", "modules"}, "assignments", complain, index)
        found.append(Assignment(name=name, title=title, modules=tuple(modules)))
    return found

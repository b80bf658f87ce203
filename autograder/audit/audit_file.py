"""``audit.toml``: what the course tells its audit beyond the operators, each entry with its line.

Beside ``course.toml``, and optional (without it: no equivalent mutants, no mistakes of
the course's own, the default split target):

- ``[split]``: the share of each exercise's mutants the public checks alone should catch,
  ``public_min`` to ``public_max`` (a note in the report when an exercise is outside);
- ``[[mistake]]``: a mistake seen in students' work, written out as the exercise's whole
  solution block (``exercise``, ``why``, ``code``): a mutant like the others;
- ``[[equivalent]]``: a mutant that behaves as the reference on every valid input
  (``mutant``, its id as the report prints it, and ``reason``): it may survive.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.authoring.course_file import Problem
from autograder.curriculum import PROJECT_DIR
from autograder.errors import CourseError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 (a dependency there, see pyproject.toml)
    import tomli as tomllib

AUDIT_FILE = "audit.toml"
#: this course's target when audit.toml names none: see docs/audit.md for why
DEFAULT_PUBLIC_MIN, DEFAULT_PUBLIC_MAX = 0.5, 0.95
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Split:
    """The share of an exercise's mutants (not counting equivalent ones) the public checks should catch."""

    public_min: float = DEFAULT_PUBLIC_MIN
    public_max: float = DEFAULT_PUBLIC_MAX

    def holds(self, share: float) -> bool:
        return self.public_min <= share <= self.public_max


@dataclass(frozen=True)
class Mistake:
    exercise: str
    why: str
    code: str  #: the whole solution block, as a student wrote it (dedented)
    line: int


@dataclass(frozen=True)
class Equivalent:
    mutant: str  #: ``<exercise>.<8 hex digits>``
    reason: str
    line: int

    @property
    def exercise(self) -> str:
        return self.mutant.rpartition(".")[0]


@dataclass(frozen=True)
class AuditFile:
    split: Split = field(default_factory=Split)
    mistakes: tuple[Mistake, ...] = ()
    equivalents: tuple[Equivalent, ...] = ()


_TABLES = {"split": {"public_min", "public_max"}, "mistake": {"exercise", "why", "code"},
           "equivalent": {"mutant", "reason"}}


def read_audit_file(exercises: list[str], course_dir: Path = PROJECT_DIR) -> AuditFile:
    """``audit.toml`` of ``course_dir``, checked against the course's ``exercises``; a
    CourseError listing every problem with its line."""
    path = course_dir / AUDIT_FILE
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise CourseError([Problem(AUDIT_FILE, 1, f"the file is over {MAX_FILE_BYTES} bytes.")])
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AuditFile()
    except (OSError, UnicodeDecodeError) as err:
        raise CourseError([Problem(AUDIT_FILE, 1, f"cannot be read: {err}.")]) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CourseError([Problem(AUDIT_FILE, getattr(err, "lineno", 1) or 1, f"not valid TOML: {err}.")]) from None
    return _checked(data, _table_lines(text), exercises)


def _table_lines(text: str) -> dict[tuple[str, int], int]:
    """(table, index) -> the line of its header: ``[[equivalent]]`` the third time is ("equivalent", 2)."""
    found: dict[tuple[str, int], int] = {}
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("[") and "]" in stripped:
            name = stripped.strip("[").partition("]")[0].strip()
            found[(name, counts.get(name, 0))] = number
            counts[name] = counts.get(name, 0) + 1
    return found


def _checked(data: dict[str, Any], lines: dict[tuple[str, int], int], exercises: list[str]) -> AuditFile:
    problems: list[Problem] = []

    def say(table: str, index: int, message: str) -> None:
        problems.append(Problem(AUDIT_FILE, lines.get((table, index), 1), message))

    for key in data:
        if key not in _TABLES:
            say(key, 0, f"unknown table or key {key!r}: audit.toml has [split], [[mistake]] and [[equivalent]].")
    split_data = data.get("split", {})
    split = Split()
    if not isinstance(split_data, dict):
        say("split", 0, "split must be a table: [split].")
    else:
        values = {}
        for key, value in split_data.items():
            if key not in _TABLES["split"]:
                say("split", 0, f"unknown key {key!r} in [split]: it has public_min and public_max.")
            elif type(value) not in (int, float) or not 0 <= value <= 1:
                say("split", 0, f"{key} must be a share between 0 and 1, such as 0.6.")
            else:
                values[key] = float(value)
        split = Split(**values)
        if split.public_min > split.public_max:
            say("split", 0, "public_min is above public_max.")
    mistakes = []
    for index, entry in enumerate(_entries(data, "mistake", say)):
        exercise, why, code = entry.get("exercise"), entry.get("why"), entry.get("code")
        if exercise not in exercises:
            say("mistake", index, f"exercise {exercise!r} is not an exercise of the course.")
        elif not (isinstance(why, str) and why.strip()):
            say("mistake", index, "why must say, in words, what the mistake is.")
        elif not isinstance(code, str) or _syntax_error(code):
            say("mistake", index, f"code must be the solution block as Python ({_syntax_error(code)}).")
        else:
            mistakes.append(Mistake(exercise, why.strip(), code, lines.get(("mistake", index), 1)))
    equivalents = []
    seen = set()
    for index, entry in enumerate(_entries(data, "equivalent", say)):
        mutant, reason = entry.get("mutant"), entry.get("reason")
        if not isinstance(mutant, str) or mutant.rpartition(".")[0] not in exercises:
            say("equivalent", index, f"mutant {mutant!r} names no exercise of the course: copy its id "
                                     "(<exercise>.<8 hex digits>) from the audit's report.")
        elif not (isinstance(reason, str) and reason.strip()):
            say("equivalent", index, f"{mutant} has no reason: say why it behaves as the reference on every "
                                     "valid input.")
        elif mutant in seen:
            say("equivalent", index, f"{mutant} is listed twice.")
        else:
            seen.add(mutant)
            equivalents.append(Equivalent(mutant, reason.strip(), lines.get(("equivalent", index), 1)))
    if problems:
        raise CourseError(problems, hint="see docs/audit.md for what audit.toml holds")
    return AuditFile(split, tuple(mistakes), tuple(equivalents))


def _entries(data: dict[str, Any], table: str, say: Any) -> list[dict[str, Any]]:
    entries = data.get(table, [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        say(table, 0, f"{table} must be an array of tables: [[{table}]].")
        return []
    for index, entry in enumerate(entries):
        for key in entry:
            if key not in _TABLES[table]:
                say(table, index, f"unknown key {key!r} in [[{table}]]: it has {', '.join(sorted(_TABLES[table]))}.")
    return entries


def _syntax_error(code: Any) -> str | None:
    if not isinstance(code, str):
        return "not a string"
    try:
        ast.parse(code)
    except SyntaxError as err:
        return f"line {err.lineno}: {err.msg}"
    return None

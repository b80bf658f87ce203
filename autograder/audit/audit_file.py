"""``audit.toml``: what the course tells its audit beyond the operators, each entry with its line.

Beside ``course.toml``, and optional (without it: no equivalent mutants, no mistakes of
the course's own, the default split target):

- ``[split]``: the target for the public/hidden split of each exercise: the share of its
  mutants the public checks alone should catch at least (``public_min``), and how many the
  hidden checks alone should catch at least (``hidden_min``); the report marks an
  exercise that misses it;
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
#: the target when audit.toml names none: see docs/audit.md for why
DEFAULT_PUBLIC_MIN, DEFAULT_HIDDEN_MIN = 0.6, 1
MAX_FILE_BYTES = 1_000_000


@dataclass(frozen=True)
class Split:
    """What the public and the hidden checks of each exercise should catch."""

    #: the share of its mutants (equivalent ones aside) the public checks alone catch, at least:
    #: below it, `autograder check` tells students little
    public_min: float = DEFAULT_PUBLIC_MIN
    #: how many of its mutants only the hidden checks catch, at least: with none, they add
    #: nothing to the public checks
    hidden_min: int = DEFAULT_HIDDEN_MIN

    def holds(self, public_share: float, hidden_only: int) -> bool:
        return public_share >= self.public_min and hidden_only >= self.hidden_min


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


_TABLES = {"split": {"public_min", "hidden_min"}, "mistake": {"exercise", "why", "code"},
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
        values: dict[str, Any] = {}
        for key, value in split_data.items():
            if key not in _TABLES["split"]:
                say("split", 0, f"unknown key {key!r} in [split]: it has public_min and hidden_min.")
            elif key == "public_min" and (type(value) not in (int, float) or not 0 <= value <= 1):
                say("split", 0, "public_min must be a share between 0 and 1, such as 0.6.")
            elif key == "hidden_min" and (type(value) is not int or value < 0):
                say("split", 0, "hidden_min must be a whole number of mutants, 0 or more.")
            else:
                values[key] = float(value) if key == "public_min" else value
        split = Split(**values)
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

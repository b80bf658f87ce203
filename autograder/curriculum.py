"""The course model: a :class:`Course` of :class:`Assignment` s, each of :class:`Exercise` s.

The course is data. An instructor declares it in ``course.toml`` (the course's id and
title, its grading defaults, its assignments in teaching order) and writes each
assignment's files; ``autograder build`` reads them, checks them
(``autograder.authoring.validate``) and records the result in ``autograder/manifest.json``,
which is what every other module reads through :func:`course`. The manifest travels
where the course's sources do not: the student kit and the Gradescope autograder.

An exercise is a top-level function in the assignment's solution file whose body holds
a ``### BEGIN SOLUTION`` block; exercises keep the order in which the file defines
them. Everything else about an assignment (where its stub, notebook, checks and hints
are) is named here, once: other modules ask the model, never build those paths
themselves.
"""
from __future__ import annotations

import difflib
import functools
import json
import keyword
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.errors import AutograderError, UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
#: the reference solutions: next to the package in a checkout; where the package is installed
#: (a Gradescope autograder), wherever ``AUTOGRADER_SOLUTIONS`` says
SOLUTIONS_DIR = Path(os.environ.get("AUTOGRADER_SOLUTIONS") or PROJECT_DIR / "solutions")
COURSE_FILE = "course.toml"  #: the course's declaration, at the project's root
MANIFEST_NAME = "manifest.json"
MANIFEST = PACKAGE_DIR / MANIFEST_NAME

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"

#: what an assignment or exercise may be called: it becomes a file, a module and a function
#: name (lowercase, so that file names mean the same on every file system)
NAME = re.compile(r"[a-z][a-z0-9_]{0,59}")


def name_problem(name: str, what: str) -> str | None:
    """Why ``name`` cannot name an assignment or exercise (``what``), or None."""
    if not NAME.fullmatch(name) or keyword.iskeyword(name):
        return (f"{name!r} cannot name an {what}: use 1 to 60 lowercase letters, digits and underscores, "
                "starting with a letter (it becomes a file and a Python name).")
    if name.startswith("test"):
        return f"{name!r} cannot name an {what}: pytest would take names starting with 'test' for checks."
    return None


@dataclass(frozen=True)
class Exercise:
    name: str  #: the function's name, also the exercise's name everywhere
    assignment: str  #: the assignment it belongs to (its solution file's stem)
    docstring: str
    signature: str  #: e.g. ``create_tensor(data: Any) -> torch.Tensor``
    points: float = 0.0  #: what its hidden checks are worth, recorded by ``autograder build``

    @property
    def relpath(self) -> str:
        """The student's file that holds it: ``tensors.py`` (in ``exercises/``, a submission, a zip)."""
        return f"{self.assignment}.py"

    @property
    def module(self) -> str:
        return f"exercises.{self.assignment}"


@dataclass(frozen=True)
class Assignment:
    """One assignment and every file that is part of it (paths relative to the project)."""

    name: str
    title: str
    #: torch.nn class names (no code) its exercises may return beyond the sandbox's default
    #: set (``autograder.sandbox.modules``); a returned module is rebuilt from these only
    modules: tuple[str, ...] = ()
    exercises: tuple[Exercise, ...] = ()

    @property
    def relpath(self) -> str:
        """The student's file: ``tensors.py``."""
        return f"{self.name}.py"

    @property
    def solution_relpath(self) -> str:
        return f"solutions/{self.relpath}"

    @property
    def stub_relpath(self) -> str:
        return f"exercises/{self.relpath}"

    @property
    def notebook_relpath(self) -> str:
        """Its notebook, inside an nbgrader course directory."""
        return f"source/{self.name}/{self.notebook_file}"

    @property
    def notebook_id(self) -> str:
        """Its notebook's name in nbgrader's gradebook (the file's stem)."""
        return self.name

    @property
    def notebook_file(self) -> str:
        return f"{self.notebook_id}.ipynb"

    @property
    def public_module(self) -> str:
        """Its public checks (shipped to students)."""
        return f"autograder.checks.public_{self.name}"

    @property
    def hints_module(self) -> str:
        """Its hints: the typical mistakes of its exercises, recognised (shipped to students)."""
        return f"autograder.checks.hints_{self.name}"

    @property
    def hidden_module(self) -> str:
        """Its hidden checks and its mistake catalogue (never shipped)."""
        return f"autograder.hidden.hidden_{self.name}"

    @property
    def public_relpath(self) -> str:
        return _module_relpath(self.public_module)

    @property
    def hints_relpath(self) -> str:
        return _module_relpath(self.hints_module)

    @property
    def hidden_relpath(self) -> str:
        return _module_relpath(self.hidden_module)

    @property
    def source_relpaths(self) -> tuple[str, ...]:
        """The files an instructor writes for it (``autograder new`` makes them)."""
        return (self.solution_relpath, self.public_relpath, self.hints_relpath, self.hidden_relpath)

    @property
    def points(self) -> float:
        return sum(e.points for e in self.exercises)


def _module_relpath(module: str) -> str:
    return module.replace(".", "/") + ".py"


@dataclass(frozen=True)
class Grading:
    """The course's grading defaults (``[grading]`` in ``course.toml``)."""

    timeout: float = 3.0  #: seconds each call of a student function may take
    memory_mb: int = 2048  #: memory for a student's worker and what it starts
    points: float = 1.0  #: what a hidden check is worth when it has no ``@pytest.mark.points``


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    assignments: tuple[Assignment, ...]
    grading: Grading = field(default_factory=Grading)

    @property
    def names(self) -> list[str]:
        """The assignments' names, in teaching order."""
        return [a.name for a in self.assignments]

    @property
    def exercises(self) -> list[Exercise]:
        return [e for a in self.assignments for e in a.exercises]

    @property
    def points(self) -> float:
        return sum(a.points for a in self.assignments)

    @property
    def modules(self) -> tuple[str, ...]:
        """Every torch.nn class name an assignment allows beyond the default set, once."""
        return tuple(dict.fromkeys(m for a in self.assignments for m in a.modules))

    def assignment(self, name: str) -> Assignment:
        """The assignment called ``name``; a UsageError (with "did you mean") for a typo."""
        for assignment in self.assignments:
            if assignment.name == name:
                return assignment
        raise UsageError(f"There is no assignment called {name!r}.", hint=_suggest(name, self.names, "assignments"))

    def exercise(self, name: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.name == name:
                return exercise
        raise UsageError(f"There is no exercise called {name!r}.",
                         hint=_suggest(name, [e.name for e in self.exercises], "exercises"))

    def to_manifest(self) -> dict[str, Any]:
        return {"course": {"id": self.id, "title": self.title},
                "grading": {"timeout": self.grading.timeout, "memory_mb": self.grading.memory_mb,
                            "points": self.grading.points},
                "assignments": [{"name": a.name, "title": a.title, "modules": list(a.modules),
                                 "exercises": [vars(e) for e in a.exercises]} for a in self.assignments]}

    @classmethod
    def from_manifest(cls, data: dict[str, Any]) -> Course:
        assignments = tuple(
            Assignment(name=a["name"], title=a["title"], modules=tuple(a.get("modules", ())),
                       exercises=tuple(Exercise(**e) for e in a["exercises"]))
            for a in data["assignments"])
        return cls(id=data["course"]["id"], title=data["course"]["title"], assignments=assignments,
                   grading=Grading(**data.get("grading", {})))


def _suggest(name: str, known: list[str], what: str) -> str:
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else f"known {what}: " + ", ".join(known)


def resolve_names(requested: list[str], known: list[str]) -> list[str]:
    """Validate exercise names typed by a user, suggesting fixes for typos."""
    for name in requested:
        if name not in known:
            raise UsageError(f"There is no exercise called {name!r}.", hint=_suggest(name, known, "exercises"))
    return requested


@functools.cache
def course() -> Course:
    """The course, as ``autograder build`` last recorded it (works without solutions/)."""
    try:
        return Course.from_manifest(json.loads(MANIFEST.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise AutograderError(f"There is no {MANIFEST}: run `autograder build` to make it.") from None
    except (ValueError, KeyError, TypeError) as err:
        raise AutograderError(f"{MANIFEST} is not a course manifest ({type(err).__name__}: {err}).",
                              hint="run `autograder build` to write it again") from None


def reload() -> Course:
    """Read the manifest again (``autograder build`` has just written it)."""
    course.cache_clear()
    return course()


def load_manifest() -> list[Exercise]:
    """The exercises, in teaching order."""
    return course().exercises


def __getattr__(name: str) -> Any:
    # ASSIGNMENTS (assignment name -> title, in teaching order) is read from the manifest on
    # first use, so that importing this module costs no file read
    if name == "ASSIGNMENTS":
        return {a.name: a.title for a in course().assignments}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""The results model: what each check, each exercise and each student's grading comes to.

Every layer speaks these types: the worker's replies name an :class:`Outcome`, the
sandbox's proxy raises :class:`StudentCodeProblem` with one, the check runner makes a
:class:`CheckResult` per check, the scoring rule (:func:`score_exercises`) makes an
:class:`ExerciseScore` per exercise, and the reports (``grading.results``) render a
:class:`StudentResult`, never parsing a string back. Light on purpose (no torch, no
pytest): the grading command and the worker both import it.

Scoring rule (the same as an nbgrader test cell, whose public asserts must pass for any
points): an exercise earns the points of its passed hidden checks if all of its public
checks pass, and nothing otherwise.
"""
from __future__ import annotations

import enum
import functools
import traceback
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence


class Outcome(enum.Enum):
    """What happened to a check (or, for an exercise, to its worst check); the value is the
    word every report uses."""

    PASSED = "passed"
    FAILED = "failed"  #: the check found a wrong answer
    NOT_ATTEMPTED = "not attempted"  #: the function still raises NotImplementedError
    CRASHED = "crashed"  #: the student's code raised, or ended its worker
    TIMED_OUT = "timed out"
    NOT_GRADED = "not graded"  #: an exercise for which no check ran


#: worst first: an exercise's outcome is its worst check's
SEVERITY = (Outcome.NOT_ATTEMPTED, Outcome.CRASHED, Outcome.TIMED_OUT, Outcome.FAILED, Outcome.PASSED)


def worst(outcomes: Iterable[Outcome]) -> Outcome:
    """The worst of ``outcomes`` (see :data:`SEVERITY`); FAILED if there are none."""
    present = set(outcomes) or {Outcome.FAILED}
    return next(o for o in SEVERITY if o in present)


def not_done(name: str) -> str:
    """What a student reads about a function that still raises NotImplementedError."""
    return f"{name} is not done yet: it still raises NotImplementedError"


class StudentCodeProblem(Exception):
    """The student's function gave no value to check: not attempted, crashed or timed out.

    Raised by the sandbox's proxy for a student function, and by the stand-in for a
    function whose file could not be loaded; the check runner records its outcome,
    message and detail as they are.
    """

    def __init__(self, outcome: Outcome, message: str, detail: str = "",
                 error: tuple[str, str, str] | None = None):
        super().__init__(message)
        self.outcome = outcome
        self.message = message
        self.detail = detail  #: a traceback cut to the student's own files, when there is one
        #: (who raised, the exception's type, its text) of an exception the student's code
        #: raised: the check runner explains it in the student's terms (``checking.hints.crashed``)
        self.error = error


def student_traceback(exc: BaseException, is_student_file: Callable[[str], bool]) -> str:
    """The traceback of ``exc`` cut to the frames in the student's own files (which
    ``is_student_file`` recognises by name), then the exception line: what the student
    can act on, and nothing of the grader's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if is_student_file(f.filename)]
    return "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))


@dataclass(frozen=True)
class CheckResult:
    """One check's run against one student."""

    exercise: str
    check: str  #: the check's name: its test function, with its parameters' id
    hidden: bool
    points: float  #: what the check is worth: a hidden check's points, 0 for a public check
    outcome: Outcome
    message: str = ""  #: what the student reads (safe text: ``untrusted.safe_text``)
    detail: str = ""  #: a traceback cut to the student's own files, when there is one

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


@dataclass(frozen=True)
class ExerciseScore:
    exercise: str
    score: float
    max_score: float
    outcome: Outcome  #: the worst of its checks' outcomes; NOT_GRADED if none ran
    public_checks_passed: bool  #: the gate: without it the exercise earns nothing


@dataclass(frozen=True)
class StudentResult:
    """One student's grading: every check's result and every exercise's score."""

    student: str
    fingerprint: str  #: what was graded, and by which grader (``grading.run``): an unchanged result need not be redone
    checks: tuple[CheckResult, ...]
    exercises: tuple[ExerciseScore, ...]  #: in the course's order
    problems: tuple[str, ...] = ()  #: what the student should know about the submission itself
    protections: tuple[str, ...] = ()  #: what isolated the student's code (``sandbox.jail``)

    @property
    def score(self) -> float:
        return sum(e.score for e in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(e.max_score for e in self.exercises)

    def exercise(self, name: str) -> ExerciseScore | None:
        return self._scores.get(name)

    def checks_of(self, exercise: str) -> list[CheckResult]:
        return self._checks.get(exercise, [])

    def earned(self, check: CheckResult) -> float:
        """The points ``check`` adds to the score: a passed hidden check's, if its exercise's public checks pass."""
        score = self._scores.get(check.exercise)
        return check.points if check.hidden and check.passed and score is not None and score.public_checks_passed \
            else 0.0

    # indexes, made once (reports look every exercise up, and every check of one)
    @functools.cached_property
    def _scores(self) -> dict[str, ExerciseScore]:
        return {e.exercise: e for e in self.exercises}

    @functools.cached_property
    def _checks(self) -> dict[str, list[CheckResult]]:
        return _by_exercise(self.checks)


def _by_exercise(checks: Iterable[CheckResult]) -> dict[str, list[CheckResult]]:
    grouped: dict[str, list[CheckResult]] = {}
    for check in checks:
        grouped.setdefault(check.exercise, []).append(check)
    return grouped


def score_exercises(checks: Sequence[CheckResult], exercises: Sequence[str],
                    max_points: Mapping[str, float]) -> tuple[ExerciseScore, ...]:
    """The scoring rule: each of ``exercises`` scored from its ``checks``; ``max_points``
    is what each exercise's hidden checks are worth in all."""
    scores = []
    grouped = _by_exercise(checks)
    for name in exercises:
        mine = grouped.get(name, [])
        gate = all(c.passed for c in mine if not c.hidden)
        earned = sum(c.points for c in mine if c.hidden and c.passed) if gate else 0.0
        scores.append(ExerciseScore(name, float(earned), float(max_points.get(name, 0.0)),
                                    worst(c.outcome for c in mine) if mine else Outcome.NOT_GRADED, gate))
    return tuple(scores)


def student_result(student: str, fingerprint: str, checks: Sequence[CheckResult], exercises: Sequence[str],
                   max_points: Mapping[str, float], problems: Sequence[str] = (),
                   protections: Sequence[str] = ()) -> StudentResult:
    """A student's result: ``checks`` scored by :func:`score_exercises`."""
    return StudentResult(student, fingerprint, tuple(checks), score_exercises(checks, exercises, max_points),
                         tuple(problems), tuple(protections))

"""What can happen to a student's function during a check, and what a check's run records.

Light on purpose (no torch, no pytest): the grading command's own process reads it.

The grading plugin turns them into an outcome and a message for the student. In a
sandbox they are raised by the trusted side's proxy; on a student's own machine the
plugin recognises the raw exceptions (``NotImplementedError``...) instead.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Callable


def in_student_file(filename: str) -> bool:
    """Student files are ``exercises/<assignment>.py``, locally or as the sandbox names them."""
    return "exercises/" in filename.replace("\\", "/")


def student_traceback(exc: BaseException, in_student: Callable[[str], bool] = in_student_file) -> str:
    """The traceback of ``exc`` cut to the frames in the student's own files, then the
    exception line: what the student can act on, and nothing of the grader's code."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if in_student(f.filename)]
    return "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))


class StudentCodeProblem(Exception):
    """The student's code did not produce a value to check."""

    outcome = "crashed"

    def __init__(self, message: str, traceback: str = ""):
        super().__init__(message)
        self.message = message
        self.traceback = traceback


class NotAttempted(StudentCodeProblem):
    outcome = "not attempted"


class StudentCrashed(StudentCodeProblem):
    outcome = "crashed"


class StudentTimeout(StudentCodeProblem):
    outcome = "timed out"


class CheckFailure(AssertionError):
    """A check found a wrong answer; the message tells the student what is wrong."""


def fail(message: str) -> None:
    raise CheckFailure(message)


@dataclass
class CheckRecord:
    name: str  #: the test function's name
    exercise: str
    points: float
    hidden: bool
    outcome: str  #: passed, failed, not attempted, crashed, timed out
    message: str = ""
    detail: str = ""  #: a traceback cut to the student's files, when there is one


PRECEDENCE = ("not attempted", "crashed", "timed out", "failed", "passed")


@dataclass
class ExerciseResult:
    exercise: str
    outcome: str
    records: list[CheckRecord]


def summarise(exercise: str, records: list[CheckRecord]) -> ExerciseResult:
    """One outcome for an exercise: its worst check's."""
    outcomes = {r.outcome for r in records} or {"failed"}
    outcome = next(o for o in PRECEDENCE if o in outcomes)
    return ExerciseResult(exercise, outcome, records)

"""What can happen to a student's function during a check, as exceptions the checks let through.

The grading plugin turns them into an outcome and a message for the student. In a
sandbox they are raised by the trusted side's proxy; on a student's own machine the
plugin recognises the raw exceptions (``NotImplementedError``...) instead.
"""
from __future__ import annotations


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

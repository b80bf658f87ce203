"""What grading made of a student: the outcome of each check, and what a mutant's outcomes mean.

:func:`student_outcomes` is the one place that reads grading's results (the model,
``autograder.outcomes.StudentResult``, as ``grade()`` hands it over).
"""
from __future__ import annotations

from dataclasses import dataclass

from autograder.outcomes import StudentResult

#: a mutant's fate, in the report's order
PUBLIC, HIDDEN, SURVIVED, EQUIVALENT = "public", "hidden", "survived", "equivalent"
FATES = {PUBLIC: "killed by public checks", HIDDEN: "killed by hidden checks only", SURVIVED: "SURVIVED",
         EQUIVALENT: "equivalent"}
#: what the message of a killed mutant's first telling check is
NAMED, GENERIC, ERROR = "named", "generic", "error"


@dataclass(frozen=True)
class CheckOutcome:
    name: str  #: the check's name, with its parameters
    hidden: bool
    outcome: str  #: passed, failed, crashed, timed out, not attempted
    message: str  #: what the student read (its first line), "" when it passed


@dataclass(frozen=True)
class StudentOutcome:
    checks: dict[str, list[CheckOutcome]]  #: exercise -> its checks, in the order they ran
    scores: dict[str, float]  #: exercise -> its score


def student_outcomes(result: StudentResult) -> StudentOutcome:
    """A student's result, as the audit reads it: each exercise's checks and score."""
    checks: dict[str, list[CheckOutcome]] = {}
    for check in result.checks:
        checks.setdefault(check.exercise, []).append(CheckOutcome(check.check, check.hidden, check.outcome.value,
                                                                  check.message.partition("\n")[0]))
    return StudentOutcome(checks, {score.exercise: score.score for score in result.exercises})


def message_kind(check: CheckOutcome) -> str:
    """Whether a failed check's message names the mistake, only states a difference, or
    reports an error the student's code raised (linear time: ``str.partition`` only).

    A difference alone is what the comparisons say when no hint recognised the mistake:
    ``The shape is (3,); expected (3, 1).``, ``It returned 5; expected 6.``, ``Wrong
    values: ...``: an expected value with no explanation after it. A message that
    goes on (``...; expected (2, 4): the weight is stored as (out, in)``) names it.
    """
    if check.outcome != "failed":
        return ERROR
    statement = check.message.rpartition(" [")[0] or check.message  # without "[the call]"
    if statement.startswith(("Wrong values", "It returned NaN values")):
        return GENERIC
    before, found, after = statement.partition("; expected ")
    if found and ": " not in after:
        return GENERIC
    return NAMED


def fate(checks: list[CheckOutcome]) -> tuple[str, CheckOutcome | None, str]:
    """(fate, the check whose message the report shows, its kind) of a mutant's checks:
    public checks first, since an exercise whose public checks fail earns nothing."""
    for hidden, verdict in ((False, PUBLIC), (True, HIDDEN)):
        failed = [c for c in checks if c.hidden is hidden and c.outcome != "passed"]
        if failed:
            named = [c for c in failed if message_kind(c) == NAMED]
            shown = (named or failed)[0]
            return verdict, shown, message_kind(shown)
    return SURVIVED, None, ""

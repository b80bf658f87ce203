"""What grading made of a student: the outcome of each check, and what a mutant's outcomes mean.

:func:`student_outcomes` is the one place that reads grading's results documents
(``results/<student>.json``, Gradescope's schema): when grading gives a typed model of
its results, only it changes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from autograder.checking.outcomes import PRECEDENCE

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


def student_outcomes(path: Path) -> StudentOutcome:
    """A student's results document, read: each exercise's checks and score."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    checks: dict[str, list[CheckOutcome]] = {}
    for test in doc["tests"]:
        exercise, _, name = test["name"].partition(": ")
        if test["status"] == "passed":
            outcome, message = "passed", ""
        else:  # "<outcome>: <message>\n<detail>"
            outcome, _, message = test["output"].partition(": ")
            if outcome not in PRECEDENCE:
                outcome, message = "failed", test["output"]
        # public checks are visible to the student; hidden ones are not until grades are out
        checks.setdefault(exercise, []).append(CheckOutcome(name, test["visibility"] != "visible", outcome,
                                                            message.partition("\n")[0]))
    scores = {name: float(s["score"]) for name, s in doc["extra_data"]["exercises"].items()}
    return StudentOutcome(checks, scores)


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

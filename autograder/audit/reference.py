"""The reference solution against its own checks, twice: every check must pass, the same way both times.

The runs happen here, in the audit's process (the reference is the instructor's code),
with a fresh seed before every check as grading does; a check whose outcome or message
differs between the two runs depends on something the seeds do not fix (a clock, an
address, the order of a set) and is named. The class the audit grades holds the reference
twice as well, so that the sandboxed engine is held to the same.
"""
from __future__ import annotations

from autograder.checking.namespaces import load_namespace
from autograder.checking.outcomes import CheckRecord
from autograder.checking.runner import HIDDEN_DIR, PUBLIC_DIR, CheckRunner, Student, run_checks
from autograder.curriculum import SOLUTIONS_DIR, course

RUNS = ("first", "second")


def reference_problems(exercises: list[str]) -> list[str]:
    """What is wrong with running ``exercises``' checks against the reference twice (nothing: [])."""
    reference = load_namespace(SOLUTIONS_DIR.resolve(), course().exercises, "solutions")
    records: dict[str, list[CheckRecord]] = {run: [] for run in RUNS}
    plugin = CheckRunner(list(RUNS), lambda _: Student(reference), lambda *_: None,
                         lambda run, found: records[run].extend(found), reference=reference, exercises=exercises)
    run_checks([PUBLIC_DIR, HIDDEN_DIR], plugin)
    problems = []
    first, second = records["first"], records["second"]
    if [(r.exercise, r.name) for r in first] != [(r.exercise, r.name) for r in second]:
        return ["the checks ran differently the second time (a check that creates checks?)"]
    for a, b in zip(first, second):
        what = f"{a.exercise}: {'hidden' if a.hidden else 'public'} check {a.name}"
        if a.outcome != "passed":
            problems.append(f"{what} fails against the reference solution ({a.outcome}: {a.message[:200]})")
        if (a.outcome, a.message) != (b.outcome, b.message):
            problems.append(f"{what} is not deterministic: {a.outcome} the first time, {b.outcome} the second"
                            + ("" if a.outcome != b.outcome else f" with another message ({b.message[:120]})"))
    return problems

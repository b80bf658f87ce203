"""``run_autograder`` on Gradescope: grade ``/autograder/submission``, write
``/autograder/results/results.json`` (Gradescope's format), whatever the submission is.

A submission holds the assignment's ``.py`` files or its notebook, at any depth (students
upload folders), found by the rule every layout uses (``intake.rule``). It is graded by the same sandboxed grader as a class, as
one student; public checks are ``visible``, hidden ones take the visibility set when
the zip was built. A submission that breaks everything, or a grader that cannot run,
still gives a valid results.json: score 0 and the reason.
"""
from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from autograder.errors import AutograderError
from autograder.grading.results import atomic_write, output_text, results_document
from autograder.grading.run import GradeOptions, grade
from autograder.outcomes import StudentResult
from autograder.untrusted import safe_text

STUDENT = "submission"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="run_autograder")
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--root", type=Path, default=Path("/autograder"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        config = json.loads(args.config.read_text(encoding="utf-8"))
        doc = grade_submission(args.root, config.get("assignment"), config.get("hidden_visibility", "after_published"))
    except AutograderError as err:
        doc = failed(f"The autograder could not grade this submission: {safe_text(err)}")
    except Exception as err:  # noqa: BLE001 - Gradescope must always get a results.json
        doc = failed(f"The autograder failed ({type(err).__name__}: {safe_text(err, 500)}); "
                     "please tell your instructor.")
    doc["execution_time"] = round(time.monotonic() - start, 2)
    atomic_write(args.root / "results" / "results.json", json.dumps(doc, sort_keys=True, indent=1) + "\n")
    print(doc["output"])  # for the instructor's log (results/stdout)
    return 0


def failed(reason: str) -> dict:
    return {"score": 0.0, "output": reason, "tests": []}


def grade_submission(root: Path, assignment: str | None, hidden_visibility: str) -> dict:
    if os.geteuid() == 0:  # graded code runs as another uid: the autograder's own files are not for it
        os.chmod(root / "source", 0o700)
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as work:
        # the intake reads the submission by the rule every layout uses (``intake.rule``)
        options = GradeOptions(submissions=root / "submission", out=Path(work) / "out", jobs=1, progress=False,
                               assignment=assignment, layout="gradescope")
        graded: list[StudentResult] = []
        grade(options, after=graded.extend)
    if len(graded) != 1:
        raise AutograderError(f"{len(graded)} students were graded in one submission.")
    return gradescope_document(graded[0], hidden_visibility)


def gradescope_document(result: StudentResult, hidden_visibility: str) -> dict:
    """A student's result as Gradescope shows it: results.json's document with hidden checks
    at the instructor's visibility, numbered tests, and an ``output`` that says what to fix first."""
    doc = results_document(result)
    for number, test in enumerate(doc["tests"], 1):
        test["number"] = str(number)
        if test["visibility"] != "visible":
            test["visibility"] = hidden_visibility
    doc["output"] = first_thing_to_fix(result)
    return doc


def first_thing_to_fix(result: StudentResult) -> str:
    from autograder.curriculum import load_manifest

    lines = list(result.problems)
    order = {e.name: i for i, e in enumerate(load_manifest())}  # teaching order
    # the first exercise (in teaching order) with a failing check; its public checks first (they gate its points)
    failing = sorted((c for c in result.checks if not c.passed), key=lambda c: (order.get(c.exercise, len(order)),
                                                                                c.hidden))
    if failing:
        first = failing[0]
        lines.append(f"Fix {first.exercise} first ({first.check}): {output_text(first).splitlines()[0]}")
    elif not result.problems:
        lines.append("Every check passed.")
    lines.append(f"Score: {result.score:g} / {result.max_score:g}.")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

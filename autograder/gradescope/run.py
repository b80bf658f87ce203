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
from autograder.grading.results import atomic_write
from autograder.grading.run import GradeOptions, grade
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
        grade(options)
        doc = json.loads((options.out / "results" / f"{STUDENT}.json").read_text(encoding="utf-8"))
    return gradescope_document(doc, hidden_visibility)


def gradescope_document(doc: dict, hidden_visibility: str) -> dict:
    """Our results document as Gradescope shows it: hidden checks at the instructor's
    visibility, and an ``output`` that says what to fix first."""
    tests = []
    for number, test in enumerate(doc["tests"], 1):
        test = dict(test)
        test["number"] = str(number)
        if test["visibility"] != "visible":
            test["visibility"] = hidden_visibility
        tests.append(test)
    return {**doc, "tests": tests, "output": first_thing_to_fix(doc)}


def first_thing_to_fix(doc: dict) -> str:
    problems = doc["extra_data"].get("problems", [])
    lines = list(problems)
    from autograder.curriculum import load_manifest

    order = {e.name: i for i, e in enumerate(load_manifest())}  # teaching order
    failing = [t for t in doc["tests"] if t["status"] != "passed"]
    # the first exercise (in teaching order) with a failing check; its public checks first (they gate its points)
    failing.sort(key=lambda t: (order.get(t["name"].partition(": ")[0], len(order)), t["visibility"] != "visible"))
    first = failing[0] if failing else None
    if first is not None:
        exercise, _, check = first["name"].partition(": ")
        lines.append(f"Fix {exercise} first ({check}): {first['output'].splitlines()[0]}")
    elif not problems:
        lines.append("Every check passed.")
    score, total = doc["score"], doc["extra_data"]["max_score"]
    lines.append(f"Score: {score:g} / {total:g}.")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())

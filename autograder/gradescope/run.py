"""``run_autograder`` on Gradescope: grade ``/autograder/submission``, write
``/autograder/results/results.json`` (Gradescope's format), whatever the submission is.

A submission holds the assignment's ``.py`` files (at any depth: students upload
folders) or its notebook (``.ipynb``, answer cells by grade id, as ``autograder grade
--assignment`` reads them). It is graded by the same sandboxed grader as a class, as
one student; public checks are ``visible``, hidden ones take the visibility set when
the zip was built. A submission that breaks everything, or a grader that cannot run,
still gives a valid results.json: score 0 and the reason.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import tempfile
import time
from pathlib import Path

from autograder.curriculum import ASSIGNMENTS, Exercise
from autograder.errors import AutograderError
from autograder.grading.results import atomic_write
from autograder.grading.run import GradeOptions, grade
from autograder.grading.submissions import discover
from autograder.grading.uploads import MAX_FILE_BYTES, read_file
from autograder.untrusted import StudentInputError, safe_name, safe_text

STUDENT = "submission"
MAX_FILES_LOOKED_AT = 2_000  #: a submission's files looked at for the ones the assignment needs
MAX_DEPTH = 20  #: folders deep a submission's files are looked for


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
    wanted = [assignment] if assignment else list(ASSIGNMENTS)
    with tempfile.TemporaryDirectory(prefix="autograder-gradescope-") as work:
        folder = Path(work) / "class" / STUDENT
        folder.mkdir(parents=True)
        imports: dict[str, float] = {}
        problems = collect(root / "submission", wanted, folder, imports)
        options = GradeOptions(submissions=folder.parent, out=Path(work) / "out", jobs=1, progress=False)

        def find_class(options: GradeOptions, exercises: list[Exercise], skipped: list[str]):
            found = discover(options.submissions, exercises, options.out, skipped=skipped)
            for sub in found:
                sub.problems[:0] = problems
                sub.import_seconds.update({k: v for k, v in imports.items() if k in sub.files})
            return found, [e for e in exercises if e.assignment in wanted]

        grade(options, find_class)
        doc = json.loads((options.out / "results" / f"{STUDENT}.json").read_text(encoding="utf-8"))
    return gradescope_document(doc, hidden_visibility)


def collect(submission: Path, assignments: list[str], folder: Path, imports: dict[str, float]) -> list[str]:
    """Put each assignment's file of ``submission`` into ``folder``: ``<assignment>.py``
    (the shallowest, if several), else from a notebook; returns what the student should
    know about what was (not) found."""
    from autograder.curriculum import load_manifest
    from autograder.nbgrader.submissions import read_notebook_module

    if not submission.is_dir():
        return ["Nothing was submitted."]
    files = _files(submission)
    problems: list[str] = []
    exercises = load_manifest()
    for assignment in assignments:
        python = [p for p in files if p.name == f"{assignment}.py"]
        notebooks = [p for p in files if p.suffix == ".ipynb" and p.stem == assignment] or \
                    [p for p in files if p.suffix == ".ipynb"]
        if python:
            where = safe_name(python[0].relative_to(submission))
            try:
                raw = read_file(python[0], where, MAX_FILE_BYTES)
            except StudentInputError as err:
                problems.append(err.message)
                continue
            if raw is not None:
                (folder / f"{assignment}.py").write_bytes(raw)
        elif notebooks:
            where = safe_name(notebooks[0].relative_to(submission))
            try:
                read = read_notebook_module(notebooks[0], where, assignment, exercises, problems,
                                            f"{where} could not be read as a file.")
            except StudentInputError as err:
                problems.append(err.message)
                continue
            if read is not None:
                (folder / f"{assignment}.py").write_text(read[0], encoding="utf-8")
                imports[f"{assignment}.py"] = read[1]
        else:
            problems.append(f"No {assignment}.py (or notebook) was found in the submission.")
    return problems


def _files(submission: Path) -> list[Path]:
    """Regular files under ``submission``, shallowest first, never through a link; at most
    :data:`MAX_FILES_LOOKED_AT`, at most :data:`MAX_DEPTH` folders deep."""
    found: list[Path] = []
    queue = collections.deque([(submission, 0)])  # breadth first: the shallowest come first
    visited = 0
    while queue and len(found) < MAX_FILES_LOOKED_AT and visited < MAX_FILES_LOOKED_AT:
        folder, depth = queue.popleft()
        visited += 1
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            continue
        for entry in entries:
            if entry.name.startswith((".", "__MACOSX")):
                continue
            if entry.is_dir(follow_symlinks=False):
                if depth < MAX_DEPTH:
                    queue.append((Path(entry.path), depth + 1))
            elif entry.is_file(follow_symlinks=False) and len(found) < MAX_FILES_LOOKED_AT:
                found.append(Path(entry.path))
    return found


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

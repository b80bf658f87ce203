"""A synthetic class's results (the model), for the report, exports and diff without grading.

Each student gets, per exercise, one of the outcomes a real class shows: right, a wrong
answer whose message quotes numbers and shapes that differ from student to student, a
crash, a time-out, not attempted; and a few students scored 0 by a broken file. The same
``n`` and ``seed`` always give the same class.
"""
from __future__ import annotations

import random
from pathlib import Path

from autograder.curriculum import load_manifest
from autograder.grading.outputs import write_class_outputs
from autograder.grading.results import atomic_write, feedback_html, results_json
from autograder.outcomes import CheckResult, Outcome, StudentResult, not_done, student_result

HIDDEN_CHECKS = 4  #: per exercise, each worth a quarter of its points

#: wrong answers, by kind: the text varies with the numbers a student's check used
WRONG = [
    "It returned a tensor of shape ({b}, {a}); expected ({a}, {b}): the rows and columns are swapped. "
    "[{name}(x of shape ({a}, {b}))]",
    "Integers became floats (torch.Tensor(data) does that): use torch.tensor(data). [{name}([{a}, {b}])]",
    "Off by {a}: each output also has a bias, so add out_features. [{name}({a}, {b})]",
]


def student_id(k: int) -> str:
    return f"s{k:04d}"


def synthetic_class(n: int, seed: int = 26) -> list[StudentResult]:
    exercises = load_manifest()
    names = [e.name for e in exercises]
    points = {e.name: e.points for e in exercises}
    rng = random.Random(seed)
    results = []
    for k in range(n):
        student = student_id(k)
        broken = k % 97 == 13  # a broken file: every check crashes
        skill = rng.random()
        checks = []
        for e_index, e in enumerate(exercises):
            roll = rng.random()
            kind = ("crashed" if broken else "passed" if roll < skill else "failed" if roll < skill + 0.25
                    else "crashed" if roll < skill + 0.3 else "timed out" if roll < skill + 0.32 else "not attempted")
            a, b = rng.randint(2, 9), rng.randint(2, 9)
            checks += _checks(e.name, points[e.name], kind, WRONG[e_index % len(WRONG)].format(a=a, b=b, name=e.name),
                              a)
        problems = ("tensors.py was graded; not graded: tensors (1).py",) if k % 50 == 7 else ()
        results.append(student_result(student, f"fingerprint-{k}", checks, names, points, problems,
                                      ("unprivileged uid",)))
    return results


def _checks(exercise: str, points: float, kind: str, wrong: str, line: int) -> list[CheckResult]:
    outcome = Outcome(kind)
    message = {"passed": "", "failed": wrong, "not attempted": not_done(exercise),
               "crashed": f"exercises/tensors.py could not be imported: SyntaxError: invalid syntax "
                          f"(tensors.py, line {line})",
               "timed out": f"{exercise} did not finish within 3 s (an endless loop?)"}[kind]
    public = CheckResult(exercise, f"test_{exercise}_example", False, 0.0, outcome, message)
    hidden = [CheckResult(exercise, f"test_{exercise}_hidden[{i}]", True, points / HIDDEN_CHECKS,
                          Outcome.PASSED if kind == "passed" or (kind == "failed" and i == 0) else outcome,
                          "" if kind == "passed" or (kind == "failed" and i == 0) else message)
              for i in range(HIDDEN_CHECKS)]
    return [public, *hidden]


def write_out(out: Path, results: list[StudentResult], feedback: bool = True) -> Path:
    """An output folder as ``autograder grade`` leaves it for ``results``."""
    (out / "results").mkdir(parents=True, exist_ok=True)
    (out / "feedback").mkdir(exist_ok=True)
    for result in results:
        atomic_write(out / "results" / f"{result.student}.json", results_json(result))
        if feedback:
            atomic_write(out / "feedback" / f"{result.student}.html", feedback_html(result))
    write_class_outputs(out, results, load_manifest())
    return out

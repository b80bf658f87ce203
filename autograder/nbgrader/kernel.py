"""What a notebook's hidden-test block calls at ``nbgrader autograde`` time.

``hidden_points("create_tensor", globals())`` runs that exercise's hidden checks on the
functions the notebook defined and returns the points earned, which nbgrader takes as
the test cell's partial credit. It runs in nbgrader's kernel, as nbgrader always does;
``autograder grade`` on the same notebooks gets the same scores without that kernel.
"""
from __future__ import annotations

import types
from typing import Any

from autograder.curriculum import SOLUTIONS_DIR
from autograder.curriculum import load_manifest
from autograder.checking.namespaces import load_namespace
from autograder.checking.runner import HIDDEN_DIR, CheckRunner, Student, run_checks


def hidden_points(exercise: str, namespace: dict[str, Any]) -> float:
    exercises = load_manifest()
    functions = types.SimpleNamespace(**{e.name: namespace[e.name] for e in exercises if e.name in namespace})
    reference = load_namespace(SOLUTIONS_DIR, exercises, "solutions")
    earned: list[float] = []

    def done(_student: str, records: list) -> None:
        earned.extend(r.points for r in records if r.outcome == "passed")

    plugin = CheckRunner(["notebook"], lambda _: Student(functions), lambda *_: None, done, reference=reference,
                           exercises=[exercise])
    run_checks([HIDDEN_DIR], plugin)
    return float(sum(earned))

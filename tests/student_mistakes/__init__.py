"""Realistic wrong solutions of every exercise, each with the diagnosis it must get, and
valid alternatives that must earn full marks.

Written as students write these functions (from tutorials and answers online), not as
edits of the reference. ``tests/test_mistakes.py`` grades them all in one class run and
runs the public checks on them; ``benchmarks/diagnosis_share.py`` counts how many get a
diagnosis rather than a bare comparison.

A diagnosis is what the first failing check of the exercise says, without where it
happened: the hint before `` [call]``, or the explanation before `` (... raised ...)``.
"""
from __future__ import annotations

import importlib
import textwrap

from autograder.authoring.source import read_solution
from autograder.curriculum import SOLUTIONS_DIR, course

#: exercise -> [(label, body, diagnosis)], in teaching order, from each assignment's module here
WRONG: dict[str, list[tuple[str, str, str]]] = {}
#: exercise -> [(label, body)]: other right ways, each worth full marks
VALID: dict[str, list[tuple[str, str]]] = {}
for _assignment in course().assignments:
    _cases = importlib.import_module(f"{__name__}.{_assignment.name}")
    WRONG.update(_cases.WRONG)
    VALID.update(_cases.VALID)


def bodies_as_files(bodies: dict[str, str]) -> dict[str, str]:
    """The reference solutions as a student hands them in, each exercise of ``bodies``
    (exercise -> its function's body, unindented) written instead of the reference's."""
    files = {}
    for assignment in course().assignments:
        solution = read_solution(SOLUTIONS_DIR, assignment.name)
        lines = list(solution.lines)
        for block in reversed(solution.blocks):
            body = bodies.get(block.exercise)
            inner = lines[block.begin + 1: block.end]
            if body is not None:
                inner = textwrap.indent(body, block.indent).splitlines()
            lines[block.begin: block.end + 1] = inner
        files[assignment.relpath] = "\n".join(lines) + "\n"
    return files


def students(cases: dict[str, list[tuple]]) -> dict[str, dict[str, str]]:
    """One student per rank: the student ``k`` hands in the ``k``-th case of every exercise
    that has one (the reference for the others), so a few students hold every case."""
    most = max(len(found) for found in cases.values())
    return {f"s{k:02d}": {name: found[k][1] for name, found in cases.items() if k < len(found)} for k in range(most)}

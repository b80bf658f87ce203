"""Realistic wrong solutions of every exercise get their diagnosis, and valid alternatives full
marks: graded in one class run, and run as a student runs the public checks
(``autograder check`` and a notebook's check cells), which must say the same.

The solutions and their diagnoses are in ``tests/student_mistakes/`` (a module per assignment).
"""
from __future__ import annotations

import importlib.util
import json
import sys
import types

import pytest

from autograder.checking.local import run_public_checks
from autograder.curriculum import course
from autograder.nbgrader import checks_file
from tests.helpers import FULL_MARKS, marks, read_csv, run_cli, write_student
from tests.student_mistakes import VALID, WRONG, bodies_as_files, students

CASES = [(name, k) for name, found in WRONG.items() for k in range(len(found))]


def _id(case: tuple[str, int]) -> str:
    name, k = case
    return f"{name}-{WRONG[name][k][0].replace(' ', '_')}"


def diagnosed(message: str, diagnosis: str) -> bool:
    """``message`` is ``diagnosis``, maybe followed by where it happened: the call of a failed
    check (`` [...]``) or the raw line of an error (`` (... raised ...)``)."""
    return message == diagnosis or message.startswith(diagnosis + " [") or message.startswith(diagnosis + " (")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Every wrong solution and every valid alternative, graded in one run: a few students each
    hand in one case of every exercise."""
    base = tmp_path_factory.mktemp("mistakes")
    wrong, valid = students(WRONG), students(VALID)
    for sid, bodies in wrong.items():
        write_student(base / "class" / f"wrong_{sid}", bodies_as_files(bodies))
    for sid, bodies in valid.items():
        write_student(base / "class" / f"valid_{sid}", bodies_as_files(bodies))
    result = run_cli("grade", str(base / "class"), "--out", str(base / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    return {"base": base, "out": base / "out", "wrong": wrong, "valid": valid}


def first_problem(doc: dict, exercise: str) -> str | None:
    """The message of the exercise's first check that did not pass, as the student reads it."""
    for test in doc["tests"]:
        if test["name"].startswith(exercise + ": ") and test["status"] != "passed":
            return test["output"].split(": ", 1)[1].split("\n")[0]
    return None


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_grading_names_each_mistake(graded, case):
    name, k = case
    doc = json.loads((graded["out"] / "results" / f"wrong_s{k:02d}.json").read_text())
    problem = first_problem(doc, name)
    assert problem is not None, f"{name}: {WRONG[name][k][0]} passed every check"
    assert diagnosed(problem, WRONG[name][k][2]), (WRONG[name][k][0], problem)
    assert doc["extra_data"]["exercises"][name]["score"] < course().exercise(name).points


def test_every_exercise_has_five_mistakes_and_two_alternatives():
    names = {e.name for e in course().exercises}
    assert set(WRONG) == names and set(VALID) == names
    assert all(len(found) >= 5 for found in WRONG.values())
    assert all(len(found) >= 2 for found in VALID.values())


def test_valid_alternatives_earn_full_marks(graded):
    rows = read_csv(graded["out"] / "grades.csv")
    for sid, bodies in graded["valid"].items():
        row = rows[f"valid_{sid}"]
        wrong = {name: row[name] for name in bodies if row[name] != marks(course().exercise(name).points)}
        assert not wrong and row["total"] == marks(FULL_MARKS), (sid, wrong)


def _notebook_checks(folder, assignment) -> types.ModuleType:
    """A released notebook's ``public_checks.py`` of ``assignment``, written and imported as the
    notebook imports it."""
    path = checks_file.write(folder, assignment)
    spec = importlib.util.spec_from_file_location(f"public_checks_{assignment.name}", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import does: its dataclasses look themselves up there
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    return module


def _check_cells(released: dict, files: dict[str, str], names: list[str]) -> dict[str, str]:
    """exercise -> what its check cell says, for the exercises whose check cell fails: each
    assignment's file run as a notebook's answer cells run, then each check cell."""
    said = {}
    for assignment in course().assignments:
        cells: dict = {}
        exec(compile(files[assignment.relpath], "/tmp/ipykernel_1/cell.py", "exec"), cells)
        checks = released[assignment.name]
        for name in (e.name for e in assignment.exercises if e.name in names):
            try:
                checks.check(name, cells)
            except checks.ChecksFailed as failure:
                said[name] = " ".join(line.strip() for line in failure.lines)
    return said


def test_check_and_check_cells_name_each_mistake_as_grading_does(graded, tmp_path):
    """``autograder check`` and a notebook's check cells run the same catalogue and the same
    crash explanations: where a public check catches a mistake, all three say the same."""
    released = {}
    for assignment in course().assignments:
        (tmp_path / assignment.name).mkdir()
        released[assignment.name] = _notebook_checks(tmp_path / assignment.name, assignment)
    caught = 0
    for sid, bodies in graded["wrong"].items():
        files = bodies_as_files(bodies)
        folder = write_student(tmp_path / sid / "exercises", files)
        doc = json.loads((graded["out"] / "results" / f"wrong_{sid}.json").read_text())
        cells = _check_cells(released, files, list(bodies))
        checked = run_public_checks(folder, list(bodies))
        for result in checked.exercises:
            label, _, diagnosis = WRONG[result.exercise][int(sid[1:])]
            failed = [c for c in checked.checks_of(result.exercise) if not c.passed]
            assert bool(failed) == (result.exercise in cells), (result.exercise, label)
            if not failed:
                continue  # the public inputs do not show this mistake: the hidden checks do
            caught += 1
            assert diagnosed(failed[0].message, diagnosis), (result.exercise, label, failed[0].message)
            assert diagnosed(first_problem(doc, result.exercise), diagnosis)
            assert cells[result.exercise].startswith(diagnosis), (result.exercise, label, cells[result.exercise])
    assert caught >= len(CASES) * 3 // 4, "most mistakes show on the public checks' inputs"
    for sid, bodies in graded["valid"].items():
        folder = write_student(tmp_path / f"valid_{sid}" / "exercises", bodies_as_files(bodies))
        wrong = [(c.exercise, c.message) for c in run_public_checks(folder, list(bodies)).checks if not c.passed]
        assert not wrong, wrong
        assert _check_cells(released, bodies_as_files(bodies), list(bodies)) == {}

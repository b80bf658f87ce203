"""The course model: one place that names every file of an assignment, and what the rest
of the package reads (also under the names it had before the course became data)."""
from __future__ import annotations

import json

import pytest

from autograder import curriculum
from autograder.curriculum import PROJECT_DIR, SOLUTIONS_DIR, Course, course
from autograder.errors import UsageError


def test_every_file_the_model_names_exists():
    for assignment in course().assignments:
        for relpath in (*assignment.source_relpaths, assignment.stub_relpath):
            assert (PROJECT_DIR / relpath).is_file(), relpath
        assert (SOLUTIONS_DIR / assignment.relpath).is_file()
        assert assignment.exercises and all(e.assignment == assignment.name for e in assignment.exercises)
        assert all(e.relpath == assignment.relpath for e in assignment.exercises)
        assert assignment.notebook_relpath == f"source/{assignment.name}/{assignment.notebook_file}"


def test_the_names_other_modules_use_still_work():
    assert curriculum.ASSIGNMENTS == {a.name: a.title for a in course().assignments}
    assert list(curriculum.ASSIGNMENTS) == course().names
    assert curriculum.load_manifest() == course().exercises
    assert [e.name for e in curriculum.load_manifest()] == [e.name for e in course().exercises]


def test_the_manifest_round_trips_and_totals_add_up():
    data = json.loads(curriculum.MANIFEST.read_text())
    assert Course.from_manifest(data) == course()
    assert Course.from_manifest(course().to_manifest()) == course()
    assert course().points == sum(a.points for a in course().assignments) == sum(e.points for e in course().exercises)


def test_a_typo_gets_a_suggestion():
    with pytest.raises(UsageError) as err:
        course().assignment(course().names[0][:-1] + "x")
    assert "did you mean" in str(err.value)
    with pytest.raises(UsageError) as err:
        course().exercise("no_such_exercise_at_all")
    assert "known exercises" in str(err.value)


@pytest.mark.parametrize("name, ok", [("losses", True), ("l2", True), ("Losses", False), ("2d", False),
                                      ("class", False), ("test_x", False), ("a-b", False), ("x" * 61, False)])
def test_what_can_name_an_assignment(name, ok):
    assert (curriculum.name_problem(name, "assignment") is None) == ok

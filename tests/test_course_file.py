"""``course.toml`` read into the course model; what is wrong in it is named with its line."""
from __future__ import annotations

import pytest

from autograder.authoring.course_file import read_course_file
from autograder.curriculum import PROJECT_DIR, Grading, course
from autograder.errors import CourseError


def test_the_course_file_declares_what_the_manifest_records():
    declared = read_course_file(PROJECT_DIR).course
    recorded = course()
    assert (declared.id, declared.title, declared.grading) == (recorded.id, recorded.title, recorded.grading)
    assert [(a.name, a.title, a.modules) for a in declared.assignments] == \
        [(a.name, a.title, a.modules) for a in recorded.assignments]


def problems_of(tmp_path, text: str) -> list[str]:
    (tmp_path / "course.toml").write_text(text)
    with pytest.raises(CourseError) as err:
        read_course_file(tmp_path)
    return [str(p) for p in err.value.problems]


GOOD = '[course]\nid = "c"\ntitle = "C"\n\n[[assignments]]\nname = "a"\n'


@pytest.mark.parametrize("text, where, words", [
    (GOOD + "name = \"again\"\n", "course.toml:7", "not valid TOML"),
    (GOOD.replace('id = "c"', 'id = "c d"'), "course.toml:2", "[course] id"),
    (GOOD + "\n[grading]\ntimeout = 0\n", "course.toml:9", "timeout"),
    (GOOD + "\n[grading]\nmemory_mb = 1.5\n", "course.toml:9", "memory_mb"),
    (GOOD + "\n[grading]\npoints = -1\n", "course.toml:9", "points"),
    (GOOD + "\n[grading]\ntimeuot = 3\n", "course.toml:9", "unknown key 'timeuot'"),
    (GOOD + '\n[[assignments]]\nname = "a"\n', "course.toml:9", "declared twice"),
    (GOOD + '\n[[assignments]]\nname = "Bad-Name"\n', "course.toml:9", "cannot name an assignment"),
    (GOOD + '\n[[assignments]]\nname = "testing"\n', "course.toml:9", "starting with 'test'"),
    (GOOD + '\n[[assignments]]\nname = "b"\nmodules = "MSELoss"\n', "course.toml:10", "list of torch.nn class names"),
    (GOOD + '\n[[assignments]]\ntitle = "no name"\n', "course.toml:8", "needs a name"),
    ('[course]\nid = "c"\ntitle = "C"\n', "course.toml:1", "no assignment"),
    (GOOD + "\n[extras]\nx = 1\n", "course.toml:8", "unknown table 'extras'"),
])
def test_a_problem_is_named_with_its_line(tmp_path, text, where, words):
    problems = problems_of(tmp_path, text)
    assert any(p.startswith(where + ": ") and words in p for p in problems), problems


def test_every_problem_is_named_at_once(tmp_path):
    problems = problems_of(tmp_path, GOOD.replace('title = "C"', "title = 3") + "\n[grading]\ntimeout = -1\n")
    assert len(problems) == 2


def test_defaults_and_titles(tmp_path):
    (tmp_path / "course.toml").write_text(GOOD.replace('name = "a"', 'name = "loss_functions"'))
    declared = read_course_file(tmp_path).course
    assert declared.grading == Grading() and declared.assignments[0].title == "Loss functions"


def test_no_course_file_is_a_clear_error(tmp_path):
    with pytest.raises(CourseError, match="there is no course.toml"):
        read_course_file(tmp_path)

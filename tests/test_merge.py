"""A class graded in parts (``grade --part K/N``), each in a process of its own, and merged
(``autograder merge``): the merged folder is a single run's, byte for byte; parts that do
not make one class are refused, with the reason."""
from __future__ import annotations

import json
import shutil

import pytest

from autograder.grading.parts import PART_FILE, part_of
from tests.class_in_parts import STUDENTS, grade_parts, tree, write_class
from tests.course_copy import autograder, copy_project, edit
from tests.helpers import run_cli, solution_copy, write_student


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    base = tmp_path_factory.mktemp("parts")
    write_class(base / "subs")
    parts = grade_parts(base / "subs", base, 3)
    single = run_cli("grade", str(base / "subs"), "--out", str(base / "single"), "--quiet")
    assert single.returncode == 1 and "no name!" in single.stdout, single.stdout + single.stderr
    return {"base": base, "parts": parts, "single": base / "single"}


@pytest.mark.slow
def test_three_parts_merge_into_the_bytes_of_a_single_run(graded, tmp_path):
    parts = graded["parts"]
    held = [json.loads((p / PART_FILE).read_text())["students"] for p in parts]
    assert held == [["hana", "ivo"], ["cleo", "dan", "jo"], ["ada", "ben", "eve"]]
    for folder, students in zip(parts, held):
        assert sorted(p.stem for p in (folder / "results").glob("*.json")) == students
    # in any order of the folders
    merged = run_cli("merge", str(parts[2]), str(parts[0]), str(parts[1]), "--out", str(tmp_path / "merged"))
    assert merged.returncode == 1, merged.stderr  # as the single run: an entry got no grade
    assert "no name!" in merged.stdout and "Merged 3 parts" in merged.stdout
    single = tree(graded["single"])
    assert set(single) == {"grades.csv", "intake.txt", "report.html", *(f"results/{s}.json" for s in STUDENTS),
                           *(f"feedback/{s}.html" for s in STUDENTS)}
    assert tree(tmp_path / "merged") == single
    # merging again into the same folder changes nothing (nor keeps a previous/: nothing is replaced);
    # one process writes what two did; --quiet as grade's
    again = run_cli("merge", *map(str, parts), "--out", str(tmp_path / "merged"), "--jobs", "1", "--quiet")
    assert again.returncode == 1 and tree(tmp_path / "merged") == single, again.stderr
    alone = run_cli("merge", *map(str, parts), "--out", str(tmp_path / "alone"), "--jobs", "1")
    assert alone.returncode == 1 and tree(tmp_path / "alone") == single


@pytest.mark.slow
def test_a_missing_or_doubled_part_is_named(graded, tmp_path):
    one, two, three = graded["parts"]
    missing = run_cli("merge", str(one), str(three), "--out", str(tmp_path / "m"))
    assert missing.returncode == 2 and "part 2/3 is missing" in missing.stderr, missing.stderr
    assert "Traceback" not in missing.stderr and not (tmp_path / "m").exists()
    copy = tmp_path / "copy-of-2"
    shutil.copytree(two, copy)
    doubled = run_cli("merge", str(one), str(two), str(copy), str(three), "--out", str(tmp_path / "m"))
    assert doubled.returncode == 2 and f"part 2/3 is given twice ({two}, {copy})" in doubled.stderr, doubled.stderr
    both = run_cli("merge", str(one), str(copy), str(two), "--out", str(tmp_path / "m"))
    assert "part 2/3 is given twice" in both.stderr and "part 3/3 is missing" in both.stderr
    unfinished = tmp_path / "unfinished"
    unfinished.mkdir()
    refused = run_cli("merge", str(one), str(two), str(unfinished), "--out", str(tmp_path / "m"))
    assert refused.returncode == 2 and f"{unfinished} is not the output of a finished part" in refused.stderr


@pytest.mark.slow
def test_a_student_in_two_parts_or_the_wrong_one_is_refused(graded, tmp_path):
    one, two, three = (shutil.copytree(p, tmp_path / p.name) for p in graded["parts"])
    record = json.loads((three / PART_FILE).read_text())
    record["students"] = ["ada", "ben", "cleo"]  # cleo's part is 2, and 2 holds her too
    (three / PART_FILE).write_text(json.dumps(record))
    refused = run_cli("merge", str(one), str(two), str(three), "--out", str(tmp_path / "m"))
    assert refused.returncode == 2 and "The student cleo is in two parts" in refused.stderr, refused.stderr
    record["students"] = ["ada", "ben", "hana"]
    (three / PART_FILE).write_text(json.dumps(record))
    refused = run_cli("merge", str(three), str(two), str(one), "--out", str(tmp_path / "m"))
    assert "The student hana is in" in refused.stderr and "belongs to part 1/3" in refused.stderr, refused.stderr


@pytest.mark.slow
def test_parts_of_different_settings_or_classes_are_refused_with_the_difference(graded, tmp_path):
    one, two, three = graded["parts"]
    [slower] = grade_parts(graded["base"] / "subs", tmp_path, 3, "--timeout", "5", numbers=[2])
    refused = run_cli("merge", str(one), str(slower), str(three), "--out", str(tmp_path / "m"))
    assert refused.returncode == 2 and "graded differently" in refused.stderr, refused.stderr
    assert "--timeout: 3.0 against 5.0" in refused.stderr and "Traceback" not in refused.stderr
    # a class with one more student: another class, whatever part the newcomer falls in
    subs = tmp_path / "subs"
    shutil.copytree(graded["base"] / "subs", subs)
    write_student(subs / "newcomer", solution_copy())
    [other] = grade_parts(subs, tmp_path / "other", 3, numbers=[part_of("newcomer", 3) % 3 + 1])
    refused = run_cli("merge", str(one), str(two), str(three), str(other), "--out", str(tmp_path / "m"))
    assert "cut from different classes" in refused.stderr, refused.stderr


@pytest.mark.slow
def test_parts_of_another_course_are_refused_naming_the_course(graded, tmp_path):
    copy = copy_project(tmp_path / "project")
    edit(copy, "course.toml", 'id = "pytorch-basics"', 'id = "deep-learning-101"')
    autograder(copy, "build")
    [theirs] = grade_parts(graded["base"] / "subs", tmp_path, 3, numbers=[1], cwd=copy)
    one, two, three = graded["parts"]
    refused = run_cli("merge", str(theirs), str(two), str(three), "--out", str(tmp_path / "m"))
    assert refused.returncode == 2, refused.stderr
    assert "the course: deep-learning-101 against pytorch-basics" in refused.stderr, refused.stderr
    # and this checkout will not merge parts another one graded, even all of them
    mine = run_cli("merge", str(theirs), "--out", str(tmp_path / "m"))
    assert "graded by another grader than this one" in mine.stderr, mine.stderr
    assert "the course: deep-learning-101 against pytorch-basics" in mine.stderr


@pytest.mark.slow
def test_parts_that_hold_no_student_merge_too(tmp_path):
    write_student(tmp_path / "subs" / "ada", solution_copy())  # part 3 of 3: parts 1 and 2 hold nobody
    parts = grade_parts(tmp_path / "subs", tmp_path, 3)
    assert [json.loads((p / PART_FILE).read_text())["students"] for p in parts] == [[], [], ["ada"]]
    assert (parts[0] / "grades.csv").read_text().count("\n") == 1  # the header alone
    merged = run_cli("merge", *map(str, parts), "--out", str(tmp_path / "merged"))
    single = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "single"), "--quiet")
    assert merged.returncode == 0 and single.returncode == 0, merged.stderr + single.stderr
    assert tree(tmp_path / "merged") == tree(tmp_path / "single")


@pytest.mark.slow
def test_a_merge_that_replaces_results_keeps_them_in_previous_as_a_regrade_does(graded, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(graded["single"], out)
    (out / "results" / "ada.json").unlink()  # the folder holds an earlier grading, without ada
    merged = run_cli("merge", *map(str, graded["parts"]), "--out", str(out))
    assert "What this run changed: autograder diff" in merged.stdout, merged.stdout
    assert sorted(p.stem for p in (out / "previous" / "results").glob("*.json")) == sorted(set(STUDENTS) - {"ada"})
    assert {k: v for k, v in tree(out).items() if not k.startswith("previous/")} == tree(graded["single"])

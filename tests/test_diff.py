"""`autograder diff OLD_OUT NEW_OUT`, and the previous results a regrade keeps in OUT/previous."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.grading import previous
from autograder.grading.diff import CSV_HEADER, diff_folders
from autograder.outcomes import Outcome
from tests.class_results import synthetic_class, write_out
from tests.course_copy import autograder, copy_project, edit
from tests.helpers import ROOT, read_csv

EXAMPLES = ROOT / "examples" / "submissions"


def diff(capsys, *args) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flipped(result, exercise: str, to: Outcome):
    """``result`` with its first hidden check of ``exercise`` given the outcome ``to`` (and the scores that follow)."""
    from autograder.outcomes import student_result

    checks = list(result.checks)
    k = next(i for i, c in enumerate(checks) if c.exercise == exercise and c.hidden)
    checks[k] = replace(checks[k], outcome=to, message="" if to is Outcome.PASSED else "wrong (2, 3)")
    return student_result(result.student, result.fingerprint, checks, [e.exercise for e in result.exercises],
                          {e.exercise: e.max_score for e in result.exercises}, result.problems, result.protections)


def test_diff_names_whose_total_moved_by_how_much_and_which_checks(capsys, tmp_path):
    old = synthetic_class(40)
    new = list(old)
    gate = [k for k, r in enumerate(old) if r.exercise("create_tensor").public_checks_passed
            and r.checks_of("create_tensor")[1].passed][:2]
    new[gate[0]] = flipped(old[gate[0]], "create_tensor", Outcome.FAILED)  # loses a quarter of 5 points
    new[gate[1]] = replace(old[gate[1]], problems=("a note",))  # no score or outcome changed
    gone, added = new.pop(-1), replace(old[0], student="zz_new")
    write_out(tmp_path / "old", old, feedback=False)
    write_out(tmp_path / "new", [*new, added], feedback=False)
    code, printed, _ = diff(capsys, tmp_path / "old", tmp_path / "new", "--csv", tmp_path / "changes.csv")
    assert code == 1
    student = old[gate[0]].student
    assert f"Total changed for 1 student(s):\n  {student}: " in printed and "(-1.25)" in printed
    assert "create_tensor: test_create_tensor_hidden[0]: passed -> failed" in printed
    assert f"Unchanged: {len(old) - 2} student(s)." in printed  # the note changed nothing graded
    assert f"Only in the old results (1): {gone.student}" in printed and "Only in the new results (1): zz_new" in printed
    rows = list(csv.reader(io.StringIO((tmp_path / "changes.csv").read_text())))
    assert rows[0] == CSV_HEADER and len(rows) == 2
    assert rows[1][0] == student and rows[1][3] == "-1.25" and rows[1][7:] == ["test_create_tensor_hidden[0]",
                                                                               "passed", "failed"]


def test_a_class_of_2000_with_three_changes(capsys, tmp_path):
    old = synthetic_class(2000)
    new = list(old)
    moved = [k for k, r in enumerate(old) if r.exercise("tensor_dtype").score == r.exercise("tensor_dtype").max_score]
    for k in moved[:3]:
        new[k] = flipped(old[k], "tensor_dtype", Outcome.TIMED_OUT)
    write_out(tmp_path / "a", old, feedback=False)
    write_out(tmp_path / "b", new, feedback=False)
    changes = diff_folders(tmp_path / "a", tmp_path / "b")
    assert [c.student for c in changes.changed] == [old[k].student for k in moved[:3]]
    assert changes.unchanged == 1997 and not changes.same_total and not changes.unreadable


def test_the_same_results_differ_in_nothing_and_exit_0(capsys, tmp_path):
    results = synthetic_class(10)
    write_out(tmp_path / "a", results, feedback=False)
    write_out(tmp_path / "b", results, feedback=False)
    code, printed, _ = diff(capsys, tmp_path / "a", tmp_path / "b")
    assert code == 0 and "Unchanged: 10 student(s)." in printed and "changed for" not in printed


def test_unreadable_results_and_missing_folders_are_said_not_tracebacks(capsys, tmp_path):
    results = synthetic_class(3)
    write_out(tmp_path / "a", results, feedback=False)
    write_out(tmp_path / "b", results, feedback=False)
    (tmp_path / "b" / "results" / "s0001.json").write_text("{not json")
    (tmp_path / "b" / "results" / "s0002.json").write_text(json.dumps(json.loads(
        (tmp_path / "a" / "results" / "s0000.json").read_text())))  # another student's result
    code, printed, _ = diff(capsys, tmp_path / "a", tmp_path / "b")
    assert code == 1 and "Not compared: 2 results file(s) could not be read" in printed
    assert "s0002.json: it holds the result of s0000" in printed
    code, _, errors = diff(capsys, tmp_path / "a", tmp_path / "nowhere")
    assert code == 2 and f"{tmp_path / 'nowhere'} does not exist" in errors and "Traceback" not in errors
    (tmp_path / "empty").mkdir()
    code, _, errors = diff(capsys, tmp_path / "a", tmp_path / "empty")
    assert code == 2 and "has no results/ folder" in errors and "Traceback" not in errors
    code, _, errors = diff(capsys, tmp_path / "a" / "previous", tmp_path / "a")  # no regrade kept one yet
    assert code == 2 and "no run has replaced any" in errors and "regrades nobody" in errors



def test_odd_files_planted_in_results_are_named_never_read_through(capsys, tmp_path):
    """A FIFO (which stalled the reader for ever), a link to /dev/zero (which filled memory
    until MemoryError), a link to another file and a folder named like a result: each is
    named as not read; the command neither waits nor follows the link."""
    results = synthetic_class(3)
    write_out(tmp_path / "a", results, feedback=False)
    write_out(tmp_path / "b", results, feedback=False)
    planted = tmp_path / "b" / "results"
    os.mkfifo(planted / "fifo.json")
    (planted / "zero.json").symlink_to("/dev/zero")
    (planted / "s0001.json").unlink()
    (planted / "s0001.json").symlink_to(tmp_path / "a" / "results" / "s0001.json")
    (planted / "folder.json").mkdir()
    code, printed, _ = diff(capsys, tmp_path / "a", tmp_path / "b")
    assert code == 1 and "Not compared: 4 results file(s) could not be read" in printed
    assert "fifo.json: not a regular file" in printed and "folder.json: not a regular file" in printed
    assert "zero.json: a link, not a file the grader wrote" in printed
    assert "s0001.json: a link, not a file the grader wrote" in printed
    assert "Only in the old results (1): s0001" in printed

def test_csv_text_cells_cannot_be_formulas(capsys, tmp_path):
    old = [replace(r, student=s) for r, s in zip(synthetic_class(2), ["+cmd", "@sum"])]
    new = [flipped(r, "tensor_dtype", Outcome.CRASHED if r.exercise("tensor_dtype").score else Outcome.PASSED)
           for r in old]
    write_out(tmp_path / "a", old, feedback=False)
    write_out(tmp_path / "b", new, feedback=False)
    diff(capsys, tmp_path / "a", tmp_path / "b", "--csv", tmp_path / "d.csv")
    firsts = {row[0] for row in csv.reader(io.StringIO((tmp_path / "d.csv").read_text()))}
    assert firsts == {"student", "'+cmd", "'@sum"}


def test_previous_keeps_the_results_of_the_last_finished_run(tmp_path):
    out = write_out(tmp_path / "out", synthetic_class(3), feedback=False)
    assert previous.keep_previous(tmp_path / "empty") is None
    kept = previous.keep_previous(out)
    assert kept == out / "previous" and (kept / "results" / "s0000.json").read_bytes() == \
        (out / "results" / "s0000.json").read_bytes()
    assert os.stat(kept / "results" / "s0000.json").st_ino == os.stat(out / "results" / "s0000.json").st_ino
    (out / "results" / "s0000.json").unlink()  # the run is killed half way: previous/ is kept as it is
    (out / "results" / "s0000.json").write_text("half")
    assert previous.keep_previous(out) == kept and (kept / "results" / "s0000.json").read_text() != "half"
    previous.finished(out)
    previous.keep_previous(out)  # the run after a finished one: previous/ is what the finished run left
    assert (kept / "results" / "s0000.json").read_text() == "half"
    assert not list(out.glob(".previous-*"))


@pytest.mark.slow
def test_deleting_a_hidden_check_then_regrading_names_exactly_whose_score_changed(tmp_path):
    """The instructor's regrade: a check deleted from the copy of the course, `autograder build`,
    the class graded again into the same OUT; `diff OUT/previous OUT` then names exactly the
    students whose total changed, with the check, and the terminal shows no carriage return."""
    copy = copy_project(tmp_path / "project")
    out, subs = tmp_path / "out", tmp_path / "subs"
    for student in ("ada_alternatives", "ben_mistakes", "cleo_not_attempted", "dan_broken"):  # no eve_hostile:
        shutil.copytree(EXAMPLES / student, subs / student)  # her memory hog may beat the timeout, or not
    autograder(copy, "grade", str(subs), "--out", str(out), "--quiet")
    before = read_csv(out / "grades.csv")
    old_results = {p.stem: json.loads(p.read_text()) for p in (out / "results").glob("*.json")}
    edit(copy, "autograder/hidden/hidden_tensors.py", '@pytest.mark.exercise("linear_transform")\n'
         "@pytest.mark.points(1)\ndef test_linear_transform_non_square(", "def _deleted_non_square(")
    autograder(copy, "build")
    regrade = autograder(copy, "grade", str(subs), "--out", str(out))
    assert f"What this run changed: autograder diff {out / 'previous'} {out}" in regrade.stdout
    assert f"Class report: {out / 'report.html'}" in regrade.stdout
    assert "\r" not in regrade.stderr and "graded 4/4" in regrade.stderr
    after = read_csv(out / "grades.csv")
    moved = {s for s in before if before[s]["total"] != after[s]["total"]}
    passed_it = {s for s, doc in old_results.items() for t in doc["tests"]
                 if t["extra_data"]["check"] == "test_linear_transform_non_square" and t["score"] > 0}
    assert moved == passed_it and moved  # those who earned its point lost it; nobody else moved
    shown = autograder(copy, "diff", str(out / "previous"), str(out), "--csv", str(tmp_path / "d.csv"), ok=False)
    assert shown.returncode == 1
    named = {line.split(":")[0].strip() for line in shown.stdout.split("Total changed for")[1].split("\n\n")[0]
             .splitlines()[1:] if line.startswith("  ") and not line.startswith("    ")}
    assert named == moved
    for student in moved:
        assert f"  {student}: {before[student]['total']} -> {after[student]['total']} (-1)\n" \
               "    linear_transform: " in shown.stdout
    assert shown.stdout.count("linear_transform: test_linear_transform_non_square: passed -> absent") == len(moved)
    assert "Same total" not in shown.stdout and f"Unchanged: {4 - len(moved)} student(s)." in shown.stdout
    assert "Checks only in the old results (1): linear_transform: test_linear_transform_non_square" in shown.stdout
    csv_students = {row["student"] for row in csv.DictReader(io.StringIO((tmp_path / "d.csv").read_text()))}
    assert csv_students == moved
    report = (out / "report.html").read_text()
    assert "test_linear_transform_non_square" not in report and (out / "previous" / "report.html").exists()

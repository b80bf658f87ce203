"""`autograder export`: a Canvas gradebook export and a Moodle grading worksheet filled with
the class's totals (fixtures in tests/data/lms, written from Canvas's and Moodle's code):
the right score per student, every other cell and byte as the LMS wrote it, unknown students
named, no formula written."""
from __future__ import annotations

import csv
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.cli import main
from autograder.export.csvtext import BOM, parse, with_cells
from autograder.outcomes import ExerciseScore, Outcome, StudentResult
from tests.class_results import synthetic_class, write_out
from tests.helpers import ROOT, read_csv
from tests.test_lms import canvas_download, graded, moodle_download

LMS = ROOT / "tests" / "data" / "lms"
CANVAS, CANVAS_SEMICOLON = LMS / "canvas_gradebook.csv", LMS / "canvas_gradebook_semicolon.csv"
MOODLE, MOODLE_DE = LMS / "moodle_worksheet.csv", LMS / "moodle_worksheet_de.csv"


def scored(student: str, total: float) -> StudentResult:
    return StudentResult(student, "f", (), (ExerciseScore("create_tensor", total, 70.0, Outcome.PASSED, True),))


@pytest.fixture
def out(tmp_path) -> Path:
    """A graded class: Canvas ids 1001-1005 and Moodle participants 2001, 2002."""
    totals = {"1001": 70, "1002": 37.5, "1003": 0, "1004": 12, "1005": 55, "2001": 70, "2002": 65}
    return write_out(tmp_path / "out", [scored(s, t) for s, t in totals.items()], feedback=False)


def export(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["export", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rows(path: Path, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""), delimiter=delimiter))


def changed_cells(before: list[list[str]], after: list[list[str]]) -> dict[tuple[int, int], tuple[str, str]]:
    assert len(before) == len(after)
    changes = {}
    for r, (old, new) in enumerate(zip(before, after)):
        assert len(old) == len(new), r
        changes.update({(r, c): (o, n) for c, (o, n) in enumerate(zip(old, new)) if o != n})
    return changes


@pytest.mark.parametrize("column", ["Tensors (4101)", "Tensors", "4101"])
def test_a_canvas_export_gets_each_students_total_and_keeps_the_rest(capsys, out, tmp_path, column):
    code, printed, errors = export(capsys, out, "--canvas", CANVAS, "--column", column, "--to", tmp_path / "in.csv")
    assert code == 1  # 1005 is not in the gradebook: named, and the run says so
    assert "Not in" in errors and "1005" in errors and "1005" not in printed
    before, after = rows(CANVAS), rows(tmp_path / "in.csv")
    target = before[0].index("Tensors (4101)")
    by_id = {row[1]: r for r, row in enumerate(before)}
    assert changed_cells(before, after) == {(by_id["1001"], target): ("", "70"), (by_id["1002"], target): ("12.00", "37.5"),
                                            (by_id["1003"], target): ("", "0"), (by_id["1004"], target): ("", "12")}
    assert after[by_id["1006"]][target] == "" and after[by_id["1007"]][target] == "N/A"  # no result: kept
    text = (tmp_path / "in.csv").read_text()
    assert '"=HYPERLINK(""http://evil.example"",""see"")"' in text and '"=""=1+2"""' in text  # Canvas's, as written
    assert "the totals of 4 of its 7 students" in printed and "1006, 1007, 1099" in printed


def test_only_the_filled_cells_differ_byte_for_byte(capsys, out, tmp_path):
    export(capsys, out, "--canvas", CANVAS, "--column", "4101", "--to", tmp_path / "in.csv")
    old, new = CANVAS.read_text(), (tmp_path / "in.csv").read_text()
    table = parse(old, ",", "x")
    target = [c.value for c in table.rows[0]].index("Tensors (4101)")
    rebuilt = with_cells(table, {(r, target): row[target].value for r, row in enumerate(parse(new, ",", "y").rows)})
    assert rebuilt == new


def test_missing_as_zero_gives_0_but_keeps_canvas_na_and_the_test_student(capsys, out, tmp_path):
    _, printed, _ = export(capsys, out, "--canvas", CANVAS, "--column", "Tensors", "--to", tmp_path / "in.csv",
                           "--missing-as-zero")
    after = {row[1]: row for row in rows(tmp_path / "in.csv")}
    assert after["1006"][6] == "0" and after["1007"][6] == "N/A" and after["1099"][6] == ""
    assert "No result for 3 of its students:\n  set to 0 (1): 1006\n" in printed
    assert "kept 'N/A', an assignment the student does not have (1): 1007" in printed
    assert "kept as exported, Canvas's Test Student (the student view's user, not a student) (1): 1099" in printed


def test_missing_as_zero_keeps_an_excused_cell_and_a_first_last_test_student(capsys, out, tmp_path):
    (tmp_path / "g.csv").write_text("LastName,FirstName,ID,SIS Login ID,Section,Tensors (4101)\n"
                                    "    Points Possible,,,,,70.00\nKim,Ada,1010,ak,S,EX\nKim,Bo,1011,bk,S,\n"
                                    "Student,Test,1012,x1,S,\n")
    _, printed, _ = export(capsys, out, "--canvas", tmp_path / "g.csv", "--column", "Tensors", "--to",
                           tmp_path / "in.csv", "--missing-as-zero")
    assert [row[5] for row in rows(tmp_path / "in.csv")[2:]] == ["EX", "0", ""]
    assert "set to 0 (1): 1011" in printed and "kept 'EX', excused in Canvas (1): 1010" in printed
    assert "Test Student (the student view's user, not a student) (1): 1012" in printed


def test_a_semicolon_export_with_a_bom_and_crlf_stays_so(capsys, out, tmp_path):
    code, printed, _ = export(capsys, out, "--canvas", CANVAS_SEMICOLON, "--column", "Tensors (4101)",
                              "--to", tmp_path / "in.csv")
    data = (tmp_path / "in.csv").read_bytes()
    assert data.startswith(BOM.encode()) and data.count(b"\r\n") == 5 and b"\n" not in data.replace(b"\r\n", b"")
    after = rows(tmp_path / "in.csv", ";")
    assert [row[4] for row in after[2:]] == ["70", "37.5", "0"] and after[3][0] == "Roe; John"
    assert after[1][4] == "70,00" and after[2][5] == "80,00"
    assert code == 1 and "Points Possible" not in printed  # 70 points possible: the totals' scale


def test_points_possible_that_differ_from_the_totals_are_noted(capsys, out, tmp_path):
    _, printed, _ = export(capsys, out, "--canvas", CANVAS, "--column", "Layers", "--to", tmp_path / "in.csv")
    assert "Points Possible for 'Layers (4102)' is 10.00, but the totals are out of 70" in printed


@pytest.mark.parametrize("column, message", [
    ("Tensor", "did you mean 'Tensors (4101)'"), ("Current Score", "is not an assignment column"),
    ("ID", "is not an assignment column"), ("Quizzes", "its assignment columns: 'Tensors (4101)', 'Layers (4102)'"),
    ("Notes", "'Notes' is not an assignment column of"), ("Notes", "it is a custom column"),
    ("Unposted Final Score", "it is a total Canvas computes"),
])
def test_a_column_that_is_no_assignment_is_refused_with_a_hint(capsys, out, tmp_path, column, message):
    code, printed, errors = export(capsys, out, "--canvas", CANVAS, "--column", column, "--to", tmp_path / "x.csv")
    assert code == 2 and message in errors and not (tmp_path / "x.csv").exists() and "Traceback" not in errors


def test_files_that_are_not_the_lms_export_are_refused_clearly(capsys, out, tmp_path):
    code, _, errors = export(capsys, out, "--canvas", MOODLE, "--column", "Grade", "--to", tmp_path / "x.csv")
    assert code == 2 and errors.startswith("autograder export: ") and "is not a Canvas gradebook export" in errors
    broken = tmp_path / "broken.csv"
    broken.write_text('Student,ID,Section,A (1)\n"Doe, Jane,1001,S,\n')
    assert "never ends" in export(capsys, out, "--canvas", broken, "--column", "A", "--to", tmp_path / "x.csv")[2]
    huge = tmp_path / "huge.csv"
    with huge.open("wb") as f:
        f.truncate(65 * 1024 * 1024)
    code, _, errors = export(capsys, out, "--canvas", huge, "--column", "A", "--to", tmp_path / "x.csv")
    assert code == 2 and "larger than any the Canvas file this reads" in errors
    latin = tmp_path / "latin.csv"
    latin.write_bytes("Student,ID,Section,A (1)\nJosé,1001,S,\n".encode("latin-1"))
    assert "is not UTF-8" in export(capsys, out, "--canvas", latin, "--column", "A", "--to", tmp_path / "x.csv")[2]
    assert "is the Canvas file itself" in export(capsys, out, "--canvas", CANVAS, "--column", "A", "--to", CANVAS)[2]
    assert "no results/ folder" in export(capsys, tmp_path, "--canvas", CANVAS, "--column", "A", "--to",
                                          tmp_path / "x.csv")[2]
    assert not (tmp_path / "x.csv").exists()


def test_a_moodle_worksheet_gets_the_grades_and_keeps_its_times_and_comments(capsys, out, tmp_path):
    code, printed, errors = export(capsys, out, "--moodle", MOODLE, "--to", tmp_path / "in.csv")
    assert code == 1 and "Not in" in errors and "1001" in errors  # the Canvas students of this test's class
    before, after = rows(MOODLE), rows(tmp_path / "in.csv")
    assert changed_cells(before, after) == {(1, 4): ("", "70"), (2, 4): ("12.00", "65")}
    assert "=cmd|' /C calc'!A0" in (tmp_path / "in.csv").read_text()  # a comment as Moodle wrote it
    assert "No result for 1 of its students" in printed and "2003" in printed


def test_a_worksheet_in_another_language_needs_its_grade_column_and_warns_of_skipped_grades(capsys, out, tmp_path):
    code, _, errors = export(capsys, out, "--moodle", MOODLE_DE, "--to", tmp_path / "in.csv")
    assert code == 2 and "has no column 'Grade'" in errors and "'Bewertung'" in errors
    code, printed, errors = export(capsys, out, "--moodle", MOODLE_DE, "--column", "Bewertung", "--to",
                                   tmp_path / "in.csv")
    after = rows(tmp_path / "in.csv")
    assert [row[4] for row in after[1:]] == ["70", "65"] and after[1][5] == "50,00"
    assert code == 1 and "Moodle skips a grade above the assignment's maximum grade (50)" in errors
    assert "2 student(s) have more: 2001, 2002" in errors


# (no lone carriage return in a cell: Python's csv writer leaves it unquoted, and no reader reads it back)
@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from('ab ,;"\n=é'), max_size=6), min_size=3, max_size=3),
                min_size=1, max_size=6),
       st.sampled_from([",", ";"]), st.sampled_from(["\n", "\r\n"]), st.sampled_from([csv.QUOTE_MINIMAL,
                                                                                        csv.QUOTE_ALL]),
       st.integers(0, 5), st.integers(0, 3))
def test_cells_read_as_csv_reads_them_and_one_replaced_changes_only_itself(table, sep, end, quoting, r, c):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator=end, quoting=quoting).writerows(table)
    text = buffer.getvalue()
    parsed = parse(text, sep, "x")
    expected = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    assert [[cell.value for cell in row] for row in parsed.rows] == expected
    r = r % len(parsed.rows)
    new = with_cells(parsed, {(r, c): "42"})
    again = list(csv.reader(io.StringIO(new, newline=""), delimiter=sep))
    want = [list(row) for row in expected]
    want[r] += [""] * (c + 1 - len(want[r]))
    want[r][c] = "42"
    assert again == want


@pytest.mark.slow
def test_grading_a_canvas_and_a_moodle_download_then_exporting(capsys, tmp_path):
    """The whole way: an LMS download graded, its totals into the LMS's file, matched by the ids its names carry."""
    grades, _ = graded(canvas_download(tmp_path / "canvas"), tmp_path / "out-canvas")
    code, _, errors = export(capsys, tmp_path / "out-canvas", "--canvas", CANVAS, "--column", "Tensors",
                             "--to", tmp_path / "canvas.csv")
    filled = {row[1]: row[6] for row in rows(tmp_path / "canvas.csv")[3:]}
    assert {s: filled[s] for s in ("1001", "1002", "1003", "1004")} == {s: grades[s]["total"] for s in
                                                                        ("1001", "1002", "1003", "1004")}
    assert code == 1 and "1005" in errors
    assert 'href="feedback/1005.html"' in (tmp_path / "out-canvas" / "report.html").read_text()  # a wrong dtype
    grades, _ = graded(moodle_download(tmp_path / "moodle"), tmp_path / "out-moodle")
    shutil.copy(MOODLE, tmp_path / "worksheet.csv")
    code, printed, errors = export(capsys, tmp_path / "out-moodle", "--moodle", tmp_path / "worksheet.csv",
                                   "--to", tmp_path / "moodle.csv")
    assert code == 0 and not errors, errors
    filled = {row[0]: row[4] for row in rows(tmp_path / "moodle.csv")[1:]}
    assert filled == {"Participant 2001": grades["2001"]["total"], "Participant 2002": grades["2002"]["total"],
                      "Participant 2003": ""}
    assert read_csv(tmp_path / "out-moodle" / "grades.csv").keys() == {"2001", "2002"}
    assert 'href="feedback/2002.html"' in (tmp_path / "out-moodle" / "report.html").read_text()


def test_a_class_of_2000_into_a_gradebook_of_2010(capsys, tmp_path):
    results = [replace(r, student=str(100000 + k)) for k, r in enumerate(synthetic_class(2000))]
    out = write_out(tmp_path / "out", results, feedback=False)
    lines = ["Student,ID,SIS Login ID,Section,Tensors (4101),Current Score", "    Points Possible,,,,70.00,(read only)"]
    lines += [f'"Name{k}, Given",{100000 + k},login{k},S{k % 3},,' for k in range(2010)]
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    code, printed, errors = export(capsys, out, "--canvas", tmp_path / "big.csv", "--column", "Tensors",
                                   "--to", tmp_path / "in.csv")
    assert code == 0 and not errors and "the totals of 2000 of its 2010 students" in printed
    filled = {row[1]: row[4] for row in rows(tmp_path / "in.csv")[2:]}
    assert all(filled[r.student] == f"{r.score:g}" for r in results)
    assert [filled[str(100000 + k)] for k in range(2000, 2010)] == [""] * 10

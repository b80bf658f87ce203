"""LMS bulk downloads as they come (small anonymised fixtures written here): Canvas's flat
folder and its zip, Moodle's folder per student and flat files; renamed files, zipped
folders, notebooks, resubmissions, late markers and files that belong to no one."""
from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.authoring.source import read_solution
from autograder.curriculum import ASSIGNMENTS, SOLUTIONS_DIR
from autograder.intake.layouts import Upload, detect, lms
from autograder.intake.names import file_name
from tests.helpers import run_cli, solution_copy

RIGHT = solution_copy()
WRONG_DTYPE = solution_copy({"tensors.py": [("    return t.dtype\n", "    return str(t.dtype)\n")]})


def notebook(assignment: str) -> str:
    solution = read_solution(SOLUTIONS_DIR, assignment)
    cells = [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": f"imports_{assignment}"}},
              "source": solution.imports, "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": e.name}}, "outputs": [], "execution_count": None,
               "source": "\n".join(l for l in solution.functions[e.name].splitlines() if "### " not in l)}
              for e in solution.exercises]
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def canvas_download(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name, text in RIGHT.items():
        (folder / f"doejane_1001_5001_{name}").write_text(text)
    # resubmitted: Canvas suffixes -1; the earlier file (a wrong answer) is still in the download
    (folder / "roejohn_LATE_1002_5102_tensors-1.py").write_text(RIGHT["tensors.py"])
    (folder / "roejohn_LATE_1002_5002_tensors.py").write_text(WRONG_DTYPE["tensors.py"])
    (folder / "roejohn_LATE_1002_5102_Layers (1).py").write_text(RIGHT["layers.py"])
    (folder / "roejohn_LATE_1002_5102_activations_final.py").write_text(RIGHT["activations.py"])
    with zipfile.ZipFile(folder / "smithann_1003_5003_my work.zip", "w") as archive:  # a zip of the whole folder
        for name, text in RIGHT.items():
            archive.writestr(f"my work/exercises/{name}", text)
    (folder / "leebo_1004_5004_tensors.ipynb").write_text(notebook("tensors"))  # the notebook, not the .py
    (folder / "leebo_1004_5004_notes.txt").write_text("my notes")
    # a student's own file name that carries another student's id is still only theirs
    (folder / "kimsu_1005_5005_roejohn_LATE_1002_5102_tensors.py").write_text(WRONG_DTYPE["tensors.py"])
    (folder / "grades_export.csv").write_text("not a submission")
    return folder


def moodle_download(folder: Path) -> Path:
    folder.mkdir(parents=True)
    mine = folder / "Jane Doe_2001_assignsubmission_file_"
    mine.mkdir()
    for name, text in RIGHT.items():
        (mine / name).write_text(text)
        (folder / f"John Roe_2002_assignsubmission_file_{name}").write_text(WRONG_DTYPE[name])
    return folder


def graded(download: Path, out: Path, *args: str) -> tuple[dict[str, dict[str, str]], str]:
    result = run_cli("grade", str(download), "--out", str(out), "--quiet", *args)
    assert result.returncode == 0, result.stderr
    with (out / "grades.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}, result.stdout


@pytest.mark.parametrize("as_zip", [False, True], ids=["folder", "zip"])
def test_a_canvas_download_is_mapped_to_students_and_files(tmp_path, as_zip):
    download = canvas_download(tmp_path / "canvas")
    if as_zip:
        with zipfile.ZipFile(tmp_path / "submissions.zip", "w") as archive:
            for path in download.iterdir():
                archive.write(path, path.name)
        download = tmp_path / "submissions.zip"
    rows, printed = graded(download, tmp_path / "out")
    assert set(rows) == {"1001", "1002", "1003", "1004", "1005"}
    for student in ("1001", "1002", "1003"):  # renamed, resubmitted and zipped files all found
        assert rows[student]["total"] == rows[student]["max_total"], (student, rows[student])
    assert rows["1004"]["create_tensor"] == "5" and rows["1004"]["create_tensor"] != rows["1004"]["count_parameters"]
    assert rows["1005"]["tensor_dtype"] == "0" and rows["1002"]["tensor_dtype"] == "5"  # never another's file
    assert [s for s, row in rows.items() if row["late"] == "late"] == ["1002"]  # kept, not a penalty
    assert "roejohn_LATE_1002_5102_Layers (1).py -> 1002 (roejohn), layers" in printed
    assert "grades_export.csv: its name does not follow Canvas's naming" in printed
    record = (tmp_path / "out" / "intake.txt").read_text()
    assert "leebo_1004_5004_notes.txt -> 1004 (leebo) [not graded: it is no assignment's file]" in record
    assert ("roejohn_LATE_1002_5002_tensors.py -> 1002 (roejohn), tensors [not graded: "
            "roejohn_LATE_1002_5102_tensors-1.py was]") in record
    feedback = json.loads((tmp_path / "out" / "results" / "1002.json").read_text())["output"]
    assert "tensors: roejohn_LATE_1002_5102_tensors-1.py was graded; not graded: roejohn_LATE_1002_5002_tensors.py" \
        in feedback


def test_a_moodle_download_with_folders_and_flat_files(tmp_path):
    rows, printed = graded(moodle_download(tmp_path / "moodle"), tmp_path / "out")
    assert set(rows) == {"2001", "2002"} and "late" not in rows["2001"]
    assert rows["2001"]["total"] == rows["2001"]["max_total"]
    assert rows["2002"]["tensor_dtype"] == "0" and int(rows["2002"]["total"]) == int(rows["2002"]["max_total"]) - 5
    assert "Moodle download: 6 file(s) of 2 student(s) graded" in printed


def test_layouts_are_detected_and_a_plain_class_stays_plain(tmp_path):
    assert detect(canvas_download(tmp_path / "c"), list(ASSIGNMENTS)) == "canvas"
    assert detect(moodle_download(tmp_path / "m"), list(ASSIGNMENTS)) == "moodle"
    plain = tmp_path / "plain" / "ada"
    plain.mkdir(parents=True)
    (plain / "tensors.py").write_text(RIGHT["tensors.py"])
    assert detect(tmp_path / "plain", list(ASSIGNMENTS)) == "folders"


@pytest.mark.parametrize("name, assignment, resubmission", [
    ("tensors.py", "tensors", 0), ("Tensors.py", "tensors", 0), ("tensors (1).py", "tensors", 1),
    ("tensors-2.py", "tensors", 2), ("tensors_final.py", "tensors", 0), ("LAYERS v2.py", "layers", 0),
    ("activations.ipynb", "activations", 0), ("notes.txt", None, 0), ("tensors.py.bak", None, 0),
    ("my_tensors.py", None, 0),
])
def test_file_names_students_give(name, assignment, resubmission):
    read = file_name(name, tuple(ASSIGNMENTS))
    assert (read.assignment, read.copy) == (assignment, resubmission if assignment else 0)


ids = st.integers(1000, 1099).map(str)
originals = st.sampled_from(["tensors.py", "layers.py", "Tensors (1).py", "notes.txt", "activations-1.py"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ann", "bo", "cy"]), ids, st.integers(1, 9), st.booleans(), originals),
                max_size=12))
def test_a_file_is_placed_only_with_the_student_whose_id_its_name_carries(tmp_path_factory, entries):
    folder = tmp_path_factory.mktemp("canvas")
    for name, user, submission, late, original in entries:
        (folder / f"{name}_{'LATE_' if late else ''}{user}_{submission}_{original}").write_text("x")
    for upload in lms(folder, "canvas"):
        if isinstance(upload, Upload):
            for member in upload.members:
                assert member.label.replace("LATE_", "").split("_")[1] == upload.student


def test_a_hostile_download_places_no_file_with_another_student(tmp_path):
    """Member names that try to pass as another student's file, or to break the reading:
    each is named as not placed, and every other file still goes where it belongs."""
    download = tmp_path / "canvas.zip"
    with zipfile.ZipFile(download, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in RIGHT.items():
            archive.writestr(f"victimvic_1001_5001_{name}", text)
        archive.writestr("evileve_1002_5002_x\\victimvic_1001_99999_tensors.py", WRONG_DTYPE["tensors.py"])
        archive.writestr("evileve_1002_5002_" + "a" * 240 + ".py", "x = 1")  # too long a name for the disk
        archive.writestr("bigbob_1004_5004_tensors.ipynb", b"\0" * (21 << 20))  # over the notebook bound
        archive.writestr("doejane_1003_5003_data.zip", _zip_of({"data.csv": "1,2"}))  # an extra zip
        for name, text in RIGHT.items():
            archive.writestr(f"doejane_1003_5003_{name}", text)
    rows, printed = graded(download, tmp_path / "out")
    assert rows["1001"]["total"] == rows["1001"]["max_total"]  # not graded on Eve's file
    assert rows["1003"]["total"] == rows["1003"]["max_total"]  # the extra zip holds no assignment file
    told = {s: json.loads((tmp_path / "out" / "results" / f"{s}.json").read_text())["output"] for s in rows}
    assert "a backslash in its name" in told["1002"]
    assert "larger than 20 MB" in told["1004"]
    assert "its name is longer than 255 characters" in printed
    record = (tmp_path / "out" / "intake.txt").read_text()
    assert "doejane_1003_5003_data.zip -> 1003 (doejane) [not graded: it is no assignment's file]" in record


def test_a_moodle_name_carrying_two_ids_is_placed_with_neither(tmp_path):
    download = moodle_download(tmp_path / "moodle")
    forged = download / "Eve_2001_assignsubmission_file__2002_assignsubmission_file_"
    forged.mkdir()
    (forged / "tensors-9.py").write_text(WRONG_DTYPE["tensors.py"])
    rows, printed = graded(download, tmp_path / "out")
    assert rows["2001"]["total"] == rows["2001"]["max_total"]
    assert "carries more than one participant id" in printed


def _zip_of(files: dict[str, str]) -> bytes:
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_a_download_of_one_assignment_is_graded_on_that_assignment(tmp_path):
    rows, printed = graded(moodle_download(tmp_path / "moodle"), tmp_path / "out", "--assignment", "tensors")
    assert set(rows["2001"]) == {"student", "create_tensor", "tensor_dtype", "tensor_shape", "count_elements",
                                 "linear_transform", "total", "max_total"}
    assert rows["2001"]["total"] == rows["2001"]["max_total"] == "25"
    assert rows["2002"]["total"] == "20"

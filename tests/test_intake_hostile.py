"""A hostile (or unlucky) gallery of uploads, one test per case of issue 20, and the
proof that every parser of student names and text runs in linear time.

Linear time is shown two ways: pathological inputs (runs of digits, spaces, separators,
nested brackets, long names) drawn by hypothesis finish within a stated bound, and
doubling an input's size at most about doubles its cost (best of several timings, with
a generous factor for a noisy machine: a quadratic parser fails it by far).
"""
from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograder.intake.layouts as layouts
from autograder.curriculum import ASSIGNMENTS, load_manifest
from autograder.errors import UsageError
from autograder.intake import read_class
from autograder.intake.cells import python_of
from autograder.intake.names import _undecorated, canvas_name, file_name, moodle_name
from autograder.intake.text import declared_encoding, decode_source
from autograder.untrusted import StudentInputError
from tests.helpers import FULL_MARKS, ROOT, marks, read_csv, run_cli, solution_copy, write_student
from tests.test_lms import notebook

EXERCISES = load_manifest()
NAMES = tuple(ASSIGNMENTS)
RIGHT = solution_copy()
#: CPU seconds any one parse of a student's name or line may take, whatever it holds
BOUND = 0.05


def _best(parse, text, repeat: int = 5) -> float:
    """The least CPU time of ``repeat`` parses: the process's own time, so that other
    processes on a loaded machine do not count."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        parse(text)
        best = min(best, time.process_time() - start)
    return best


def repeated(unit: str, size: int) -> str:
    """``unit`` repeated to about ``size`` characters, in whole units (so that an input and
    its double end the same way, and a parser does the same work on each)."""
    return unit * max(1, size // len(unit))


def assert_linear(parse, make, size: int) -> None:
    """Doubling the input at most about doubles the cost (a factor 3, and a floor for
    timings too small to compare); measured up to three times, as one noisy pair of
    timings says nothing (a quadratic parser fails every time, by far)."""
    pairs = []
    for _ in range(3):
        small, large = _best(parse, make(size)), _best(parse, make(2 * size))
        if large <= 3 * small + 0.005:
            return
        pairs.append((small, large))
    raise AssertionError((make(8)[:40], pairs))


#: runs that make backtracking patterns explode: digits, spaces, separators, brackets, words
pieces = st.sampled_from(["1", "9", " ", "_", "-", "(", ")", "(1)", "final", "v", "v2", "copy", ".", "=", "!",
                          "%", "?", "[", "]", ",", "#", "coding", ":", "\t", "x", "é"])
pathological = st.lists(pieces, min_size=1, max_size=8).map("".join)
fast = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(pathological, st.sampled_from([".py", ".ipynb", "x.py", ""]))
def test_names_parse_in_linear_time_whatever_they_hold(unit, suffix):
    for parse, make in [(lambda s: file_name(s, NAMES), lambda n: repeated(unit, n) + suffix),
                        (_undecorated, lambda n: "tensors" + repeated(unit, n)),
                        (canvas_name, lambda n: "a_" + repeated(unit, n) + "_1_2_tensors.py"),
                        (moodle_name, lambda n: repeated(unit, n) + "_12_assignsubmission_file_x")]:
        assert _best(parse, make(5_000), 1) < BOUND
        assert_linear(parse, make, 5_000)


@fast
@given(pathological)
def test_notebook_lines_and_coding_lines_parse_in_linear_time(unit):
    assert _best(python_of, repeated(unit, 100_000), 1) < 1.0  # a cell at its bound
    assert_linear(python_of, lambda n: repeated(unit, n), 50_000)
    assert_linear(lambda s: declared_encoding(s.encode()), lambda n: "# " + repeated(unit, n) + "\nx = 1\n", 50_000)


def test_the_file_name_that_stalled_a_class_costs_nothing():
    """24 digits and ``x.py`` cost 3 s, 28 digits 40 s: a nested quantifier."""
    for digits in (24, 28, 40, 200):
        start = time.perf_counter()
        assert file_name("1" * digits + "x.py", NAMES).assignment is None
        assert time.perf_counter() - start < BOUND


def test_a_cell_of_spaces_costs_milliseconds():
    """100 kB of spaces took 81 s: ``\\s*`` overlapping a class with a space."""
    start = time.perf_counter()
    python_of(" " * 100_000 + "\n" + "x " * 50_000 + "= !ls")
    assert time.perf_counter() - start < 1.0


def test_a_coding_line_naming_a_slow_codec_is_that_files_error():
    """``# coding: punycode`` made Python's pure-Python codec decode 1 MB for 150 s."""
    raw = b"# coding: punycode\n" + b"a" * 900_000
    start = time.perf_counter()
    with pytest.raises(StudentInputError, match="declares the encoding 'punycode', which the grader does not read"):
        decode_source(raw, "tensors.py")
    assert time.perf_counter() - start < BOUND
    assert decode_source("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"), "t.py").endswith("x = 'é'\n")
    assert decode_source(b"\xef\xbb\xbfx = 1\n", "t.py") == "x = 1\n"
    with pytest.raises(StudentInputError, match="not valid utf-8"):
        decode_source(b"x = '\xff'\n", "t.py")


def test_one_stray_notebook_does_not_change_how_a_class_is_read(tmp_path):
    for student in ("ada", "ben", "cy"):
        write_student(tmp_path / "class" / student / "exercises", RIGHT)
    (tmp_path / "class" / "ben" / "exercises" / "scratch.ipynb").write_text(notebook("tensors"))
    (tmp_path / "class" / "cy" / "tensors").mkdir()  # a folder named like an assignment
    (tmp_path / "class" / "cy" / "tensors" / "tensors.ipynb").write_text(notebook("tensors"))
    assert layouts.detect(tmp_path / "class", list(NAMES)) == "folders"
    result = run_cli("grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    assert {s: r["total"] for s, r in read_csv(tmp_path / "out" / "grades.csv").items()} == \
        {"ada": marks(FULL_MARKS), "ben": marks(FULL_MARKS), "cy": marks(FULL_MARKS)}
    told = json.loads((tmp_path / "out" / "results" / "cy.json").read_text())["output"]
    assert "tensors: cy/exercises/tensors.py was graded; not graded: cy/tensors/tensors.ipynb" in told


def test_more_entries_than_the_old_cut_lose_nobody_and_past_the_bound_refuse(tmp_path, monkeypatch):
    """The first 20,000 entries were kept, silently: two students sorting later vanished."""
    download = tmp_path / "canvas"
    download.mkdir()
    for i in range(20_010):
        (download / f"stray{i:05d}.txt").touch()
    for name, text in RIGHT.items():
        (download / f"zed_9001_1_{name}").write_text(text)
        (download / f"zoe_9002_1_{name}").write_text(text)
    intake = read_class(download, EXERCISES, layout="canvas")
    assert [s.student for s in intake.submissions] == ["9001", "9002"]
    assert all(len(s.files) == 3 for s in intake.submissions)
    assert len(intake.ignored) == 20_010 and "stray20009.txt" in intake.record_text()
    monkeypatch.setattr(layouts, "MAX_CLASS_ENTRIES", 1_000)
    with pytest.raises(UsageError, match="more than 1,000 entries, the most one run reads; nobody was graded"):
        read_class(download, EXERCISES, layout="canvas")


def _zip(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_students_zip_of_many_entries_is_refused_from_its_end_record(tmp_path):
    """A 17 MB zip of 200,000 entries cost 126 MB in the trusted process."""
    many = _zip({f"junk/{i}": b"" for i in range(30_000)} | {"hw1/tensors.py": RIGHT["tensors.py"]})
    download = tmp_path / "canvas"
    download.mkdir()
    (download / "ann_1_1_work.zip").write_bytes(many)
    (download / "bob_2_1_tensors.py").write_text(RIGHT["tensors.py"])
    start = time.perf_counter()
    intake = read_class(download, EXERCISES, layout="canvas", assignment="tensors")
    assert time.perf_counter() - start < 1.0
    ann, bob = intake.submissions
    assert not ann.files and "holds more than 1,000 entries and was not graded" in ann.problems[0]
    assert bob.files


SHAPES = {  # one upload, in every shape a student may hand it in
    "deep": {"hw1/tensors.py": RIGHT["tensors.py"]},
    "notebook": {"tensors.ipynb": notebook("tensors")},
    "stub_and_notebook": {"tensors.py": (ROOT / "exercises" / "tensors.py").read_text(),
                          "tensors.ipynb": notebook("tensors")},
    "renamed_notebook": {"homework/My answers.ipynb": notebook("tensors")},
}


def _write_tree(folder: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text)


def _by_path(tmp_path: Path, files: dict[str, str]) -> dict[str, dict[str, str]]:
    """The files the intake grades for one upload, as a folder, a zip, in a Canvas
    download (a flat file or the student's zip, folder and zip) and on Gradescope."""
    got = {}
    _write_tree(tmp_path / "folders" / "ada", files)
    (tmp_path / "folders" / "ben.zip").write_bytes(_zip(files))
    for sub in read_class(tmp_path / "folders", EXERCISES, assignment="tensors").submissions:
        got[sub.student] = sub.files
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    (canvas / "cy_3_1_work.zip").write_bytes(_zip(files))
    if len(files) == 1 and "/" not in next(iter(files)):
        (canvas / f"dee_4_1_{next(iter(files))}").write_text(next(iter(files.values())))
    for sub in read_class(canvas, EXERCISES, layout="canvas", assignment="tensors").submissions:
        got[sub.student] = sub.files
    _write_tree(tmp_path / "gradescope", files)
    [sub] = read_class(tmp_path / "gradescope", EXERCISES, layout="gradescope", assignment="tensors").submissions
    got["gradescope"] = sub.files
    return got


@pytest.mark.parametrize("shape", SHAPES)
def test_the_same_upload_gives_the_same_files_on_every_path(tmp_path, shape):
    got = _by_path(tmp_path, SHAPES[shape])
    first = next(iter(got.values()))
    assert first.get("tensors.py"), (shape, got)
    assert all(files == first for files in got.values()), {k: sorted(v) for k, v in got.items()}
    if shape != "deep":  # a notebook is graded as a notebook, the stub beside it is not
        assert first["tensors.py"].startswith("# Generated from a submitted notebook")


@pytest.mark.slow
def test_the_same_upload_gets_the_same_score_as_a_folder_a_zip_and_a_canvas_download(tmp_path):
    classes = tmp_path / "class"
    for shape, files in SHAPES.items():
        _write_tree(classes / shape, files)
        (classes / f"{shape}_z.zip").write_bytes(_zip(files))
    result = run_cli("grade", str(classes), "--out", str(tmp_path / "out"), "--assignment", "tensors", "--quiet")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert {s: r["total"] for s, r in rows.items()} == {s: "25" for s in rows} and len(rows) == 2 * len(SHAPES)
    told = json.loads((tmp_path / "out" / "results" / "stub_and_notebook.json").read_text())["output"]
    assert "tensors: stub_and_notebook/tensors.ipynb was graded; not graded: stub_and_notebook/tensors.py" in told

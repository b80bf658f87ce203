"""The upload side of the trust boundary: any bytes a student uploads cost that student at most.

Arbitrary, truncated and type-confused zips and notebooks are thrown at the discovery
functions in this process. Whatever comes in, no exception but ``UsageError`` (for a
whole-folder problem) leaves them, every student appears once with files or a reason,
each reason is safe text, and no upload takes long. Then one test per finding of
issue 12, and the whole command on a class with damaged bounds.
"""
from __future__ import annotations

import csv
import io
import json
import re
import struct
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.curriculum import load_manifest
from autograder.errors import UsageError
from autograder.intake import bounds, read_class
from autograder.intake.names import student_id
from autograder.intake.notebooks import notebook_to_module as module_of_cells, parse_notebook
from autograder.untrusted import StudentInputError
from tests.helpers import run_cli, solution_copy, write_student

EXERCISES = load_manifest()
WANTED = sorted({e.relpath for e in EXERCISES})
ASSIGNMENT = "tensors"
TENSORS = [e.name for e in EXERCISES if e.assignment == ASSIGNMENT]
#: what a reason may hold: no control characters but newline and tab, no lone
#: surrogates, no bidirectional or zero-width controls (see autograder.untrusted)
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
#: seconds one upload may cost discovery (the largest measured is well under a second)
SECONDS_PER_SUBMISSION = 2.0

def discover(root, exercises, out=None, *, skipped):
    """The intake of a class of folders and zips: its submissions; ``skipped`` gets the
    entries that may be a student's and got no grade."""
    intake = read_class(root, exercises, layout="folders", out=out)
    skipped.extend(intake.not_graded)
    return intake.submissions


def discover_notebooks(root, exercises, assignment, *, skipped):
    intake = read_class(root, exercises, layout="nbgrader", assignment=assignment)
    skipped.extend(intake.not_graded)
    return intake.submissions


def notebook_to_module(raw, assignment, exercises, problems):
    where = f"{assignment}.ipynb"
    try:
        cells = parse_notebook(raw, where)
    except StudentInputError as err:
        problems.append(err.message)
        return None
    made = module_of_cells(cells, where, assignment, exercises, problems)
    return None if made is None else made[0]


def is_id(name: str) -> bool:
    try:
        return student_id(name) == name
    except StudentInputError:
        return False


fuzz = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_safe(text: str) -> None:
    assert isinstance(text, str)
    text.encode("utf-8")
    assert not UNSAFE.search(text), repr(text)


def assert_class(subs, skipped, students) -> None:
    """Every student once, in order, with files or a reason; every text safe; nothing
    the readers did not foresee (the catch-all's reason)."""
    assert [s.student for s in subs] == sorted(students)
    for sub in subs:
        assert sub.files or sub.problems, sub
        for problem in sub.problems:
            assert_safe(problem)
            assert "fault of the grader" not in problem, problem
        for rel, text in sub.files.items():
            assert len(text.encode("utf-8")) <= bounds.MAX_FILE_BYTES
        sub.digest  # noqa: B018 - must not raise (text that is not UTF-8 would)
    for reason in skipped:
        assert_safe(reason)


def discover_zip(raw: bytes, name: str = "ada.zip"):
    """Discovery of a class of one zip and an honest folder, in a fresh folder: the zip's
    student's submission (the honest one is read whatever the zip holds)."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / name).write_bytes(raw)
        write_student(root / "honest", solution_copy())
        skipped: list[str] = []
        start = time.monotonic()
        subs = discover(root, EXERCISES, skipped=skipped)
        assert time.monotonic() - start < SECONDS_PER_SUBMISSION
    assert_class(subs, skipped, {Path(name).stem, "honest"})
    by_id = {s.student: s for s in subs}
    assert by_id["honest"].files == solution_copy()
    return by_id[Path(name).stem]


def make_zip(members: list[tuple[str, bytes]], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names
        with zipfile.ZipFile(buf, "w", method) as z:
            for name, data in members:
                z.writestr(name, data)
    return buf.getvalue()


HONEST_ZIP = make_zip([(f"exercises/{n}", t.encode()) for n, t in solution_copy().items()])


def header_positions(raw: bytes) -> list[int]:
    """Offsets of the bytes of a zip that are not compressed data: headers, names, the
    directory. Mutating these (sizes, offsets, methods, flags) is what reaches the
    decompressors with lies; random offsets mostly land in the data."""
    data = set()
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        for info in z.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            data.update(range(start, start + info.compress_size))
    return [i for i in range(len(raw)) if i not in data]


HEADERS = header_positions(HONEST_ZIP)


# -- zips --------------------------------------------------------------------------------

@fuzz
@given(st.data())
def test_a_valid_zip_with_mutated_or_truncated_bytes_costs_only_its_student(data):
    raw = bytearray(HONEST_ZIP)
    for _ in range(data.draw(st.integers(0, 8))):
        at = data.draw(st.sampled_from(HEADERS) | st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(0, len(raw)))
    discover_zip(bytes(raw[:cut] if data.draw(st.booleans()) else raw))


@fuzz
@given(st.binary(max_size=4000) | st.binary(max_size=400).map(lambda b: b"PK\x03\x04" + b)
       | st.binary(max_size=400).map(lambda b: b + b"PK\x05\x06" + bytes(18)))
def test_random_bytes_named_zip_cost_only_their_student(raw):
    discover_zip(raw)


ODD_NAMES = ["../tensors.py", "../../exercises/tensors.py", "/exercises/tensors.py", "/etc/passwd", "exercises/",
             "exercises/tensors.py", "tensors.py", "a/exercises/layers.py", "exercises/tensors.py\n", "a\nb\x1b[2J",
             "exercises\\tensors.py", "C:/exercises/tensors.py", "exercises/tensors.py/", "\u202eyp.srosnet"]


@fuzz
@given(st.lists(st.tuples(st.sampled_from(ODD_NAMES) | st.text(min_size=1, max_size=30).filter(lambda s: s[0] != "\0"),
                          st.binary(max_size=200) | st.sampled_from([b"def f():\n    return 1\n", "é\u2028\x00".encode()])),
                max_size=12),
       st.lists(st.binary(min_size=1, max_size=12), max_size=3),
       st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
def test_zips_with_odd_duplicate_and_undecodable_names_cost_only_their_student(members, raw_names, method):
    # names zipfile would not write (invalid UTF-8, any bytes): written as placeholders of
    # the same length, then replaced in the local headers and the directory
    placeholders = [(bytes([0x10 + i]) * len(name), name) for i, name in enumerate(raw_names)]
    raw = make_zip(members + [(p.decode(), b"x = 1\n") for p, _ in placeholders], method)
    for placeholder, name in placeholders:
        raw = raw.replace(placeholder, name)
    discover_zip(raw)


def set_flag(raw: bytes, bit: int) -> bytes:
    """``raw`` (a zip of one member) with a general purpose flag set in the member's local
    header and directory entry (zipfile writes its own flags)."""
    raw = bytearray(raw)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(signature) + offset
        raw[at: at + 2] = struct.pack("<H", struct.unpack("<H", raw[at: at + 2])[0] | bit)
    return bytes(raw)


def test_a_member_name_with_invalid_utf8_under_the_utf8_flag_is_a_reason():
    raw = set_flag(make_zip([("exercises/tensors.XX", b"x = 1\n")]), 0x800)  # names are UTF-8
    sub = discover_zip(raw.replace(b"XX", b"\xff\xfe"))
    assert any("not a readable zip file (UnicodeDecodeError" in p for p in sub.problems), sub.problems


def test_a_zip_with_thousands_of_entries_is_refused_quickly():
    many = make_zip([(f"junk/{i}", b"") for i in range(bounds.MAX_ARCHIVE_ENTRIES + 1)]
                    + [(f"exercises/{n}", t.encode()) for n, t in solution_copy().items()])
    sub = discover_zip(many)
    assert not sub.files and f"more than {bounds.MAX_ARCHIVE_ENTRIES:,}" in sub.problems[0]
    fewer = make_zip([(f"junk/{i}", b"") for i in range(bounds.MAX_ARCHIVE_ENTRIES - 10)]
                     + [(f"exercises/{n}", t.encode()) for n, t in solution_copy().items()])
    assert discover_zip(fewer).files == solution_copy()


def test_zip_bombs_cost_little_time_and_memory():
    # deflate: 50 MB of zeros as tensors.py, declared or not
    zeros = b"\0" * 50_000_000
    bomb = make_zip([("exercises/tensors.py", zeros), ("exercises/layers.py", b"x = 1\n")])
    sub = discover_zip(bomb)
    assert "exercises/tensors.py is larger than 1 MB" in " ".join(sub.problems) and "layers.py" in sub.files
    # the same member declaring 100 bytes in its headers: only 100 are read, and they fail the CRC
    size = struct.pack("<I", len(zeros))
    lying = bomb.replace(size, struct.pack("<I", 100))
    assert lying != bomb
    sub = discover_zip(lying)
    assert "tensors.py" not in sub.files and "layers.py" in sub.files
    # bzip2, which zipfile decompresses with no bound on the output: never opened
    bz = make_zip([("exercises/tensors.py", zeros[:900_000])], zipfile.ZIP_BZIP2)
    start = time.monotonic()
    sub = discover_zip(bz)
    assert time.monotonic() - start < 0.5
    assert "method the grader does not read" in sub.problems[0]


def test_an_archive_over_its_size_bound_is_not_opened(tmp_path):
    big = make_zip([("exercises/tensors.py", b"x = 1\n"), ("data.bin", bytes(range(256)) * 100_000)],
                   zipfile.ZIP_STORED)
    assert len(big) > bounds.MAX_ARCHIVE_BYTES
    sub = discover_zip(big)
    assert not sub.files and "ada.zip is larger than 25 MB" in sub.problems[0]


def test_the_total_read_from_one_submission_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(bounds, "MAX_READ_BYTES", 1000)
    (tmp_path / "ada.zip").write_bytes(HONEST_ZIP)
    write_student(tmp_path / "ben", solution_copy())
    for sub in discover(tmp_path, EXERCISES, skipped=[]):
        assert sum(len(t.encode()) for t in sub.files.values()) <= 1000
        assert any("of files to read in all" in p for p in sub.problems)


def test_encrypted_members_get_a_reason():
    sub = discover_zip(set_flag(make_zip([("exercises/tensors.py", b"x = 1\n")], zipfile.ZIP_STORED), 0x1))
    assert "encrypted" in sub.problems[0]


# -- one test per finding of issue 12 (each fails on the code before it) -----------------------

def corrupt_zip() -> bytes:
    """An honest zip whose compressed data for tensors.py is damaged (a bad sector, a cut download)."""
    raw = bytearray(HONEST_ZIP)
    at = raw.find(b"exercises/tensors.py") + len(b"exercises/tensors.py") + 8
    for k in range(at, at + 40):
        raw[k] ^= 0x55
    return bytes(raw)


def test_a_zip_with_corrupt_compressed_data_costs_only_that_file(tmp_path):
    (tmp_path / "ada.zip").write_bytes(corrupt_zip())
    write_student(tmp_path / "ben", solution_copy())
    skipped: list[str] = []
    ada, ben = discover(tmp_path, EXERCISES, skipped=skipped)
    assert "tensors.py" not in ada.files and set(ada.files) == set(WANTED) - {"tensors.py"}
    assert "exercises/tensors.py is damaged in the zip (zlib.error" in ada.problems[0]
    assert ben.files == solution_copy() and not skipped


def answer(source, metadata=None) -> dict:
    return {"cell_type": "code", "metadata": metadata if metadata is not None else {"nbgrader": {"grade_id": "create_tensor"}},
            "source": source}



def test_a_file_over_its_size_bound_in_a_folder_is_a_reason(tmp_path):
    write_student(tmp_path / "ada", {**solution_copy(), "layers.py": "#" * (bounds.MAX_FILE_BYTES + 1)})
    [ada] = discover(tmp_path, EXERCISES, skipped=[])
    assert "layers.py" not in ada.files and "ada/layers.py is larger than 1 MB" in ada.problems[0]


@pytest.mark.parametrize("name", ["ada\n", "bad name", "\udcff", "x" * 101, "a\x1b[2J"])
def test_a_name_that_is_no_student_id_is_skipped_and_the_others_are_read(tmp_path, name):
    write_student(tmp_path / name, solution_copy())
    (tmp_path / f"{name}.zip").write_bytes(HONEST_ZIP)
    write_student(tmp_path / "ben", solution_copy())
    skipped: list[str] = []
    [ben] = discover(tmp_path, EXERCISES, skipped=skipped)
    assert ben.student == "ben" and ben.files == solution_copy()
    assert len(skipped) == 2 and all("does not name a student" in s for s in skipped)
    for reason in skipped:
        assert_safe(reason)


def test_a_nbgrader_folder_with_a_trailing_newline_is_skipped(tmp_path):
    (tmp_path / "ada\n" / ASSIGNMENT).mkdir(parents=True)
    (tmp_path / "ben" / ASSIGNMENT).mkdir(parents=True)
    skipped: list[str] = []
    [ben] = discover_notebooks(tmp_path, EXERCISES, ASSIGNMENT, skipped=skipped)
    assert ben.student == "ben"
    assert skipped[0].startswith('ada\\x0a: "ada\\x0a" does not name a student') and "\n" not in skipped[0]


def test_a_student_with_both_a_folder_and_a_zip_is_skipped_and_the_others_are_read(tmp_path):
    write_student(tmp_path / "ada", solution_copy())
    (tmp_path / "ada.zip").write_bytes(HONEST_ZIP)
    write_student(tmp_path / "ben", solution_copy())
    skipped: list[str] = []
    assert [s.student for s in discover(tmp_path, EXERCISES, skipped=skipped)] == ["ben"]
    assert skipped == ["ada: the student ada has both a folder and a zip; keep one",
                       "ada.zip: the student ada has both a folder and a zip; keep one"]


def test_odd_entries_at_the_top_cost_only_themselves(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")  # a link that leads to itself
    (tmp_path / "loop.zip").symlink_to(tmp_path / "loop.zip")
    (tmp_path / "linked").symlink_to(Path(__file__).resolve().parent.parent / "solutions")
    write_student(tmp_path / "ben", solution_copy())
    skipped: list[str] = []
    subs = {s.student: s for s in discover(tmp_path, EXERCISES, tmp_path / "loop", skipped=skipped)}
    assert set(subs) == {"ben", "linked", "loop"} and not skipped
    assert not subs["linked"].files and "is a link" in subs["linked"].problems[0]


def test_a_class_with_only_bad_names_is_one_clear_error(tmp_path):
    write_student(tmp_path / "bad name", solution_copy())
    with pytest.raises(UsageError, match="holds no submissions that can be graded"):
        discover(tmp_path, EXERCISES, skipped=[])


# -- the whole command -------------------------------------------------------------------------

def read_grades(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_a_damaged_class_grades_everyone_else_and_names_what_it_skipped(tmp_path):
    subs = tmp_path / "subs"
    write_student(subs / "honest", solution_copy())
    (subs / "corrupt.zip").write_bytes(corrupt_zip())
    (subs / "garbage.zip").write_bytes(b"PK\x03\x04 not really a zip")
    write_student(subs / "bad name", solution_copy())
    result = run_cli("grade", str(subs), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Not graded: 1 entry" in result.stdout and "bad name: " in result.stdout
    rows = read_grades(tmp_path / "out")
    assert set(rows) == {"honest", "corrupt", "garbage"}
    assert rows["honest"]["total"] == rows["honest"]["max_total"] != "0"
    assert rows["garbage"]["total"] == "0" and rows["corrupt"]["tensor_dtype"] == "0"

    def output(student):
        return json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text())["output"]

    assert "is damaged in the zip" in output("corrupt") and "not a readable zip file" in output("garbage")
    # the exit status was for the skipped entry alone
    (subs / "bad name" / "tensors.py").unlink()
    for name in ("layers.py", "activations.py"):
        (subs / "bad name" / name).unlink()
    (subs / "bad name").rmdir()
    again = run_cli("grade", str(subs), "--out", str(tmp_path / "out"), "--quiet")
    assert again.returncode == 0 and "Not graded" not in again.stdout, again.stdout + again.stderr


def test_a_damaged_nbgrader_class_grades_everyone_else(tmp_path):
    from autograder.authoring.source import parse_solution

    subs = tmp_path / "submitted"
    solution = parse_solution(solution_copy()[f"{ASSIGNMENT}.py"], f"{ASSIGNMENT}.py", ASSIGNMENT)
    imports, functions = solution.imports, solution.functions
    good = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Tensors"},
                      answer(imports, {"nbgrader": {"grade_id": f"imports_{ASSIGNMENT}"}})]
                     + [answer(functions[name], {"nbgrader": {"grade_id": name}}) for name in TENSORS],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5}

    def put(student, nb):
        folder = subs / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(nb if isinstance(nb, str) else json.dumps(nb))

    put("honest", good)
    damaged = json.loads(json.dumps(good))
    for cell in damaged["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "create_tensor":
            cell["source"] = ["def create_tensor(data):\n", 7]
        elif cell["cell_type"] == "markdown":
            cell["metadata"] = ["not", "a", "dict"]
    put("damaged", damaged)
    put("deep", "[" * 100_000)
    put("bad name", good)
    result = run_cli("grade", str(subs), "--assignment", ASSIGNMENT, "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert "bad name: " in result.stdout
    rows = read_grades(tmp_path / "out")
    assert set(rows) == {"honest", "damaged", "deep"}
    assert rows["honest"]["total"] == rows["honest"]["max_total"] != "0"
    assert rows["damaged"]["create_tensor"] == "0" and rows["damaged"]["tensor_dtype"] != "0"
    assert rows["deep"]["total"] == "0"

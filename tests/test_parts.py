"""Which part a student is in, ``--part K/N`` as typed, and part records that cannot be trusted."""
from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.cli import main
from autograder.errors import UsageError
from autograder.grading.parts import PART_FILE, PartError, parse_part, part_of, read_part

IDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_.@+-", min_size=1, max_size=40)


def test_a_students_part_is_the_sha256_of_their_id_modulo_the_count():
    digest = hashlib.sha256(b"ada").digest()
    assert part_of("ada", 7) == int.from_bytes(digest[:8], "big") % 7 + 1
    # fixed for ever: machines and versions that grade parts of one class must agree
    assert [part_of(s, 3) for s in ("ada", "ben", "cleo", "hana")] == [3, 3, 2, 1]


@given(st.lists(IDS, min_size=1, max_size=50, unique=True), IDS, st.integers(1, 500))
def test_adding_students_moves_nobody(students, newcomer, count):
    before = {s: part_of(s, count) for s in students}
    after = {s: part_of(s, count) for s in [*students, newcomer]}
    assert all(after[s] == before[s] for s in students) and all(1 <= k <= count for k in after.values())


def test_parts_spread_a_class_evenly():
    counts = [0] * 8
    for i in range(8000):
        counts[part_of(f"student{i}", 8) - 1] += 1
    assert min(counts) > 900 and max(counts) < 1100, counts


@pytest.mark.parametrize("text, said", [("0/3", "numbered from 1 to 3"), ("4/3", "numbered from 1 to 3"),
                                        ("1/0", "from 1 to 100,000"), ("3", "write the part as K/N"),
                                        ("1/3/4", "K/N"), ("-1/3", "K/N"), ("١/٣", "K/N"), ("", "K/N"),
                                        ("1/1000001", "K/N")])
def test_a_part_typed_wrong_says_how_to_write_it(text, said, tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), f"--part={text}"]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


@given(st.text(max_size=30))
def test_parse_part_raises_only_usage_errors(text):
    try:
        part = parse_part(text)
    except UsageError:
        return
    assert 1 <= part.number <= part.count


def test_parts_cannot_write_a_gradebook(tmp_path, capsys):
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "o"), "--part", "1/2", "--gradebook",
                 str(tmp_path)]) == 2
    assert "--gradebook takes a whole class" in capsys.readouterr().err


def test_merge_refuses_a_folder_that_is_no_part_and_a_part_as_its_output(tmp_path, capsys):
    assert main(["merge", str(tmp_path / "nowhere"), "--out", str(tmp_path / "m")]) == 2
    assert "is not a folder" in capsys.readouterr().err
    (tmp_path / "p").mkdir()
    assert main(["merge", str(tmp_path / "p"), "--out", str(tmp_path / "p")]) == 2
    assert "is one of the parts" in capsys.readouterr().err
    (tmp_path / "p" / PART_FILE).write_text("{")
    assert main(["merge", str(tmp_path / "p"), "--out", str(tmp_path / "m")]) == 2
    assert f"{tmp_path / 'p' / PART_FILE} cannot be read" in capsys.readouterr().err


VALUES = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.floats() | st.text(max_size=5),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                  max_size=4), max_leaves=12)
GOOD = {"format": 1, "part": [1, 2], "grader": {"course": "c", "code": "x", "checks": "y", "timeout": 3.0,
                                                "memory_mb": 2048, "assignments": ["tensors"], "layout": "folders"},
        "class": "d", "counts": [1, 0], "students": ["ada"], "record": [[0, "ada/tensors.py -> ada, tensors"]],
        "columns": None, "not_graded": [], "graded_now": 1}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(sorted(GOOD)), VALUES)
def test_a_damaged_part_record_is_refused_naming_the_file(tmp_path_factory, key, value):
    folder = tmp_path_factory.mktemp("part")
    (folder / PART_FILE).write_text(json.dumps({**GOOD, key: value}))
    try:
        record = read_part(folder)
    except PartError as err:
        assert str(folder / PART_FILE) in str(err)
        return
    assert record.part.number <= record.part.count and all(isinstance(s, str) for s in record.students)


def test_a_student_id_in_a_part_record_cannot_name_a_path(tmp_path):
    (tmp_path / PART_FILE).write_text(json.dumps({**GOOD, "students": ["../../etc/passwd"]}))
    with pytest.raises(PartError, match="not a part record"):
        read_part(tmp_path)


def test_shard_is_the_same_option_as_part(tmp_path, capsys):
    """``--shard K/N`` (the issue's and other graders' name) is read as ``--part K/N``."""
    assert main(["grade", str(tmp_path), "--out", str(tmp_path / "out"), "--shard=3"]) == 2
    assert "write the part as K/N" in capsys.readouterr().err


@pytest.mark.parametrize("plant", ["fifo", "link"])
def test_a_part_record_that_is_a_fifo_or_a_link_is_refused_not_read(tmp_path, plant):
    """Read like a results file: no link followed, no FIFO waited on (the merge would hang)."""
    import os

    folder = tmp_path / "p"
    folder.mkdir()
    if plant == "fifo":
        os.mkfifo(folder / PART_FILE)
    else:
        (tmp_path / "elsewhere.json").write_text(json.dumps(GOOD))
        (folder / PART_FILE).symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(PartError, match="cannot be read"):
        read_part(folder)

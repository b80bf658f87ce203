"""audit.toml: the course's own file reads clean; every mistake in one is named with its line,
and nothing an instructor can write escapes as anything but a CourseError."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.audit.audit_file import AUDIT_FILE, AuditFile, Split, read_audit_file
from autograder.curriculum import course
from autograder.errors import CourseError

EXERCISES = [e.name for e in course().exercises]


def read(tmp_path: Path, text: str) -> AuditFile:
    (tmp_path / AUDIT_FILE).write_text(text, encoding="utf-8")
    return read_audit_file(EXERCISES, tmp_path)


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(CourseError) as caught:
        read(tmp_path, text)
    return [str(p) for p in caught.value.problems]


def test_the_course_file_reads_clean_and_every_entry_has_a_reason():
    audit = read_audit_file(EXERCISES)
    assert audit.equivalents and audit.mistakes
    assert all(e.reason and e.exercise in EXERCISES for e in audit.equivalents)
    assert 0 < audit.split.public_min < 1 and audit.split.hidden_min >= 1


def test_no_file_means_no_entries_and_the_default_target(tmp_path):
    assert read_audit_file(EXERCISES, tmp_path) == AuditFile()
    assert AuditFile().split == Split()


def test_entries_are_read_with_their_lines(tmp_path):
    audit = read(tmp_path, '[split]\npublic_min = 0.5\nhidden_min = 2\n\n[[mistake]]\nexercise = "tensor_dtype"\n'
                           'why = "the shape"\ncode = "return t.shape"\n\n[[equivalent]]\n'
                           'mutant = "tensor_dtype.0123abcd"\nreason = "why it is right"\n')
    assert audit.split == Split(0.5, 2)
    assert [(m.exercise, m.code, m.line) for m in audit.mistakes] == [("tensor_dtype", "return t.shape", 5)]
    assert [(e.mutant, e.exercise, e.line) for e in audit.equivalents] == [("tensor_dtype.0123abcd", "tensor_dtype", 10)]


@pytest.mark.parametrize("text, line, words", [
    ("[splits]\npublic_min = 0.5\n", 1, "unknown table or key 'splits'"),
    ("[split]\npublic_min = 2\n", 1, "public_min must be a share between 0 and 1"),
    ("[split]\nhidden_min = 0.5\n", 1, "hidden_min must be a whole number"),
    ("\n[split]\nminimum = 0.5\n", 2, "unknown key 'minimum' in [split]"),
    ('[[mistake]]\nexercise = "tensor_dtpye"\nwhy = "x"\ncode = "return 1"\n', 1, "'tensor_dtpye' is not an exercise"),
    ('[[mistake]]\nexercise = "tensor_dtype"\nwhy = "x"\ncode = "return ("\n', 1, "code must be the solution block"),
    ('[[mistake]]\nexercise = "tensor_dtype"\ncode = "return 1"\n', 1, "why must say"),
    ('[[equivalent]]\nmutant = "tensor_dtype.0123abcd"\n', 1, "has no reason"),
    ('[[equivalent]]\nmutant = "nothing.0123abcd"\nreason = "r"\n', 1, "names no exercise of the course"),
    ('[[equivalent]]\nmutant = "tensor_dtype.1"\nreason = "r"\n\n[[equivalent]]\nmutant = "tensor_dtype.1"\n'
     'reason = "r"\n', 5, "listed twice"),
    ('[[equivalent]]\nmutant = "tensor_dtype.1"\nreason = "r"\nwhy = "no"\n', 1, "unknown key 'why' in [[equivalent]]"),
    ("equivalent = 3\n", 1, "equivalent must be an array of tables"),
    ("[split\n", 1, "not valid TOML"),
])
def test_each_mistake_is_named_with_its_line(tmp_path, text, line, words):
    found = problems(tmp_path, text)
    assert any(p.startswith(f"{AUDIT_FILE}:{line}: ") and words in p for p in found), found


def test_every_problem_is_listed_at_once(tmp_path):
    found = problems(tmp_path, '[split]\npublic_min = -1\n\n[[equivalent]]\nmutant = "x.1"\nreason = ""\n')
    assert len(found) == 2


def test_a_file_that_is_not_text_is_a_clear_error(tmp_path):
    (tmp_path / AUDIT_FILE).write_bytes(b"\xff\xfe[split]")
    with pytest.raises(CourseError, match="cannot be read"):
        read_audit_file(EXERCISES, tmp_path)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('[]=".\n \'#abcdeimnpqrstuvxy0123456789_-{},')), max_size=200))
def test_whatever_the_file_holds_it_is_read_or_refused_with_a_course_error(text):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        try:
            read(Path(folder), text)
        except CourseError as err:
            assert all(p.path == AUDIT_FILE and p.line >= 1 for p in err.problems)

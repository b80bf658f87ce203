"""The hand-over to nbgrader, piece by piece: exchange files read within bounds, the autograded
notebook built from released and submitted cells, the gradebook written in one transaction.

The whole workflow with the real nbgrader commands: ``test_nbgrader_readme.py``.
"""
import datetime
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.errors import UsageError
from autograder.nbgrader import exchange_files
from autograder.nbgrader.autograded import NOTES_HEADER, Released, autograded_notebook, check_report, dumps
from autograder.outcomes import CheckResult, ExerciseScore, Outcome, StudentResult
from autograder.nbgrader.gradebook import NO_RESPONSE, Entry, write_gradebook
from autograder.untrusted import StudentInputError

from tests.helpers import run_cli
from tests.nbgrader_course import BIN

fuzz = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# -- timestamp.txt and submission_secret.txt ------------------------------------------------

def test_a_timestamp_as_nbgrader_writes_it_is_read_as_nbgrader_reads_it():
    from nbgrader.utils import parse_utc

    written = datetime.datetime(2026, 11, 25, 10, 0, 0, 123456).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    assert exchange_files.parse_timestamp(written) == parse_utc(written) == datetime.datetime(2026, 11, 25, 10, 0, 0,
                                                                                               123456)
    assert exchange_files.format_timestamp(exchange_files.parse_timestamp(written)) == written
    for text in ("2026-11-25 11:00:00.000000 CET", "2026-11-25 10:00:00", "2026-11-25T10:00:00 +0100"):
        assert exchange_files.parse_timestamp(text) == parse_utc(text), text  # nbgrader's reading, quirks included


@pytest.mark.parametrize("text", ["", "yesterday", "2026-02-30 10:00:00 UTC", "1999-12-31 23:59:59 UTC",
                                  "2026-11-25 10:00:00 ../../../../dev/stdin", "2026-11-25 10:00:00 UTC extra",
                                  "9" * 5000, "2026-11-25 10:00:00.000000 Europe/Berlin"])
def test_a_timestamp_nbgrader_does_not_write_is_refused(text):
    with pytest.raises(StudentInputError):
        exchange_files.parse_timestamp(text)


@fuzz
@given(st.one_of(st.text(max_size=80),
                 st.from_regex(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d{1,6})?( [A-Za-z]{1,6}| [+-]\d\d:?\d\d)?",
                               fullmatch=True)))
def test_any_timestamp_text_is_a_time_in_range_or_a_reason(text):
    try:
        value = exchange_files.parse_timestamp(text)
    except StudentInputError as err:
        assert err.message.startswith("timestamp.txt holds")
    else:
        assert exchange_files.EARLIEST <= value < exchange_files.LATEST and value.tzinfo is None


def test_a_time_zone_is_never_a_path(tmp_path):
    """nbgrader's parse_utc looks a zone name up as a file (an absolute name is opened as it
    is): a FIFO named as the zone would hold the grader forever. Only bare names get there."""
    import tempfile
    import threading

    fifo = Path(tempfile.mkdtemp(prefix="tz", dir="/tmp")) / "z"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(
        pytest.raises(StudentInputError, exchange_files.parse_timestamp, f"2026-11-25 10:00:00 {fifo}")), daemon=True)
    reader.start()
    reader.join(10)
    try:
        assert outcome and not reader.is_alive(), "reading the timestamp waited on the FIFO"
    finally:
        if reader.is_alive():  # let it go: open a writer, so the blocked reader gets its end of file
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        shutil.rmtree(fifo.parent)


def test_exchange_files_are_read_within_bounds(tmp_path):
    folder = tmp_path / "alice" / "tensors"
    folder.mkdir(parents=True)
    assert exchange_files.read_timestamp(folder) is None and exchange_files.read_secret(folder) is None
    (folder / "timestamp.txt").write_text("2026-11-25 10:00:00.000000 UTC\n")
    (folder / "submission_secret.txt").write_text("ab" * 64)
    assert exchange_files.read_timestamp(folder) == datetime.datetime(2026, 11, 25, 10)
    assert exchange_files.read_secret(folder) == "ab" * 64
    for name, content, reason in [("timestamp.txt", "x" * 10_000_000, "larger"),
                                  ("timestamp.txt", "2026-11-25 10:00:00 ÛTC", "not ASCII"),
                                  ("timestamp.txt", " \n", "empty"),
                                  ("submission_secret.txt", "<script>", "not a secret")]:
        (folder / name).write_text(content)
        with pytest.raises(StudentInputError, match=reason):
            (exchange_files.read_timestamp if name == "timestamp.txt" else exchange_files.read_secret)(folder)
    (folder / "timestamp.txt").unlink()
    os.mkfifo(folder / "timestamp.txt")  # opened without blocking: a FIFO is refused, not waited on
    with pytest.raises(StudentInputError, match="not a regular file"):
        exchange_files.read_timestamp(folder)
    (folder / "timestamp.txt").unlink()
    (folder / "timestamp.txt").symlink_to(tmp_path / "elsewhere.txt")
    with pytest.raises(StudentInputError, match="link"):
        exchange_files.read_timestamp(folder)


# -- the autograded notebook ------------------------------------------------------------------

def _cell(kind, source, grade_id=None, **meta):
    cell = {"cell_type": kind, "id": grade_id or f"md-{abs(hash(source)) % 1000}", "metadata": {}, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    if grade_id:
        cell["metadata"]["nbgrader"] = {"grade_id": grade_id, "schema_version": 3, "checksum": "x",
                                        "grade": False, "solution": False, "locked": False, **meta}
    return cell


RELEASED = Released({"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}, [
    _cell("markdown", "# Tensors"),
    _cell("code", "import torch", "imports", locked=True),
    _cell("code", "def f(x):\n    raise NotImplementedError", "f", solution=True),
    _cell("code", "from public_checks import check\ncheck('f', globals())", "test_f", grade=True, locked=True, points=2.0),
    _cell("code", "def g(x):\n    raise NotImplementedError", "g", solution=True),
    _cell("code", "from public_checks import check\ncheck('g', globals())", "test_g", grade=True, locked=True, points=3.0),
])
REPORTS = {"test_f": "f: 2 / 2 points.\n", "test_g": "g: 0 / 3 points.\n"}


def submitted(**changes):
    cells = json.loads(json.dumps(RELEASED.cells))
    for cell in cells:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid in changes:
            cell["source"] = changes[gid]
    return cells


def build(cells, notes=()):
    """The autograded notebook of ``cells`` with the reports and ``notes``, and what else it gives."""
    made = autograded_notebook(RELEASED, cells, "tensors.ipynb")
    return made.with_findings(REPORTS, list(notes)), made


def by_id(nb):
    return {c["metadata"].get("nbgrader", {}).get("grade_id", c["id"]): c for c in nb["cells"]}


def test_locked_cells_come_back_as_released_and_check_cells_hold_the_reports():
    cells = submitted(f="def f(x):\n    return x", test_f="print('all good')", imports="import os")
    notebook, made = build(cells)
    got = by_id(notebook)
    assert got["test_f"]["source"] == RELEASED.graded()["test_f"]["source"]
    assert got["imports"]["source"] == "import torch"
    assert got["f"]["source"] == "def f(x):\n    return x"
    assert got["test_f"]["outputs"] == [{"name": "stdout", "output_type": "stream", "text": "f: 2 / 2 points.\n"}]
    assert all(o["output_type"] == "stream" for c in notebook["cells"] for o in c.get("outputs", []))
    assert set(made.answers) == {"f", "g"} and made.problems == []


def test_a_students_cells_keep_their_source_and_nothing_else():
    cells = submitted()
    cells.insert(3, {"cell_type": "code", "source": ["x = 1\n", "x"], "execution_count": 4,
                     "metadata": {"nbgrader": {"grade_id": "not_in_the_course", "grade": True, "points": 99},
                                  "tags": ["mine"]},
                     "outputs": [{"output_type": "display_data", "data": {"text/html": "<script>alert(1)</script>"}}]})
    cells.insert(0, {"cell_type": "markdown", "source": "![x](attachment:x.png)", "metadata": {},
                     "attachments": {"x.png": {"image/png": "AAAA"}}})
    cells.insert(0, {"cell_type": "widget", "source": 42})
    notebook, made = build(cells)
    text = dumps(notebook)
    assert "<script>" not in text and not any("attachments" in c for c in notebook["cells"])
    assert "not_in_the_course" not in text and "tags" not in text and '"points": 99' not in text
    mine = notebook["cells"][5]
    assert mine == {"cell_type": "code", "execution_count": None, "id": "cell-6", "metadata": {}, "outputs": [],
                    "source": "x = 1\nx"}
    assert notebook["cells"][0]["cell_type"] == "raw" and notebook["cells"][0]["source"] == ""
    assert len(made.problems) == 1 and "source that is not text" in made.problems[0]


def test_the_last_copy_of_a_graded_cell_keeps_its_grade_id():
    cells = submitted(g="def g(x):\n    return 1")
    extra = json.loads(json.dumps(cells[4]))
    extra["source"] = "def g(x):\n    return 2"
    cells.append(extra)
    notebook, made = build(cells)
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in notebook["cells"]]
    assert ids.count("g") == 1 and ids[-1] == "g" and made.answers["g"]["source"] == "def g(x):\n    return 2"


def test_a_deleted_check_cell_is_put_back_after_its_answer():
    cells = [c for c in submitted() if c["metadata"].get("nbgrader", {}).get("grade_id") != "test_f"]
    notebook, _ = build(cells)
    ids = [c["metadata"].get("nbgrader", {}).get("grade_id") for c in notebook["cells"]]
    assert ids[ids.index("f") + 1] == "test_f" and by_id(notebook)["test_f"]["outputs"]


def test_an_unreadable_notebook_gives_the_released_one_with_the_reasons_first():
    notebook, _ = build(None, ["tensors.ipynb is not a valid notebook"])
    first = notebook["cells"][0]
    assert first["source"] == NOTES_HEADER and "not a valid notebook" in first["outputs"][0]["text"]
    assert by_id(notebook)["f"]["source"] == RELEASED.graded()["f"]["source"]
    assert RELEASED.cells[3]["outputs"] == [], "the released notebook serves every student unchanged"


@fuzz
@given(st.lists(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                             lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                                 st.sampled_from(["cell_type", "source", "metadata", "nbgrader", "grade_id", "outputs",
                                                  "id", "code", "markdown", "f", "test_g", "grade", "locked"]),
                                 inner, max_size=4), max_leaves=12), max_size=8))
def test_any_cells_give_a_valid_notebook_the_same_way_twice(cells):
    import nbformat

    notebook, _ = build(cells, ["a note"])
    nbformat.validate(nbformat.from_dict(json.loads(dumps(notebook))))
    assert dumps(notebook) == dumps(build(cells, ["a note"])[0])
    assert {"test_f", "test_g"} <= set(by_id(notebook))


def test_a_check_report_gives_points_then_public_then_hidden_findings():
    checks = [CheckResult("f", "test_public", False, 0.0, Outcome.FAILED, "Integers became floats."),
              *[CheckResult("f", f"test_hidden[{i}]", True, 1.0, Outcome.FAILED if i else Outcome.PASSED,
                            f"case {i}." if i else "") for i in range(8)]]
    result = StudentResult("ada", "", tuple(checks), (ExerciseScore("f", 0.0, 2.0, Outcome.FAILED, False),))
    assert check_report(result, "f").splitlines() == [
        "f: 0 / 2 points.",
        "Public checks (they must all pass before the hidden checks count): 0 of 1 pass.",
        "  - failed: Integers became floats.",
        "Hidden checks (other inputs, run when your work is graded): 1 of 8 pass.",
        *[f"  - failed: case {i}." for i in range(1, 6)],
        "  ... and 2 more."]


# -- the gradebook --------------------------------------------------------------------------

DUE = datetime.datetime(2026, 12, 1, 17, 0)


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory):
    """A gradebook with the assignment and no submissions, made once (nbgrader runs `alembic` to make one)."""
    from nbgrader.api import Gradebook

    path = tmp_path_factory.mktemp("gradebook") / "gradebook.db"
    old_path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{BIN}:{old_path}"
    try:
        with Gradebook(f"sqlite:///{path}", course_id="course") as gb:
            gb.add_assignment("tensors", duedate=DUE)
            gb.add_notebook("tensors", "tensors")
            for name, points in (("test_f", 2.0), ("test_g", 3.0)):
                gb.add_grade_cell(name, "tensors", "tensors", max_score=points, cell_type="code")
            for name in ("f", "g"):
                gb.add_solution_cell(name, "tensors", "tensors")
    finally:
        os.environ["PATH"] = old_path
    return path


@pytest.fixture
def gradebook(empty_gradebook, tmp_path):
    shutil.copy(empty_gradebook, tmp_path / "gradebook.db")
    return f"sqlite:///{tmp_path / 'gradebook.db'}"


def read_back(url, student):
    from nbgrader.api import Gradebook

    with Gradebook(url, course_id="course") as gb:
        submission = gb.find_submission("tensors", student)
        notebook = submission.notebooks[0]
        comments = {c.name: c.auto_comment for c in notebook.comments}
        return {"score": submission.score, "timestamp": submission.timestamp,
                "penalty": notebook.late_submission_penalty, "comments": comments,
                "manual": {g.name: g.needs_manual_grade for g in notebook.grades}}


def test_the_class_is_written_once_and_rewritten_in_place(gradebook):
    on_time = datetime.datetime(2026, 11, 30, 9, 0)
    entries = [Entry("alice", {"test_f": 2.0, "test_g": 3.0}, on_time),
               Entry("bob", {"test_f": 0.0, "test_g": 1.5}, on_time, unanswered={"f"})]
    assert write_gradebook(gradebook, "course", "tensors", entries, lambda *_: 99.0) == []
    assert read_back(gradebook, "alice")["score"] == 5.0
    bob = read_back(gradebook, "bob")
    assert bob["score"] == 1.5 and bob["timestamp"] == on_time and bob["comments"] == {"f": NO_RESPONSE, "g": None}
    entries[1] = Entry("bob", {"test_f": 2.0, "test_g": 3.0}, on_time)
    write_gradebook(gradebook, "course", "tensors", entries, lambda *_: 99.0)
    assert read_back(gradebook, "bob")["score"] == 5.0 and read_back(gradebook, "bob")["comments"]["f"] is None
    from nbgrader.api import Gradebook

    with Gradebook(gradebook, course_id="course") as gb:
        assert len(gb.find_assignment("tensors").submissions) == 2


def test_a_graders_manual_score_is_kept_and_flagged(gradebook):
    from nbgrader.api import Gradebook

    write_gradebook(gradebook, "course", "tensors", [Entry("alice", {"test_f": 0.0, "test_g": 3.0})], lambda *_: None)
    with Gradebook(gradebook, course_id="course") as gb:
        gb.find_grade("test_f", "tensors", "tensors", "alice").manual_score = 1.0
        gb.db.commit()
    write_gradebook(gradebook, "course", "tensors", [Entry("alice", {"test_f": 0.0, "test_g": 3.0})], lambda *_: None)
    alice = read_back(gradebook, "alice")
    assert alice["score"] == 4.0 and alice["manual"] == {"test_f": True, "test_g": False}


@pytest.mark.parametrize("penalty, expected", [(25.0, 4.0), (-1.0, 0.0), (1.5, 1.5), (None, None)])
def test_late_penalties_come_from_the_plugin_kept_between_zero_and_the_score(gradebook, penalty, expected):
    asked = []

    def plugin(student, score, seconds):
        asked.append((student, score, seconds))
        return penalty

    late = DUE + datetime.timedelta(hours=2)
    entries = [Entry("carol", {"test_f": 1.0, "test_g": 3.0}, late), Entry("alice", {"test_f": 2.0}, DUE)]
    found = write_gradebook(gradebook, "course", "tensors", entries, plugin)
    assert asked == [("carol", 4.0, 7200.0)]
    assert read_back(gradebook, "carol")["penalty"] == expected and read_back(gradebook, "alice")["penalty"] is None
    assert [(x.student, x.penalty) for x in found] == ([] if expected is None else [("carol", expected)])


def test_an_assignment_the_gradebook_lacks_is_a_usage_error(gradebook):
    with pytest.raises(UsageError, match="no assignment 'layers'"):
        write_gradebook(gradebook, "course", "layers", [Entry("alice", {})], lambda *_: None)


# -- a course that cannot take the grades ------------------------------------------------------

def test_a_course_that_cannot_take_the_grades_is_named_and_the_grades_kept(tmp_path):
    """The course is opened while the class is graded: what is wrong with it is said at the
    end, exit 2, with the grades written (the same command, once it is fixed, reuses them)."""
    from autograder.curriculum import load_manifest
    from autograder.nbgrader.course import write_course

    course = write_course(tmp_path / "course", load_manifest())  # no generate_assignment yet: no gradebook
    (course / "submitted" / "alice" / "tensors").mkdir(parents=True)
    (course / "submitted" / "alice" / "tensors" / "tensors.ipynb").write_text("{}")
    out = tmp_path / "out"
    result = run_cli("grade", str(course / "submitted"), "--assignment", "tensors", "--out", str(out),
                     "--gradebook", str(course), "--quiet")
    assert result.returncode == 2 and "gradebook.db does not exist" in result.stderr
    assert "nbgrader generate_assignment tensors" in result.stderr and "Traceback" not in result.stderr
    assert (out / "results" / "alice.json").exists() and (out / "grades.csv").exists()
    moved = tmp_path / "moved"
    course.rename(moved)
    result = run_cli("grade", str(moved / "submitted"), "--assignment", "tensors", "--out", str(out),
                     "--gradebook", str(moved), "--quiet")
    assert result.returncode == 2 and "says the course is at" in result.stderr, result.stderr
    result = run_cli("grade", str(moved / "submitted"), "--assignment", "tensors", "--out", str(out),
                     "--gradebook", str(tmp_path / "nowhere"), "--quiet")
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr

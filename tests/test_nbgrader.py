"""The whole nbgrader cycle with the real nbgrader commands, and our grader on the same notebooks."""
import csv
import json
from pathlib import Path

import pytest

from autograder.nbgrader.course import write_course
from autograder.curriculum import load_manifest

from tests.helpers import run_cli
from tests.nbgrader_course import ASSIGNMENT, fill, nbgrader, solutions_of

pytestmark = pytest.mark.nbgrader


def place(course: Path, student: str, released: Path, answers: dict[str, str]) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    target = folder / f"{ASSIGNMENT}.ipynb"
    target.write_text(released.read_text())
    fill(target, answers)
    (folder / "timestamp.txt").write_text("2026-11-25 10:00:00.000000 UTC")


#: cells students add around their answers: imports under their own names, a helper and a
#: constant the answers use, prints, IPython magics and shell escapes, a cell that raises
EXTRA_CELLS = {
    "imports_tensors": ["import numpy as np\nimport torch.nn.functional as F\nSCALE = 1",
                        "%matplotlib inline\n!echo installing nothing\nprint('hello')"],
    "create_tensor": ["def _as_tensor(data):\n    return torch.tensor(data)", "1 / 0  # an experiment that failed"],
    "tensor_shape": ["%%time\nshape_of = lambda t: tuple(t.shape)"],
}
WHOLE_NOTEBOOK_ANSWERS = {
    "create_tensor": "def create_tensor(data):\n    return _as_tensor(data)",
    "tensor_shape": "def tensor_shape(t):\n    return shape_of(t)",
    "count_elements": "def count_elements(t):\n    return t.numel() * SCALE",
    "linear_transform": "def linear_transform(x, weight, bias):\n    return F.linear(x, weight, bias)",
}


def with_extra_cells(notebook: Path) -> None:
    """Add ``EXTRA_CELLS`` after the cell whose grade id each is filed under."""
    nb = json.loads(notebook.read_text())
    cells = []
    for cell in nb["cells"]:
        cells.append(cell)
        for source in EXTRA_CELLS.get(cell["metadata"].get("nbgrader", {}).get("grade_id"), []):
            cells.append({"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None})
    nb["cells"] = cells
    notebook.write_text(json.dumps(nb))


def export(course: Path) -> dict[str, float]:
    nbgrader("export", cwd=course)
    with (course / "grades.csv").open() as f:
        return {row["student_id"]: float(row["score"]) for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    base = tmp_path_factory.mktemp("nb")
    course = write_course(base / "course", load_manifest())
    generated = nbgrader("generate_assignment", ASSIGNMENT, cwd=course)
    released = course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nbgrader("release_assignment", ASSIGNMENT, cwd=course)
    right = solutions_of(course)
    # one student goes through the real exchange: fetch, edit, submit
    home = base / "home_alice"
    home.mkdir()
    exchange = f"--Exchange.root={course / 'exchange'}"  # what the hub's student config says
    nbgrader("fetch_assignment", ASSIGNMENT, "--course", "pytorch-basics", exchange, cwd=home, home=home)
    fill(home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", right)
    nbgrader("submit", ASSIGNMENT, "--course", "pytorch-basics", "--student=alice", exchange, cwd=home, home=home)
    partly = dict(right, create_tensor=right["create_tensor"].replace("torch.tensor(data)", "torch.Tensor(data)"),
                  linear_transform=right["linear_transform"].replace(" + bias", ""))
    crashing = dict(right, tensor_shape=right["tensor_shape"].replace("tuple(t.shape)", "t.shapes"))
    looping = dict(right, count_elements=right["count_elements"].replace("return t.numel()", "while True:\n        pass"))
    place(course, "ben", released, partly)
    # ...with checks of his own that pass everything: a public_checks.py (autograde puts the
    # course's back) and a public_checks/ package, which Python would import first
    for fake in ("public_checks.py", "public_checks/__init__.py"):
        path = course / "submitted" / "ben" / ASSIGNMENT / fake
        path.parent.mkdir(exist_ok=True)
        path.write_text("def check(*args):\n    pass\n")
    place(course, "cleo", released, {})  # not attempted: the released notebook as is
    place(course, "dan", released, crashing)
    place(course, "eve", released, looping)
    # a whole notebook: answers that use cells of their own around them
    place(course, "frank", released, dict(right, **WHOLE_NOTEBOOK_ANSWERS))
    with_extra_cells(course / "submitted" / "frank" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    # right answers, but the locked check cell of create_tensor edited to pass whatever happens
    place(course, "mallory", released, right)
    tampered = course / "submitted" / "mallory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    nb = json.loads(tampered.read_text())
    for cell in nb["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_create_tensor":
            cell["source"] = "print('Public checks for create_tensor passed.')"
    tampered.write_text(json.dumps(nb))
    nbgrader("collect", ASSIGNMENT, cwd=course)
    # eve's loop costs the timeout; a busy machine takes over 5 s for the imports cell alone (import torch)
    autograded = nbgrader("autograde", ASSIGNMENT, "--Execute.timeout=20", cwd=course)
    nbgrader("generate_feedback", ASSIGNMENT, cwd=course)
    nbgrader_scores = export(course)
    return {"base": base, "course": course, "released": released, "scores": nbgrader_scores, "right": right,
            "generated": generated.stdout + generated.stderr, "autograded": autograded.stdout + autograded.stderr}


def test_autograde_reports_only_the_cell_a_student_edited(cycle):
    """No false "checksum has changed" for the six students who left their check cells
    alone (hidden tests in test cells made nbgrader warn for every cell that holds them);
    the one who edited a locked cell is still reported."""
    changed = [line for line in cycle["autograded"].splitlines() if "has changed" in line]
    assert len(changed) == 1 and "test_create_tensor" in changed[0], changed


def test_the_released_notebook_is_written_for_a_student(cycle):
    """No warning from generate_assignment (cells carry ids); a cleared answer is the
    signature, the summary line and one line that says it is not done yet."""
    assert "MissingIDFieldWarning" not in cycle["generated"] and "Warning" not in cycle["generated"]
    nb = json.loads(cycle["released"].read_text())
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "create_tensor")
    assert "".join(answer["source"]).splitlines() == [
        "def create_tensor(data: Any) -> torch.Tensor:",
        '    """Turn a (nested) Python list into a tensor."""',
        '    raise NotImplementedError("not done yet: replace this line with your code")']


def test_hidden_tests_absent_when_released_present_at_autograde(cycle):
    released = cycle["released"].read_text()
    assert "BEGIN HIDDEN TESTS" not in released and "hidden_points" not in released
    assert "return torch.tensor(data)" not in released, "solutions are cleared"
    autograded = (cycle["course"] / "autograded" / "alice" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "hidden_points" in autograded


def test_exported_scores(cycle):
    scores = cycle["scores"]
    assert scores["alice"] == 25.0
    assert scores["cleo"] == 0.0
    assert scores["ben"] == 25.0 - 5 - 7  # torch.Tensor(data) and the missing bias
    assert scores["dan"] == 25.0 - 4  # tensor_shape crashes
    assert scores["eve"] == 25.0 - 4  # count_elements loops until the timeout
    assert scores["frank"] == 25.0  # helpers, aliases, constants, magics and a failing cell: nbgrader runs them all
    assert scores["mallory"] == 25.0  # the edited check cell was restored


def test_feedback_html_has_no_hidden_test_code(cycle):
    pages = list((cycle["course"] / "feedback").rglob("*.html"))
    assert len(pages) == 7
    for page in pages:
        text = page.read_text()
        assert "hidden_points" not in text and "BEGIN HIDDEN TESTS" not in text and "autograder.nbgrader.kernel" not in text


def test_our_grader_gives_nbgrader_scores_and_writes_the_gradebook(cycle):
    course, out = cycle["course"], cycle["base"] / "ours"
    result = run_cli("grade", str(course / "submitted"), "--assignment", ASSIGNMENT, "--out", str(out),
                     "--gradebook", str(course), "--timeout", "2", "--quiet")
    assert result.returncode == 0, result.stderr
    with (out / "grades.csv").open() as f:
        ours = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
    assert ours == cycle["scores"]
    # the gradebook now holds our scores (no kernel ran): export shows the same numbers
    assert export(course) == cycle["scores"]


def test_broken_notebooks_get_reasons_and_lose_only_what_is_affected(cycle, tmp_path):
    right = cycle["right"]
    released = cycle["released"].read_text()
    subs = tmp_path / "submitted"

    def notebook(student: str, mutate) -> None:
        folder = subs / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nb = json.loads(released)
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in right:
                cell["source"] = right[gid]
        nb = mutate(nb)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(nb if isinstance(nb, str) else json.dumps(nb))

    def without(gid):
        return lambda nb: {**nb, "cells": [c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != gid]}

    def duplicated(nb):
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "tensor_dtype")
        copy = json.loads(json.dumps(cell))
        copy["source"] = "def tensor_dtype(t):\n    return 'wrong'\n"
        nb["cells"].append(copy)
        return nb

    def to_markdown(nb):
        for c in nb["cells"]:
            if c["metadata"].get("nbgrader", {}).get("grade_id") == "count_elements":
                c["cell_type"] = "markdown"
                c.pop("outputs", None)
                c.pop("execution_count", None)
        return nb

    def extra_cells(nb):
        nb["cells"].insert(3, {"cell_type": "code", "metadata": {}, "source": "x = 1/0", "outputs": [],
                               "execution_count": None})
        return nb

    def huge_outputs(nb):
        nb["cells"][1]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * 25_000_000}]
        return nb

    notebook("fine", lambda nb: nb)
    notebook("invalid_json", lambda nb: json.dumps(nb)[:-10])
    notebook("deleted_cell", without("tensor_shape"))
    notebook("duplicated", duplicated)
    notebook("markdown", to_markdown)
    notebook("extra", extra_cells)
    notebook("huge", huge_outputs)
    (subs / "missing" / ASSIGNMENT).mkdir(parents=True)
    # a notebook that is a link (say, to the source notebook with the solutions), kept by a copy
    (subs / "linked" / ASSIGNMENT).mkdir(parents=True)
    (subs / "linked" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").symlink_to(subs / "fine" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    result = run_cli("grade", str(subs), "--assignment", ASSIGNMENT, "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "grades.csv").open() as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    total = {s: float(r["total"]) for s, r in rows.items()}
    assert total == {"fine": 25, "extra": 25, "duplicated": 20, "invalid_json": 0, "missing": 0, "huge": 0,
                     "deleted_cell": 21, "markdown": 21, "linked": 0}
    assert rows["deleted_cell"]["tensor_shape"] == "0" and rows["markdown"]["count_elements"] == "0"

    def reason(student):
        return json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text())["output"]

    assert "not a valid notebook" in reason("invalid_json")
    assert "no assignment file was found in this submission" in reason("missing")
    assert "answer cell for tensor_shape is missing" in reason("deleted_cell")
    assert "appears more than once" in reason("duplicated")
    assert "no longer a code cell" in reason("markdown")
    assert "MB (large outputs?)" in reason("huge")
    assert "links are not followed, so these were not graded: tensors.ipynb" in reason("linked")

"""The Gradescope autograder zip, run as Gradescope runs it: unpacked into
``/autograder/source`` (a private mount namespace binds a course folder at the real
``/autograder``), ``run_autograder`` per submission, every results.json checked against
a JSON Schema written from Gradescope's specification."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest

from autograder.authoring.source import read_solution
from autograder.curriculum import SOLUTIONS_DIR
from tests.helpers import FULL_MARKS, ROOT, course_folder, points_of, run_cli, solution_copy

SCHEMA = json.loads((ROOT / "tests" / "data" / "gradescope_results.schema.json").read_text())
EXAMPLES = ROOT / "examples" / "submissions"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="binding /autograder takes a mount namespace (root)")]


def unpacked(base: Path, *build_args: str) -> Path:
    """Build the zip with ``build_args``, unpack it as Gradescope does, install its wheel
    (offline: the wheel's own code, beside this environment's torch); returns /autograder's stand-in."""
    from autograder.gradescope.package import unpack

    zip_path = base / "autograder.zip"
    built = run_cli("build", "--gradescope", str(zip_path), "--course", str(base / "course"), *build_args)
    assert built.returncode == 0, built.stderr
    root = base / "autograder"
    unpack(zip_path, root / "source")
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    wheel = next((root / "source" / "wheels").glob("*.whl"))
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                                str(base / "site"), str(wheel)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    return root


def run_autograder(root: Path, files: dict[str, str | bytes]) -> dict:
    """One submission through ``/autograder/run_autograder``; its results.json."""
    for folder in ("submission", "results"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
    for name, content in files.items():
        path = root / "submission" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    Path("/autograder").mkdir(exist_ok=True)
    env = {**os.environ, "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(root.parent / "site")}
    result = subprocess.run(["unshare", "--mount", "sh", "-c",
                             f"mount --bind '{root}' /autograder && cd /autograder && exec /autograder/run_autograder"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    doc = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, SCHEMA)
    return doc


@pytest.fixture(scope="module")
def gradescope():
    with course_folder("gradescope") as base:
        yield unpacked(base)


def test_the_zip_holds_what_gradescope_runs_and_pins_the_cpu_torch(gradescope):
    source = gradescope / "source"
    assert {p.name for p in source.iterdir()} == {"setup.sh", "run_autograder", "gradescope.json", "wheels", "solutions"}
    setup = (source / "setup.sh").read_text()
    assert "torch==2.13.0" in setup and "download.pytorch.org/whl/cpu" in setup
    assert os.access(source / "run_autograder", os.X_OK) and os.access(source / "setup.sh", os.X_OK)
    with zipfile.ZipFile(next((source / "wheels").glob("*.whl"))) as wheel:
        names = wheel.namelist()
    assert "autograder/hidden/hidden_layers.py" in names and "autograder/manifest.json" in names


def test_example_submissions_get_the_scores_the_class_grader_gives(gradescope, tmp_path):
    graded = run_cli("grade", str(EXAMPLES), "--out", str(tmp_path / "out"), "--quiet")
    assert graded.returncode == 0, graded.stderr
    with (tmp_path / "out" / "grades.csv").open() as f:
        totals = {row["student"]: float(row["total"]) for row in csv.DictReader(f)}
    for student in sorted(totals):
        files = {p.name: p.read_text() for p in (EXAMPLES / student).glob("*.py")}
        doc = run_autograder(gradescope, {f"my upload/{name}": text for name, text in files.items()})
        assert doc["score"] == totals[student], student
        assert doc["execution_time"] > 0
        hidden = [t for t in doc["tests"] if t["max_score"] > 0]
        public = [t for t in doc["tests"] if t["max_score"] == 0]
        assert hidden and all(t["visibility"] == "after_published" for t in hidden)
        assert public and all(t["visibility"] == "visible" for t in public)
        if doc["score"] < FULL_MARKS:
            assert doc["output"].startswith(("Fix ", "exercises/", "No ")), doc["output"]


def test_a_submission_that_breaks_everything_still_gets_a_valid_zero(gradescope):
    for files in ({}, {"tensors.py": b"\xff\xfe not python", "layers.py": "def (", "notes.txt": "hello"}):
        doc = run_autograder(gradescope, files)
        assert doc["score"] == 0
        assert doc["output"]


def test_the_solutions_in_the_zip_are_out_of_the_students_reach(gradescope):
    secret = "/autograder/source/solutions/tensors.py"
    files = solution_copy({"tensors.py": [("    return t.dtype\n", f"    return open({secret!r}).read()\n")]})
    doc = run_autograder(gradescope, files)
    assert doc["score"] == FULL_MARKS - points_of("tensor_dtype")  # only tensor_dtype is lost
    assert "def create_tensor" not in json.dumps(doc)


def test_a_notebook_submission_is_graded_by_its_answer_cells(tmp_path):
    solution = read_solution(SOLUTIONS_DIR, "tensors")
    cells = [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "imports_tensors"}}, "source": solution.imports,
              "outputs": [], "execution_count": None}]
    cells += [{"cell_type": "code", "metadata": {"nbgrader": {"grade_id": e.name}}, "outputs": [], "execution_count": None,
               "source": "\n".join(l for l in solution.functions[e.name].splitlines() if "### " not in l)}
              for e in solution.exercises]
    notebook = json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    with course_folder("gradescope-nb") as base:
        root = unpacked(base, "--assignment", "tensors", "--hidden-visibility", "after_due_date")
        doc = run_autograder(root, {"tensors.ipynb": notebook})
        assert doc["score"] == doc["extra_data"]["max_score"] > 0
        assert {t["visibility"] for t in doc["tests"] if t["max_score"]} == {"after_due_date"}
        assert doc["output"].startswith("Every check passed.")

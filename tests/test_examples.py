"""The example students show what examples/README.md says they show, from any checkout."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from autograder.curriculum import course
from tests.helpers import ROOT, course_folder, marks, read_csv, run_cli

EXAMPLES = ROOT / "examples" / "submissions"
STUDENTS = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


def test_the_readme_says_what_each_student_shows():
    readme = (ROOT / "examples" / "README.md").read_text()
    described = re.findall(r"^\| `(\w+)` \|", readme, flags=re.M)
    assert described == STUDENTS


def test_no_example_depends_on_a_machine():
    for path in EXAMPLES.rglob("*.py"):
        text = path.read_text()
        assert not re.search(r"['\"](/work|/root|/home|/Users|/tmp|/var|[A-Z]:\\\\)", text), path


@pytest.fixture(scope="module")
def demo():
    with course_folder("examples") as base:
        result = run_cli("grade", str(EXAMPLES), "--out", str(base / "out"), "--quiet")
        assert result.returncode == 0, result.stderr
        docs = {s: json.loads((base / "out" / "results" / f"{s}.json").read_text()) for s in STUDENTS}
        yield {"rows": read_csv(base / "out" / "grades.csv"), "docs": docs}


def handed_in(student: str) -> list:
    """The exercises of the assignments ``student`` hands in (the course may have more)."""
    return [e for a in course().assignments if (EXAMPLES / student / a.relpath).is_file() for e in a.exercises]


def outputs(doc: dict, exercise: str) -> str:
    return " ".join(t["output"] for t in doc["tests"] if t["name"].startswith(f"{exercise}: "))


@pytest.mark.slow
def test_each_student_gets_what_the_readme_says(demo):
    rows, docs = demo["rows"], demo["docs"]
    assert rows["ada_alternatives"]["total"] == marks(sum(e.points for e in handed_in("ada_alternatives")))
    assert rows["cleo_not_attempted"]["total"] == "0"
    cleo = docs["cleo_not_attempted"]["extra_data"]["exercises"]
    assert {cleo[e.name]["outcome"] for e in handed_in("cleo_not_attempted")} == {"not attempted"}
    assert "Integers became floats" in outputs(docs["ben_mistakes"], "create_tensor")
    assert "The bias was not added" in outputs(docs["ben_mistakes"], "linear_transform")
    tensors = course().assignment("tensors")
    for exercise in handed_in("dan_broken"):
        broken = exercise in tensors.exercises or exercise.name == "make_linear_layer"
        assert (rows["dan_broken"][exercise.name] == "0") == broken, exercise.name
    assert "tensors.py could not be imported: SyntaxError" in outputs(docs["dan_broken"], "create_tensor")


@pytest.mark.slow
def test_the_hostile_student_finds_the_hidden_checks_only_outside_the_sandbox(demo):
    """Eve opens the hidden checks where the grader's package is: the file is there on the
    grading machine, and her own function reads it outside the sandbox; inside, it does not exist."""
    hidden = ROOT / "autograder" / "hidden" / "hidden_layers.py"
    assert hidden.is_file()
    message = outputs(demo["docs"]["eve_hostile"], "make_linear_layer")
    assert f"No such file or directory: '{hidden}'" in message, message
    assert demo["rows"]["eve_hostile"]["make_linear_layer"] == "0"
    unsandboxed = subprocess.run(
        [sys.executable, "-c", "import autograder, importlib.util as u, sys\n"
         "spec = u.spec_from_file_location('eve', sys.argv[1]); eve = u.module_from_spec(spec)\n"
         "spec.loader.exec_module(eve); print(eve.make_linear_layer(9, 4))", str(EXAMPLES / "eve_hostile" / "layers.py")],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert unsandboxed.returncode == 0 and "def test_make_linear_layer_shapes" in unsandboxed.stdout

"""The generated nbgrader course: stable, unique grade ids; one notebook per assignment; the one source."""
import json

from autograder.nbgrader.course import write_course
from autograder.curriculum import ASSIGNMENTS
from autograder.curriculum import load_manifest


def test_course_notebooks_are_deterministic_with_unique_grade_ids(tmp_path):
    exercises = load_manifest()
    first = write_course(tmp_path / "a", exercises)
    second = write_course(tmp_path / "b", exercises)
    ids = []
    for assignment in ASSIGNMENTS:
        rel = f"source/{assignment}/{assignment}.ipynb"
        assert (first / rel).read_bytes() == (second / rel).read_bytes()
        nb = json.loads((first / rel).read_text())
        cells = [c["metadata"]["nbgrader"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
        ids += [c["grade_id"] for c in cells]
        names = [e.name for e in exercises if e.assignment == assignment]
        assert [c["grade_id"] for c in cells if c["solution"]] == names
        assert [c["grade_id"] for c in cells if c["grade"]] == [f"test_{n}" for n in names]
        assert all(c["locked"] for c in cells if c["grade"]) and all(c["points"] > 0 for c in cells if c["grade"])
    assert len(ids) == len(set(ids))


def test_test_cells_hold_public_checks_and_a_hidden_block(tmp_path):
    course = write_course(tmp_path / "c", load_manifest())
    nb = json.loads((course / "source" / "tensors" / "tensors.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_create_tensor")
    source = cell["source"]
    assert "def test_create_tensor_keeps_integers(create_tensor):" in source
    assert "@pytest" not in source, "inline checks need no pytest"
    begin = source.index("### BEGIN HIDDEN TESTS")
    assert source.index("test_create_tensor_keeps_integers(create_tensor)\n") < begin
    assert 'hidden_points("create_tensor", globals())' in source[begin:]
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "create_tensor")
    assert "### BEGIN SOLUTION" in answer["source"] and "return torch.tensor(data)" in answer["source"]

import shutil

import pytest

from autograder.authoring import build
from autograder.errors import MarkerError
from autograder.authoring.stubs import make_stub, solution_bodies
from autograder.curriculum import course

from tests.helpers import ROOT, SOLUTIONS

GOOD = '''import torch


def f(x: int) -> int:
    """Doc."""
    y = 1
    ### BEGIN SOLUTION
    return x + y
    ### END SOLUTION
'''


def test_stub_keeps_signature_docstring_and_setup_and_drops_solution():
    stub = make_stub(GOOD, "f.py")
    assert 'def f(x: int) -> int:\n    """Doc."""\n    y = 1\n' in stub
    assert "return x + y" not in stub and "### " not in stub
    assert 'raise NotImplementedError("f is not done yet:' in stub
    namespace = {}
    exec(compile(stub, "f.py", "exec"), namespace)
    with pytest.raises(NotImplementedError, match="f is not done yet"):
        namespace["f"](1)


@pytest.mark.parametrize("source, complaint", [
    (GOOD.replace("    ### END SOLUTION\n", ""), "f.py:7: '### BEGIN SOLUTION' is never closed"),
    (GOOD.replace("    ### BEGIN SOLUTION\n", ""), "f.py:8: '### END SOLUTION' without a matching"),
    (GOOD.replace("### BEGIN SOLUTION", "### BEGIN SOLUTON"), "f.py:7: malformed solution marker"),
    (GOOD.replace("    y = 1\n", "    ### BEGIN SOLUTION\n"), "f.py:7: '### BEGIN SOLUTION' inside the block opened on line 6"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "f.py:1: '### BEGIN SOLUTION' outside a top-level function"),
    (GOOD.replace("    ### END SOLUTION", "### END SOLUTION"), "f.py:9: '### END SOLUTION' is not indented like"),
])
def test_malformed_markers_name_file_and_line(source, complaint):
    with pytest.raises(MarkerError) as err:
        make_stub(source, "f.py")
    assert complaint in str(err.value)


def test_generated_files_are_up_to_date_in_the_repository():
    assert build.stale_files() == []


def test_check_fails_on_hand_edited_and_missing_stubs(tmp_path):
    root = tmp_path / "project"
    shutil.copytree(ROOT / "exercises", root / "exercises")
    (root / "autograder").mkdir()
    shutil.copy(ROOT / "autograder" / "manifest.json", root / "autograder")
    assert build.stale_files(root) == []
    edited = root / "exercises" / "layers.py"
    edited.write_text(edited.read_text().replace("raise NotImplementedError", "return 0  #"))
    (root / "exercises" / "tensors.py").unlink()
    with pytest.raises(build.StaleError) as err:
        build.check(root)
    assert "exercises/layers.py" in str(err.value) and "exercises/tensors.py" in str(err.value)
    assert "exercises/activations.py" not in str(err.value)


def test_check_fails_when_a_solution_changes(tmp_path):
    solutions = tmp_path / "solutions"
    shutil.copytree(SOLUTIONS, solutions)
    path = solutions / "tensors.py"
    path.write_text(path.read_text().replace("Turn a (nested) Python list", "Turn a nested list"))
    assert build.stale_files(ROOT, solutions) == ["exercises/tensors.py", "autograder/manifest.json"]


def test_build_check_command_exit_codes(tmp_path):
    from tests.helpers import run_cli

    ok = run_cli("build", "--check")
    assert ok.returncode == 0, ok.stderr


def test_every_exercise_has_a_solution_body():
    bodies = {}
    for path in SOLUTIONS.glob("*.py"):
        bodies.update(solution_bodies(path.read_text(), path.name))
    assert len(bodies) == len(course().exercises) and all(bodies.values())

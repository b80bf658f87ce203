"""``autograder new`` in a scratch copy of the course's files: what it writes, where, and
what it refuses without writing anything."""
from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

from autograder.authoring.course_file import read_course_file
from autograder.authoring.new import new_exercise, next_steps
from autograder.errors import UsageError
from tests.helpers import ROOT


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """course.toml, the solutions and the checks, as in the project."""
    shutil.copy(ROOT / "course.toml", tmp_path)
    shutil.copytree(ROOT / "solutions", tmp_path / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in ("checks", "hidden"):
        shutil.copytree(ROOT / "autograder" / folder, tmp_path / "autograder" / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in root.rglob("*") if p.is_file()}


def literal(path: Path, name: str) -> object:
    """The value of the module-level literal ``name`` in ``path`` (read, not run)."""
    node = next(n for n in ast.parse(path.read_text()).body if isinstance(n, ast.Assign) and n.targets[0].id == name)
    return ast.literal_eval(node.value)


def test_a_new_assignment_gets_its_files_and_its_table(root):
    written = new_exercise("rmse", "losses", 'Losses: "L1" and "L2"', root=root, solutions_dir=root / "solutions")
    assert [w.relpath for w in written] == ["course.toml", "solutions/losses.py", "autograder/checks/hints_losses.py",
                                            "autograder/checks/public_losses.py", "autograder/hidden/hidden_losses.py"]
    course = read_course_file(root).course
    assert course.names[-1] == "losses" and course.assignments[-1].title == 'Losses: "L1" and "L2"'
    solution = (root / "solutions" / "losses.py").read_text()
    assert solution.startswith('"""Assignment 4: Losses: "L1" and "L2".') and "### BEGIN SOLUTION" in solution
    hidden = root / "autograder" / "hidden" / "hidden_losses.py"
    assert set(literal(hidden, "MISTAKES")) == {"rmse"} and '"rmse": (torch.ones(2, 3),)' in hidden.read_text()
    for path in root.rglob("*losses.py"):
        ast.parse(path.read_text())
    text = next_steps(written)
    assert all(w.relpath in text for w in written) and "autograder build" in text


def test_an_exercise_joins_an_existing_assignment_and_its_imports(root):
    before = snapshot(root)
    new_exercise("tensor_rank", "tensors", root=root, solutions_dir=root / "solutions")
    after = snapshot(root)
    assert {k for k in after if after[k] != before.get(k)} == {
        "solutions/tensors.py", "autograder/checks/hints_tensors.py", "autograder/checks/public_tensors.py",
        "autograder/hidden/hidden_tensors.py"}
    for relpath in ("autograder/checks/public_tensors.py", "autograder/checks/hints_tensors.py"):
        tree = ast.parse(after[relpath])
        imports = [n for n in tree.body if isinstance(n, ast.ImportFrom) and n.module.startswith("autograder")]
        assert len(imports) == len({n.module for n in imports}), relpath  # merged, not repeated
        for node in imports:
            names = [a.name for a in node.names]
            assert names == sorted(names)
    assert "tensor_rank_mistake" in after["autograder/checks/public_tensors.py"]
    assert after["solutions/tensors.py"].startswith(before["solutions/tensors.py"].rstrip("\n"))
    catalogue = after["autograder/hidden/hidden_tensors.py"]
    assert catalogue.index("def test_tensor_rank_random") < catalogue.index("# --- the mistake catalogue")
    for part in ('    "tensor_rank": ("    return x * 2\\n"', '        "tensor_rank": (torch.ones(2, 3),),',
                 '        ("tensor_rank", [2.0, 4.0], "return a torch.Tensor"),'):
        assert part in catalogue


@pytest.mark.parametrize("exercise, assignment, title, words", [
    ("count_elements", "layers", None, "already defines 'count_elements'"),
    ("describe", "layers", None, "checks need that name"),
    ("student", "layers", None, "checks need that name"),
    ("Rank", "layers", None, "cannot name an exercise"),
    ("rank", "Layers 2", None, "cannot name an assignment"),
    ("rank", "layers", "Layers again", "leave out --title"),
    ("rank", "leftover", None, "its files exist"),
])
def test_refusals_write_nothing(root, exercise, assignment, title, words):
    (root / "solutions" / "leftover.py").write_text("")
    before = snapshot(root)
    with pytest.raises(UsageError, match=words):
        new_exercise(exercise, assignment, title, root=root, solutions_dir=root / "solutions")
    assert snapshot(root) == before

"""The course is data: in a copy of the project, an instructor adds an assignment of two
exercises with ``autograder new`` and edits of the files it printed, or removes one by
editing course files, and the copy builds, checks, grades a class, releases the nbgrader
notebook and the Gradescope zip; ``git status`` then lists course files and nothing else."""
from __future__ import annotations

import csv
import json
import os
import zipfile
from pathlib import Path

import pytest

from tests.course_copy import (autograder, changed_files, copy_project, edit, handed_in, manifest, nbgrader,
                               printed_paths)
from tests.helpers import course_folder, write_student

pytestmark = pytest.mark.slow

SOLUTION, HINTS = "solutions/losses.py", "autograder/checks/hints_losses.py"
PUBLIC, HIDDEN = "autograder/checks/public_losses.py", "autograder/hidden/hidden_losses.py"


def write_losses(copy: Path) -> None:
    """What the instructor writes in place of the examples `new` made: a mean squared error,
    and a function that returns an nn.L1Loss (a class beyond the sandbox's default set)."""
    within = "mean_squared_error"
    edit(copy, SOLUTION, "import torch\n", "import torch\nfrom torch import nn\n")
    edit(copy, SOLUTION, "(x: torch.Tensor) -> torch.Tensor", "(pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor",
         within)
    edit(copy, SOLUTION, "Say in one line what mean_squared_error returns.",
         "Return the mean of the squared differences between predictions and targets.", within)
    edit(copy, SOLUTION, ">>> mean_squared_error(torch.tensor([1.0, 2.0, 3.0]))\n        tensor([2., 4., 6.])",
         ">>> mean_squared_error(torch.tensor([1.0, 3.0]), torch.zeros(2))\n        tensor(5.)", within)
    edit(copy, SOLUTION, "x: a float tensor of any shape; must not be modified.",
         "pred: float predictions of any shape.\n        target: float targets of the same shape.", within)
    edit(copy, SOLUTION, "A new float tensor of the same shape.", "A 0-dimensional float tensor.", within)
    edit(copy, SOLUTION, "    return x * 2\n", "    return ((pred - target) ** 2).mean()\n", within)
    within = "make_l1_loss"
    edit(copy, SOLUTION, "(x: torch.Tensor) -> torch.Tensor", "() -> nn.L1Loss", within)
    edit(copy, SOLUTION, "Say in one line what make_l1_loss returns.",
         "Return the loss module that averages absolute differences.", within)
    edit(copy, SOLUTION, ">>> make_l1_loss(torch.tensor([1.0, 2.0, 3.0]))\n        tensor([2., 4., 6.])",
         ">>> make_l1_loss()(torch.tensor([1.0, 3.0]), torch.zeros(2))\n        tensor(2.)", within)
    edit(copy, SOLUTION, "    Args:\n        x: a float tensor of any shape; must not be modified.\n\n", "", within)
    edit(copy, SOLUTION, "A new float tensor of the same shape.", "An ``nn.L1Loss`` that averages.", within)
    edit(copy, SOLUTION, "    return x * 2\n", "    return nn.L1Loss()\n", within)

    edit(copy, HINTS, "from autograder.checking.hints import not_a_tensor",
         "from autograder.checking.hints import kind, not_a_tensor, same")
    edit(copy, HINTS, "(got: Any, x: torch.Tensor)", "(got: Any, pred: torch.Tensor, target: torch.Tensor)",
         "mean_squared_error_mistake")
    edit(copy, HINTS, "    return not_a_tensor(got)\n",
         "    hint = not_a_tensor(got)\n    if hint:\n        return hint\n"
         "    if same(got, (pred - target).mean()) and not same(got, ((pred - target) ** 2).mean()):\n"
         "        return \"the differences were not squared: square them, then take the mean.\"\n"
         "    return None\n", "mean_squared_error_mistake")
    edit(copy, HINTS, "(got: Any, x: torch.Tensor)", "(got: Any)", "make_l1_loss_mistake")
    edit(copy, HINTS, "    return not_a_tensor(got)\n",
         "    if kind(got) == \"MSELoss\":\n        return \"that is the squared error (nn.MSELoss): the L1 loss is "
         "nn.L1Loss().\"\n    if kind(got) != \"L1Loss\":\n        return \"return an nn.L1Loss().\"\n    return None\n",
         "make_l1_loss_mistake")

    edit(copy, PUBLIC, "    x = torch.tensor([1.0, 2.0, 3.0])\n    got = mean_squared_error(x)\n",
         "    pred, target = torch.tensor([1.0, 3.0]), torch.zeros(2)\n    got = mean_squared_error(pred, target)\n")
    edit(copy, PUBLIC, "mean_squared_error_mistake(got, x) or tensor_difference(got, torch.tensor([2.0, 4.0, 6.0]))",
         "mean_squared_error_mistake(got, pred, target) or tensor_difference(got, torch.tensor(5.0))")
    edit(copy, PUBLIC, '"mean_squared_error(torch.tensor([1.0, 2.0, 3.0]))"',
         '"mean_squared_error(torch.tensor([1.0, 3.0]), torch.zeros(2))"')
    edit(copy, PUBLIC, "    x = torch.tensor([1.0, 2.0, 3.0])\n    got = make_l1_loss(x)\n", "    got = make_l1_loss()\n")
    edit(copy, PUBLIC, "make_l1_loss_mistake(got, x) or tensor_difference(got, torch.tensor([2.0, 4.0, 6.0]))",
         "make_l1_loss_mistake(got)")
    edit(copy, PUBLIC, '"make_l1_loss(torch.tensor([1.0, 2.0, 3.0]))"', '"make_l1_loss()"')

    edit(copy, HIDDEN, "    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(seed))\n"
                       "    got = student.mean_squared_error(x)\n",
         "    g = torch.Generator().manual_seed(seed)\n    pred, target = torch.randn(3, 4, generator=g), "
         "torch.randn(3, 4, generator=g)\n    got = student.mean_squared_error(pred, target)\n")
    edit(copy, HIDDEN, "hints.mean_squared_error_mistake(got, x)", "hints.mean_squared_error_mistake(got, pred, target)")
    edit(copy, HIDDEN, "reference.mean_squared_error(x)", "reference.mean_squared_error(pred, target)")
    edit(copy, HIDDEN, '"mean_squared_error(x of shape (3, 4))"', '"mean_squared_error(pred, target of shape (3, 4))"')
    edit(copy, HIDDEN, "    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(seed))\n"
                       "    got = student.make_l1_loss(x)\n",
         "    pred, target = torch.randn(3, 4, generator=torch.Generator().manual_seed(seed)), torch.zeros(3, 4)\n"
         "    got = student.make_l1_loss()\n")
    edit(copy, HIDDEN, "    expect.hint(hints.make_l1_loss_mistake(got, x), call)\n"
                       "    expect.tensor(got, reference.make_l1_loss(x), call)\n",
         "    expect.hint(hints.make_l1_loss_mistake(got), call)\n"
         "    expect.tensor(got(pred, target), reference.make_l1_loss()(pred, target), call)\n")
    edit(copy, HIDDEN, '"make_l1_loss(x of shape (3, 4))"', '"make_l1_loss()"')
    edit(copy, HIDDEN, '"mean_squared_error": ("    return x * 2\\n", "    return (x * 2).tolist()\\n")',
         '"mean_squared_error": ("    return ((pred - target) ** 2).mean()\\n", "    return (pred - target).mean()\\n")')
    edit(copy, HIDDEN, '"make_l1_loss": ("    return x * 2\\n", "    return (x * 2).tolist()\\n")',
         '"make_l1_loss": ("    return nn.L1Loss()\\n", "    return nn.MSELoss()\\n")')
    edit(copy, HIDDEN, '"mean_squared_error": (torch.ones(2, 3),)', '"mean_squared_error": (torch.tensor([1.0, 3.0]), '
                                                                   'torch.zeros(2))')
    edit(copy, HIDDEN, '"make_l1_loss": (torch.ones(2, 3),)', '"make_l1_loss": ()')
    edit(copy, HIDDEN, '("mean_squared_error", [2.0, 4.0], "return a torch.Tensor")',
         '("mean_squared_error", torch.tensor(2.0), "not squared")')
    edit(copy, HIDDEN, '("make_l1_loss", [2.0, 4.0], "return a torch.Tensor")',
         '("make_l1_loss", torch.nn.MSELoss(), "nn.L1Loss()")')
    edit(copy, "course.toml", '# modules = ["MSELoss"]', 'modules = ["L1Loss"]')


def grades(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def added():
    """A copy with the assignment `losses` added, built, and a class of three graded."""
    with course_folder("add") as base:
        copy = copy_project(base / "project")
        first = autograder(copy, "new", "mean_squared_error", "--assignment", "losses", "--title", "Loss functions")
        second = autograder(copy, "new", "make_l1_loss", "--assignment", "losses")
        printed = set(printed_paths(first.stdout)) | set(printed_paths(second.stdout))
        assert printed == {"course.toml", SOLUTION, HINTS, PUBLIC, HIDDEN}
        assert "autograder build" in first.stdout
        unbuilt = autograder(copy, "build", "--check", ok=False)  # the course changed: the stubs are stale
        assert unbuilt.returncode == 1 and "exercises/losses.py" in unbuilt.stderr
        write_losses(copy)
        autograder(copy, "build")
        mistake = ("    return ((pred - target) ** 2).mean()\n", "    return (pred - target).mean()\n")
        write_student(base / "class" / "honest", handed_in(copy))
        write_student(base / "class" / "unsquared", handed_in(copy, {"losses.py": [mistake]}))
        write_student(base / "class" / "not_started", {p.name: p.read_text() for p in (copy / "exercises").glob("*.py")
                                                        if p.name != "__init__.py"})
        graded = autograder(copy, "grade", str(base / "class"), "--out", str(base / "out"), "--quiet")
        yield {"copy": copy, "base": base, "printed": printed, "graded": graded}


def test_adding_an_assignment_changes_only_course_files(added):
    copy = added["copy"]
    assert changed_files(copy) == added["printed"] | {"exercises/losses.py", "autograder/manifest.json"}
    autograder(copy, "build", "--check")


def test_the_new_assignment_is_in_the_course_model_with_its_points(added):
    course = manifest(added["copy"])
    losses = course["assignments"][-1]
    assert losses["name"] == "losses" and losses["title"] == "Loss functions" and losses["modules"] == ["L1Loss"]
    assert [(e["name"], e["points"]) for e in losses["exercises"]] == [("mean_squared_error", 2.0), ("make_l1_loss", 2.0)]


def test_the_new_exercises_are_checked_and_graded(added):
    copy, base = added["copy"], added["base"]
    solutions = autograder(copy, "check", "--exercises-dir", "solutions")
    assert "mean_squared_error" in solutions.stdout and "make_l1_loss" in solutions.stdout
    stubs = autograder(copy, "check", "mean_squared_error", ok=False)
    assert stubs.returncode == 1 and "[ TODO] mean_squared_error" in stubs.stdout
    assert added["graded"].returncode == 0, added["graded"].stderr
    rows = grades(base / "out")
    total = sum(e["points"] for a in manifest(copy)["assignments"] for e in a["exercises"])
    assert rows["honest"]["total"] == rows["honest"]["max_total"] == f"{total:g}"
    assert rows["honest"]["make_l1_loss"] == "2"  # an nn.L1Loss came back through the sandbox and was rebuilt
    assert rows["unsquared"]["mean_squared_error"] == "0"
    assert rows["unsquared"]["total"] == f"{total - 2:g}"
    assert rows["not_started"]["total"] == "0"
    doc = json.loads((base / "out" / "results" / "unsquared.json").read_text())
    assert "The differences were not squared" in " ".join(t["output"] for t in doc["tests"])


def test_the_new_assignment_has_a_notebook_nbgrader_releases(added):
    course = added["copy"] / "course"
    source = course / "source" / "losses"
    assert (source / "public_checks.py").is_file()
    nb = json.loads((source / "losses.ipynb").read_text())
    ids = [c["metadata"]["nbgrader"]["grade_id"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
    assert ids == ["imports_losses", "mean_squared_error", "test_mean_squared_error", "make_l1_loss",
                   "test_make_l1_loss"]
    nbgrader(course, "generate_assignment", "losses")
    released = (course / "release" / "losses" / "losses.ipynb").read_text()
    assert "return ((pred - target) ** 2).mean()" not in released and "BEGIN HIDDEN TESTS" not in released
    assert "def test_mean_squared_error_example" in (course / "release" / "losses" / "public_checks.py").read_text()


@pytest.mark.skipif(os.geteuid() != 0, reason="binding /autograder takes a mount namespace (root)")
def test_the_new_assignment_has_a_gradescope_zip_that_grades_it(added):
    from autograder.gradescope.package import unpack
    from tests.test_gradescope import run_autograder

    copy, base = added["copy"], added["base"]
    zip_path = base / "losses.zip"
    autograder(copy, "build", "--gradescope", str(zip_path), "--assignment", "losses")
    with zipfile.ZipFile(zip_path) as archive:
        assert "solutions/losses.py" in archive.namelist()
    root = base / "autograder"
    unpack(zip_path, root / "source")
    (root / "run_autograder").write_bytes((root / "source" / "run_autograder").read_bytes())
    (root / "run_autograder").chmod(0o755)
    wheel = next((root / "source" / "wheels").glob("*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(base / "site")
    doc = run_autograder(root, {"upload/losses.py": handed_in(copy)["losses.py"]})
    assert doc["score"] == doc["extra_data"]["max_score"] == 4
    assert changed_files(copy) == added["printed"] | {"exercises/losses.py", "autograder/manifest.json"}


def test_removing_an_assignment_is_an_edit_of_course_files():
    with course_folder("remove") as base:
        copy = copy_project(base / "project")
        before = manifest(copy)
        layers = next(a for a in before["assignments"] if a["name"] == "layers")
        text = (copy / "course.toml").read_text()
        block = text[text.index('[[assignments]]\nname = "layers"'):]
        block = block[: block.index("[[assignments]]", 1)]
        (copy / "course.toml").write_text(text.replace(block, ""))
        removed = {"solutions/layers.py", "autograder/checks/public_layers.py", "autograder/checks/hints_layers.py",
                   "autograder/hidden/hidden_layers.py"}
        for relpath in removed:
            (copy / relpath).unlink()
        built = autograder(copy, "build")
        assert "exercises/layers.py" in built.stdout
        assert changed_files(copy) == removed | {"exercises/layers.py", "course.toml", "autograder/manifest.json"}
        assert [a["name"] for a in manifest(copy)["assignments"]] == ["tensors", "activations"]
        autograder(copy, "check", "--exercises-dir", "solutions")
        write_student(base / "class" / "honest", handed_in(copy))
        autograder(copy, "grade", str(base / "class"), "--out", str(base / "out"), "--quiet")
        row = grades(base / "out")["honest"]
        total = sum(e["points"] for a in before["assignments"] for e in a["exercises"])
        assert row["total"] == row["max_total"] == f"{total - sum(e['points'] for e in layers['exercises']):g}"
        assert not set(row) & {e["name"] for e in layers["exercises"]}
        assert not (copy / "course" / "source" / "layers").exists()

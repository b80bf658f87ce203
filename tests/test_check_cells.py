"""What a student sees in a released notebook's check cells, run by a real kernel (nbclient)
and by the real ``nbgrader validate``: one line per problem, the hint first, never cut."""
import ast
import json
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.curriculum import course, load_manifest
from autograder.nbgrader import checks_file
from autograder.nbgrader.check_cell import WIDTH
from autograder.nbgrader.course import write_course
from tests.test_nbgrader import ASSIGNMENT, fill, nbgrader, solutions_of

pytestmark = pytest.mark.nbgrader

#: an answer for each situation a student is in; create_tensor stays the released stub
ANSWERS = {
    "tensor_dtype": "def tensor_dtype(t):\n    return t.dtype",  # right
    "linear_transform": "def linear_transform(x, weight, bias):\n    return x @ weight.T",  # the typical mistake
    "tensor_shape": "def tensor_shape(t):\n    return tuple(t.shape",  # does not compile
    "count_elements": "def count_elements(t):\n    n = t.numels()\n    return n",  # raises
}

#: exactly what each check cell shows: (output type, lines)
SEEN = {
    "create_tensor": ("error", [
        "create_tensor is not done yet: replace the line raise NotImplementedError(...)",
        "    with your code."]),
    "tensor_dtype": ("stream", ["tensor_dtype: the public check passes."]),
    "tensor_shape": ("error", [
        "The answer cell of tensor_shape does not compile: '(' was never closed on line 2",
        "    of that cell. Fix it, then run that cell and this one again."]),
    "count_elements": ("error", [
        "Tensors have no attribute numels: did you mean numel? (Your code raised",
        "    AttributeError: 'Tensor' object has no attribute 'numels' on line 2 of its",
        "    cell)."]),
    "linear_transform": ("error", [
        "The bias was not added: a layer computes x @ weight.T + bias.",
        "    [linear_transform(x, weight, bias) of the example above]"]),
}


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """The released tensors notebook with ``ANSWERS``, in a folder as a student has it."""
    base = tmp_path_factory.mktemp("cells")
    course = write_course(base / "course", load_manifest())
    nbgrader("generate_assignment", ASSIGNMENT, cwd=course)
    work = base / "student"
    shutil.copytree(course / "release" / ASSIGNMENT, work)
    fill(work / f"{ASSIGNMENT}.ipynb", ANSWERS)
    return {"work": work, "notebook": work / f"{ASSIGNMENT}.ipynb", "right": solutions_of(course)}


def check_outputs(notebook) -> dict[str, tuple[str, list[str]]]:
    """exercise -> (output type, the lines shown) of each check cell."""
    shown = {}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.startswith("test_"):
            assert len(cell.outputs) == 1, cell.outputs
            out = cell.outputs[0]
            lines = out["traceback"] if out.output_type == "error" else out["text"].rstrip("\n").split("\n")
            shown[grade_id[len("test_"):]] = (out.output_type, lines)
    return shown


def execute(path, folder):
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, allow_errors=True, resources={"metadata": {"path": str(folder)}}).execute()
    return notebook


def test_each_check_cell_shows_one_short_line_per_problem(filled):
    shown = check_outputs(execute(filled["notebook"], filled["work"]))
    assert shown == SEEN
    for _, lines in shown.values():
        assert all(len(line) <= WIDTH for line in lines)
        assert not any("Traceback" in line or "File " in line or "check(" in line for line in lines)


def test_right_answers_pass_every_check_cell(filled, tmp_path):
    folder = shutil.copytree(filled["work"], tmp_path / "right")
    fill(folder / f"{ASSIGNMENT}.ipynb", filled["right"])
    shown = check_outputs(execute(folder / f"{ASSIGNMENT}.ipynb", folder))
    assert {kind for kind, _ in shown.values()} == {"stream"}, shown
    assert all(lines[0].endswith(("public check passes.", "public checks pass.")) for _, lines in shown.values())


def test_validate_shows_each_hint_whole(filled):
    result = nbgrader("validate", filled["notebook"].name, cwd=filled["work"])
    out = result.stdout
    assert "VALIDATION FAILED ON 4 CELL(S)" in out
    for kind, lines in SEEN.values():
        if kind == "error":
            for line in lines:
                assert f"    {line}\n" in out, (line, out)  # whole: nbgrader cuts longer lines with "..."
    assert not [line for line in out.splitlines() if line.endswith("...")]


def test_the_public_checks_file_runs_without_the_autograder(tmp_path):
    """Students' kernels have torch, not the autograder: the released file imports only
    torch and the standard library, and works with the autograder made unimportable."""
    path = checks_file.write(tmp_path, course().assignment("tensors"))
    tree = ast.parse(path.read_text())
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}
    imported |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported <= {"__future__", "torch", "typing", "inspect", "textwrap", "traceback", "functools", "os",
                        "sysconfig", "dataclasses", "difflib", "math", "warnings"}, imported
    code = textwrap.dedent("""
        import sys
        sys.modules["autograder"] = None  # any import of it now fails
        import torch
        import public_checks
        def create_tensor(data):
            return torch.Tensor(data)
        try:
            public_checks.check("create_tensor", {"create_tensor": create_tensor})
        except public_checks.ChecksFailed as failed:
            print(failed.lines[0])
    """)
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Integers became floats (torch.Tensor(data) or a float dtype"), out.stdout


def test_the_released_folder_holds_the_checks(filled):
    """generate_assignment releases public_checks.py with the notebook (nbgrader copies a
    source folder's other files), and the notebook's check cells import it. (A student's own
    copy cannot buy points: test_nbgrader's ben submits checks that pass everything and
    keeps the score his answers earn, as the hidden block runs the public checks again.)"""
    assert (filled["work"] / checks_file.FILENAME).read_text() == checks_file.source(course().assignment(ASSIGNMENT))
    nb = json.loads(filled["notebook"].read_text())
    cells = ["".join(c["source"]) for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade", False)]
    assert cells and all("from public_checks import check" in c for c in cells)


#: the activations notebook, answered in ways that once misled the check cells
TRICKY = {
    "apply_sigmoid": "def apply_sigmoid(x):\n    return x.sigmoid_()",  # changes its input in place
    "apply_softmax": "def apply_softmax(logits, dim=-1):\n    assert logits.dim() == 1, 'one row only'\n"
                     "    return logits.softmax(dim)",  # the student's own assert
    "build_binary_classifier": "def build_binary_classifier(n_features):\n    raise SystemExit(1)",
    "predict_classes": "def predict_classes(probabilities):\n    return forward_pass(None, probabilities)",
}

TRICKY_SEEN = {
    "apply_sigmoid": ("error", [
        "apply_sigmoid changed its argument `x` in place: leave the arguments as they",
        "    were and return a new value."]),
    "apply_softmax": ("error", [
        "Your code raised AssertionError: one row only on line 2 of its cell."]),
    "build_binary_classifier": ("error", [
        "Your code raised SystemExit: 1 on line 2 of its cell."]),
    "forward_pass": ("error", [  # the stub, in a %%time cell
        "forward_pass is not done yet: replace the line raise NotImplementedError(...)",
        "    with your code."]),
    "predict_classes": ("error", [
        "predict_classes calls forward_pass, which is not done yet."]),
}


def test_check_cells_name_what_really_happened(tmp_path):
    """In-place changes, the student's own assert, SystemExit, a stub in a %%time cell and
    a finished answer that calls a stub: each gets its own one line."""
    base = tmp_path
    course = write_course(base / "course", load_manifest())
    nbgrader("generate_assignment", "activations", cwd=course)
    work = shutil.copytree(course / "release" / "activations", base / "student")
    path = work / "activations.ipynb"
    released = json.loads(path.read_text())
    stub = next("".join(c["source"]) for c in released["cells"]
                if c["metadata"].get("nbgrader", {}).get("grade_id") == "forward_pass")
    fill(path, {**TRICKY, "forward_pass": "%%time\n" + stub})
    shown = check_outputs(execute(path, work))
    assert {k: shown[k] for k in TRICKY_SEEN} == TRICKY_SEEN


def test_a_cell_magic_answer_that_does_not_compile_is_named_with_its_line(tmp_path):
    """IPython turns a %%time cell into one string argument, so the cell's own text is
    compiled, without the magic's line; the line number counts it, as the student sees it."""
    course = write_course(tmp_path / "course", load_manifest())
    nbgrader("generate_assignment", "layers", cwd=course)
    work = shutil.copytree(course / "release" / "layers", tmp_path / "student")
    fill(work / "layers.ipynb", {
        "make_linear_layer": "%%time\ndef make_linear_layer(n_features, n_classes):\n    return nn.Linear(n_features,",
        "count_parameters": "def count_parameters(model):\n    total = 0\n    for p in model.parameters():\n"
                            "        total + p.numel()\n    return total",  # the += forgotten
    })
    shown = check_outputs(execute(work / "layers.ipynb", work))
    assert shown["make_linear_layer"] == ("error", [
        "The answer cell of make_linear_layer does not compile: '(' was never closed on",
        "    line 3 of that cell. Fix it, then run that cell and this one again."])
    assert shown["count_parameters"] == ("error", [
        "It returned 0: add each p.numel() to the total (total += p.numel()), going",
        "    through model.parameters() (model.children() leaves out a layer's own",
        "    parameters). [count_parameters(nn.Linear(9, 4))]"])

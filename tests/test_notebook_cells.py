"""A notebook graded as the notebook it is: every code cell in order, magics made harmless,
a failing or endless cell costing only itself (``autograder/nbgrader/cells.py``)."""
from __future__ import annotations

import csv
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.authoring.source import read_solution
from autograder.curriculum import SOLUTIONS_DIR
from autograder.intake.cells import notebook_module, python_of
from tests.helpers import run_cli


@pytest.mark.parametrize("cell, python", [
    ("%matplotlib inline\nx = 1", "pass\nx = 1"),
    ("!pip install torch\nimport torch", "pass\nimport torch"),
    ("files = !ls\nn = len(files)", "files = []\nn = len(files)"),
    ("if True:\n    %time y = 2\n", "if True:\n    pass\n"),
    ("torch.tensor?", "pass"),
    ("%%time\nz = 3", "\nz = 3"),
    ("%%bash\nrm -rf /", None),
    ("%%writefile tensors.py\ndef f(): pass", None),
    ("x = 5 % 3\ns = 'a!b'", "x = 5 % 3\ns = 'a!b'"),
])
def test_ipython_syntax_becomes_python_or_skips_its_cell(cell, python):
    assert python_of(cell) == python


def cells_of(assignment: str, extra: dict[str, list[str]]) -> list[dict]:
    """The assignment's answer cells (right answers), each followed by the ``extra`` cells filed under it."""
    solution = read_solution(SOLUTIONS_DIR, assignment)
    sources = [(f"imports_{assignment}", solution.imports)]
    sources += [(e.name, "\n".join(l for l in solution.functions[e.name].splitlines() if "### " not in l))
                for e in solution.exercises]
    cells = []
    for grade_id, source in sources:
        cells.append({"cell_type": "code", "metadata": {"nbgrader": {"grade_id": grade_id}}, "source": source,
                      "outputs": [], "execution_count": None})
        cells += [{"cell_type": "code", "metadata": {}, "source": s, "outputs": [], "execution_count": None}
                  for s in extra.get(grade_id, [])]
    return cells


@pytest.mark.slow
def test_endless_cells_shell_escapes_and_a_cell_named_compile_cost_only_themselves(tmp_path):
    """Two endless cells (each cut after its 10 s: more than the student's budget at
    --timeout 3 but for the time the grader grants a notebook's cells), a cell that
    defines compile() (the cell runner's own names are bound before any cell runs)."""
    extra = {"imports_tensors": ["while True:\n    pass  # an experiment left running", "!touch /pwned-by-a-cell",
                                 "get_ipython().system('touch /pwned-by-ipython')",
                                 "def compile(model):  # a name the notebook may use (torch.compile)\n    return model",
                                 "import time\nwhile True:\n    time.sleep(1)  # a second one: each costs only itself"],
             "create_tensor": ["raise SystemExit('a cell that ends the kernel in IPython')"]}
    folder = tmp_path / "submitted" / "ada" / "tensors"
    folder.mkdir(parents=True)
    (folder / "tensors.ipynb").write_text(json.dumps({"cells": cells_of("tensors", extra), "metadata": {},
                                                      "nbformat": 4, "nbformat_minor": 5}))
    result = run_cli("grade", str(tmp_path / "submitted"), "--assignment", "tensors", "--out", str(tmp_path / "out"),
                     "--quiet", "--timeout", "3")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "grades.csv").open() as f:
        [row] = list(csv.DictReader(f))
    assert row["total"] == row["max_total"], row  # the endless cell was stopped after its CELL_SECONDS


@pytest.mark.parametrize("cell", ["ok = (a\n      != b)", 's = """\n!important\n%s\n"""', "x = [1,\n     %2]"])
def test_lines_inside_brackets_or_strings_are_left_alone(cell):
    assert python_of(cell) == cell


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=80), max_size=5))
def test_any_cells_make_a_module_that_compiles(cells):
    """Whatever a student's cells hold, the generated module is valid Python (the cells are
    data in it, compiled one by one at import), and making it never raises."""
    module, _ = notebook_module([(n, None, c) for n, c in enumerate(cells, 1)], "exercises/tensors.py", "tensors.ipynb")
    compile(module, "exercises/tensors.py", "exec")

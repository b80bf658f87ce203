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
from autograder.sandbox.notebook_reasons import why_undefined
from tests.helpers import points_of, run_cli


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


def _graded_notebook(tmp_path, edits: dict[str, callable]) -> tuple[dict, dict]:
    """Grade (through the CLI) one student whose tensors notebook holds the right answers
    but for ``edits`` (grade id -> source -> source): their grades.csv row and results."""
    cells = cells_of("tensors", {})
    for cell in cells:
        edit = edits.get(cell["metadata"]["nbgrader"]["grade_id"])
        cell["source"] = edit(cell["source"]) if edit else cell["source"]
    folder = tmp_path / "submitted" / "ada" / "tensors"
    folder.mkdir(parents=True)
    (folder / "tensors.ipynb").write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                                      "nbformat_minor": 5}))
    result = run_cli("grade", str(tmp_path / "submitted"), "--assignment", "tensors", "--out", str(tmp_path / "out"),
                     "--quiet")
    assert result.returncode == 0, result.stderr
    with (tmp_path / "out" / "grades.csv").open() as f:
        [row] = list(csv.DictReader(f))
    return row, json.loads((tmp_path / "out" / "results" / "ada.json").read_text())


def _feedback_of(results: dict, exercise: str) -> set[tuple[str, str]]:
    return {(t["extra_data"]["message"], t["extra_data"].get("detail", "")) for t in results["tests"]
            if t["extra_data"]["exercise"] == exercise}


def test_a_cell_that_stops_before_its_def_says_why_and_costs_only_its_exercise(tmp_path):
    """An unclosed bracket (the SyntaxError, the cell, its line and the line itself), a cell
    that raises before its def, one that names its function otherwise: each exercise says
    what happened in its notebook's cell, as a kernel shows it, and the others keep their points."""
    row, results = _graded_notebook(tmp_path, {
        "create_tensor": lambda s: s.replace("return torch.tensor(data)", "return torch.tensor(data"),
        "count_elements": lambda s: "print(undefined_name)\n" + s,
        "tensor_dtype": lambda s: s.replace("def tensor_dtype(", "def tensor_type("),
    })
    lost = sum(points_of(e) for e in ("create_tensor", "count_elements", "tensor_dtype"))
    assert float(row["total"]) == float(row["max_total"]) - lost > 0, row
    line = 1 + cells_of("tensors", {})[1]["source"].splitlines().index("    return torch.tensor(data)")
    [(message, detail)] = _feedback_of(results, "create_tensor")
    assert message == ("create_tensor is not defined: the answer cell for create_tensor (cell 2 of "
                       f"your tensors notebook) does not compile: SyntaxError: '(' was never closed on line {line} "
                       "of that cell")
    assert detail.splitlines()[1:] == ["    return torch.tensor(data", "                       ^",
                                       "SyntaxError: '(' was never closed"], detail
    assert ".py" not in message + detail
    [(message, detail)] = _feedback_of(results, "count_elements")
    assert message == ("count_elements is not defined: the answer cell for count_elements (cell 5 of "
                       "your tensors notebook) raised NameError: name 'undefined_name' is not defined on line 1 "
                       "of that cell, before it defined count_elements")
    [(message, _)] = _feedback_of(results, "tensor_dtype")
    assert message == "your tensors notebook defines no function tensor_dtype"
    feedback = (tmp_path / "out" / "feedback" / "ada.html").read_text()
    assert "SyntaxError: &#39;(&#39; was never closed on line" in feedback or \
        "SyntaxError: '(' was never closed on line" in feedback


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=10),
                           lambda children: st.lists(children, max_size=5)
                           | st.dictionaries(st.text(max_size=10), children, max_size=5), max_leaves=20)


@settings(max_examples=200, deadline=None)
@given(json_values | st.fixed_dictionaries({"file": json_values, "cell file": json_values, "seconds": json_values,
                                            "stopped": st.lists(st.lists(json_values, max_size=6), max_size=3)}))
def test_a_record_the_cells_replaced_gives_the_plain_reason(record):
    """The worker reads ``__notebook__`` after the student's cells ran: whatever they left
    there gives a reason or None (the plain one), never an exception."""
    reason = why_undefined({"__notebook__": record}, "create_tensor")
    assert reason is None or all(isinstance(text, str) for text in reason)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_any_broken_answer_cell_gives_a_bounded_reason(tail):
    """Whatever follows ``def create_tensor(`` in its answer cell, a function it leaves
    undefined gets the cell's error in a bounded reason, quoting no more than its bound."""
    module, _ = notebook_module([(3, "create_tensor", "def create_tensor(" + tail)], "exercises/tensors.py",
                                "tensors.ipynb")
    namespace: dict = {}
    exec(compile(module, "exercises/tensors.py", "exec"), namespace)
    if callable(namespace.get("create_tensor")):
        return
    message, detail = why_undefined(namespace, "create_tensor")
    assert message.startswith("create_tensor is not defined: the answer cell for create_tensor (cell 3 of "
                              "tensors.ipynb) "), message
    assert len(message) < 1000 and len(detail) < 1000 and "\n" not in message

"""Notebooks on the upload side of the trust boundary: any JSON, damaged bytes, deep
nesting, odd cells and classes of nbgrader folders give a module or a reason, and cost
only their student (``autograder/intake/notebooks.py``)."""
from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from autograder.errors import UsageError
from autograder.intake import bounds
from tests.test_intake_uploads import (ASSIGNMENT, EXERCISES, SECONDS_PER_SUBMISSION, TENSORS,  # noqa: F401
                                       answer, assert_class, assert_safe, discover_notebooks, fuzz, is_id,
                                       notebook_to_module)


# -- notebooks -----------------------------------------------------------------------------

#: text with lone surrogates now and then (JSON escapes can carry them; UTF-8 cannot)
texts = st.text(max_size=20) | st.text(st.characters(max_codepoint=0x7f)
                                       | st.characters(min_codepoint=0xd800, max_codepoint=0xdfff), max_size=8)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=30)
grade_ids = st.sampled_from([*TENSORS, f"imports_{ASSIGNMENT}", "test_create_tensor"]) | st.text(max_size=10)
sources = (texts | st.lists(texts, max_size=4) | st.lists(json_values, max_size=4) | json_values)
metadata = (st.fixed_dictionaries({"nbgrader": st.fixed_dictionaries({"grade_id": grade_ids | json_values})})
            | json_values)
cells = (st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown"]) | json_values,
                                "metadata": metadata, "source": sources},
                               optional={"outputs": json_values, "execution_count": json_values})
         | json_values)
#: answer cells of real exercises (so that they are read), each field right or of any type
answer_cells = st.fixed_dictionaries({
    "cell_type": st.just("code") | st.just("code") | st.sampled_from(["markdown", "raw"]) | json_values,
    "metadata": (st.fixed_dictionaries({"nbgrader": st.fixed_dictionaries(
        {"grade_id": st.sampled_from([*TENSORS, f"imports_{ASSIGNMENT}"])},
        optional={"solution": json_values, "points": json_values})}) | json_values),
    "source": sources})
notebooks = (st.fixed_dictionaries({"cells": st.lists(answer_cells | answer_cells | cells, max_size=12)},
                                   optional={"metadata": json_values, "nbformat": json_values})
             | json_values)


def check_module(raw: bytes) -> tuple[str | None, list[str]]:
    problems: list[str] = []
    start = time.monotonic()
    module = notebook_to_module(raw, ASSIGNMENT, EXERCISES, problems)
    assert time.monotonic() - start < SECONDS_PER_SUBMISSION
    for problem in problems:
        assert_safe(problem)
    if module is None:
        assert problems
    else:
        assert isinstance(module, str) and len(module.encode("utf-8")) <= bounds.MAX_FILE_BYTES
    return module, problems


@fuzz
@given(notebooks)
def test_any_json_notebook_gives_a_module_or_a_reason(nb):
    check_module(json.dumps(nb).encode())


@fuzz
@given(notebooks, st.data())
def test_damaged_notebook_bytes_give_a_module_or_a_reason(nb, data):
    raw = bytearray(json.dumps(nb).encode())
    assume(raw)
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    check_module(bytes(raw[: data.draw(st.integers(0, len(raw)))]))


@pytest.mark.parametrize("raw", [
    b"[" * 100_000,
    b'{"cells": ' + b"[" * 5000 + b"]" * 5000 + b"}",
    b'{"cells": [{"cell_type": "code", "metadata": ' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}]}",
    b'{"cells": [' + b'{"cell_type": "code", "source": ' + b"[" * 900 + b"]" * 900 + b"}]}",
    b'{"cells": 1' + b"0" * 10_000 + b"}",
    "\ufeff{}".encode(), b"\xff\xfe{\x00}\x00", b"",
])
def test_deep_long_and_odd_json_gives_a_reason(raw):
    check_module(raw)


@fuzz
@given(st.lists(st.tuples(st.sampled_from(["ada", "ben", "x\n", "bad name", "-1+1", "\udcff", "a" * 101])
                          | st.text(min_size=1, max_size=8).filter(lambda s: "/" not in s and "\0" not in s
                                                                   and s not in (".", "..")),
                          notebooks), max_size=4, unique_by=lambda t: t[0]))
def test_discover_notebooks_survives_any_class(students):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, nb in students:
            try:
                folder = root / name / ASSIGNMENT
                folder.mkdir(parents=True)
            except OSError:  # a name too long for the file system
                continue
            (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
        entries = [p.name for p in root.iterdir() if not p.name.startswith(".") and (p / ASSIGNMENT).is_dir()]
        expected = {n for n in entries if is_id(n)}
        skipped: list[str] = []
        try:
            subs = discover_notebooks(root, EXERCISES, ASSIGNMENT, skipped=skipped)
        except UsageError:
            assert not expected
            return
    assert_class(subs, skipped, expected)
    assert len(skipped) == len(entries) - len(expected)



def test_a_cell_whose_metadata_is_a_list_is_not_an_answer_cell():
    nb = {"cells": [answer("x = 1", metadata=[]), answer("def create_tensor(d):\n    return 1\n")]}
    module, problems = check_module(json.dumps(nb).encode())
    assert "def create_tensor" in module and not any("create_tensor" in p for p in problems)


def test_a_source_list_holding_numbers_costs_only_its_exercise():
    nb = {"cells": [answer(["def create_tensor(d):\n", 1, 2.5]),
                    answer("def tensor_dtype(t):\n    return t.dtype\n", {"nbgrader": {"grade_id": "tensor_dtype"}})]}
    module, problems = check_module(json.dumps(nb).encode())
    assert "def tensor_dtype" in module and "def create_tensor" not in module
    assert any("answer cell for create_tensor has a source that is not text" in p for p in problems)


def test_a_source_with_a_lone_surrogate_costs_only_its_exercise():
    raw = json.dumps({"cells": [answer("def create_tensor(d):\n    return '\ud800'\n")]}).encode()
    assert b"\\ud800" in raw
    module, problems = check_module(raw)
    assert "create_tensor" not in module and any("not valid text" in p for p in problems)


def test_deeply_nested_notebook_json_is_a_reason_not_a_recursion_error():
    module, problems = check_module(b'{"cells": [' + b"[" * 100_000 + b"]}")
    assert module is None and "nested too deeply" in problems[0]


def test_notebook_bounds_on_cells_and_source_size():
    many = {"cells": [answer("x = 1", {})] * (bounds.MAX_CELLS + 1)}
    module, problems = check_module(json.dumps(many).encode())
    assert module is None and f"more than {bounds.MAX_CELLS}" in problems[0]
    big = {"cells": [answer("#" * (bounds.MAX_CELL_SOURCE_BYTES + 1)),
                     answer(["#"] * (bounds.MAX_CELL_SOURCE_BYTES + 1), {"nbgrader": {"grade_id": "tensor_dtype"}})]}
    module, problems = check_module(json.dumps(big).encode())
    assert module is not None and "#" * 1000 not in module
    assert sum("is larger than 100 kB" in p for p in problems) == 2


def test_a_notebook_over_its_size_bound_is_not_read(tmp_path):
    folder = tmp_path / "ada" / ASSIGNMENT
    folder.mkdir(parents=True)
    with (folder / f"{ASSIGNMENT}.ipynb").open("wb") as f:
        f.truncate(bounds.MAX_NOTEBOOK_BYTES + 1)  # sparse: no 20 MB written
    [ada] = discover_notebooks(tmp_path, EXERCISES, ASSIGNMENT, skipped=[])
    assert not ada.files and "large outputs?" in ada.problems[0]


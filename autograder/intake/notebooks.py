"""A submitted notebook, read within bounds and turned into the module the sandbox imports.

Every code cell but the autograded test cells runs, in order, as nbgrader's kernel runs
them (see ``cells``). Each level of the notebook's JSON is type-checked here, so that a
damaged or hostile notebook gives a reason, never an exception of the reader's.
"""
from __future__ import annotations

import json
from typing import Any

from autograder.curriculum import Exercise
from autograder.intake.bounds import MAX_CELL_SOURCE_BYTES, MAX_CELLS, MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES
from autograder.intake.cells import notebook_module
from autograder.intake.members import too_large
from autograder.untrusted import StudentInputError, safe_name

ADVICE = (" (large outputs?)", "; clear the outputs and submit again")


def parse_notebook(raw: bytes, where: str) -> list[Any]:
    """The ``cells`` list of a notebook's JSON (at most :data:`MAX_CELLS`)."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise StudentInputError(too_large(where, MAX_NOTEBOOK_BYTES, ADVICE))
    try:
        nb = json.loads(raw)
    except RecursionError:
        raise StudentInputError(f"{where} is not a valid notebook (its JSON is nested too deeply) "
                                "and was not graded") from None
    except ValueError as err:  # not JSON, not UTF-8, a number too long to convert
        raise StudentInputError(f"{where} is not a valid notebook ({type(err).__name__}) and was not graded") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise StudentInputError(f"{where} is not a valid notebook (it has no list of cells) and was not graded")
    if len(cells) > MAX_CELLS:
        raise StudentInputError(f"{where} has {len(cells)} cells, more than {MAX_CELLS}, and was not graded")
    return cells


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def cell_grade_id(cell: Any) -> str | None:
    """The nbgrader grade id of ``cell`` (``metadata.nbgrader.grade_id``), or None."""
    grade_id = _field(_field(_field(cell, "metadata"), "nbgrader"), "grade_id")
    return grade_id if isinstance(grade_id, str) else None


def is_code_cell(cell: Any) -> bool:
    return _field(cell, "cell_type") == "code"


def is_test_cell(cell: Any) -> bool:
    """An autograded test cell (nbgrader: graded, not a solution): the instructor's checks,
    run by the grader itself, never as the student's code."""
    nbgrader = _field(_field(cell, "metadata"), "nbgrader")
    return isinstance(nbgrader, dict) and nbgrader.get("grade") is True and nbgrader.get("solution") is not True


def cell_source(cell: Any, where: str) -> str:
    """The source of a code cell (a string or a list of strings), at most
    :data:`MAX_CELL_SOURCE_BYTES` of UTF-8 (so no lone surrogates)."""
    src = _field(cell, "source")
    if src is None:
        return ""
    if isinstance(src, list) and all(isinstance(line, str) for line in src):
        if sum(len(line) for line in src) > MAX_CELL_SOURCE_BYTES:
            raise StudentInputError(too_large(where, MAX_CELL_SOURCE_BYTES))
        src = "".join(src)
    if not isinstance(src, str):
        raise StudentInputError(f"{where} has a source that is not text ({type(src).__name__}) and was not graded")
    if len(src) > MAX_CELL_SOURCE_BYTES:
        raise StudentInputError(too_large(where, MAX_CELL_SOURCE_BYTES))
    try:
        size = len(src.encode("utf-8"))
    except UnicodeEncodeError:
        raise StudentInputError(f"{where} holds characters that are not valid text and was not graded") from None
    if size > MAX_CELL_SOURCE_BYTES:
        raise StudentInputError(too_large(where, MAX_CELL_SOURCE_BYTES))
    return src


def answered_assignments(cells: list[Any], exercises: list[Exercise]) -> set[str]:
    """The assignments whose answer cells (by grade id) the notebook holds."""
    owner = {e.name: e.assignment for e in exercises}
    owner.update({f"imports_{e.assignment}": e.assignment for e in exercises})
    return {owner[grade_id] for cell in cells if (grade_id := cell_grade_id(cell)) in owner}


def notebook_to_module(cells: list[Any], where: str, assignment: str, exercises: list[Exercise],
                       problems: list[str]) -> tuple[str, float] | None:
    """The module equivalent to a notebook's ``cells`` (see :func:`parse_notebook`) and how
    long its import may take; None, with the reason in ``problems``, when it is too large.
    A cell that cannot be read is left out with the reason; an answer cell that is
    missing, duplicated or no longer code is named in ``problems``."""
    by_id: dict[str, Any] = {}
    code: list[tuple[int, str | None, str]] = []
    names = {e.name for e in exercises}
    total = 0
    for number, cell in enumerate(cells, 1):
        grade_id = cell_grade_id(cell)
        if grade_id is not None:
            if grade_id in by_id:
                problems.append(f"{where}: the cell '{safe_name(grade_id)}' appears more than once; every copy "
                                "ran, in order, so the last one's definitions count")
            by_id[grade_id] = cell
        if not is_code_cell(cell) or is_test_cell(cell):
            continue
        label = (f"the answer cell for {grade_id}" if grade_id in names else
                 "the imports cell" if grade_id == f"imports_{assignment}" else f"cell {number}")
        try:
            code.append((number, grade_id if grade_id in names else None, cell_source(cell, f"{where}: {label}")))
        except StudentInputError as err:
            problems.append(err.message)
            continue
        total += len(code[-1][2])
        if total > MAX_FILE_BYTES:  # bounded before any cell is parsed: the module could not be graded
            problems.append(too_large(f"{where}: its code", MAX_FILE_BYTES))
            return None
    if f"imports_{assignment}" not in by_id:
        code.insert(0, (0, None, "import torch\nfrom torch import nn"))
    for e in exercises:
        if e.assignment != assignment:
            continue
        cell = by_id.get(e.name)
        if cell is None:
            problems.append(f"{where}: the answer cell for {e.name} is missing")
        elif not is_code_cell(cell):
            problems.append(f"{where}: the answer cell for {e.name} is no longer a code cell")
    # the notebook is named the same way whatever path brought it (a folder, a zip, an LMS
    # download): the module, like every file the intake gives, depends on the upload only
    module, seconds = notebook_module(code, f"exercises/{assignment}.py", f"your {assignment} notebook")
    if len(module.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        problems.append(too_large(f"{where}: its code", MAX_FILE_BYTES))
        return None
    return module, seconds

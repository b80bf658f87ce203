"""nbgrader submissions: a ``submitted/<student>/<assignment>/<assignment>.ipynb`` tree
turned into students' files, graded by the sandbox, the scores written to the gradebook.

Each notebook's answer cells are taken by grade id (with the imports cell) and graded
like a ``.py`` file; code in other cells is not graded.
"""
from __future__ import annotations

import os
from pathlib import Path

from autograder.curriculum import ASSIGNMENTS, Exercise
from autograder.errors import UsageError
from autograder.grading.results import Summary
from autograder.grading.run import GradeOptions, grade
from autograder.grading.submissions import Submission, is_output, unexpected
from autograder.grading.uploads import (MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, NOTEBOOK_ADVICE, cell_grade_id,
                                        cell_source, entry_kind, is_code_cell, parse_notebook, read_file, student_id,
                                        too_large)
from autograder.nbgrader.cells import import_seconds, notebook_module
from autograder.untrusted import StudentInputError, safe_name


def is_test_cell(cell: object) -> bool:
    """An autograded test cell (nbgrader: graded, not a solution): the instructor's checks,
    run by the grader itself, never as the student's code."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    return isinstance(nbgrader, dict) and nbgrader.get("grade") is True and nbgrader.get("solution") is not True


def notebook_to_module(nb_bytes: bytes, assignment: str, exercises: list[Exercise], problems: list[str]) -> str | None:
    """The Python module equivalent to a submitted notebook: all its code cells but the
    autograded test cells, run in order as nbgrader's kernel runs them (see ``cells``).

    ``None``, with the reason in ``problems``, when the notebook as a whole cannot be
    read; a cell that cannot be read is left out, with the reason. An answer cell that
    is missing, duplicated or no longer code is named in ``problems`` (its exercise then
    finds no function, or the first definition)."""
    where = f"{assignment}.ipynb"
    try:
        cells = parse_notebook(nb_bytes, where)
    except StudentInputError as err:
        problems.append(err.message)
        return None
    by_id: dict[str, object] = {}
    code: list[tuple[int, str]] = []
    for number, cell in enumerate(cells, 1):
        grade_id = cell_grade_id(cell)
        if grade_id is not None:
            if grade_id in by_id:
                problems.append(f"{where}: the cell '{safe_name(grade_id)}' appears more than once; every copy "
                                "ran, in order, so the last one's definitions count")
            by_id[grade_id] = cell
        if not is_code_cell(cell) or is_test_cell(cell):
            continue
        names = {e.name for e in exercises}
        label = (f"the answer cell for {grade_id}" if grade_id in names else
                 "the imports cell" if grade_id == f"imports_{assignment}" else f"cell {number}")
        try:
            code.append((number, cell_source(cell, f"{where}: {label}")))
        except StudentInputError as err:
            problems.append(err.message)
    if f"imports_{assignment}" not in by_id:
        code.insert(0, (0, "import torch\nfrom torch import nn"))
    for e in exercises:
        if e.assignment != assignment:
            continue
        cell = by_id.get(e.name)
        if cell is None:
            problems.append(f"{where}: the answer cell for {e.name} is missing")
        elif not is_code_cell(cell):
            problems.append(f"{where}: the answer cell for {e.name} is no longer a code cell")
    module = notebook_module(code, f"exercises/{assignment}.py")
    if len(module.encode("utf-8", "surrogatepass")) > MAX_FILE_BYTES:
        problems.append(too_large(f"{where}: its code", MAX_FILE_BYTES))
        return None
    return module


def read_notebook_module(path: Path, where: str, assignment: str, exercises: list[Exercise], problems: list[str],
                         missing: str) -> tuple[str, float] | None:
    """The module of the notebook at ``path`` (read within ``MAX_NOTEBOOK_BYTES``, never
    through a link) and how long its import may take; None with the reason in
    ``problems`` (``missing`` where there is no file). Raises StudentInputError for a file
    that cannot be read."""
    raw = read_file(path, where, MAX_NOTEBOOK_BYTES, NOTEBOOK_ADVICE)
    if raw is None:
        problems.append(missing)
        return None
    module = notebook_to_module(raw, assignment, exercises, problems)
    return None if module is None else (module, import_seconds(module))


def discover_notebooks(root: Path, exercises: list[Exercise], assignment: str | None,
                       out: Path | None = None, *, skipped: list[str]) -> list[Submission]:
    """Submissions from nbgrader's ``submitted/<student>/<assignment>/*.ipynb`` (not ``out``,
    the output folder, if it is kept there). A folder whose name is not a student id
    costs only itself: the reason goes to ``skipped``, for the instructor."""
    if not root.is_dir():
        raise UsageError(f"The submissions folder {root} does not exist.")
    if assignment is None:
        raise UsageError("Grading an nbgrader submitted/ folder needs --assignment NAME.",
                         hint="one of: " + ", ".join(ASSIGNMENTS))
    if assignment not in ASSIGNMENTS:
        raise UsageError(f"There is no assignment called {assignment!r}.", hint="one of: " + ", ".join(ASSIGNMENTS))
    try:
        entries = sorted(root.iterdir())
    except OSError as err:
        raise UsageError(f"Cannot read the submissions folder {root}: {err.strerror}.") from None
    found = []
    where = f"{assignment}.ipynb"
    for folder in entries:
        if folder.name.startswith(".") or not os.path.isdir(folder / assignment) or is_output(folder, out):
            continue
        try:
            student = student_id(folder.name)
        except StudentInputError as err:
            skipped.append(f"{safe_name(folder.name)}: {err.message}")
            continue
        sub = Submission(student)
        try:
            # a link could point at the source notebook, with the solutions
            if "link" in (entry_kind(folder, student), entry_kind(folder / assignment, f"{assignment}/"),
                          entry_kind(folder / assignment / where, where)):
                sub.problems.append(f"{where} is a link, not a file, and was not graded")
            else:
                read = read_notebook_module(folder / assignment / where, where, assignment, exercises, sub.problems,
                                            f"{where} is missing from the submission")
                if read is not None:
                    sub.files[f"{assignment}.py"], sub.import_seconds[f"{assignment}.py"] = read
        except StudentInputError as err:
            sub.problems.append(err.message)
        except Exception as err:  # noqa: BLE001 - one student's upload must not stop the class
            sub.problems.append(unexpected(err))
        found.append(sub)
    if not found and not skipped:
        raise UsageError(f"{root} holds no submissions of {assignment}.")
    if not found:
        raise UsageError(f"{root} holds no submissions of {assignment} that can be graded:\n" + "\n".join(skipped))
    return found


def looks_like_nbgrader(root: Path) -> bool:
    """Whether ``root`` is an nbgrader ``submitted/`` tree (``<student>/<assignment>/*.ipynb``)."""
    return root.is_dir() and any(root.glob("*/*/*.ipynb"))


def grade_notebooks(options: GradeOptions) -> Summary:
    """Grade ``options.submissions``, a ``submitted/`` tree, for ``options.assignment``;
    with ``options.gradebook``, write the scores into that course's gradebook."""
    from autograder.nbgrader.gradebook import write_gradebook

    def find_class(options: GradeOptions, exercises: list[Exercise], skipped: list[str]
                   ) -> tuple[list[Submission], list[Exercise]]:
        found = discover_notebooks(options.submissions, exercises, options.assignment, options.out, skipped=skipped)
        return found, [e for e in exercises if e.assignment == options.assignment]

    def after(docs: list[dict]) -> None:
        if options.gradebook:
            write_gradebook(options.gradebook, options.assignment, docs)

    return grade(options, find_class, after)

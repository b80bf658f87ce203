"""A student's autograded notebook, as ``nbgrader autograde`` leaves one, made without running it.

``nbgrader generate_feedback`` renders ``autograded/<student>/<assignment>/<notebook>.ipynb``
with the scores from the gradebook; the formgrader shows the same notebook for manual
grading. It is made of three things; :func:`autograded_notebook` puts the first two
together (before the grading ends), :meth:`Autograded.with_findings` adds the third:

- the released notebook (the instructor's, trusted): locked cells (imports, check cells)
  are put back as students were given them, so *no hidden test code is ever in it*, and
  the nbgrader metadata of every graded cell comes from there, as ``OverwriteCells`` does;
- the submitted notebook (untrusted): its cells, in order, with their source only (read
  within the intake's bounds): no outputs, attachments or metadata of the
  student's reach the page. Where a grade id appears more than once the last copy keeps
  it, as ``DeduplicateIds`` (and the kernel: its definitions count) has it. A check cell
  the student deleted is put back after the cell before it in the released notebook;
- our grading: each check cell's output is what the checks found for its exercise
  (:func:`check_report`), printed text with no ``Out[...]`` value; the notes of the
  submission (a notebook that could not be read, a missing answer cell) open the notebook.

Pure functions of their arguments: the same submission gives the same bytes.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from autograder.grading.results import output_text
from autograder.intake.notebooks import cell_grade_id, cell_source
from autograder.outcomes import CheckResult, StudentResult
from autograder.untrusted import StudentInputError

#: check messages listed under each exercise before "... and N more"
MAX_MESSAGES = 5
#: the width check reports are wrapped at (a feedback page shows them as preformatted text)
WIDTH = 100
#: the first line of the cell that holds the notes on a submission
NOTES_HEADER = "# Notes from the grader on this submission (not part of your notebook)"


@dataclass(frozen=True)
class Released:
    """The released notebook of an assignment: what every autograded notebook is built on."""

    metadata: dict
    cells: list[dict]

    @classmethod
    def from_json(cls, text: str) -> "Released":
        nb = json.loads(text)
        return cls(nb.get("metadata", {}), [_released_cell(c) for c in nb["cells"]])

    def graded(self) -> dict[str, dict]:
        """grade id -> released cell, for the cells nbgrader tracks (answers, checks, locked)."""
        return {c["metadata"]["nbgrader"]["grade_id"]: c for c in self.cells if "nbgrader" in c["metadata"]}

    def check_cells(self) -> dict[str, str]:
        """grade id -> exercise, for the autograded check cells (``test_<exercise>``)."""
        return {gid: gid.removeprefix("test_") for gid, c in self.graded().items() if is_check_cell(c)}


def _released_cell(cell: dict) -> dict:
    out = {"cell_type": cell["cell_type"], "id": cell.get("id"), "metadata": cell.get("metadata", {}),
           "source": "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]}
    if cell["cell_type"] == "code":
        out.update(execution_count=None, outputs=[])
    return out


def is_check_cell(cell: dict) -> bool:
    meta = cell["metadata"].get("nbgrader", {})
    return bool(meta.get("grade")) and not meta.get("solution")


def _stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": text}


def check_report(result: StudentResult, exercise: str) -> str:
    """What the checks found for ``exercise`` in one student's result: the points, then
    the public checks' problems (they gate the points), then the hidden checks' (what went
    wrong, never their code). One message per problem, each once."""
    score = result.exercise(exercise)
    if score is None:
        return f"{exercise}: not graded.\n"
    checks = result.checks_of(exercise)
    public = [c for c in checks if not c.hidden]
    hidden = [c for c in checks if c.hidden]
    lines = [f"{exercise}: {score.score:g} / {score.max_score:g} points."]
    lines += _section("Public checks", public, "they must all pass before the hidden checks count")
    lines += _section("Hidden checks", hidden, "other inputs, run when your work is graded")
    if not public and not hidden:
        lines.append("No check ran: the notes at the top of this notebook say why.")
    return "".join(f"{wrapped}\n" for line in lines for wrapped in _wrap(line))


def _section(title: str, checks: list[CheckResult], about: str) -> list[str]:
    if not checks:
        return []
    passed = sum(c.passed for c in checks)
    lines = [f"{title} ({about}): {passed} of {len(checks)} pass."]
    messages: list[str] = []
    for c in checks:
        text = output_text(c)
        if not c.passed and text not in messages:
            messages.append(text)
    lines += [f"  - {m}" for m in messages[:MAX_MESSAGES]]
    if len(messages) > MAX_MESSAGES:
        lines.append(f"  ... and {len(messages) - MAX_MESSAGES} more.")
    return lines


def _wrap(line: str) -> list[str]:
    """``line`` in lines of at most :data:`WIDTH` characters where it has spaces to break
    at, continuation lines indented under the text (a greedy split: textwrap's patterns
    cost a third of the hand-over for a class)."""
    if len(line) <= WIDTH:
        return [line]
    indent = " " * (len(line) - len(line.lstrip(" -")) + 2)
    lines, current = [], ""
    for word in line.split(" "):
        if current and len(current) + 1 + len(word) > WIDTH:
            lines.append(current)
            current = indent + word
        else:
            current = f"{current} {word}" if current else word
    return [*lines, current]


@dataclass
class Autograded:
    """A student's autograded notebook before the grading's findings go in."""

    metadata: dict
    cells: list[dict]
    #: grade id -> the answer cell as built (released metadata, the student's source), for
    #: nbgrader's "No response." comment on answers left as released
    answers: dict[str, dict]
    #: what in the submission could not be used, for the instructor
    problems: list[str]

    def with_findings(self, reports: dict[str, str], notes: list[str]) -> dict:
        """The notebook, with ``reports`` (check cell grade id -> output) under the check
        cells and ``notes`` (on the submission as a whole) in a cell of their own, first."""
        cells = [{**c, "outputs": [_stream(reports[gid])]} if (gid := _grade_id(c)) in reports and is_check_cell(c)
                 else c for c in self.cells]
        if notes:
            cells.insert(0, {"cell_type": "code", "execution_count": None, "id": "grader-notes", "metadata": {},
                             "outputs": [_stream("".join(f"{n}\n" for n in notes))], "source": NOTES_HEADER})
        return {"cells": cells, "metadata": self.metadata, "nbformat": 4, "nbformat_minor": 5}


def autograded_notebook(released: Released, submitted: list[Any] | None, where: str) -> Autograded:
    """The autograded notebook of one student (see the module's docstring), findings to come.

    ``submitted``: the submitted notebook's cells (``intake.notebooks.parse_notebook``), or
    None when it could not be read: then the released notebook stands in, answers as released."""
    graded = released.graded()
    problems: list[str] = []
    cells_in = submitted if submitted is not None else released.cells
    last = {gid: i for i, c in enumerate(cells_in) if (gid := cell_grade_id(c)) in graded}
    cells: list[dict] = []
    placed: set[str] = set()
    answers: dict[str, dict] = {}
    for number, cell in enumerate(cells_in, 1):
        gid = cell_grade_id(cell)
        if gid in graded and last[gid] == number - 1:
            cell = _graded_cell(graded[gid], cell, f"{where}: cell {number}", problems)
            placed.add(gid)
            if cell["metadata"]["nbgrader"].get("solution"):
                answers[gid] = cell
        else:
            cell = _own_cell(cell, number, f"{where}: cell {number}", problems)
        cells.append(cell)
    # check cells the student deleted: after the cell that comes before them in the release
    order = [c["metadata"]["nbgrader"]["grade_id"] for c in released.cells if "nbgrader" in c["metadata"]]
    for index, gid in enumerate(order):
        if gid not in placed and is_check_cell(graded[gid]):
            cells.insert(_after(cells, order[:index]), _graded_cell(graded[gid], graded[gid], where, problems))
            placed.add(gid)
    return Autograded(released.metadata, cells, answers, problems)


def _grade_id(cell: dict) -> str | None:
    return cell["metadata"].get("nbgrader", {}).get("grade_id")


def _after(cells: list[dict], earlier: list[str]) -> int:
    """Where a cell goes that comes after the grade ids ``earlier`` (in release order): after
    the last cell holding the latest of them that is there, or first."""
    for gid in reversed(earlier):
        positions = [i for i, c in enumerate(cells) if _grade_id(c) == gid]
        if positions:
            return positions[-1] + 1
    return 0


def _graded_cell(released: dict, cell: Any, where: str, problems: list[str]) -> dict:
    """A cell nbgrader tracks: the released cell, with the student's source if it is an answer.
    (A shallow copy: what it shares with the released notebook is never changed.)"""
    if released["metadata"]["nbgrader"].get("locked"):
        return dict(released)
    return {**released, "source": _source(cell, where, problems)}


def _own_cell(cell: Any, number: int, where: str, problems: list[str]) -> dict:
    """A cell of the student's own (or an extra copy of a graded one): its kind and source only."""
    kind = cell.get("cell_type") if isinstance(cell, dict) else None
    kind = kind if kind in ("code", "markdown", "raw") else "raw"
    out = {"cell_type": kind, "id": f"cell-{number}", "metadata": {}, "source": _source(cell, where, problems)}
    if kind == "code":
        out.update(execution_count=None, outputs=[])
    return out


def _source(cell: Any, where: str, problems: list[str]) -> str:
    try:
        return cell_source(cell, where)
    except StudentInputError as err:
        problems.append(err.message)
        return ""


def dumps(notebook: dict) -> str:
    """The notebook as JSON, keys sorted, on one line (json's C encoder: indenting falls
    back to Python, several times slower; nbgrader and Jupyter read either)."""
    return json.dumps(notebook, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"

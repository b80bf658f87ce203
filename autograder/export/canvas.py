"""Filling a Canvas gradebook export with the class's totals.

Canvas's gradebook export (its ``GradebookExporter``) and import (``GradebookImporter``,
``lib/gradebook_importer.rb`` in instructure/canvas-lms) agree on this layout:

- a header row: ``Student`` (or ``LastName``, ``FirstName``), ``ID`` (the Canvas user id),
  optionally ``SIS User ID``, ``SIS Login ID``, ``Integration ID``, ``Root Account``, then
  ``Section``, the course's custom columns, one column per assignment named
  ``Title (assignment id)``, and read-only totals (``Current Score``, ``Final Grade``...);
- optionally a row of ``Manual Posting`` marks, then a ``Points Possible`` row;
- one row per student; the file may be separated by semicolons where the locale writes
  decimal commas.

The importer finds a student by the ``ID`` column first, which is the Canvas user id a
Canvas submissions download carries in each file's name (``intake.names.canvas_name``), so
a class graded from a Canvas download has exactly these ids as its students.
"""
from __future__ import annotations

import difflib

from autograder.errors import UsageError
from autograder.export.csvtext import parse, sniff_separator
from autograder.export.fill import Filled, fill_column, number_cell
from autograder.untrusted import safe_name

#: columns that are no assignment's (the importer's reserved names and its totals)
STUDENT_COLUMNS = ("Student", "LastName", "FirstName", "ID", "SIS User ID", "SIS Login ID", "Section",
                   "Integration ID", "Root Account")
TOTAL_COLUMNS = ("Current Score", "Current Points", "Current Grade", "Final Score", "Final Points", "Final Grade",
                 "Override Score", "Override Grade", "Override Status")
#: cells ``--missing-as-zero`` keeps, with the reason (the exporter writes "N/A" where the
#: assignment is not assigned to the student, "EX" where the student is excused)
KEPT_CELLS = {"N/A": "kept 'N/A', an assignment the student does not have",
              "EX": "kept 'EX', excused in Canvas"}
#: the user of Canvas's student view, "Test Student", exported by its sortable name
TEST_STUDENT = "kept as exported, Canvas's Test Student (the student view's user, not a student)"
_EXPORT_HINT = "export the gradebook from Canvas (Grades, Export, Export Entire Gradebook)"


def fill_canvas(text: str, where: str, column: str, totals: dict[str, float], max_total: float,
                missing_as_zero: bool) -> Filled:
    """The export ``text`` (read from ``where``) with ``column`` filled from ``totals``
    (Canvas user id -> total); see :func:`~autograder.export.fill.fill_column`."""
    try:
        separator = sniff_separator(text, "Student", where)
        first_last = False
    except UsageError:
        try:
            separator = sniff_separator(text, "LastName", where)
        except UsageError:
            raise UsageError(f"{where} is not a Canvas gradebook export: its first column is not 'Student'.",
                             hint=_EXPORT_HINT) from None
        first_last = True
    table = parse(text, separator, where)
    header = [c.value for c in table.rows[0]] if table.rows else []
    id_index = 2 if first_last else 1
    if len(header) <= id_index or header[id_index] != "ID":
        raise UsageError(f"{where} is not a Canvas gradebook export: its column {id_index + 1} is not 'ID'.",
                         hint=_EXPORT_HINT)
    target = _assignment_column(header, column, where)
    points_possible = None
    student_rows, test_students = [], {}
    for r, row in enumerate(table.rows[1:], start=1):
        first = row[0].value.strip() if row else ""
        if first.startswith("Points Possible"):
            points_possible = row[target].value.strip() if target < len(row) else ""
            continue
        user = row[id_index].value.strip() if id_index < len(row) else ""
        if user:  # rows without an id: the Manual Posting marks, blank lines
            student_rows.append((r, user))
            if _is_test_student([c.value.strip() for c in row[:id_index]]):
                test_students[user] = TEST_STUDENT
    filled = fill_column(table, target, student_rows, totals, missing_as_zero, keep=KEPT_CELLS,
                         keep_students=test_students)
    if points_possible and _number(points_possible) not in (None, max_total):
        filled.notes.append(f"Canvas's Points Possible for {safe_name(header[target])!r} is "
                            f"{safe_name(points_possible)}, but the totals are out of {number_cell(max_total)}: the "
                            "file holds the totals as they are; change the assignment's points in Canvas if they "
                            "should match.")
    return filled


def _assignment_column(header: list[str], column: str, where: str) -> int:
    """The index of the assignment column ``column`` names: its whole header, its title, or its id.

    An assignment column is one Canvas's importer reads as an assignment: a header
    ``Title (id)`` (``Assignment.title_and_id``) that is no total's; any other column (a
    student column, a custom column such as "Notes", a total) is refused by name."""
    assignments = [(k, h) for k, h in enumerate(header) if _is_assignment(h)]
    exact = [k for k, h in assignments if h == column]
    if not exact:
        exact = [k for k, h in assignments if column in _title_and_id(h)]
    if len(exact) == 1:
        return exact[0]
    if column in header:
        raise UsageError(f"{safe_name(column)!r} is not an assignment column of {where}: " + _whose(column) + ".",
                         hint="Canvas names an assignment's column 'Title (id)'; pass one of those")
    names = [safe_name(h) for _, h in assignments]
    if exact:
        raise UsageError(f"{safe_name(column)!r} names {len(exact)} columns of {where}: "
                         + ", ".join(repr(safe_name(header[k])) for k in exact) + ".", hint="pass the whole column name")
    close = difflib.get_close_matches(column, names, n=3)
    raise UsageError(f"{where} has no assignment column {safe_name(column)!r}.",
                     hint=(f"did you mean {' or '.join(repr(c) for c in close)}? " if close else "")
                     + "its assignment columns: " + (", ".join(repr(n) for n in names[:20]) or "none"))


def _is_assignment(header: str) -> bool:
    """Whether Canvas's importer reads the column ``header`` as an assignment's."""
    return (header not in STUDENT_COLUMNS and not any(t in header for t in TOTAL_COLUMNS)
            and bool(_title_and_id(header)))


def _whose(header: str) -> str:
    """What a column that is no assignment's holds, for a message."""
    if header in STUDENT_COLUMNS:
        return "it is Canvas's own column of the student"
    if any(t in header for t in TOTAL_COLUMNS):
        return "it is a total Canvas computes"
    return "its header does not end in an assignment id, such as ' (12345)': it is a custom column"


def _title_and_id(header: str) -> tuple[str, ...]:
    """``("Title", "123")`` for a header ``Title (123)``; ``()`` for any other."""
    if not header.endswith(")"):
        return ()
    opening = header.rfind(" (")
    ident = header[opening + 2:-1]
    if opening < 0 or not ident.isdigit() or not ident.isascii():
        return ()
    return header[:opening], ident


def _is_test_student(names: list[str]) -> bool:
    """Whether a row's name cells (``Student``, or ``LastName``, ``FirstName``) are those of
    Canvas's Test Student."""
    return names in (["Student, Test"], ["Student", "Test"])


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None

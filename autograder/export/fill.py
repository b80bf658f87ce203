"""Filling one column of an LMS's export with the class's totals, every other byte kept."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from autograder.export.csvtext import Table, with_cells


@dataclass
class Filled:
    text: str  #: the export with the column filled
    column: str  #: the column's header
    written: int  #: students of the export whose cell got their total
    missing: list[str]  #: students of the export without a result (their cell kept, or 0)
    unknown: list[str]  #: graded students the export does not have
    zeroed: list[str] = field(default_factory=list)  #: students of ``missing`` whose cell was set to 0
    #: students of ``missing`` whose cell ``--missing-as-zero`` kept, by the reason it was kept
    kept: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  #: what will cost a grade on import unless acted on
    notes: list[str] = field(default_factory=list)  #: what the instructor should know


def number_cell(x: float) -> str:
    """A total as a cell: digits and a decimal point, never an exponent; a spreadsheet
    reads it as a number, never as a formula."""
    if not math.isfinite(x):
        raise ValueError(f"a total that is not a number: {x!r}")
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def fill_column(table: Table, column: int, students: list[tuple[int, str]], totals: dict[str, float],
                missing_as_zero: bool, keep: dict[str, str] | None = None,
                keep_students: dict[str, str] | None = None) -> Filled:
    """``table`` with cell ``column`` of each student row (row index, the LMS's id) set to
    that student's total; a student without one keeps the cell as the LMS wrote it, or gets 0
    with ``missing_as_zero``, unless the cell says one of ``keep`` (cell -> the reason it is
    kept, such as Canvas's "N/A" for an assignment the student does not have) or the student
    is one of ``keep_students`` (id -> the reason, such as Canvas's Test Student)."""
    keep, keep_students = keep or {}, keep_students or {}
    replacements: dict[tuple[int, int], str] = {}
    written, zeroed, missing, seen = 0, [], [], set()
    kept: dict[str, list[str]] = {}
    for row, student in students:
        seen.add(student)
        if student in totals:
            replacements[(row, column)] = number_cell(totals[student])
            written += 1
            continue
        missing.append(student)
        if not missing_as_zero:
            continue
        cells = table.rows[row]
        current = cells[column].value.strip() if column < len(cells) else ""
        reason = keep_students.get(student) or keep.get(current)
        if reason:
            kept.setdefault(reason, []).append(student)
        else:
            replacements[(row, column)] = "0"
            zeroed.append(student)
    header = table.rows[0][column].value
    return Filled(with_cells(table, replacements), header, written, missing, sorted(totals.keys() - seen),
                  zeroed, kept)

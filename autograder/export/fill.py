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
    zero_written: int = 0  #: cells of students without a result set to 0 (``--missing-as-zero``)
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
                missing_as_zero: bool, keep: tuple[str, ...] = ()) -> Filled:
    """``table`` with cell ``column`` of each student row (row index, the LMS's id) set to
    that student's total; a student without one keeps the cell as the LMS wrote it, or gets 0
    with ``missing_as_zero`` (unless the cell says one of ``keep``, such as Canvas's "N/A" for
    an assignment the student does not have)."""
    replacements: dict[tuple[int, int], str] = {}
    written, zero, missing, seen = 0, 0, [], set()
    for row, student in students:
        seen.add(student)
        if student in totals:
            replacements[(row, column)] = number_cell(totals[student])
            written += 1
            continue
        missing.append(student)
        cells = table.rows[row]
        current = cells[column].value.strip() if column < len(cells) else ""
        if missing_as_zero and current not in keep:
            replacements[(row, column)] = "0"
            zero += 1
    header = table.rows[0][column].value
    return Filled(with_cells(table, replacements), header, written, missing, sorted(totals.keys() - seen), zero)

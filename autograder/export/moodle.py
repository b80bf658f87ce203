"""Filling a Moodle offline grading worksheet with the class's totals.

The worksheet is what an assignment's "Download grading worksheet" gives
(``mod/assign/gradingtable.php`` when downloading): a first column ``Identifier`` holding
``Participant <id>``, then ``Full name``, identity fields, ``Status``, ``Grade``,
``Maximum Grade``, ``Grade can be changed``, ``Last modified (submission)``, ``Last
modified (grade)``, feedback columns. Moodle's importer
(``mod/assign/feedback/offline/importgradeslib.php``) finds the identifier, grade and
last-modified columns by their headers *in the site's language*, takes the number at the
end of the identifier as the participant id (the id a Moodle submissions download carries
in each folder's name, ``intake.names.moodle_name``), and skips, without saying so, a grade
that is empty, unchanged, above the assignment's maximum, or older than the grade in
Moodle (unless told to ignore that). Filling the downloaded worksheet keeps its headers,
in whatever language, and its last-modified times.
"""
from __future__ import annotations

from autograder.errors import UsageError
from autograder.export.csvtext import BOM, parse
from autograder.export.fill import Filled, fill_column, number_cell
from autograder.intake.names import is_digits
from autograder.untrusted import safe_name

GRADE = "Grade"  #: the grade column's header in an English Moodle
IDENTIFIER = "Identifier"
MAXIMUM = "Maximum Grade"


def fill_moodle(text: str, where: str, column: str | None, totals: dict[str, float],
                missing_as_zero: bool) -> Filled:
    """The worksheet ``text`` (read from ``where``) with its grade column (``column``, else
    ``Grade``) filled from ``totals`` (participant id -> total)."""
    separator = _separator(text)
    table = parse(text, separator, where)
    header = [c.value for c in table.rows[0]] if table.rows else []
    name = column or GRADE
    if name not in header:
        raise UsageError(f"{where} has no column {name!r}" + (": is it a Moodle grading worksheet?" if header else "."),
                         hint="its headers are in the Moodle site's language: pass --column with the grade column's "
                              "name; its columns: " + ", ".join(repr(safe_name(h)) for h in header[:20]))
    grade = header.index(name)
    ident = header.index(IDENTIFIER) if IDENTIFIER in header else 0  # Moodle writes it first
    students, odd = [], []
    for r, row in enumerate(table.rows[1:], start=1):
        participant = _participant(row[ident].value if ident < len(row) else "")
        if participant is None:
            if any(c.value.strip() for c in row):
                odd.append(r + 1)
            continue
        students.append((r, participant))
    if not students:
        raise UsageError(f"{where} has no participant rows: its column {header[ident]!r} holds no "
                         "'Participant <number>' identifiers.")
    filled = fill_column(table, grade, students, totals, missing_as_zero)
    if odd:
        filled.notes.append(f"{len(odd)} row(s) of {where} name no participant and were left as they were "
                               f"(lines {', '.join(map(str, odd[:10]))}{', ...' if len(odd) > 10 else ''}).")
    above = _above_maximum(table, header, grade, students, totals)
    if above:
        filled.warnings.append(f"Moodle skips a grade above the assignment's maximum grade ({above[0]}), without "
                               f"saying so: {len(above[1])} student(s) have more: " + ", ".join(above[1][:20])
                               + ". Raise the assignment's maximum grade in Moodle, or scale the totals.")
    return filled


def _separator(text: str) -> str:
    """The separator of the worksheet's header line: a comma unless the line has more semicolons or tabs."""
    head = text[1:] if text.startswith(BOM) else text
    first = head[:head.find("\n")] if "\n" in head else head
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: (counts[sep], sep == ","))


def _participant(cell: str) -> str | None:
    """The participant id at the end of an identifier ("Participant 12345" in English), else None."""
    number = cell.strip().rpartition(" ")[2]
    return number if is_digits(number) and len(number) <= 18 else None


def _above_maximum(table, header: list[str], grade: int, students: list[tuple[int, str]],  # noqa: ANN001
                   totals: dict[str, float]) -> tuple[str, list[str]] | None:
    """(the maximum grade, the students whose total exceeds it), if the worksheet gives the
    maximum: in ``Maximum Grade``, which Moodle writes right after the grade column."""
    maximum = header.index(MAXIMUM) if MAXIMUM in header else grade + 1
    above, limit = [], None
    for row, student in students:
        cells = table.rows[row]
        if student not in totals or maximum >= len(cells):
            continue
        try:
            limit_here = float(cells[maximum].value.strip().replace(",", "."))
        except ValueError:
            return None  # not a maximum grade column (a scale, or another layout)
        if totals[student] > limit_here + 1e-9:
            above.append(student)
            limit = limit_here
    return (number_cell(limit), above) if above else None

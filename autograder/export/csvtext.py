"""A CSV file read as text whose cells can be replaced one by one, every other byte kept.

An LMS takes back the file it exported: the export's rows and columns, its quoting, line
ends and byte-order mark, each student's cells as the LMS wrote them. So the export is not
parsed and written again (which would requote cells and change line ends) but read once
into rows of :class:`Cell`\\ s that know where their text lies, and the new file is the old
text with the chosen cells' spans replaced.

The reader is a small state machine over the characters of the file (RFC 4180: a quoted
cell may hold the separator, line ends and doubled quotes), one pass, linear in the size
of the file, which is bounded before it is read (:data:`MAX_FILE_BYTES`). The file comes
from the LMS, but its cells hold what people typed (names, comments): nothing of it is
printed unless made safe (``untrusted.safe_name``), and nothing of it is ever run.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError
from autograder.untrusted import safe_name

#: the largest export read: a gradebook of 10,000 students with 300 columns fits
MAX_FILE_BYTES = 64 * 1024 * 1024
BOM = "\ufeff"


@dataclass(frozen=True)
class Cell:
    value: str  #: the cell's text, unquoted
    start: int  #: where the cell's text (quotes included) starts in the file's text
    end: int  #: and ends


@dataclass
class Table:
    text: str  #: the whole file, as read (a byte-order mark included)
    separator: str
    rows: list[list[Cell]]
    #: where each row ends (before its line end), for a cell added past a short row's last
    ends: list[int]


def read_file(path: Path, what: str) -> str:
    """``path``'s text (UTF-8, a byte-order mark kept), its size bounded first; ``what``
    names the file in messages ("the Canvas gradebook")."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UsageError(f"{path} is {size:,} bytes: larger than any {what} this reads "
                             f"({MAX_FILE_BYTES:,} bytes).")
        with path.open("rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise UsageError(f"Cannot read {what} {path}: {err.strerror or type(err).__name__}.") from None
    if len(data) > MAX_FILE_BYTES:
        raise UsageError(f"{path} grew past {MAX_FILE_BYTES:,} bytes while it was read.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(f"{path} is not UTF-8 text (byte {err.start}): download {what} again as UTF-8 CSV.") from None


def parse(text: str, separator: str, where: str) -> Table:
    """The rows of ``text`` (see the module's docstring); ``where`` names the file in errors."""
    rows: list[list[Cell]] = []
    ends: list[int] = []
    row: list[Cell] = []
    i = 1 if text.startswith(BOM) else 0
    n = len(text)
    line = 1
    while i < n:
        start = i
        if text[i] == '"':  # a quoted cell: up to the quote that is not doubled
            parts = []
            i += 1
            while True:
                close = text.find('"', i)
                if close < 0:
                    raise UsageError(f"{where}: a quoted cell that starts on line {line} never ends.")
                parts.append(text[i:close])
                line += text.count("\n", i, close)
                if close + 1 < n and text[close + 1] == '"':
                    parts.append('"')
                    i = close + 2
                    continue
                i = close + 1
                break
            value = "".join(parts)
            if i < n and text[i] not in (separator, "\r", "\n"):
                raise UsageError(f"{where}, line {line}: text after a quoted cell's closing quote.")
        else:
            while i < n and text[i] not in (separator, "\r", "\n"):
                i += 1
            value = text[start:i]
        row.append(Cell(value, start, i))
        if i < n and text[i] == separator:
            i += 1
            if i < n:
                continue
            row.append(Cell("", n, n))  # a separator at the very end: one more, empty cell
        rows.append(row)
        ends.append(i)
        row = []
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
        line += 1
    return Table(text, separator, rows, ends)


def sniff_separator(text: str, first_header: str, where: str) -> str:
    """The separator of a file whose first header cell is ``first_header``: the character
    right after it (a comma, or a semicolon where the LMS's locale writes decimal commas)."""
    head = text[1:] if text.startswith(BOM) else text
    for quoted in (f'"{first_header}"', first_header):
        if head.startswith(quoted) and len(head) > len(quoted) and head[len(quoted)] in ",;\t":
            return head[len(quoted)]
    start = safe_name(head[:40].split("\n", 1)[0])
    raise UsageError(f"{where} does not start with a {first_header!r} column (it starts {start!r}).")


def with_cells(table: Table, replacements: dict[tuple[int, int], str]) -> str:
    """``table``'s text with the cells at (row, column) replaced by the given text (written
    as is: the caller quotes it if it must be); a column past a row's last cell is reached
    by adding separators at the row's end."""
    edits: list[tuple[int, int, str]] = []
    for (r, c), new in replacements.items():
        row = table.rows[r]
        if c < len(row):
            edits.append((row[c].start, row[c].end, new))
        else:
            edits.append((table.ends[r], table.ends[r], table.separator * (c - len(row) + 1) + new))
    pieces, at = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        pieces += [table.text[at:start], new]
        at = end
    pieces.append(table.text[at:])
    return "".join(pieces)

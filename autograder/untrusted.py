"""The trust boundary: what the trusted side reads from student control passes through here.

Student control covers a worker's frames and replies, the values and module
descriptions inside them, exception text, and everything uploaded: folders, file
names, archives and notebooks. Each reader either returns a value that is within the
bounds below, or raises :class:`StudentInputError`, the one exception that means
"this student's submission is at fault": it costs that student (or that exercise)
with a reason, and nothing else.

Uploads (folders, zips, notebooks and their names) have their own readers and bounds in
``autograder/intake/``, which raise the same exception.

Student text is made safe once, where it enters (:func:`safe_text`): lone
surrogates, control characters and bidirectional overrides are shown as escapes and
long text is cut with a marker, so that no writer downstream (UTF-8 files, HTML,
CSV, a terminal) can fail on it or be driven by it.
"""
from __future__ import annotations

from typing import Any

#: a student's exception message, or a check's message that quotes a student's value
MAX_MESSAGE_CHARS = 2_000
#: a traceback cut to the student's own files
MAX_TRACEBACK_CHARS = 4_000
#: a name the student chose: a file, a class, a dictionary key, a layer type
MAX_NAME_CHARS = 200


class StudentInputError(Exception):
    """Input from student control that the trusted side will not use.

    The message is safe text (see :func:`safe_text`) written for the student and the
    instructor: it says what was wrong, never how the grader failed.
    """

    def __init__(self, message: str):
        self.message = safe_text(message)
        super().__init__(self.message)


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escape_unsafe(text: str) -> str:
    """Every character that is not printable but a newline or tab, as an escape: controls
    (terminal escape sequences), lone surrogates (not encodable as UTF-8), format
    characters (zero-width, bidirectional overrides, which make text read as something
    else), line and paragraph separators, unassigned and private code points."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" or c == "\t" else _escape(c) for c in text)


def _as_text(value: Any) -> str:
    if type(value) is str:
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a student's object whose __str__ raises
        return f"<unprintable {type(value).__name__}>"


def safe_text(value: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``value`` as text that every writer can take: unsafe characters escaped (see
    ``_escape_unsafe``), at most ``limit`` characters, and a marker when cut."""
    text = _as_text(value)
    safe = _escape_unsafe(text[:limit])
    if len(safe) > limit or len(text) > limit:
        safe = safe[:limit] + f" [... cut: {len(text)} characters in all]"
    return safe


def safe_line(value: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``value`` as :func:`safe_text`, and on one line: tabs and newlines are shown as
    escapes too, so that the text cannot forge a line of its own in a list (or a row of a
    CSV file, or a line of the terminal's summary)."""
    text = safe_text(value, limit)
    if "\n" not in text and "\t" not in text:
        return text
    return "".join(_escape(c) if c == "\n" or c == "\t" else c for c in text)


def safe_name(value: Any) -> str:
    """A name the student chose (a file, a class, an id): :func:`safe_line` at ``MAX_NAME_CHARS``."""
    return safe_line(value, MAX_NAME_CHARS)


#: how a spreadsheet knows a formula (and tab and carriage return, which some strip
#: before looking): OWASP's list for CSV injection
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(text: str) -> str:
    """A text cell for a CSV file that spreadsheets will show as text, never run as a
    formula: one that starts like a formula gets a single quote in front (OWASP's advice
    on CSV injection). For text cells only: a number such as ``-1`` would become text."""
    return "'" + text if text.startswith(_FORMULA_START) else text

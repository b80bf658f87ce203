"""The trust boundary: what the trusted side reads from student control passes through here.

Student control covers a worker's frames and replies, the values and module
descriptions inside them, exception text, and everything uploaded: folders, file
names, archives and notebooks. Each reader either returns a value that is within the
bounds below, or raises :class:`StudentInputError`, the one exception that means
"this student's submission is at fault": it costs that student (or that exercise)
with a reason, and nothing else.

Student text is made safe once, where it enters (:func:`safe_text`): lone
surrogates, control characters and bidirectional overrides are shown as escapes and
long text is cut with a marker, so that no writer downstream (UTF-8 files, HTML,
CSV, a terminal) can fail on it or be driven by it.
"""
from __future__ import annotations

import re
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


#: characters shown as escapes: C0 controls but tab and newline, DEL and C1 controls,
#: lone surrogates (not encodable as UTF-8), zero-width and bidirectional controls
#: (which can make text read as something else), and the byte order mark
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def _escape(match: re.Match) -> str:
    char = match.group()
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _as_text(value: Any) -> str:
    if type(value) is str:
        return value
    try:
        return str(value)
    except Exception:  # noqa: BLE001 - a student's object whose __str__ raises
        return f"<unprintable {type(value).__name__}>"


def safe_text(value: Any, limit: int = MAX_MESSAGE_CHARS) -> str:
    """``value`` as text that every writer can take: unsafe characters escaped (see
    ``_UNSAFE``), and cut to ``limit`` characters with a marker saying how much went."""
    text = _as_text(value)
    if len(text) > limit:
        text = text[:limit] + f" [... {len(text) - limit} more characters cut]"
    return _UNSAFE.sub(_escape, text)


def safe_name(value: Any) -> str:
    """A name the student chose (a file, a class), as :func:`safe_text` at ``MAX_NAME_CHARS``."""
    return safe_text(value, MAX_NAME_CHARS)

"""What a name means: a student id, an assignment's file, an LMS's file name.

Names are chosen by students (and by their tools), so every function here runs in
time linear in the name's length, by construction: the length is bounded first, and
the parsing is plain string code (``str.find``, ``str.rstrip``, ``str.partition``):
no regular expression ever runs over a student's name.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from autograder.intake.bounds import MAX_ID_CHARS, MAX_NAME_CHARS
from autograder.untrusted import StudentInputError, safe_name

_ID_CHARS = frozenset(string.ascii_letters + string.digits + "_.@+-")
_DIGITS = frozenset(string.digits)

#: words students add to a file's name ("tensors_final.py", "tensors-Copy1.ipynb")
DECORATION_WORDS = ("final", "copy", "done", "submission", "solution", "new")
#: the kinds of file an assignment's work can come in, in the order they are preferred
KINDS = ("py", "ipynb")


def is_digits(text: str) -> bool:
    """ASCII digits only (``str.isdigit`` takes other scripts' digits too)."""
    return bool(text) and all(c in _DIGITS for c in text)


def student_id(name: str) -> str:
    """``name`` if it is a valid student id: 1 to :data:`MAX_ID_CHARS` letters, digits and
    ``_.@+-``, not starting with a dot."""
    if (not isinstance(name, str) or not 0 < len(name) <= MAX_ID_CHARS or name.startswith(".")
            or not all(c in _ID_CHARS for c in name)):
        raise StudentInputError(f'"{safe_name(name)}" does not name a student: ids are 1 to {MAX_ID_CHARS} letters, '
                                "digits and _.@+- (not starting with a dot); rename it to the student's id")
    return name


@dataclass(frozen=True)
class FileName:
    """What a file's own name says about it."""

    kind: str  #: "py", "ipynb", "zip" or "" (anything else)
    assignment: str | None  #: the assignment its name names, once decorations are taken off
    copy: int  #: the copy number a tool added last ("tensors (2).py", Canvas's "tensors-2.py"), else 0
    exact: bool  #: named exactly ``<assignment>.<kind>``


def file_name(name: str, assignments: tuple[str, ...] | list[str]) -> FileName:
    """Read a file's name (one path part): ``tensors.py``, ``Tensors.py``, ``tensors (1).py``,
    ``tensors-2.py``, ``tensors_final.py`` and ``tensors-Copy1.ipynb`` all name the tensors
    assignment. A name longer than :data:`MAX_NAME_CHARS` names nothing."""
    if len(name) > MAX_NAME_CHARS:
        return FileName("", None, 0, False)
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    kind = ext if dot and ext in (*KINDS, "zip") else ""
    if kind not in KINDS:
        return FileName(kind, None, 0, False)
    bare, copy = _undecorated(stem.lower())
    assignment = bare if bare in assignments else None
    return FileName(kind, assignment, copy, assignment is not None and name == f"{assignment}.{kind}")


def _number(digits: str) -> int:
    """A copy number; a run of more digits than any tool writes counts as one huge number
    (``int`` of thousands of digits is refused, and costs quadratic time)."""
    return int(digits) if len(digits) <= 18 else 10 ** 18


def _undecorated(stem: str) -> tuple[str, int]:
    """``stem`` without what students and their tools append, and the copy number (the
    last ``-N`` or ``(N)``). The loop moves an end index left, never copying the text:
    each pass removes at least one character and looks only at what it removes, so the
    whole is linear in ``len(stem)``."""
    copy = None
    end = len(stem.rstrip())
    while end:
        before = end
        while end and stem[end - 1] in " _-":
            end -= 1
        if end and stem[end - 1] == ")":
            opening = stem.rfind("(", 0, end - 1)
            if opening >= 0 and is_digits(stem[opening + 1:end - 1]):
                copy = _number(stem[opening + 1:end - 1]) if copy is None else copy
                end = opening
                continue
        start = end
        while start and stem[start - 1] in _DIGITS:
            start -= 1
        if start < end:
            if copy is None:
                copy = _number(stem[start:end]) if start and stem[start - 1] == "-" else 0
            end = start - 1 if start and stem[start - 1] == "v" else start
            continue
        word = next((w for w in DECORATION_WORDS if stem.endswith(w, 0, end)), None)
        if word is not None:
            copy = 0 if copy is None else copy
            end -= len(word)
            continue
        if end == before:
            break
        copy = 0 if copy is None else copy
    return stem[:end].strip(), copy or 0


# -- LMS file names ---------------------------------------------------------------------

@dataclass(frozen=True)
class LmsName:
    """An LMS's name for a student's file (or folder)."""

    student: str  #: the LMS's own id (Canvas user id, Moodle participant id)
    display: str  #: the student's name in the LMS
    original: str  #: the file's own name as the student uploaded it ("" for a Moodle folder)
    order: int = 0  #: Canvas's submission id: a later submission has a larger one
    late: bool = False


def canvas_name(name: str) -> LmsName | None:
    """``<sortable name>_[LATE_]<user id>_<submission id>_<original name>``, else None."""
    if len(name) > MAX_NAME_CHARS:
        return None
    display, sep, rest = name.partition("_")
    if not sep or not display or "/" in display:
        return None
    late = rest.startswith("LATE_")
    if late:
        rest = rest[len("LATE_"):]
    user, sep, rest = rest.partition("_")
    if not sep or not is_digits(user):
        return None
    submission, sep, original = rest.partition("_")
    if not sep or not is_digits(submission) or not original:
        return None
    return LmsName(user, display, original, int(submission), late)


_MOODLE_MARK = "_assignsubmission_"


def moodle_name(name: str) -> LmsName | None:
    """``<full name>_<participant id>_assignsubmission_<plugin>_<original name>``, else None.
    A name that carries the mark twice is nobody's (it could name two participants)."""
    if len(name) > MAX_NAME_CHARS:
        return None
    mark = name.find(_MOODLE_MARK)
    if mark < 0 or name.find(_MOODLE_MARK, mark + 1) >= 0:
        return None
    display, sep, user = name[:mark].rpartition("_")
    if not sep or not display or not is_digits(user):
        return None
    plugin, sep, original = name[mark + len(_MOODLE_MARK):].partition("_")
    if not sep or not plugin or not all("a" <= c <= "z" for c in plugin):
        return None
    return LmsName(user, display, original)


def carries_two_moodle_ids(name: str) -> bool:
    first = name.find(_MOODLE_MARK)
    return first >= 0 and name.find(_MOODLE_MARK, first + 1) >= 0

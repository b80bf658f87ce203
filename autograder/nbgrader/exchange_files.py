"""The two small files nbgrader's exchange keeps beside a submitted notebook, read within bounds.

``nbgrader submit`` writes ``timestamp.txt`` (when the student submitted) and
``submission_secret.txt`` (the key under which ``release_feedback`` files the feedback
page, and ``fetch_feedback`` finds it again). The student's own nbgrader writes both, so
both are student-controlled: a student could put any bytes there. They are read here
once, without following a link and within :data:`MAX_STAMP_BYTES`, and accepted only in
the shapes nbgrader writes; anything else raises ``StudentInputError`` with the reason.

A timestamp of the right shape is converted by nbgrader's own ``parse_utc``, so that a
submission gets the time (and the late penalty) ``nbgrader autograde`` would give it,
quirks included. The shape comes first: ``parse_utc`` looks a time-zone name up as a file
under the system's zoneinfo folder, so only a bare name (letters) ever reaches it.
"""
from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

from autograder.intake.members import read_file
from autograder.untrusted import StudentInputError

TIMESTAMP_FILE = "timestamp.txt"
SECRET_FILE = "submission_secret.txt"

#: the most either file may hold: nbgrader writes about 30 bytes and 128 bytes
MAX_STAMP_BYTES = 512
#: the longest timestamp accepted ("2026-11-25 10:00:00.000000 UTC" is 30 characters)
MAX_TIMESTAMP_CHARS = 40
#: what nbgrader's Exchange.timestamp_format ("%Y-%m-%d %H:%M:%S.%f %Z") and its ISO
#: variants produce: a date, a time, and a zone that is a bare name or a numeric offset.
#: Linear: no quantifier here can overlap another.
_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d{1,6})?(?: (?:[A-Za-z]{1,6}|[+-]\d\d:?\d\d))?")
#: a secret as ``nbgrader submit`` writes it: ``secrets.token_hex(64)``
_SECRET = re.compile(r"[0-9a-f]{32,256}")
#: the times a submission may carry: anything else is no submission time
EARLIEST = datetime.datetime(2000, 1, 1)
LATEST = datetime.datetime(2200, 1, 1)


def skip_iri_grammar() -> None:
    """Make importing nbgrader about 3 s cheaper in this process: jsonschema (imported by
    nbformat, which nbgrader imports) compiles a grammar for IRIs at import when the
    optional rfc3987_syntax is installed. Nothing here checks IRIs, and jsonschema expects
    that import may fail. Call before nbgrader is first imported (later, it changes nothing)."""
    sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type] - None: "not importable"


def _read_text(folder: Path, name: str) -> str | None:
    """The text of ``folder/name`` (ASCII, stripped); None when there is no such file.
    Raises StudentInputError when it cannot be used. (``folder`` itself is the caller's
    to check: ``read_file`` refuses a link only as the file's own name.)"""
    raw = read_file(folder / name, name, MAX_STAMP_BYTES)
    if raw is None:
        return None
    if len(raw) > MAX_STAMP_BYTES:  # read_file reads one byte past the bound, to tell
        raise StudentInputError(f"{name} is larger than {MAX_STAMP_BYTES} bytes")
    try:
        return raw.decode("ascii").strip()
    except UnicodeDecodeError:
        raise StudentInputError(f"{name} holds bytes that are not ASCII text") from None


def parse_timestamp(text: str) -> datetime.datetime:
    """``text`` (a timestamp.txt's content) as nbgrader reads it: a naive UTC time.
    Raises StudentInputError for anything nbgrader's exchange does not write."""
    skip_iri_grammar()
    from nbgrader.utils import parse_utc

    shown = text[:MAX_TIMESTAMP_CHARS] + ("..." if len(text) > MAX_TIMESTAMP_CHARS else "")
    if len(text) > MAX_TIMESTAMP_CHARS or not _TIMESTAMP.fullmatch(text):
        raise StudentInputError(f"{TIMESTAMP_FILE} holds {shown!r}, which is not a time as nbgrader writes one")
    try:
        value = parse_utc(text)
    except (ValueError, OverflowError) as err:  # dateutil's ParserError is a ValueError: "day is out of range"
        raise StudentInputError(f"{TIMESTAMP_FILE} holds {shown!r}, which is not a valid time ({err})") from None
    if not EARLIEST <= value < LATEST:
        raise StudentInputError(f"{TIMESTAMP_FILE} holds {shown!r}, outside the years "
                                f"{EARLIEST.year} to {LATEST.year - 1}")
    return value


def read_timestamp(folder: Path) -> datetime.datetime | None:
    """The submission time in ``folder`` (a ``submitted/<student>/<assignment>`` folder),
    None when it has no timestamp.txt. Raises StudentInputError when it has one that
    cannot be used."""
    text = _read_text(folder, TIMESTAMP_FILE)
    if text is None:
        return None
    if not text:
        raise StudentInputError(f"{TIMESTAMP_FILE} is empty")
    return parse_timestamp(text)


def read_secret(folder: Path) -> str | None:
    """The submission secret in ``folder``, None when there is none. Raises
    StudentInputError when the file is not what ``nbgrader submit`` writes."""
    text = _read_text(folder, SECRET_FILE)
    if text is None:
        return None
    if not _SECRET.fullmatch(text):
        raise StudentInputError(f"{SECRET_FILE} is not a secret as nbgrader submit writes one")
    return text


def format_timestamp(value: datetime.datetime) -> str:
    """``value`` (naive UTC) as nbgrader's exchange writes a timestamp."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f") + " UTC"

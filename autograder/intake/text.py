"""A student's ``.py`` file as text, read as Python reads a source file, by an allow-list.

Python honours any codec a ``# coding:`` line names; some of them are pure Python and
quadratic in the input (``punycode``), so a 1 MB file could cost minutes. The grader
reads UTF-8 (a leading byte-order mark dropped: Windows editors write one) and the few
single-byte encodings that editors still declare, all decoded in C in linear time;
a file that declares anything else is that file's error, with the reason.
"""
from __future__ import annotations

import codecs

from autograder.intake.bounds import MAX_FILE_BYTES
from autograder.untrusted import StudentInputError, safe_name

#: the encodings a coding line may name (as ``codecs.lookup`` names them)
ALLOWED_ENCODINGS = frozenset({"utf-8", "ascii", "iso8859-1", "cp1252", "iso8859-15"})
#: characters of a coding line looked at (Python looks at the first two lines)
_COOKIE_CHARS = 200
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")


def declared_encoding(raw: bytes) -> str | None:
    """The encoding a coding line in the first two lines declares (PEP 263), or None."""
    for line in raw[:2 * _COOKIE_CHARS + 2].split(b"\n", 2)[:2]:
        text = line[:_COOKIE_CHARS].decode("latin-1")
        stripped = text.lstrip(" \t\f")
        if not stripped.startswith("#"):
            if stripped.strip():
                return None  # code on the first line: the second is not looked at
            continue
        at = stripped.find("coding")
        while at >= 0:
            rest = stripped[at + len("coding"):]
            if rest[:1] in (":", "="):
                rest = rest[1:].lstrip(" \t")
                end = 0
                while end < len(rest) and rest[end] in _NAME_CHARS:
                    end += 1
                if end:
                    return rest[:end]
            at = stripped.find("coding", at + 1)
    return None


def decode_source(raw: bytes, where: str) -> str:
    """``raw`` (a ``.py`` file, at most :data:`MAX_FILE_BYTES`) as text."""
    if len(raw) > MAX_FILE_BYTES:
        raise StudentInputError(f"{where} is larger than {MAX_FILE_BYTES // 1_000_000} MB and was not graded")
    bom = raw.startswith(codecs.BOM_UTF8)
    if bom:
        raw = raw[len(codecs.BOM_UTF8):]
    encoding = "utf-8"
    declared = declared_encoding(raw)
    if declared is not None:
        try:
            encoding = codecs.lookup(declared).name
        except LookupError:
            raise StudentInputError(f"{where} declares the encoding {safe_name(declared)!r}, which Python does not "
                                    "know, and was not graded; save it as UTF-8") from None
        if encoding not in ALLOWED_ENCODINGS or bom and encoding != "utf-8":
            raise StudentInputError(f"{where} declares the encoding {safe_name(declared)!r}, which the grader does "
                                    "not read, and was not graded; remove the coding line and save it as UTF-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise StudentInputError(f"{where} is not valid {encoding} text and was not graded; save it as UTF-8") from None


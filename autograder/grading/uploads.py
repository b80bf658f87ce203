"""The upload side of the trust boundary: every byte and name a student uploaded is read here.

A submission is whatever a student (or their tools, by accident) made: a folder, a zip
archive, an nbgrader notebook, and the names of all of them. The readers below either
return a value within the bounds stated here or raise
:class:`~autograder.untrusted.StudentInputError` with a reason, which costs that student
(or that file, or that exercise) and nothing else. The callers
(``grading.submissions.discover``, ``course.discover_notebooks``,
``course.notebook_to_module``) turn the reason into a problem the student sees, or into
an entry the instructor is told was skipped; they expect no other exception from here,
and ``tests/test_uploads.py`` throws arbitrary, truncated and type-confused uploads at
them to show that none comes.

Text from an upload that reaches a message (names in an archive, ids, grade ids,
exception text) goes through :func:`~autograder.untrusted.safe_name` or
:func:`~autograder.untrusted.safe_text` here, where it enters, and nowhere else.
"""
from __future__ import annotations

import errno
import io
import json
import os
import re
import stat
import struct
import tokenize
import zipfile
import zlib
from pathlib import Path
from typing import Any

from autograder.untrusted import StudentInputError, safe_name, safe_text

MAX_ID_CHARS = 100
"""A student id (a submission's folder or zip name): ids are file names in ``results/``
and ``feedback/`` and cells of ``grades.csv``."""

MAX_FILE_BYTES = 1_000_000
"""One exercise file (``tensors.py``), from a folder or a zip: an honest one is a few kB;
the file goes whole to the worker and into the results' fingerprint."""

MAX_ARCHIVE_BYTES = 10_000_000
"""A zip on disk. ``zipfile`` reads the whole central directory before anything else, at
about 55 ms a MB of directory on this machine, so this bounds what one archive can cost
at about half a second; the three exercise files zip to a few kB."""

MAX_ZIP_ENTRIES = 1_000
"""Entries (files and folders) in one zip: an exercises folder holds a handful; a zip of
a whole project (a virtual environment, a git history) is not a submission."""

MAX_READ_BYTES = 4_000_000
"""Uncompressed bytes read from one submission in all (its files, or its archive's
members): the exercise files at :data:`MAX_FILE_BYTES` each, and no more, however the
archive declares its sizes."""

MAX_NOTEBOOK_BYTES = 20_000_000
"""One submitted notebook on disk: answers are small, but outputs (images, long
prints) are kept in the file; parsing 20 MB of JSON takes well under a second."""

MAX_CELLS = 1_000
"""Cells in one notebook: the released one has about twenty; students add a few."""

MAX_CELL_SOURCE_BYTES = 100_000
"""The source of one imports or answer cell, in UTF-8: an answer is a function of a few
lines, and the module made from a notebook's cells stays under :data:`MAX_FILE_BYTES`."""

_ID = re.compile(r"[A-Za-z0-9_.@+-]{1,%d}" % MAX_ID_CHARS)

#: members a zip may store its exercise files with: what every zip tool writes. Others
#: (bzip2, lzma) are decompressed by ``zipfile`` without a bound on the output, so a
#: small member could fill the grader's memory.
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})

#: what ``zipfile`` raises on damaged or hostile archives (central directory, local
#: headers, compressed data, names)
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
               RuntimeError, NotImplementedError, struct.error, OverflowError, IndexError, KeyError)


def _err(err: BaseException) -> str:
    """An exception from reading an upload, as safe text for a reason."""
    kind = type(err).__name__ if type(err).__module__ == "builtins" else f"{type(err).__module__}.{type(err).__name__}"
    text = safe_text(err, 300)
    return f"{kind}: {text}" if text else kind


def student_id(name: str) -> str:
    """``name`` (a folder's or zip's name without ``.zip``) if it is a valid student id:
    1 to :data:`MAX_ID_CHARS` letters, digits and ``_.@+-``, not starting with a dot (the
    whole name: a trailing newline is not allowed either)."""
    if not isinstance(name, str) or not _ID.fullmatch(name) or name.startswith("."):
        raise StudentInputError(f'"{safe_name(name)}" does not name a student: ids are 1 to {MAX_ID_CHARS} letters, '
                                "digits and _.@+- (not starting with a dot); rename it to the student's id")
    return name


class Budget:
    """Uncompressed bytes one submission may still have read (:data:`MAX_READ_BYTES` in all)."""

    def __init__(self) -> None:
        self.left = MAX_READ_BYTES

    def take(self, count: int, where: str) -> None:
        if count > self.left:
            raise StudentInputError(f"{where} was not graded: the submission holds more than "
                                    f"{MAX_READ_BYTES // 1_000_000} MB of exercise files in all")
        self.left -= count


def read_file(path: Path, where: str, limit: int, advice: tuple[str, str] = ("", "")) -> bytes | None:
    """The bytes of the regular file ``path`` (``None`` if there is none), at most ``limit``.

    Opened without following a link (an unpacked archive could link to the solutions,
    which the grader, as root, would read as the student's) and without blocking (a
    FIFO would stall the run); the type is checked on what was opened, so it cannot
    change in between. ``where`` names the file in reasons; ``advice`` goes into the
    reason given when the file is too large (see :func:`too_large`)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise StudentInputError(f"{where} is not a regular file (it is a link) and was not graded") from None
        raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None
    with os.fdopen(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise StudentInputError(f"{where} is not a regular file and was not graded")
            if info.st_size > limit:
                raise StudentInputError(too_large(where, limit, advice))
            data = f.read(limit + 1)
        except OSError as err:
            raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None
    if len(data) > limit:
        raise StudentInputError(too_large(where, limit, advice))
    return data


def entry_kind(path: Path, where: str) -> str:
    """What ``path`` is, without following a link: ``"missing"``, ``"link"``, ``"folder"``,
    ``"file"`` (regular) or ``"other"``."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as err:
        raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None
    if stat.S_ISLNK(mode):
        return "link"
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def too_large(where: str, limit: int, advice: tuple[str, str] = ("", "")) -> str:
    """The reason for a file over its bound; ``advice``: a guess at why, and what to do."""
    why, then = advice
    return f"{where} is larger than {_size(limit)}{why} and was not graded{then}"


def _size(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"


def decode_text(raw: bytes, where: str) -> str:
    """``raw`` (at most :data:`MAX_FILE_BYTES`) as Python reads a source file: UTF-8, a
    leading byte-order mark dropped (Windows editors write one), or the encoding a coding
    line declares. ``autograder check`` imports the file, so it reads it the same way."""
    if len(raw) > MAX_FILE_BYTES:
        raise StudentInputError(too_large(where, MAX_FILE_BYTES))
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        return raw.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError):
        raise StudentInputError(f"{where} is not UTF-8 text (nor in the encoding its coding line names) "
                                "and was not graded") from None


def read_exercise_file(path: Path, where: str, budget: Budget) -> str | None:
    """One exercise file from a folder, as text (``None`` if the student has none)."""
    raw = read_file(path, where, MAX_FILE_BYTES)
    if raw is None:
        return None
    budget.take(len(raw), where)
    return decode_text(raw, where)


# -- zip archives ---------------------------------------------------------------------

def _find_member(infos: list[zipfile.ZipInfo], rel: str, problems: list[str]) -> zipfile.ZipInfo | None:
    """The archive's entry for exercise file ``rel``: ``exercises/rel``, else ``rel`` at the
    top, else ``.../exercises/rel`` anywhere (the first in the archive's order). Names are
    compared, never used as paths: nothing is extracted."""
    for matches in ((i for i in infos if i.filename == f"exercises/{rel}"),
                    (i for i in infos if i.filename == rel),
                    (i for i in infos if i.filename.endswith(f"/exercises/{rel}"))):
        found = [i for i in matches if not i.is_dir()]
        if found:
            if len(found) > 1:
                problems.append(f"exercises/{rel} appears {len(found)} times in the zip; the first one was graded")
            return found[0]
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str, budget: Budget) -> str:
    if info.flag_bits & 0x1:
        raise StudentInputError(f"{where} is encrypted in the zip and was not graded; zip it without a password")
    if info.compress_type not in _ZIP_METHODS:
        raise StudentInputError(f"{where} is compressed in the zip with a method the grader does not read "
                                f"(number {safe_text(info.compress_type, 20)}) and was not graded; "
                                "make the zip again with a standard zip tool")
    if info.file_size > MAX_FILE_BYTES:
        raise StudentInputError(too_large(where, MAX_FILE_BYTES))
    budget.take(info.file_size, where)
    try:
        with archive.open(info) as member:
            raw = member.read(MAX_FILE_BYTES + 1)  # deflate output is bounded by what is asked for
    except _ZIP_ERRORS as err:
        raise StudentInputError(f"{where} is damaged in the zip ({_err(err)}) and was not graded") from None
    return decode_text(raw, where)


def read_zip(path: Path, wanted: list[str], budget: Budget, problems: list[str]) -> dict[str, str]:
    """The exercise files (``wanted``: ``tensors.py``...) held by the zip at ``path``.

    A fault of the whole archive (not a zip, a link, too large, too many entries, a
    damaged directory) raises; a fault of one member costs that file: its reason goes
    to ``problems`` and the other files are read."""
    where = safe_name(path.name)
    raw = read_file(path, where, MAX_ARCHIVE_BYTES)
    if raw is None:
        raise StudentInputError(f"{where} could not be read (it was removed while the class was read)")
    files: dict[str, str] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))  # read once, bounded: it cannot change under zipfile
    except _ZIP_ERRORS as err:
        raise StudentInputError(f"{where} is not a readable zip file ({_err(err)})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise StudentInputError(f"{where} holds {len(infos)} entries, more than {MAX_ZIP_ENTRIES}, and was not "
                                    "graded; zip only the exercises folder")
        for rel in wanted:
            try:
                info = _find_member(infos, rel, problems)
                if info is not None:
                    files[rel] = _read_member(archive, info, f"exercises/{rel}", budget)
            except StudentInputError as err:
                problems.append(err.message)
    return files


# -- notebooks --------------------------------------------------------------------------

NOTEBOOK_ADVICE = (" (large outputs?)", "; clear the outputs and submit again")


def parse_notebook(raw: bytes, where: str) -> list[Any]:
    """The ``cells`` list of a notebook's JSON (at most :data:`MAX_CELLS`); the cells
    themselves are not checked here (see :func:`cell_grade_id`, :func:`cell_source`)."""
    if len(raw) > MAX_NOTEBOOK_BYTES:
        raise StudentInputError(too_large(where, MAX_NOTEBOOK_BYTES, NOTEBOOK_ADVICE))
    try:
        nb = json.loads(raw)
    except RecursionError:
        raise StudentInputError(f"{where} is not a valid notebook (its JSON is nested too deeply) "
                                "and was not graded") from None
    except ValueError as err:  # not JSON, not UTF-8, a number too long to convert
        raise StudentInputError(f"{where} is not a valid notebook ({type(err).__name__}) and was not graded") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise StudentInputError(f"{where} is not a valid notebook (it has no list of cells) and was not graded")
    if len(cells) > MAX_CELLS:
        raise StudentInputError(f"{where} has {len(cells)} cells, more than {MAX_CELLS}, and was not graded")
    return cells


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def cell_grade_id(cell: Any) -> str | None:
    """The nbgrader grade id of ``cell`` (``metadata.nbgrader.grade_id``), or ``None`` when
    any level of it is missing or of the wrong type (then the cell is not an answer cell)."""
    grade_id = _field(_field(_field(cell, "metadata"), "nbgrader"), "grade_id")
    return grade_id if isinstance(grade_id, str) else None


def is_code_cell(cell: Any) -> bool:
    return _field(cell, "cell_type") == "code"


def cell_source(cell: Any, where: str) -> str:
    """The source of a code cell: a string or a list of strings (nbformat allows both),
    at most :data:`MAX_CELL_SOURCE_BYTES` of UTF-8 (so no lone surrogates, which JSON
    escapes can carry)."""
    src = _field(cell, "source")
    if src is None:
        return ""
    if isinstance(src, list) and all(isinstance(line, str) for line in src):
        if sum(len(line) for line in src) > MAX_CELL_SOURCE_BYTES:
            raise StudentInputError(too_large(where, MAX_CELL_SOURCE_BYTES))
        src = "".join(src)
    if not isinstance(src, str):
        raise StudentInputError(f"{where} has a source that is not text ({type(src).__name__}) and was not graded")
    try:
        size = len(src.encode("utf-8"))
    except UnicodeEncodeError:
        raise StudentInputError(f"{where} holds characters that are not valid text and was not graded") from None
    if size > MAX_CELL_SOURCE_BYTES:
        raise StudentInputError(too_large(where, MAX_CELL_SOURCE_BYTES))
    return src

"""A student's upload as a list of members: the files of a folder or of a zip, read later.

Nothing is extracted and no member's name ever becomes a path: a folder is walked
without following a link, a zip is read from memory (so it cannot change while it is
read), and each member is read only when the rule picks it, within its bound and the
upload's :class:`Budget`. Every reader raises
:class:`~autograder.untrusted.StudentInputError` with a reason, and nothing else.
"""
from __future__ import annotations

import collections
import errno
import io
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import autograder.intake.bounds as bounds
from autograder.intake.bounds import (MAX_ARCHIVE_BYTES, MAX_ARCHIVE_ENTRIES, MAX_DEPTH, MAX_PATH_CHARS,
                                      MAX_STUDENT_FILES)
from autograder.untrusted import StudentInputError, safe_name, safe_text

#: members a zip may store a file with: what every zip tool writes. Others (bzip2, lzma)
#: are decompressed by ``zipfile`` without a bound on the output.
_ZIP_METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})
#: what ``zipfile`` raises on damaged or hostile archives
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
              RuntimeError, NotImplementedError, struct.error, OverflowError, IndexError, KeyError)
#: bytes of central directory allowed per entry: a header (46 bytes) and a long name
_DIRECTORY_BYTES_PER_ENTRY = 400
#: names that tools add and no student wrote: never looked at
_IGNORED_PARTS = ("__MACOSX", "__pycache__")


def describe(err: BaseException) -> str:
    """An exception met while reading an upload, as safe text for a reason."""
    kind = type(err).__name__ if type(err).__module__ == "builtins" else f"{type(err).__module__}.{type(err).__name__}"
    text = safe_text(err, 300)
    return f"{kind}: {text}" if text else kind


def size_text(limit: int) -> str:
    return f"{limit // 1_000_000} MB" if limit >= 1_000_000 else f"{limit // 1000} kB"


def too_large(where: str, limit: int, advice: tuple[str, str] = ("", "")) -> str:
    why, then = advice
    return f"{where} is larger than {size_text(limit)}{why} and was not graded{then}"


class Budget:
    """Bytes one upload may still have read (``bounds.MAX_READ_BYTES`` in all)."""

    def __init__(self, total: int | None = None) -> None:
        self.left = bounds.MAX_READ_BYTES if total is None else total

    def take(self, count: int, where: str) -> None:
        if count > self.left:
            raise StudentInputError(f"{where} was not graded: the submission holds more than "
                                    f"{size_text(bounds.MAX_READ_BYTES)} of files to read in all")
        self.left -= count


@dataclass(frozen=True)
class Member:
    """One file of an upload. ``path``: its place inside the upload ("/"-separated), which
    the rule ranks; ``label``: how a person knows it (its path, with the archive it came
    in); ``order``: an LMS's submission number (a later submission is larger)."""

    path: str
    label: str
    size: int
    opener: Callable[[int], bytes] = field(compare=False, repr=False)
    order: int = 0
    late: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def folders(self) -> list[str]:
        return self.path.split("/")[:-1]

    def read(self, limit: int, budget: Budget, advice: tuple[str, str] = ("", "")) -> bytes:
        """The member's bytes, at most ``limit``, charged to ``budget``."""
        where = safe_name(self.label)
        if self.size > limit:
            raise StudentInputError(too_large(where, limit, advice))
        budget.take(self.size, where)
        data = self.opener(limit)
        if len(data) > limit:
            raise StudentInputError(too_large(where, limit, advice))
        budget.take(max(0, len(data) - self.size), where)  # a member that said it was smaller
        return data


# -- files on disk ----------------------------------------------------------------------

def read_file(path: Path, where: str, limit: int) -> bytes | None:
    """At most ``limit + 1`` bytes of the regular file ``path`` (``None`` if there is none).

    Opened without following a link (an unpacked archive could link to the solutions,
    which the grader would read as the student's) and without blocking (a FIFO would
    stall the run); the type is checked on what was opened, so it cannot change."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as err:
        if err.errno == errno.ELOOP:
            raise StudentInputError(f"{where} is a link, not a file, and was not graded") from None
        raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None
    with os.fdopen(fd, "rb") as f:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise StudentInputError(f"{where} is not a regular file and was not graded")
            if info.st_size > limit:
                raise StudentInputError(too_large(where, limit))
            return f.read(limit + 1)
        except OSError as err:
            raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None


def _file_opener(path: Path, where: str) -> Callable[[int], bytes]:
    def opener(limit: int) -> bytes:
        data = read_file(path, where, limit)
        if data is None:
            raise StudentInputError(f"{where} was removed while the class was read")
        return data
    return opener


def file_member(path: Path, member_path: str, label: str, size: int, order: int = 0, late: bool = False) -> Member:
    return Member(member_path, label, size, _file_opener(path, safe_name(label)), order, late)


def entry_kind(path: Path, where: str) -> str:
    """What ``path`` is, without following a link: "missing", "link", "folder", "file" or "other"."""
    try:
        mode = os.lstat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "missing"
    except OSError as err:
        raise StudentInputError(f"{where} could not be read ({err.strerror}) and was not graded") from None
    if stat.S_ISLNK(mode):
        return "link"
    return "folder" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_PARTS


def walk_folder(folder: Path, label: str, problems: list[str], order: int = 0, late: bool = False) -> list[Member]:
    """The files under ``folder``, shallowest first, in name order within a folder; at
    most :data:`MAX_STUDENT_FILES`, at most :data:`MAX_DEPTH` folders deep; a link is
    never followed (it is named in ``problems``). ``label``: how the folder is known."""
    members: list[Member] = []
    links: list[str] = []
    queue = collections.deque([(folder, "", 0)])
    beyond = False
    while queue:
        current, prefix, depth = queue.popleft()
        try:
            with os.scandir(current) as it:
                entries = []
                for entry in it:
                    entries.append(entry)
                    if len(entries) > MAX_STUDENT_FILES:
                        beyond = True
                        break
        except OSError as err:
            problems.append(f"{safe_name(label + '/' + prefix)} could not be read ({safe_text(err.strerror, 100)})")
            continue
        for entry in sorted(entries, key=lambda e: e.name):
            if _ignored(entry.name):
                continue
            path = prefix + entry.name
            if len(members) >= MAX_STUDENT_FILES:
                beyond = True
                break
            try:
                if entry.is_symlink():
                    links.append(path)
                elif entry.is_dir(follow_symlinks=False):
                    if depth < MAX_DEPTH:
                        queue.append((Path(entry.path), path + "/", depth + 1))
                    else:
                        beyond = True
                else:
                    size = entry.stat(follow_symlinks=False).st_size
                    members.append(file_member(Path(entry.path), path, f"{label}/{path}" if label else path,
                                               size, order, late))
            except OSError:
                continue  # removed while it was read: it is not there
        if beyond and len(members) >= MAX_STUDENT_FILES:
            break
    if links:
        shown = ", ".join(safe_name(link) for link in links[:5]) + (f" and {len(links) - 5} more" if len(links) > 5 else "")
        problems.append(f"links are not followed, so these were not graded: {shown}")
    if beyond:
        problems.append(f"the submission holds more than {MAX_STUDENT_FILES:,} files or is more than {MAX_DEPTH} "
                        f"folders deep; only the first {MAX_STUDENT_FILES:,} files, shallowest first, were looked at")
    return members


# -- zip archives ---------------------------------------------------------------------

_END = b"PK\x05\x06"
_END64_LOCATOR = b"PK\x06\x07"


def declared_entries(tail: bytes, read_at: Callable[[int, int], bytes]) -> tuple[int, int] | None:
    """(entries, central directory bytes) that a zip's end record declares, from the
    archive's last 64 kB (``tail``); ``read_at(offset, count)`` reads a Zip64 end record.
    None when there is no end record (``zipfile`` then says what is wrong)."""
    at = len(tail) - 22 if tail[-22:-18] == _END else tail.rfind(_END)
    if at < 0 or len(tail) - at < 22:
        return None
    entries, directory_bytes = struct.unpack_from("<HI", tail, at + 10)
    if entries == 0xFFFF or directory_bytes == 0xFFFFFFFF:
        locator = at - 20
        if locator < 0 or tail[locator:locator + 4] != _END64_LOCATOR:
            return None
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        record = read_at(offset, 56)
        if len(record) < 56 or record[:4] != b"PK\x06\x06":
            return (1 << 62, 1 << 62)  # a Zip64 end record we cannot find: count it as too many
        entries, directory_bytes = struct.unpack_from("<QQ", record, 32)
    return entries, directory_bytes


def check_entry_count(tail: bytes, read_at: Callable[[int, int], bytes], where: str, limit: int, advice: str) -> None:
    """Refuse an archive whose end record declares more than ``limit`` entries (or more
    central directory than they need), before ``zipfile`` parses the directory."""
    declared = declared_entries(tail, read_at)
    if declared is None:
        return
    entries, directory_bytes = declared
    if entries > limit or directory_bytes > limit * _DIRECTORY_BYTES_PER_ENTRY:
        shown = f"{entries:,} entries" if entries <= limit else f"more than {limit:,} entries"
        raise StudentInputError(f"{where} holds {shown} and was not graded{advice}")


def open_zip(raw: bytes, where: str, limit: int = MAX_ARCHIVE_ENTRIES) -> zipfile.ZipFile:
    """A zip held in memory, its entry count checked first."""
    check_entry_count(raw[-(22 + 65_535):], lambda offset, count: raw[offset:offset + count], where, limit,
                      "; zip only your exercise files")
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except ZIP_ERRORS as err:
        raise StudentInputError(f"{where} is not a readable zip file ({describe(err)})") from None
    if len(archive.infolist()) > limit:
        raise StudentInputError(f"{where} holds more than {limit:,} entries and was not graded; "
                                "zip only your exercise files")
    return archive


def zip_opener(archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> Callable[[int], bytes]:
    def opener(limit: int) -> bytes:
        if info.flag_bits & 0x1:
            raise StudentInputError(f"{where} is encrypted in the zip and was not graded; zip it without a password")
        if info.compress_type not in _ZIP_METHODS:
            raise StudentInputError(f"{where} is compressed with a method the grader does not read (number "
                                    f"{safe_text(info.compress_type, 20)}) and was not graded; make the zip again "
                                    "with a standard zip tool")
        try:
            with archive.open(info) as member:
                return member.read(limit + 1)  # deflate's output is bounded by what is asked for
        except ZIP_ERRORS as err:
            raise StudentInputError(f"{where} is damaged in the zip ({describe(err)}) and was not graded") from None
    return opener


def zip_members(archive: zipfile.ZipFile, label: str, problems: list[str], order: int = 0,
                late: bool = False) -> list[Member]:
    """The files of an opened zip as members (folders, tools' leftovers and hidden files
    left out); a name that cannot be a path (a backslash, too long, too deep) is named
    in ``problems``. ``label``: how the archive is known ("" for an upload that is a zip)."""
    members = []
    odd = []
    for info in archive.infolist():
        name = info.filename
        if info.filename.endswith("/"):
            continue
        parts = name.split("/")
        if any(_ignored(part) for part in parts if part):
            continue
        if "\\" in name or len(name) > MAX_PATH_CHARS or len(parts) > MAX_DEPTH + 1:
            odd.append(name)
            continue
        path = "/".join(part for part in parts if part)
        if not path:
            continue
        member_label = f"{label}/{path}" if label else path
        members.append(Member(path, member_label, info.file_size,
                              zip_opener(archive, info, safe_name(member_label)), order, late))
    if odd:
        shown = ", ".join(safe_name(name) for name in odd[:5]) + (f" and {len(odd) - 5} more" if len(odd) > 5 else "")
        problems.append(f"these names in the zip cannot be a file's (a backslash, too long or too deep) and were "
                        f"not graded: {shown}")
    members.sort(key=lambda m: (m.path.count("/"), m.path))
    return members


def expand_zip(member: Member, budget: Budget, problems: list[str]) -> list[Member]:
    """The files of a zip that is itself a member of an upload (read whole, within
    :data:`MAX_ARCHIVE_BYTES`); its members are placed as the zip's own place plus theirs."""
    raw = member.read(MAX_ARCHIVE_BYTES, budget)
    archive = open_zip(raw, safe_name(member.label))
    folder = "/".join(member.folders)
    inner = zip_members(archive, member.label, problems, member.order, member.late)
    return [Member(f"{folder}/{m.path}" if folder else m.path, m.label, m.size, m.opener, m.order, m.late)
            for m in inner]

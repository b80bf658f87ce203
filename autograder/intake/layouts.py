"""The ways a class arrives, each an adapter that yields one :class:`Upload` a student.

- ``folders``: one entry a student, named by their id: a folder (any layout inside) or
  ``<id>.zip``;
- ``nbgrader``: nbgrader's ``submitted/<student>/<assignment>/``;
- ``canvas``: Canvas's "Download Submissions", a flat folder (or its zip) of files named
  ``<sortable name>_[LATE_]<user id>_<submission id>_<original name>``;
- ``moodle``: Moodle's "Download all submissions": a folder a student,
  ``<Full Name>_<participant id>_assignsubmission_file_``, or that prefix on flat names;
- ``gradescope``: ``/autograder/submission``, one student.

Adapters only list names and open archives' directories; files are read later, one
student at a time, by the rule (``rule.py``), the same for every layout. An entry that is
no student's costs only itself: it is yielded as a :class:`LeftOut` with the reason.
"""
from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from autograder.errors import UsageError
from autograder.intake.bounds import MAX_ARCHIVE_BYTES, MAX_CLASS_ENTRIES, MAX_DOWNLOAD_BYTES, MAX_NAME_CHARS
from autograder.intake.members import (ZIP_ERRORS, Member, check_entry_count, describe, entry_kind, file_member,
                                       open_zip, read_file, too_large, walk_folder, zip_members, zip_opener)
from autograder.intake.names import LmsName, canvas_name, carries_two_moodle_ids, moodle_name, student_id
from autograder.intake.rule import Upload
from autograder.untrusted import StudentInputError, safe_name

LAYOUTS = ("folders", "nbgrader", "canvas", "moodle")


@dataclass(frozen=True)
class LeftOut:
    """An entry that gets no grade, and why. ``student``: whether it may be a student's
    (then the run is not complete); otherwise it is nobody's (a roster, a note)."""

    label: str
    reason: str
    student: bool = True

    def line(self) -> str:
        return f"{safe_name(self.label)}: {self.reason}"


Found = Iterator["Upload | LeftOut"]
Keep = Callable[[str], bool]  #: which students to read (``intake.read_class``'s ``keep``)


def _is_output(entry: Path, out: Path | None) -> bool:
    try:
        return out is not None and entry.resolve() == out.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link that leads to itself
        return False


def class_entries(root: Path, out: Path | None = None) -> list[os.DirEntry]:
    """The entries at the top of a class folder, by name (hidden ones and the output
    folder left out), at most :data:`MAX_CLASS_ENTRIES`: past it the run is refused."""
    if not root.exists():
        raise UsageError(f"The submissions folder {root} does not exist.")
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder; pass the folder that holds one entry per student.")
    entries = []
    try:
        with os.scandir(root) as it:
            for entry in it:
                if entry.name.startswith(".") or _is_output(Path(entry.path), out):
                    continue
                entries.append(entry)
                if len(entries) > MAX_CLASS_ENTRIES:
                    raise UsageError(f"{root} holds more than {MAX_CLASS_ENTRIES:,} entries, the most one run reads; "
                                     "nobody was graded. Split the class into several folders.")
    except OSError as err:
        raise UsageError(f"Cannot read the submissions folder {root}: {err.strerror}.") from None
    return sorted(entries, key=lambda e: e.name)


def _zip_upload(path: Path, student: str, label: str) -> Upload:
    problems: list[str] = []
    raw = read_file(path, label, MAX_ARCHIVE_BYTES)
    if raw is None:
        raise StudentInputError(f"{label} was removed while the class was read")
    if len(raw) > MAX_ARCHIVE_BYTES:
        raise StudentInputError(too_large(label, MAX_ARCHIVE_BYTES))
    members = zip_members(open_zip(raw, label), label, problems)
    return Upload(student, label, members, problems)


def folders(root: Path, out: Path | None, keep: Keep | None = None) -> Found:
    """One entry a student: ``<id>/`` (its files at any depth) or ``<id>.zip``; a student
    ``keep`` passes over is yielded without their files (nothing of theirs is opened)."""
    entries = class_entries(root, out)
    kinds = {}
    for entry in entries:
        label = safe_name(entry.name)
        try:
            kind = entry_kind(Path(entry.path), label)
        except StudentInputError as err:
            yield LeftOut(entry.name, err.message)
            continue
        is_zip = entry.name.lower().endswith(".zip") and kind in ("file", "link")
        if not is_zip and kind != "folder" and not (kind == "link" and os.path.isdir(entry.path)):
            yield LeftOut(entry.name, "not a folder or a .zip, so no student's submission", student=False)
            continue
        kinds[entry.name] = (kind, is_zip)
    by_student: dict[str, list[str]] = {}
    for name, (kind, is_zip) in kinds.items():
        by_student.setdefault(name[:-4] if is_zip else name, []).append(name)
    for name, (kind, is_zip) in kinds.items():
        label = safe_name(name)
        candidate = name[:-4] if is_zip else name
        try:
            student = student_id(candidate)
        except StudentInputError as err:
            yield LeftOut(name, err.message)
            continue
        if len(by_student[candidate]) > 1:
            yield LeftOut(name, f"the student {student} has both a folder and a zip; keep one")
            continue
        if kind == "link":
            yield Upload(student, label, [], [f"{label} is a link, not the student's own "
                                              f"{'file' if is_zip else 'folder'}, and was not graded"])
        elif keep is not None and not keep(student):
            yield Upload(student, label, [], [])
        elif is_zip:
            try:
                yield _zip_upload(root / name, student, label)
            except StudentInputError as err:
                yield Upload(student, label, [], [err.message])
        else:
            problems: list[str] = []
            yield Upload(student, label, walk_folder(root / name, name, problems), problems)


def nbgrader(root: Path, assignment: str, out: Path | None, keep: Keep | None = None) -> Found:
    """nbgrader's ``submitted/<student>/<assignment>/``: only that folder is the student's
    submission of ``assignment`` (nbgrader keeps each assignment apart); a student ``keep``
    passes over is yielded without their files."""
    for entry in class_entries(root, out):
        name = entry.name
        folder = Path(entry.path)
        try:
            kind = entry_kind(folder, safe_name(name))
            inner = entry_kind(folder / assignment, f"{safe_name(name)}/{assignment}") if kind == "folder" else "missing"
        except StudentInputError as err:
            yield LeftOut(name, err.message)
            continue
        if kind not in ("folder", "link"):
            yield LeftOut(name, "not a folder, so no student's submission", student=False)
            continue
        try:
            student = student_id(name)
        except StudentInputError as err:
            yield LeftOut(name, err.message)
            continue
        if kind == "link" or inner == "link":
            yield Upload(student, name, [], [f"{assignment}/ is a link, not the student's own folder, and was not graded"])
        elif inner != "folder":
            yield LeftOut(name, f"holds no {assignment}/ folder: no submission of {assignment}", student=False)
        elif keep is not None and not keep(student):
            yield Upload(student, name, [], [])
        else:
            problems: list[str] = []
            yield Upload(student, name, walk_folder(folder / assignment, assignment, problems), problems)


def gradescope(submission: Path) -> Found:
    """Gradescope's ``/autograder/submission``: one student, its files at any depth."""
    problems: list[str] = []
    members = walk_folder(submission, "", problems) if submission.is_dir() else []
    if not submission.is_dir():
        problems.append("Nothing was submitted.")
    yield Upload("submission", "submission", members, problems)


# -- LMS downloads ----------------------------------------------------------------------

def _parse_lms(layout: str, name: str) -> LmsName | None:
    return canvas_name(name) if layout == "canvas" else moodle_name(name)


def lms(source: Path, layout: str) -> Found:
    """A Canvas or Moodle download, as a folder or as the zip it was downloaded as. Every
    file is placed only with the student whose id its own name carries."""
    members: dict[str, list[Member]] = {}
    names: dict[str, LmsName] = {}
    problems: dict[str, list[str]] = {}
    left: list[LeftOut] = []

    def place(top: str, parsed: LmsName | None, make) -> None:  # noqa: ANN001 - make(parsed) -> members
        if parsed is None:
            why = ("its name carries more than one participant id, so it was placed with none"
                   if layout == "moodle" and carries_two_moodle_ids(top) else
                   f"its name is longer than {MAX_NAME_CHARS} characters, so it was not read"
                   if len(top) > MAX_NAME_CHARS else
                   f"its name does not follow {layout.capitalize()}'s naming, so it belongs to no student")
            left.append(LeftOut(top, why, student=False))
            return
        names.setdefault(parsed.student, parsed)
        members.setdefault(parsed.student, []).extend(make(parsed, problems.setdefault(parsed.student, [])))

    archive = None
    if source.is_file():
        archive = _open_download(source)
        tops: dict[str, list[zipfile.ZipInfo]] = {}
        for info in archive.infolist():
            parts = [p for p in info.filename.split("/") if p]
            if info.filename.endswith("/") or not parts or parts[0] == "__MACOSX" or any(p.startswith(".") for p in parts):
                continue
            tops.setdefault(parts[0], []).append(info)
        for top in sorted(tops):
            place(top, _parse_lms(layout, top), lambda parsed, probs, top=top: _download_members(
                archive, tops[top], top, parsed, probs))
    else:
        for entry in class_entries(source):
            path = Path(entry.path)
            parsed = _parse_lms(layout, entry.name)
            try:
                kind = entry_kind(path, safe_name(entry.name))
                size = path.stat().st_size if kind == "file" else 0
            except (StudentInputError, OSError):
                kind = "other"
            if kind == "folder":
                place(entry.name, parsed, lambda p, probs, path=path, name=entry.name: walk_folder(
                    path, name, probs, p.order, p.late))
            elif kind == "file":
                place(entry.name, parsed, lambda p, probs, path=path, name=entry.name, size=size: [file_member(
                    path, p.original, name, size, p.order, p.late)])
            else:
                left.append(LeftOut(entry.name, "not a regular file or folder (a link?), so it was not read",
                                    student=False))
    yield from left
    for student in sorted(members):
        parsed = names[student]
        yield Upload(student, parsed.display, members[student], problems[student], display=parsed.display)


def _open_download(path: Path) -> zipfile.ZipFile:
    where = safe_name(path.name)
    try:
        size = path.stat().st_size
        if size > MAX_DOWNLOAD_BYTES:
            raise UsageError(f"{where} is larger than {MAX_DOWNLOAD_BYTES // 1_000_000_000} GB, the most one run reads.")
        with open(path, "rb") as f:
            f.seek(max(0, size - (22 + 65_535)))
            tail = f.read()

            def read_at(offset: int, count: int) -> bytes:
                f.seek(offset)
                return f.read(count)
            try:
                check_entry_count(tail, read_at, where, MAX_CLASS_ENTRIES, "; nobody was graded: split the download")
            except StudentInputError as err:
                raise UsageError(err.message) from None
        return zipfile.ZipFile(path)
    except ZIP_ERRORS as err:
        raise UsageError(f"{where} is not a readable zip file ({describe(err)}).") from None


def _download_members(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo], top: str, parsed: LmsName,
                      problems: list[str]) -> list[Member]:
    """The files of one top-level entry of a download zip: a flat file (its original
    name is its path) or a Moodle folder's files (their path inside it)."""
    found = []
    for info in infos:
        parts = [p for p in info.filename.split("/") if p]
        if "\\" in info.filename:
            problems.append(f"{safe_name(info.filename)}: a backslash in its name; rename it and upload again")
            continue
        path = parsed.original if len(parts) == 1 else "/".join(parts[1:])
        found.append(Member(path, info.filename, info.file_size, zip_opener(archive, info, safe_name(info.filename)),
                            parsed.order, parsed.late))
    return found


# -- detection --------------------------------------------------------------------------

def detect(source: Path, assignments: list[str], out: Path | None = None) -> str:
    """The layout of a class, decided by the majority of its entries, so that one
    student's odd entry never changes how the others are read: Canvas or Moodle names,
    nbgrader's ``<student>/<assignment>/`` folders, else one entry a student."""
    if source.is_file():
        if not source.name.lower().endswith(".zip"):
            raise UsageError(f"{source} is not a folder; pass the folder that holds one entry per student, or an LMS's download zip.")
        archive = _open_download(source)
        with archive:
            tops = sorted({p for n in archive.namelist() if (p := n.split("/", 1)[0])})
        moodle = sum(moodle_name(t) is not None for t in tops)
        return "moodle" if moodle * 2 > len(tops) else "canvas"
    entries = class_entries(source, out)
    if not entries:
        return "folders"
    votes = {"canvas": 0, "moodle": 0, "nbgrader": 0}
    for entry in entries:
        if moodle_name(entry.name) is not None:
            votes["moodle"] += 1
        elif canvas_name(entry.name) is not None and entry.is_file(follow_symlinks=False):
            votes["canvas"] += 1
        elif entry.is_dir(follow_symlinks=False) and any(
                os.path.isdir(os.path.join(entry.path, a)) and not os.path.islink(os.path.join(entry.path, a))
                for a in assignments):
            votes["nbgrader"] += 1
    best = max(votes, key=lambda k: (votes[k], k))
    return best if votes[best] * 2 > len(entries) else "folders"

"""LMS bulk downloads, as they come, mapped to students and to the files an assignment expects.

**Canvas** ("Download Submissions") gives one flat folder (or a zip of it) where each file
is named ``<sortable name>_[LATE_]<user id>_<submission id>_<original name>``; Canvas
suffixes the original name ``-1``, ``-2`` on a resubmission. **Moodle** ("Download all
submissions") gives a folder per student, ``<Full Name>_<participant id>_assignsubmission_file_``,
or the same prefix on flat file names.

The student id is the LMS's own id (Canvas user id, Moodle participant id): what its grade
import matches on. Names go only into the mapping the run prints. Within a student's
files, ``tensors.py``, ``Tensors.py``, ``tensors (1).py``, ``tensors-2.py`` and
``tensors_final.py`` are all the tensors file; a ``.ipynb`` gives the assignment from its
answer cells; a ``.zip`` of the student's folder gives whatever it holds. A file that
cannot be placed is named with the reason, never dropped silently, and a file is only
ever placed with the student whose id its own name carries.
"""
from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.curriculum import ASSIGNMENTS, Exercise
from autograder.grading.uploads import (MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, NOTEBOOK_ADVICE, Budget, read_file,
                                        read_zip)
from autograder.untrusted import StudentInputError, safe_name

LAYOUTS = ("folders", "canvas", "moodle")
_CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?P<late>LATE_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_[a-z]+_(?P<file>.*)$")
#: what students add to a file's name: a copy number, a Canvas resubmission number, a word
_EXTRA = re.compile(r"(?:[ _-]*(?:\(\d+\)|\d+|final|v\d+|copy|done|submission|solution|new))+$")
MAX_ENTRIES = 20_000  #: files in one download


@dataclass
class Placement:
    """How a download was read: student -> assignment -> file, and what was left out."""

    layout: str
    files: dict[str, dict[str, tuple[str, Path]]] = field(default_factory=dict)  #: student -> assignment -> (how, path)
    names: dict[str, str] = field(default_factory=dict)  #: student id -> name in the LMS
    late: dict[str, bool] = field(default_factory=dict)
    unplaced: list[str] = field(default_factory=list)  #: "<file>: <reason>"
    superseded: list[str] = field(default_factory=list)

    def mapping(self) -> list[str]:
        """One line a placed file, for the instructor: which file became whose which."""
        lines = []
        for student in sorted(self.files):
            for assignment, (how, path) in sorted(self.files[student].items()):
                lines.append(f"{safe_name(path.name)} -> {student} ({safe_name(self.names.get(student, ''))}), "
                             f"{assignment}{how}")
        return lines


def detect(root: Path) -> str:
    """The layout of the folder ``root``: "canvas", "moodle" or "folders" (one entry a student)."""
    entries = [p.name for p in root.iterdir() if not p.name.startswith(".")][:MAX_ENTRIES]
    if not entries:
        return "folders"
    moodle = sum(bool(_MOODLE.match(name)) for name in entries)
    canvas = sum(bool(_CANVAS.match(name)) and (root / name).is_file() for name in entries)
    if moodle * 2 > len(entries):
        return "moodle"
    if canvas * 2 > len(entries):
        return "canvas"
    return "folders"


def assignment_of(filename: str) -> tuple[str | None, int]:
    """(the assignment a student's file name means, its resubmission number) or (None, 0)."""
    stem, dot, ext = filename.rpartition(".")
    if not dot or ext.lower() not in ("py", "ipynb"):
        return None, 0
    stem = stem.lower().strip()
    number = re.search(r"(?:-(\d+)|\((\d+)\))\s*$", stem)
    resubmission = int(next(g for g in number.groups() if g)) if number else 0
    stem = _EXTRA.sub("", stem)
    return (stem if stem in ASSIGNMENTS else None), resubmission


def place(root: Path, layout: str) -> Placement:
    """Read the download ``root`` (a folder; a zip is unpacked first by :func:`unpack`)."""
    placement = Placement(layout)
    candidates: dict[tuple[str, str], list[tuple[int, int, str, Path]]] = {}  # (student, assignment) -> options
    entries = sorted(p for p in root.iterdir() if not p.name.startswith("."))[:MAX_ENTRIES]
    for entry in entries:
        pattern = _CANVAS if layout == "canvas" else _MOODLE
        match = pattern.match(entry.name)
        if match is None:
            placement.unplaced.append(f"{safe_name(entry.name)}: its name does not follow {layout.capitalize()}'s "
                                      "naming, so it belongs to no student")
            continue
        student = match.group("user")
        placement.names.setdefault(student, match.group("name"))
        if layout == "canvas":
            placement.late[student] = placement.late.get(student, False) or bool(match.group("late"))
            order = int(match.group("submission"))
        else:
            order = 0
        if entry.is_dir() and not entry.is_symlink():  # Moodle's folder per student
            files = sorted(p for p in entry.rglob("*") if p.is_file() and not p.is_symlink())[:MAX_ENTRIES]
            items = [(p, p.name) for p in files]
        elif entry.is_file() and not entry.is_symlink():
            items = [(entry, match.group("file") or entry.name)]
        else:
            placement.unplaced.append(f"{safe_name(entry.name)}: not a regular file or folder (a link?)")
            continue
        for path, original in items:
            if original.lower().endswith(".zip"):
                for assignment in ASSIGNMENTS:
                    candidates.setdefault((student, assignment), []).append((order, -1, " (from the zip)", path))
                continue
            assignment, resubmission = assignment_of(original)
            if assignment is None:
                placement.unplaced.append(f"{safe_name(path.name)}: {safe_name(original)} does not name an assignment "
                                          f"file ({', '.join(f'{a}.py' for a in ASSIGNMENTS)}, or its notebook)")
                continue
            how = f" (as {safe_name(original)})" if original != f"{assignment}.py" else ""
            candidates.setdefault((student, assignment), []).append((order, resubmission, how, path))
    for (student, assignment), options in sorted(candidates.items()):
        options.sort(key=lambda o: (o[0], o[1]))
        order, resubmission, how, path = options[-1]  # the latest submission, the highest resubmission number
        placement.files.setdefault(student, {})[assignment] = (how, path)
        for *_, older in options[:-1]:
            if older != path:
                placement.superseded.append(f"{safe_name(older.name)}: superseded by {safe_name(path.name)}")
    return placement


def unpack(download: Path, destination: Path) -> Path:
    """A downloaded zip of the whole class, unpacked member by member into ``destination``
    (names flattened to their last part, never outside it); returns ``destination``."""
    destination.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(download) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ENTRIES:
                raise StudentInputError(f"{download.name} holds more than {MAX_ENTRIES} files")
            for info in infos:
                name = Path(info.filename.replace("\\", "/")).name
                if info.is_dir() or not name or name.startswith(".") or info.file_size > MAX_NOTEBOOK_BYTES:
                    continue
                with archive.open(info) as src, open(destination / name, "wb") as dst:
                    shutil.copyfileobj(src, dst, MAX_NOTEBOOK_BYTES)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise StudentInputError(f"{download.name} is not a readable zip file ({type(err).__name__})") from None
    return destination


def arrange(placement: Placement, destination: Path, exercises: list[Exercise]) -> dict[str, list[str]]:
    """Write each student's placed files as ``destination/<student>/<assignment>.py``, the
    folder layout ``grading.submissions.discover`` reads; returns each student's problems."""
    from autograder.nbgrader.submissions import notebook_to_module

    everyone: dict[str, list[str]] = {}
    for student in placement.names:  # a student none of whose files could be placed still gets a row, and why
        (destination / student).mkdir(parents=True, exist_ok=True)
    for student, files in placement.files.items():
        problems = everyone.setdefault(student, [])
        folder = destination / student
        folder.mkdir(parents=True, exist_ok=True)
        for assignment, (how, path) in files.items():
            where = safe_name(path.name)
            try:
                if path.name.lower().endswith(".zip"):
                    found = read_zip(path, [f"{assignment}.py"], Budget(), problems)
                    if f"{assignment}.py" in found:
                        (folder / f"{assignment}.py").write_text(found[f"{assignment}.py"], encoding="utf-8")
                elif path.name.lower().endswith(".ipynb"):
                    raw = read_file(path, where, MAX_NOTEBOOK_BYTES, NOTEBOOK_ADVICE)
                    module = notebook_to_module(raw or b"", assignment, exercises, problems)
                    if module is not None:
                        (folder / f"{assignment}.py").write_text(module, encoding="utf-8")
                else:
                    raw = read_file(path, where, MAX_FILE_BYTES)
                    if raw is not None:
                        (folder / f"{assignment}.py").write_bytes(raw)
            except StudentInputError as err:
                problems.append(err.message)
    return everyone

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
from autograder.grading.uploads import MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, Budget, read_file, read_zip
from autograder.untrusted import StudentInputError, safe_name

LAYOUTS = ("folders", "canvas", "moodle")
_CANVAS = re.compile(r"^(?P<name>[^_/]+)_(?P<late>LATE_)?(?P<user>\d+)_(?P<submission>\d+)_(?P<file>.+)$")
_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<user>\d+)_assignsubmission_[a-z]+_(?P<file>.*)$")
_MOODLE_ID = re.compile(r"_\d+_assignsubmission_[a-z]+_")
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
    labels: dict[Path, str] = field(default_factory=dict)  #: a placed file -> its name in the download

    def mapping(self) -> list[str]:
        """One line a placed file, for the instructor: which file became whose which."""
        lines = []
        for student in sorted(self.files):
            for assignment, (how, path) in sorted(self.files[student].items()):
                lines.append(f"{safe_name(self.labels.get(path, path.name))} -> {student} "
                             f"({safe_name(self.names.get(student, ''))}), "
                             f"{assignment}{how}")
        return lines


@dataclass(frozen=True)
class Item:
    """One file of a download: the top-level entry it came in (a file's own name, or the
    student's folder), its original name inside that entry, where its bytes are, and how
    the instructor knows it (its name in the download)."""

    entry: str
    name: str
    path: Path
    label: str


def detect(root: Path) -> str:
    """The layout of the folder ``root``: "canvas", "moodle" or "folders" (one entry a student)."""
    entries = [p for p in root.iterdir() if not p.name.startswith(".")][:MAX_ENTRIES]
    return detect_names([p.name for p in entries], {p.name for p in entries if p.is_file()})


def detect_names(entries: list[str], files: set[str]) -> str:
    if not entries:
        return "folders"
    moodle = sum(bool(_MOODLE.match(name)) for name in entries)
    canvas = sum(bool(_CANVAS.match(name)) and name in files for name in entries)
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


def folder_items(root: Path) -> tuple[list[Item], list[str]]:
    """The files of a download kept as a folder; and what could not be read."""
    items, unplaced = [], []
    for entry in sorted(p for p in root.iterdir() if not p.name.startswith("."))[:MAX_ENTRIES]:
        if entry.is_symlink() or not (entry.is_dir() or entry.is_file()):
            unplaced.append(f"{safe_name(entry.name)}: not a regular file or folder (a link?)")
        elif entry.is_file():
            items.append(Item(entry.name, "", entry, entry.name))
        else:  # Moodle's folder per student
            for path in sorted(p for p in entry.rglob("*") if p.is_file() and not p.is_symlink())[:MAX_ENTRIES]:
                items.append(Item(entry.name, path.name, path, f"{entry.name}/{path.relative_to(entry)}"))
    return items, unplaced


def zip_items(download: Path, destination: Path) -> tuple[list[Item], list[str]]:
    """The files of a downloaded zip, each written under a generated name in ``destination``
    (a member's name never becomes a path); and the members that could not be placed, with
    why. A member's folder, if any, is its entry (Moodle's folder per student); one deeper
    keeps its last name part. Raises StudentInputError for an archive that cannot be read."""
    destination.mkdir(parents=True, exist_ok=True)
    items, unplaced = [], []
    where = safe_name(download.name)
    try:
        archive = zipfile.ZipFile(download)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise StudentInputError(f"{where} is not a readable zip file ({type(err).__name__})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ENTRIES:
            raise StudentInputError(f"{where} holds more than {MAX_ENTRIES} files")
        for number, info in enumerate(infos):
            label = safe_name(info.filename)
            parts = info.filename.split("/")
            if info.is_dir() or parts[0] == "__MACOSX" or any(part.startswith(".") for part in parts):
                continue
            if "\\" in info.filename:  # a backslash is a character of the name here, never a folder
                unplaced.append(f"{label}: a backslash in its name; rename it and upload again")
                continue
            if info.file_size > MAX_NOTEBOOK_BYTES:
                unplaced.append(f"{label}: larger than {MAX_NOTEBOOK_BYTES // 1_000_000} MB")
                continue
            target = destination / f"member-{number}"
            try:
                with archive.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as err:
                unplaced.append(f"{label}: could not be read from the zip ({type(err).__name__})")
                continue
            entry, name = (parts[0], "") if len(parts) == 1 else (parts[0], parts[-1])
            items.append(Item(entry, name, target, info.filename))
    return items, unplaced


def place(items: list[Item], layout: str, unplaced: list[str] | None = None) -> Placement:
    """Place each file with the student its entry names (see the module's docstring)."""
    placement = Placement(layout, unplaced=list(unplaced or []))
    candidates: dict[tuple[str, str], list[tuple[int, int, str, Item]]] = {}  # (student, assignment) -> options
    pattern = _CANVAS if layout == "canvas" else _MOODLE
    for item in items:
        label = safe_name(item.label)
        match = pattern.match(item.entry)
        if match is None:
            placement.unplaced.append(f"{label}: its name does not follow {layout.capitalize()}'s naming, so it "
                                      "belongs to no student")
            continue
        if layout == "moodle" and len(_MOODLE_ID.findall(item.entry)) > 1:
            placement.unplaced.append(f"{label}: its name carries more than one participant id; it was not "
                                      "placed with any")
            continue
        student = match.group("user")
        placement.names.setdefault(student, match.group("name"))
        order = int(match.group("submission")) if layout == "canvas" else 0
        if layout == "canvas":
            placement.late[student] = placement.late.get(student, False) or bool(match.group("late"))
        original = item.name or match.group("file")
        if original.lower().endswith(".zip"):
            holds = _zip_holds(item.path)
            if not holds:
                placement.unplaced.append(f"{label}: holds none of the assignment files")
            for assignment in holds:
                candidates.setdefault((student, assignment), []).append((order, -1, " (from the zip)", item))
            continue
        assignment, resubmission = assignment_of(original)
        if assignment is None:
            placement.unplaced.append(f"{label}: {safe_name(original)} does not name an assignment file "
                                      f"({', '.join(f'{a}.py' for a in ASSIGNMENTS)}, or its notebook)")
            continue
        how = f" (as {safe_name(original)})" if original != f"{assignment}.py" else ""
        candidates.setdefault((student, assignment), []).append((order, resubmission, how, item))
    for (student, assignment), options in sorted(candidates.items(), key=lambda kv: kv[0]):
        options.sort(key=lambda o: (o[0], o[1], o[3].label))
        order, resubmission, how, item = options[-1]  # the latest submission, the highest resubmission number
        placement.files.setdefault(student, {})[assignment] = (how, item.path)
        placement.labels[item.path] = item.label
        for *_, older in options[:-1]:
            if older.path != item.path:
                placement.superseded.append(f"{safe_name(older.label)}: superseded by {safe_name(item.label)}")
    return placement


def _zip_holds(path: Path) -> list[str]:
    """The assignments whose file a student's zip holds (by member name; read within bounds later)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {n.rsplit("/", 1)[-1] for n in archive.namelist()[:MAX_ENTRIES]}
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return []
    return [a for a in ASSIGNMENTS if f"{a}.py" in names]


def arrange(placement: Placement, destination: Path, exercises: list[Exercise],
            imports: dict[str, dict[str, float]] | None = None) -> dict[str, list[str]]:
    """Write each student's placed files as ``destination/<student>/<assignment>.py``, the
    folder layout ``grading.submissions.discover`` reads; returns each student's problems.
    ``imports`` gets, for each module made from a notebook, how long its import may take."""
    from autograder.nbgrader.submissions import read_notebook_module

    everyone: dict[str, list[str]] = {}
    for student in placement.names:  # a student none of whose files could be placed still gets a row, and why
        (destination / student).mkdir(parents=True, exist_ok=True)
    for student, files in placement.files.items():
        problems = everyone.setdefault(student, [])
        folder = destination / student
        folder.mkdir(parents=True, exist_ok=True)
        for assignment, (how, path) in files.items():
            original = placement.labels.get(path, path.name)  # what the file was called: its kind
            where = safe_name(original)
            try:
                if original.lower().endswith(".zip"):
                    found = read_zip(path, [f"{assignment}.py"], Budget(), problems)
                    if f"{assignment}.py" in found:
                        (folder / f"{assignment}.py").write_text(found[f"{assignment}.py"], encoding="utf-8")
                elif original.lower().endswith(".ipynb"):
                    read = read_notebook_module(path, where, assignment, exercises, problems,
                                                f"{where} could not be read as a file")
                    if read is not None:
                        (folder / f"{assignment}.py").write_text(read[0], encoding="utf-8")
                        if imports is not None:
                            imports.setdefault(student, {})[f"{assignment}.py"] = read[1]
                else:
                    raw = read_file(path, where, MAX_FILE_BYTES)
                    if raw is not None:
                        (folder / f"{assignment}.py").write_bytes(raw)
            except StudentInputError as err:
                problems.append(err.message)
    return everyone

"""Find each student's submission (folder, zip, or nbgrader notebooks) and read it into memory.

A submission that cannot be read still becomes a :class:`Submission` with a problem
noted, so the student gets a row and a reason rather than vanishing.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from autograder.curriculum import Exercise
from autograder.errors import UsageError
from autograder.untrusted import StudentInputError, safe_name, safe_text
from autograder.grading.uploads import MAX_FILE_BYTES, Budget, entry_kind, read_exercise_file, read_zip, student_id  # noqa: F401 - MAX_FILE_BYTES


@dataclass
class Submission:
    student: str
    files: dict[str, str] = field(default_factory=dict)  #: relpath (tensors.py) -> source
    problems: list[str] = field(default_factory=list)
    #: relpath -> seconds its import may take, for files the grader itself generated (a
    #: notebook's module runs its cells at import); never read from a student's file
    import_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for rel in sorted(self.files):
            h.update(rel.encode() + b"\0" + self.files[rel].encode() + b"\0")
        for problem in self.problems:
            h.update(problem.encode() + b"\0")
        return h.hexdigest()


def _from_folder(folder: Path, wanted: list[str], sub: Submission) -> None:
    """Reads the student's files; never through a link: a submission unpacked with its links
    could point at the solutions, which the grader (root) would then read as the student's."""
    kind = entry_kind(folder / "exercises", "exercises/")
    if kind == "link":
        sub.problems.append("exercises/ is a link, not a folder, and was not graded")
        return
    base = folder / "exercises" if kind == "folder" else folder
    budget = Budget()
    for rel in wanted:
        try:
            text = read_exercise_file(base / rel, f"exercises/{rel}", budget)
        except StudentInputError as err:
            sub.problems.append(err.message)
            continue
        if text is not None:
            sub.files[rel] = text


def _from_zip(path: Path, wanted: list[str], sub: Submission) -> None:
    sub.files.update(read_zip(path, wanted, Budget(), sub.problems))


def is_output(entry: Path, out: Path | None) -> bool:
    """Whether ``entry`` is the output folder ``out``."""
    try:
        return out is not None and entry.resolve() == out.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a link that leads to itself
        return False


def unexpected(err: Exception) -> str:
    """The reason given for a submission whose reading failed in a way the readers in
    ``uploads`` did not foresee: it costs that student, and says the fault is the grader's."""
    return (f"the grader could not read this submission ({type(err).__name__}: {safe_text(err, 300)}); "
            "this is a fault of the grader: tell your instructor")


def discover(root: Path, exercises: list[Exercise], out: Path | None = None, *,
             skipped: list[str]) -> list[Submission]:
    """Every student under ``root``, sorted by id; ``out``, the output folder, is not one
    even if it is kept among the submissions.

    An entry that cannot be a student's (its name is not an id, or the student has both
    a folder and a zip) costs only itself: the reason goes to ``skipped``, for the
    instructor, and the others are read. A problem with what a student handed in gives
    that student a :class:`Submission` with the reason instead of files."""
    if not root.exists():
        raise UsageError(f"The submissions folder {root} does not exist.")
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder; pass the folder that holds one entry per student.")
    try:
        entries = sorted(root.iterdir())
    except OSError as err:
        raise UsageError(f"Cannot read the submissions folder {root}: {err.strerror}.") from None
    wanted = sorted({e.relpath for e in exercises})
    found: dict[str, Submission] = {}
    twice: set[str] = set()
    for entry in entries:
        if entry.name.startswith(".") or is_output(entry, out):
            continue
        try:
            kind = entry_kind(entry, safe_name(entry.name))
        except StudentInputError as err:
            skipped.append(err.message)
            continue
        is_zip = entry.suffix == ".zip" and kind in ("file", "link")
        if not is_zip and not (kind == "folder" or kind == "link" and os.path.isdir(entry)):
            continue  # not a submission: a roster, notes...
        name = entry.stem if is_zip else entry.name
        try:
            student = student_id(name)
        except StudentInputError as err:
            skipped.append(f"{safe_name(entry.name)}: {err.message}")
            continue
        if student in found:
            twice.add(student)
            continue
        sub = found[student] = Submission(student)
        try:
            if kind == "link":
                sub.problems.append(f"{safe_name(entry.name)} is a link, not the student's own "
                                    f"{'file' if is_zip else 'folder'}, and was not graded")
            elif is_zip:
                _from_zip(entry, wanted, sub)
            else:
                _from_folder(entry, wanted, sub)
        except StudentInputError as err:
            sub.problems.append(err.message)
        except Exception as err:  # noqa: BLE001 - one student's upload must not stop the class
            sub.problems.append(unexpected(err))
        if not sub.files and not sub.problems:
            sub.problems.append("no exercise files were found in this submission")
    for student in sorted(twice):
        del found[student]
        skipped.append(f"{student}: the student has both a folder and a zip; keep one")
    if not found and not skipped:
        raise UsageError(f"{root} holds no submissions: expected one folder or .zip per student.")
    if not found:
        raise UsageError(f"{root} holds no submissions that can be graded:\n" + "\n".join(skipped))
    return [found[s] for s in sorted(found)]

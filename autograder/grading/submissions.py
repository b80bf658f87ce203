"""Find each student's submission (folder, zip, or nbgrader notebooks) and read it into memory.

A submission that cannot be read still becomes a :class:`Submission` with a problem
noted, so the student gets a row and a reason rather than vanishing.
"""
from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..curriculum import Exercise
from ..errors import UsageError

MAX_FILE_BYTES = 1_000_000
SAFE_ID = re.compile(r"^[A-Za-z0-9_.@+-]{1,100}$")


@dataclass
class Submission:
    student: str
    files: dict[str, str] = field(default_factory=dict)  #: relpath (tensors.py) -> source
    problems: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        h = hashlib.sha256()
        for rel in sorted(self.files):
            h.update(rel.encode() + b"\0" + self.files[rel].encode() + b"\0")
        for problem in self.problems:
            h.update(problem.encode() + b"\0")
        return h.hexdigest()


def _decode(raw: bytes, where: str, problems: list[str]) -> str | None:
    if len(raw) > MAX_FILE_BYTES:
        problems.append(f"{where} is larger than {MAX_FILE_BYTES // 1000} kB and was not graded")
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        problems.append(f"{where} is not UTF-8 text and was not graded")
        return None


def _from_folder(folder: Path, wanted: list[str], sub: Submission) -> None:
    """Reads the student's files; never through a link: a submission unpacked with its links
    could point at the solutions, which the grader (root) would then read as the student's."""
    if (folder / "exercises").is_symlink():
        sub.problems.append("exercises/ is a link, not a folder, and was not graded")
        return
    base = folder / "exercises" if (folder / "exercises").is_dir() else folder
    for rel in wanted:
        path = base / rel
        if path.is_symlink() or (path.exists() and not path.is_file()):
            sub.problems.append(f"exercises/{rel} is not a regular file and was not graded")
        elif path.is_file():
            with path.open("rb") as f:
                text = _decode(f.read(MAX_FILE_BYTES + 1), f"exercises/{rel}", sub.problems)
            if text is not None:
                sub.files[rel] = text


def _from_zip(path: Path, wanted: list[str], sub: Submission) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = {info.filename: info for info in archive.infolist() if not info.is_dir()}
            for rel in wanted:
                info = names.get(f"exercises/{rel}") or names.get(rel) \
                    or next((i for n, i in names.items() if n.endswith(f"/exercises/{rel}")), None)
                if info is None:
                    continue
                if info.file_size > MAX_FILE_BYTES:
                    sub.problems.append(f"exercises/{rel} in the zip is too large and was not graded")
                    continue
                with archive.open(info) as f:
                    text = _decode(f.read(MAX_FILE_BYTES + 1), f"exercises/{rel}", sub.problems)
                if text is not None:
                    sub.files[rel] = text
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError) as err:
        sub.problems.append(f"{path.name} is not a readable zip file ({err})")


def is_output(entry: Path, out: Path | None) -> bool:
    """Whether ``entry`` is the output folder ``out``."""
    try:
        return out is not None and entry.resolve() == out.resolve()
    except OSError:
        return False


def discover(root: Path, exercises: list[Exercise], out: Path | None = None) -> list[Submission]:
    """Every student under ``root``, sorted by id; ``out``, the output folder, is not one
    even if it is kept among the submissions."""
    if not root.exists():
        raise UsageError(f"The submissions folder {root} does not exist.")
    if not root.is_dir():
        raise UsageError(f"{root} is not a folder; pass the folder that holds one entry per student.")
    wanted = sorted({e.relpath for e in exercises})
    found: dict[str, Submission] = {}
    for entry in sorted(root.iterdir()):
        if entry.name.startswith(".") or is_output(entry, out):
            continue
        student = entry.stem if entry.suffix == ".zip" and entry.is_file() else entry.name
        if not entry.is_dir() and entry.suffix != ".zip":
            continue
        if not SAFE_ID.match(student):
            raise UsageError(f"{entry} does not name a student: ids may use letters, digits and _.@+- only.")
        if student in found:
            raise UsageError(f"Student {student!r} has both a folder and a zip in {root}; keep one.")
        sub = found[student] = Submission(student)
        if entry.is_dir():
            _from_folder(entry, wanted, sub)
        else:
            _from_zip(entry, wanted, sub)
        if not sub.files and not sub.problems:
            sub.problems.append("no exercise files were found in this submission")
    if not found:
        raise UsageError(f"{root} holds no submissions: expected one folder or .zip per student.")
    return [found[s] for s in sorted(found)]

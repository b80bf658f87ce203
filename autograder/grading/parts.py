"""A class in parts: which part a student is in, and what a part's output folder says of itself.

``autograder grade SUBMISSIONS --out OUT_K --part K/N`` grades the students of part K of N
(:func:`part_of`: from the student's id alone, so a student stays in their part when
others are added) and writes, beside the usual files, :data:`PART_FILE`: a
:class:`PartRecord` saying which part it is, what graded it (:class:`Grader`), which class
it was cut from, and what the merge needs that the results do not hold (the intake's
record lines, the extra columns of grades.csv). ``autograder merge`` (``grading.merge``)
reads them back through :func:`read_part`, which checks every field.

"Part" is this module's word: the processes that grade a run's students on one machine
are its shards (``grading.shard``), which every run has, in parts or not.
"""
from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.curriculum import MANIFEST, PACKAGE_DIR, SOLUTIONS_DIR, course
from autograder.errors import AutograderError, OutputError, UsageError
from autograder.grading.results import ResultsError, Summary, atomic_write, read_output_file
from autograder.intake.names import student_id
from autograder.untrusted import StudentInputError, safe_line

if TYPE_CHECKING:
    from autograder.intake import Intake
    from autograder.sandbox.jail import Limits

PART_FILE = "part.json"  #: in a part's output folder; never in a whole class's
PART_FORMAT = 1
MAX_PARTS = 100_000  #: more parts than any class has students a hundred times over
#: the largest part.json read: a part holding the largest class (``intake.bounds``), each
#: entry with its intake record, with room to spare
MAX_PART_FILE_BYTES = 512 * 2**20


@dataclass(frozen=True)
class Part:
    """Part ``number`` of ``count`` (1 <= number <= count)."""

    number: int
    count: int

    def __str__(self) -> str:
        return f"{self.number}/{self.count}"

    def holds(self, student: str) -> bool:
        return part_of(student, self.count) == self.number


def part_of(student: str, count: int) -> int:
    """The part (1 to ``count``) of ``student``: the first 8 bytes of the SHA-256 of their
    id, as a big-endian number, modulo ``count``, plus one. Nothing else counts (not the
    class's size, not the order), so every machine agrees, on every run."""
    digest = hashlib.sha256(student.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


def parse_part(text: str) -> Part:
    """``K/N`` as typed after ``--part``; a UsageError saying what is wrong otherwise."""
    number, slash, count = text.partition("/")
    if not (slash and number.isascii() and number.isdigit() and count.isascii() and count.isdigit()
            and len(number) <= 6 and len(count) <= 6):
        raise UsageError(f"--part {safe_line(text)[:40]!r}: write the part as K/N, such as 2/8 (part 2 of 8).")
    part = Part(int(number), int(count))
    if not 1 <= part.count <= MAX_PARTS:
        raise UsageError(f"--part {part}: the number of parts must be from 1 to {MAX_PARTS:,}.")
    if not 1 <= part.number <= part.count:
        raise UsageError(f"--part {part}: parts are numbered from 1 to {part.count}.")
    return part


# -- what graded a part ----------------------------------------------------------------------

#: the course's own files inside the package: its checks (public and hidden); with the
#: manifest and the solutions they make the course's side of :class:`Grader`
_COURSE_PACKAGES = ("checks", "hidden")


def _digest(files: list[tuple[str, Path]]) -> str:
    h = hashlib.sha256()
    for name, path in sorted(files):
        h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Grader:
    """Everything that decides a part's grades and files, field by field, so that a merge
    of parts that differ can say how. Two parts graded by equal graders from the same
    class give the files one run would have."""

    course: str  #: the course's id (course.toml)
    code: str  #: SHA-256 of the grader's code: the package's modules (but the course's checks) and templates
    checks: str  #: SHA-256 of the course's checks, reference solutions and manifest (points, exercises)
    timeout: float
    memory_mb: int
    assignments: tuple[str, ...]  #: the assignments graded
    layout: str  #: how the submissions folder was read

    #: how each field is named when two parts differ in it
    WORDING = {"course": "the course", "code": "the grader's code (another version of the autograder)",
               "checks": "the course's checks, solutions or points", "timeout": "--timeout",
               "memory_mb": "--memory-mb", "assignments": "the assignments graded",
               "layout": "the layout of the submissions (--layout)"}

    def differences(self, other: Grader, fields: tuple[str, ...] | None = None) -> list[str]:
        """How ``other`` differs from this grader, one phrase a field."""
        found = []
        for name in fields or tuple(self.WORDING):
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine != theirs:
                shown = [", ".join(v) if isinstance(v, tuple) else v[:12] if name in ("code", "checks") else v
                         for v in (mine, theirs)]
                found.append(f"{self.WORDING[name]}: {shown[0]} against {shown[1]}")
        return found


def this_grader(timeout: float, memory_mb: int, assignments: list[str], layout: str) -> Grader:
    """The grader of this checkout, with these settings."""
    course_files = [(f"autograder/{MANIFEST.name}", MANIFEST)]
    course_files += [(f"solutions/{p.name}", p) for p in SOLUTIONS_DIR.glob("*.py")]
    code_files = []
    for path in [*PACKAGE_DIR.rglob("*.py"), *(PACKAGE_DIR / "report" / "templates").glob("*")]:
        rel = path.relative_to(PACKAGE_DIR)
        side = course_files if rel.parts[0] in _COURSE_PACKAGES else code_files
        side.append((f"autograder/{rel.as_posix()}", path))
    return Grader(course().id, _digest(code_files), _digest(course_files), float(timeout), int(memory_mb),
                  tuple(assignments), layout)


# -- part.json ---------------------------------------------------------------------------------

@dataclass
class PartRecord:
    """What a part's output folder says of itself (:data:`PART_FILE`)."""

    part: Part
    grader: Grader
    class_digest: str  #: ``intake.Intake.digest`` of the class it was cut from
    counts: list[int]  #: how many of the class's students each part holds (part K: ``counts[K - 1]``)
    students: list[str]  #: this part's students, in the class's order
    record: list[tuple[int, str]]  #: its lines of the intake's record, each with its class entry
    columns: dict[str, dict[str, str]] | None  #: its students' extra columns of grades.csv
    not_graded: list[str] = field(default_factory=list)  #: the class's entries that got no grade, with the reason
    graded_now: int = 0  #: students the part's last run graded (the others' results were up to date)

    def to_json(self) -> str:
        doc = {"format": PART_FORMAT, "part": [self.part.number, self.part.count], "grader": asdict(self.grader),
               "class": self.class_digest, "counts": self.counts, "students": self.students,
               "record": [list(line) for line in self.record], "columns": self.columns,
               "not_graded": self.not_graded, "graded_now": self.graded_now}
        return json.dumps(doc, separators=(",", ":")) + "\n"


def counts(students: list[str], count: int) -> list[int]:
    """How many of ``students`` each of ``count`` parts holds."""
    found = [0] * count
    for student in students:
        found[part_of(student, count) - 1] += 1
    return found


class PartError(AutograderError):
    """A folder that is not a finished part, or parts that do not make one class."""


def read_part(out: Path) -> PartRecord:
    """The :class:`PartRecord` of the output folder ``out``, every field checked."""
    path = out / PART_FILE
    if not out.is_dir():
        raise PartError(f"{out} is not a folder.")
    try:
        doc = json.loads(read_output_file(path, MAX_PART_FILE_BYTES).decode("utf-8"))
    except FileNotFoundError:
        raise PartError(f"{out} is not the output of a finished part: it has no {PART_FILE}.",
                        hint="grade the part with `autograder grade ... --part K/N`; let it finish") from None
    except (OSError, UnicodeDecodeError, ValueError, RecursionError, ResultsError) as err:
        raise PartError(f"{path} cannot be read ({getattr(err, 'strerror', None) or err}).") from None
    try:
        return _part_record(doc)
    except (KeyError, TypeError, ValueError, StudentInputError, AttributeError):
        raise PartError(f"{path} is not a part record of this version of the autograder.",
                        hint="grade the part again with this version") from None


def _part_record(doc: Any) -> PartRecord:
    if doc["format"] != PART_FORMAT:
        raise ValueError("format")
    number, count = doc["part"]
    if not (type(number) is int and type(count) is int and 1 <= number <= count <= MAX_PARTS):
        raise ValueError("part")
    g = doc["grader"]
    grader = Grader(_text(g["course"]), _text(g["code"]), _text(g["checks"]), _number(g["timeout"]),
                    _int(g["memory_mb"]), tuple(_text(a) for a in g["assignments"]), _text(g["layout"]))
    found = doc["counts"]
    if not (type(found) is list and len(found) == count and all(type(n) is int and n >= 0 for n in found)):
        raise ValueError("counts")
    students = [student_id(_text(s)) for s in doc["students"]]  # they name files: valid ids only
    record = [(_int(entry), _text(line)) for entry, line in doc["record"]]
    columns = doc["columns"]
    if columns is not None:
        columns = {_text(name): {student_id(_text(s)): _text(v) for s, v in values.items()}
                   for name, values in columns.items()}
    return PartRecord(Part(number, count), grader, _text(doc["class"]), found, students, record, columns,
                      [_text(line) for line in doc["not_graded"]], _int(doc["graded_now"]))


def _text(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("text")
    return value


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:
        raise TypeError("count")
    return value


def _number(value: Any) -> float:
    if type(value) not in (int, float) or not math.isfinite(value):
        raise TypeError("number")
    return float(value)


# -- a part's run ------------------------------------------------------------------------------

def forget(out: Path) -> None:
    """Remove ``out``'s part record, if any: a run that starts there has not finished yet."""
    try:
        (out / PART_FILE).unlink(missing_ok=True)
    except OSError as err:
        raise OutputError(out / PART_FILE, err) from None


def finish(out: Path, part: Part, intake: Intake, limits: Limits, graded_now: int, summary: Summary) -> None:
    """Write the part record of a part that has just been graded into ``out``, and say so
    in its ``summary``. Entries of the class that got no grade are the merge's to report
    (every part sees them): a part that graded all its students succeeds."""
    record = PartRecord(part, this_grader(limits.timeout, limits.memory_mb, intake.assignments, intake.layout),
                        intake.digest, counts(intake.students, part.count),
                        [sub.student for sub in intake.submissions], list(zip(intake.record_entries, intake.record)),
                        {"late": intake.late} if intake.layout == "canvas" else None, intake.not_graded, graded_now)
    atomic_write(out / PART_FILE, record.to_json())
    summary.notes.append(f"Part {part} of the class: {len(record.students)} of its {len(intake.students)} students. "
                         "Merge the parts with `autograder merge OUT_1 ... OUT_N --out OUT`.")
    if summary.not_graded:
        summary.notes.append(f"{len(summary.not_graded)} entr{'y' if len(summary.not_graded) == 1 else 'ies'} of the "
                             "submissions folder got no grade: the merge lists them (and fails) until they are fixed.")
        summary.not_graded = []

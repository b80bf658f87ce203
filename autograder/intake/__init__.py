"""The intake: every way a class arrives, read by one rule into :class:`Submission`\\ s.

``read_class`` picks the layout (``--layout`` wins; otherwise ``layouts.detect`` looks at
the whole class), runs that layout's adapter, and turns each student's upload into a
:class:`Submission` by the one rule of ``rule.py``, one student at a time. Every entry
the intake sees ends as a submission or as a :class:`LeftOut` with the reason; the
record of what became of each (``Intake.record``) is written beside the grades.

Bounds: ``bounds.py``. Names are read in linear time (``names.py``), source files by an
allow-list of encodings (``text.py``), archives without extracting (``members.py``).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from autograder.curriculum import ASSIGNMENTS, PROJECT_DIR, Exercise, course
from autograder.errors import UsageError
from autograder.intake import layouts
from autograder.intake.layouts import LAYOUTS, LeftOut
from autograder.intake.rule import Choice, Upload, submission_of
from autograder.intake.submission import Submission
from autograder.untrusted import safe_name, safe_text

__all__ = ["LAYOUTS", "Intake", "LeftOut", "Submission", "read_class", "record_text", "RECORD_FILE"]

RECORD_FILE = "intake.txt"  #: in the output folder: what became of every entry
MAX_PRINTED = 30  #: lines of the record printed after a run; the rest are in the file


@dataclass
class Intake:
    """What the intake found: the class's submissions and everything else it saw."""

    layout: str
    assignments: list[str]
    submissions: list[Submission] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    record: list[str] = field(default_factory=list)  #: one line a graded file or left-out entry
    #: the class entry each line of ``record`` is about (its place in the layout's order), so
    #: that the records of parts of a class (``grading.parts``) interleave into the class's
    record_entries: list[int] = field(default_factory=list)
    late: dict[str, str] = field(default_factory=dict)  #: student -> "late" (Canvas marks it)
    #: every student of the class, in the layout's order: those read and those ``keep`` passed over
    students: list[str] = field(default_factory=list)
    #: what every entry of the class is (its name and its student, or why it is none):
    #: equal for two reads of the same class, whichever of its students each read
    digest: str = ""

    @property
    def not_graded(self) -> list[str]:
        """Entries that may be a student's and got no grade, with the reason."""
        return [e.line() for e in self.left_out if e.student]

    @property
    def ignored(self) -> list[str]:
        """Entries that are nobody's submission (a roster, a note), with the reason."""
        return [e.line() for e in self.left_out if not e.student]

    def notes(self, out: Path) -> list[str]:
        """What the instructor should read after the summary."""
        lines = []
        graded = [line for line in self.record if " -> " in line]
        if self.layout in ("canvas", "moodle"):
            lines.append(f"{self.layout.capitalize()} download: {len(graded)} file(s) of {len(self.submissions)} "
                         f"student(s) graded (every entry: {out / RECORD_FILE}).")
            lines += [f"  {line}" for line in graded[:MAX_PRINTED]]
            if len(graded) > MAX_PRINTED:
                lines.append(f"  ... and {len(graded) - MAX_PRINTED} more in {RECORD_FILE}")
        ignored = self.ignored
        if ignored:
            lines.append(f"Not submissions: {len(ignored)} entr{'y' if len(ignored) == 1 else 'ies'} "
                         f"(listed in {RECORD_FILE}):")
            lines += [f"  {line}" for line in ignored[:MAX_PRINTED]]
            if len(ignored) > MAX_PRINTED:
                lines.append(f"  ... and {len(ignored) - MAX_PRINTED} more in {RECORD_FILE}")
        return lines

    def record_text(self) -> str:
        return record_text(self.record)


def record_text(record: list[str]) -> str:
    """The record file's text (:data:`RECORD_FILE`) from its lines."""
    return "\n".join(["# what became of every entry the grader saw", *record]) + "\n"


def stubs() -> dict[str, bytes]:
    """The released stub of each assignment, where the course has them (see ``rule``)."""
    found = {}
    for assignment in course().assignments:
        try:
            found[assignment.name] = (PROJECT_DIR / assignment.stub_relpath).read_bytes()
        except OSError:
            pass
    return found


def _assignments(source: Path, layout: str, assignment: str | None) -> list[str]:
    if assignment is not None:
        return [course().assignment(assignment).name]  # a UsageError, with "did you mean", for a name it lacks
    if layout != "nbgrader":
        return list(ASSIGNMENTS)
    held = sorted({a for entry in layouts.class_entries(source) for a in ASSIGNMENTS
                   if entry.is_dir(follow_symlinks=False) and (Path(entry.path) / a).is_dir()},
                  key=list(ASSIGNMENTS).index)
    if len(held) != 1:
        raise UsageError("Grading an nbgrader submitted/ folder needs --assignment NAME"
                         + (f": it holds {', '.join(held)}." if held else "."),
                         hint="one of: " + ", ".join(ASSIGNMENTS))
    return held


def read_class(source: Path, exercises: list[Exercise], *, layout: str = "auto", assignment: str | None = None,
               out: Path | None = None, keep: Callable[[str], bool] | None = None) -> Intake:
    """Every student of the class at ``source`` (see the module's docstring); with ``keep``,
    only the students it accepts are read (their files, their record lines), the others
    only counted in ``Intake.students``. Entries that are no student's are recorded whatever ``keep`` says."""
    if layout == "auto":
        layout = layouts.detect(source, list(ASSIGNMENTS), out)
    elif layout not in (*LAYOUTS, "gradescope"):
        raise UsageError(f"There is no layout called {layout!r}.", hint="one of: " + ", ".join(LAYOUTS))
    if source.is_file() and layout not in ("canvas", "moodle"):
        raise UsageError(f"{source} is a file; only an LMS download (--layout canvas or moodle) may be a zip.")
    wanted = _assignments(source, layout, assignment)
    found = (layouts.gradescope(source) if layout == "gradescope" else
             layouts.nbgrader(source, wanted[0], out, keep) if layout == "nbgrader" else
             layouts.lms(source, layout) if layout in ("canvas", "moodle") else
             layouts.folders(source, out, keep))
    intake = Intake(layout, wanted)
    known = [e for e in exercises if e.assignment in wanted]
    released = stubs()
    seen: set[str] = set()
    digest = hashlib.sha256()
    for entry, item in enumerate(found):
        if isinstance(item, LeftOut):
            digest.update(f"{item.label}\0{item.reason}\0{item.student}\n".encode("utf-8", "surrogatepass"))
            intake.left_out.append(item)
            intake.record.append(f"{item.line()} [not graded]")
            intake.record_entries.append(entry)
            continue
        digest.update(f"{item.label}\0{item.student}\n".encode("utf-8", "surrogatepass"))
        if item.student in seen:  # two entries that claim one student: the adapters prevent it
            intake.left_out.append(LeftOut(item.label, f"a second entry for the student {item.student}"))
            continue
        seen.add(item.student)
        intake.students.append(item.student)
        if keep is not None and not keep(item.student):
            continue
        try:
            sub, choices = submission_of(item, wanted, known, released)
        except Exception as err:  # noqa: BLE001 - one student's upload must not stop the class
            sub, choices = Submission(item.student, problems=[
                f"the grader could not read this submission ({type(err).__name__}: {safe_text(err, 300)}); "
                "this is a fault of the grader: tell your instructor"]), []
        intake.submissions.append(sub)
        lines = _record(item, sub, choices)
        intake.record += lines
        intake.record_entries += [entry] * len(lines)
        if any(c.graded.late for c in choices):
            intake.late[item.student] = "late"
    intake.digest = digest.hexdigest()
    if not intake.students:
        reasons = "\n".join(intake.not_graded + intake.ignored)
        raise UsageError(f"{source} holds no submissions that can be graded" + (f":\n{reasons}" if reasons else "."))
    intake.submissions.sort(key=lambda s: s.student)
    return intake


def _record(upload: Upload, sub: Submission, choices: list[Choice]) -> list[str]:
    who = f"{sub.student}" + (f" ({safe_name(upload.display)})" if upload.display else "")
    lines = [f"{safe_name(c.graded.label)} -> {who}, {c.assignment}" for c in choices]
    lines += [f"{safe_name(m.label)} -> {who}, {c.assignment} [not graded: {safe_name(c.graded.label)} was]"
              for c in choices for m in c.others]
    used = [c.graded.label for c in choices] + [m.label for c in choices for m in c.others]
    unused = [m.label for m in upload.members
              if m.label not in used and not any(label.startswith(m.label + "/") for label in used)]
    lines += [f"{safe_name(label)} -> {who} [not graded: it is no assignment's file]" for label in unused[:MAX_PRINTED]]
    if len(unused) > MAX_PRINTED:
        lines.append(f"... and {len(unused) - MAX_PRINTED} more files of {who} that are no assignment's")
    if not choices:
        lines.append(f"{safe_name(upload.label)} -> {who}: no assignment file found")
    return lines

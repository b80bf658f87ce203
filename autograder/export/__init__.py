"""``autograder export OUT``: the class's totals put back into an LMS's own gradebook file.

The instructor downloads the LMS's file (a Canvas gradebook export, a Moodle offline
grading worksheet), this fills one column of it with the totals of the graded class, and
the LMS imports the result as it would its own file. Students are matched by the LMS's id,
which its submissions download carries and the intake made each student's name; every
other row, column and byte of the file is kept (``csvtext``). Students of the file without
a result keep their cell (or get 0 with ``missing_as_zero``); graded students the file does
not have are named, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError
from autograder.export.csvtext import read_file
from autograder.export.fill import Filled
from autograder.grading.outputs import read_out
from autograder.grading.results import atomic_write
from autograder.untrusted import safe_name

__all__ = ["ExportOptions", "Exported", "export"]

#: students named in one line of the summary; the rest are counted
NAMED = 30


@dataclass
class ExportOptions:
    out: Path  #: the output folder of a grading run
    to: Path  #: the file to write
    canvas: Path | None = None
    moodle: Path | None = None
    column: str | None = None
    missing_as_zero: bool = False


@dataclass
class Exported:
    lms: str
    source: Path
    to: Path
    filled: Filled
    graded: int  #: students with a result in ``out``

    @property
    def complete(self) -> bool:
        """Every graded student's total is in the file, and nothing is known to cost one on import."""
        return not self.filled.unknown and not self.filled.warnings

    def render(self) -> str:
        f = self.filled
        lines = [f"Wrote {self.to}: {self.lms}'s file {self.source} with column {safe_name(f.column)!r} holding "
                 f"the totals of {f.written} of its {f.written + len(f.missing)} students."]
        if f.missing and not (f.zeroed or f.kept):
            lines.append(f"No result for {len(f.missing)} of its students, whose cells were left as they were "
                         "(empty: no grade): " + _names(f.missing))
        elif f.missing:
            lines.append(f"No result for {len(f.missing)} of its students:")
            if f.zeroed:
                lines.append(f"  set to 0 ({len(f.zeroed)}): " + _names(f.zeroed))
            lines += [f"  {reason} ({len(students)}): " + _names(students) for reason, students in f.kept.items()]
        lines += [f"Note: {note}" for note in f.notes]
        return "\n".join(lines)

    def problems(self) -> list[str]:
        """What the instructor must act on, for stderr."""
        lines = []
        if self.filled.unknown:
            lines.append(f"Not in {self.source}: {len(self.filled.unknown)} graded student(s), whose totals are not "
                         f"in the file: " + _names(self.filled.unknown))
            lines.append("  (students are matched by the LMS's id: grade the LMS's submissions download, whose "
                         "names carry it; a student enrolled since the file was downloaded needs a new download)")
        lines += [f"Warning: {w}" for w in self.filled.warnings]
        return lines


def _names(students: list[str]) -> str:
    shown = ", ".join(safe_name(s) for s in students[:NAMED])
    return shown + (f", and {len(students) - NAMED} more" if len(students) > NAMED else "")


def export(options: ExportOptions) -> Exported:
    from autograder.export.canvas import fill_canvas
    from autograder.export.moodle import fill_moodle

    if (options.canvas is None) == (options.moodle is None):
        raise UsageError("Give one LMS file: --canvas GRADEBOOK.csv or --moodle WORKSHEET.csv.")
    source = options.canvas or options.moodle
    lms = "Canvas" if options.canvas else "Moodle"
    if options.canvas and not options.column:
        raise UsageError("--canvas needs --column: the assignment column to fill, as the gradebook names it "
                         "(such as 'Tensors (12345)', or its title or id).")
    if options.to.resolve() == source.resolve():
        raise UsageError(f"--to {options.to} is the {lms} file itself: write a new file, and keep the download.")
    results, unreadable = read_out(options.out)
    if unreadable:
        raise UsageError(f"{len(unreadable)} result(s) in {options.out} could not be read, so their students' totals "
                         "would be missing:\n" + "\n".join(f"  {u}" for u in unreadable[:NAMED]),
                         hint="grade the class again into the same folder: unreadable results are graded again")
    if not results:
        raise UsageError(f"{options.out} holds no results: grade the class first.")
    totals = {student: result.score for student, result in results.items()}
    max_total = max(result.max_score for result in results.values())
    text = read_file(source, f"the {lms} file")
    where = safe_name(str(source))
    if options.canvas:
        filled = fill_canvas(text, where, options.column, totals, max_total, options.missing_as_zero)
    else:
        filled = fill_moodle(text, where, options.column, totals, options.missing_as_zero)
    if not options.to.resolve().parent.is_dir():
        raise UsageError(f"--to {options.to}: there is no folder {options.to.parent} to write it in.")
    atomic_write(options.to, filled.text)
    return Exported(lms, source, options.to, filled, len(results))

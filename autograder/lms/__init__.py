"""Grading an LMS's bulk download (Canvas, Moodle): see ``layouts``."""
from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.curriculum import ASSIGNMENTS, Exercise
from autograder.grading.results import Summary, atomic_write
from autograder.grading.run import GradeOptions, grade
from autograder.grading.submissions import Submission, discover
from autograder.errors import UsageError
from autograder.lms.layouts import (LAYOUTS, Placement, arrange, detect, detect_names, folder_items, place,
                                    zip_items)
from autograder.untrusted import StudentInputError

__all__ = ["LAYOUTS", "detect", "grade_download", "layout_of"]

MAPPING_FILE = "lms-mapping.txt"  #: in the output folder: which file became whose which
MAX_PRINTED = 30  #: mapping lines printed; the rest are in the mapping file


def layout_of(submissions: Path) -> str:
    """The layout of a submissions folder, or of a downloaded zip (an LMS's, then)."""
    if submissions.is_file() and submissions.suffix.lower() == ".zip":
        with tempfile.TemporaryDirectory(prefix="autograder-lms-") as work:
            try:
                items, _ = zip_items(submissions, Path(work))
            except StudentInputError as err:
                raise UsageError(err.message) from None
        found = detect_names(sorted({i.entry for i in items}), {i.entry for i in items if not i.name})
        return found if found != "folders" else "canvas"
    return detect(submissions) if submissions.is_dir() else "folders"


def grade_download(options: GradeOptions, layout: str) -> Summary:
    """Grade a Canvas or Moodle download (a folder, or the zip as downloaded)."""
    if options.gradebook:
        raise UsageError("--gradebook only applies to nbgrader submissions, not to an LMS download.")
    if options.assignment is not None and options.assignment not in ASSIGNMENTS:
        raise UsageError(f"There is no assignment called {options.assignment!r}.",
                         hint="one of: " + ", ".join(ASSIGNMENTS))
    with tempfile.TemporaryDirectory(prefix="autograder-lms-") as work:
        try:
            if options.submissions.is_file():
                items, unplaced = zip_items(options.submissions, Path(work) / "download")
            else:
                items, unplaced = folder_items(options.submissions)
        except StudentInputError as err:
            raise UsageError(err.message) from None
        placement = place(items, layout, unplaced)
        arranged = Path(work) / "class"
        arranged.mkdir()

        def find_class(opts: GradeOptions, exercises: list[Exercise], skipped: list[str]
                       ) -> tuple[list[Submission], list[Exercise]]:
            imports: dict[str, dict[str, float]] = {}
            problems = arrange(placement, arranged, exercises, imports)
            found = discover(arranged, exercises, opts.out, skipped=skipped) if placement.names else []
            for sub in found:
                sub.problems[:0] = problems.get(sub.student, [])
                sub.import_seconds.update({k: v for k, v in imports.get(sub.student, {}).items() if k in sub.files})
            return found, [e for e in exercises if options.assignment in (None, e.assignment)]

        late = {"late": {s: "late" for s, is_late in placement.late.items() if is_late}} if layout == "canvas" else None
        summary = grade(GradeOptions(**{**vars(options), "submissions": arranged}), find_class, columns=late)
    summary.notes = _notes(placement, options.out)
    return summary


def _notes(placement: Placement, out: Path) -> list[str]:
    mapping = placement.mapping()
    atomic_write(out / MAPPING_FILE, "\n".join(
        ["# file -> student id (name in the LMS), assignment", *mapping,
         "", "# superseded (an earlier submission of the same file)", *placement.superseded,
         "", "# not placed", *placement.unplaced]) + "\n")
    notes = [f"{placement.layout.capitalize()} download: {sum(map(len, placement.files.values()))} file(s) of "
             f"{len(placement.files)} student(s) placed (mapping: {out / MAPPING_FILE})."]
    notes += [f"  {line}" for line in mapping[:MAX_PRINTED]]
    if len(mapping) > MAX_PRINTED:
        notes.append(f"  ... and {len(mapping) - MAX_PRINTED} more in {MAPPING_FILE}")
    if placement.superseded:
        notes.append(f"Superseded by a later submission: {len(placement.superseded)} file(s) (listed in {MAPPING_FILE}).")
    if placement.unplaced:
        notes.append(f"Not placed: {len(placement.unplaced)} file(s):")
        notes += [f"  {reason}" for reason in placement.unplaced]
    return notes

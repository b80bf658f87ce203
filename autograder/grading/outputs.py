"""The output folder of a class's grading, every file of it written from the results model;
and :func:`read_out`, which reads a class's results back from an output folder.

``autograder grade`` and ``autograder merge`` both end in :func:`write_class`, so that a
class graded in parts and merged gets the same bytes as a class graded in one run: every
file of the folder (each student's results.json and feedback page, intake.txt,
grades.csv, report.html) is a rendering of a :class:`GradedClass`, and nothing else writes
them. ``grade`` also writes each student's files as their result comes
(:func:`write_student`, the function :func:`write_class` uses), so that a run that is
stopped keeps the students it finished. No file holds a time or a path, so the same
results give byte-identical files.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Sequence

from autograder.curriculum import Exercise
from autograder.errors import UsageError
from autograder.grading.results import (ResultsError, atomic_write, feedback_html, grades_csv, read_results_file,
                                        remove_leftovers, results_json)
from autograder.intake import RECORD_FILE, record_text
from autograder.outcomes import StudentResult
from autograder.report import REPORT_FILE, report_html
from autograder.untrusted import safe_name

GRADES_FILE = "grades.csv"
RESULTS_DIR = "results"
FEEDBACK_DIR = "feedback"


@dataclass
class GradedClass:
    """What a class's grading comes to: the model every file of the output folder renders."""

    results: list[StudentResult]  #: one a student, in the class's order
    exercises: list[Exercise]  #: the exercises graded: grades.csv's columns
    record: list[str]  #: what became of every entry of the submissions folder (``intake.Intake.record``)
    columns: dict[str, dict[str, str]] | None = None  #: more columns of grades.csv (an LMS's late marker)


def results_path(out: Path, student: str) -> Path:
    return out / RESULTS_DIR / f"{student}.json"


def prepare(out: Path) -> None:
    """Make the output folder and check that it can be written, before any work."""
    try:
        for sub in (RESULTS_DIR, FEEDBACK_DIR):
            (out / sub).mkdir(parents=True, exist_ok=True)
        probe = out / f".probe.{os.getpid()}.tmp"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        raise UsageError(f"Cannot write to the output folder {out}: {err.strerror}.") from None


def write_record(out: Path, record: list[str]) -> None:
    atomic_write(out / RECORD_FILE, record_text(record))


def write_student(out: Path, result: StudentResult) -> None:
    """One student's files: the feedback page first, then results.json, whose presence
    means the student is done (a run that is stopped between the two grades them again)."""
    atomic_write(out / FEEDBACK_DIR / f"{result.student}.html", feedback_html(result))
    atomic_write(results_path(out, result.student), results_json(result))


def write_class(out: Path, graded: GradedClass, current: Collection[str] = ()) -> None:
    """Every file of the output folder ``out`` (made by :func:`prepare`) for ``graded``.
    ``current``: students whose own files are known to be up to date (``autograder grade``
    wrote them with :func:`write_student` as each result came, or an earlier run of the
    same grader did; ``autograder merge`` wrote them in its processes), left unread. A file
    that already holds what it should is left as it is (``results.atomic_write``); one the
    machine refuses raises :class:`~autograder.errors.OutputError`, files written whole."""
    write_record(out, graded.record)
    for result in graded.results:
        if result.student not in current:
            write_student(out, result)
    write_class_outputs(out, graded.results, graded.exercises, graded.columns)
    for folder in (out, out / RESULTS_DIR, out / FEEDBACK_DIR):
        remove_leftovers(folder)


def write_class_outputs(out: Path, results: Sequence[StudentResult], exercises: Sequence[Exercise],
                        columns: dict[str, dict[str, str]] | None = None) -> None:
    """The files of the whole class: ``out``/grades.csv and ``out``/report.html for
    ``results`` (every student of the class, in its order), graded on ``exercises``;
    ``columns``: grades.csv's extra columns (name -> student -> text). Part of
    :func:`write_class`."""
    atomic_write(out / GRADES_FILE, grades_csv(list(results), list(exercises), columns))
    atomic_write(out / REPORT_FILE, report_html(results, exercises))


def read_out(folder: Path) -> tuple[dict[str, StudentResult], list[str]]:
    """Every student's result in the output folder ``folder`` (its results/, each file within
    the size a grading run writes, read through ``results.read_results``), and the files that
    could not be read, each with the reason."""
    results_dir = folder / "results"
    if not results_dir.is_dir():
        raise UsageError(f"{folder} is not an output folder of `autograder grade`: it has no results/ folder.")
    found, unreadable = {}, []
    for path in sorted(results_dir.glob("*.json")):
        try:
            result = read_results_file(path)
        except (OSError, ResultsError) as err:
            unreadable.append(f"{safe_name(str(path))}: {safe_name(str(err) or type(err).__name__)}")
            continue
        if path.stem != result.student:
            unreadable.append(f"{safe_name(str(path))}: it holds the result of {safe_name(result.student)}")
            continue
        found[result.student] = result
    return found, unreadable

"""The class's outputs, written once every student has a result: grades.csv and report.html;
and :func:`read_out`, which reads a class's results back from an output folder.

The one place that writes the class's outputs: ``autograder grade`` calls :func:`write_class_outputs` when
the class is graded, and so does whatever else puts a class's results together. Both files
are renderings of the results (the model), in the class's order; neither holds a time or a
path, so the same results give byte-identical files.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from autograder.curriculum import Exercise
from autograder.errors import UsageError
from autograder.grading.results import ResultsError, atomic_write, grades_csv, read_results_file
from autograder.outcomes import StudentResult
from autograder.report import REPORT_FILE, report_html
from autograder.untrusted import safe_name

GRADES_FILE = "grades.csv"


def write_class_outputs(out: Path, results: Sequence[StudentResult], exercises: Sequence[Exercise],
                        columns: dict[str, dict[str, str]] | None = None) -> None:
    """Write ``out``/grades.csv and ``out``/report.html for ``results`` (every student of the
    class, in its order), graded on ``exercises``; ``columns``: grades.csv's extra columns
    (name -> student -> text). Raises :class:`~autograder.errors.OutputError` if the machine
    refuses a write; a file already written stays whole."""
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

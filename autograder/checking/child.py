"""What ``autograder check`` runs in its child process: the public checks of some exercises,
reported check by check, so that the parent (``checking.local``) can stop an exercise
that runs too long and still keep what the others found.

``python -m autograder.checking.child FOLDER EXERCISE...`` writes one JSON object a line
to its standard output: ``{"start": exercise}`` before each check, ``{"record": {...}}``
after it, ``{"done": true}`` at the end, or ``{"error": message}`` when the checks
themselves cannot run. What the student's code prints goes to standard error instead.
"""
from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable, TextIO

from autograder.curriculum import course
from autograder.errors import AutograderError
from autograder.checking.namespaces import load_namespace, source_files
from autograder.checking.runner import PUBLIC_DIR, CheckRunner, Student, run_checks
from autograder.outcomes import CheckResult


class _ReportingRunner(CheckRunner):
    """The check runner, telling ``report`` which exercise each check is for before it runs,
    and its record once it has."""

    def __init__(self, report: Callable[[dict], None], *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.report = report

    def _run(self, item: Any, student: Student, index: int) -> CheckResult | None:
        marker = item.get_closest_marker("exercise")
        self.report({"start": marker.args[0] if marker and marker.args else "?"})
        record = super()._run(item, student, index)
        if record is not None:
            self.report({"record": record_fields(record)})
        return record


def check_here(folder: Path, exercises: list[str],
               report: Callable[[dict], None] = lambda _: None) -> dict[str, list[CheckResult]]:
    """exercise -> the results of its public checks, run in this process against ``folder``."""
    exercises_ = course().exercises
    namespace = load_namespace(folder, exercises_, "exercises")
    student = Student(namespace, is_student_file=source_files(folder, exercises_).__contains__)
    found: dict[str, list[CheckResult]] = {}

    def done(_student: str, records: list[CheckResult]) -> None:
        for record in records:
            found.setdefault(record.exercise, []).append(record)

    plugin = _ReportingRunner(report, ["yours"], lambda _: student, lambda *_: None, done,
                              exercises=exercises)
    run_checks([PUBLIC_DIR], plugin)
    return found


def record_fields(check: CheckResult) -> dict:
    """A check's result as one report line holds it (read back by ``checking.local``)."""
    return {"exercise": check.exercise, "check": check.check, "hidden": check.hidden, "points": check.points,
            "outcome": check.outcome.value, "message": check.message, "detail": check.detail}


def _reporter(stream: TextIO) -> Callable[[dict], None]:
    def report(message: dict) -> None:
        stream.write(json.dumps(message) + "\n")
        stream.flush()

    return report


def _end_with_parent() -> None:
    """Wait for the end of standard input, which the parent holds open while it lives; then end
    this process, whatever the student's code is doing."""
    try:  # the descriptor itself: a read through sys.stdin would hold its lock, which the
        # interpreter's shutdown then waits for and reports as a fatal error
        while os.read(0, 65536):
            pass
    finally:
        os._exit(3)


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops this process
    threading.Thread(target=_end_with_parent, daemon=True).start()
    reports = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the student's prints go to the terminal, not the reports
    report = _reporter(reports)
    try:
        check_here(Path(argv[0]), argv[1:], report)
    except AutograderError as err:
        report({"error": str(err)})
        return 2
    report({"done": True})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

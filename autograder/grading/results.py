"""The reports, each a rendering of the results model (:mod:`autograder.outcomes`):
results.json (Gradescope's schema), the feedback page, grades.csv and the terminal summary;
and :func:`read_results`, the one reader that turns a results.json document back into the
model (the grading command reads its shards' results, and the unchanged students' files,
through it).

Nothing here parses a report's text: each check's exercise, name, outcome, message and
detail have fields of their own (each test's ``extra_data`` and ``tags``). Nothing depends
on time or order of completion, so the same submissions always give byte-identical files.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import stat
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from autograder.curriculum import Exercise
from autograder.errors import OutputError
from autograder.report.problems import group_problems, shorten, split_call
from autograder.outcomes import CheckResult, ExerciseScore, Outcome, StudentResult
from autograder.untrusted import safe_line, safe_name, spreadsheet_safe

#: the version of results.json's own fields (each test's ``extra_data``, the document's
#: ``extra_data``); a document of another version is not read (its student is graded again)
RESULTS_FORMAT = 2

#: the largest results.json or feedback page one student gets. Student text is already cut
#: where it enters (``autograder.untrusted``); a student whose every check failed with the
#: longest messages would still exceed this, so reports are then cut further (:func:`fit`)
MAX_RESULT_BYTES = 1_000_000


# -- one check, as the reports show it ------------------------------------------------------

def output_text(check: CheckResult) -> str:
    """What a report shows of a check: its outcome, then the message and the detail."""
    if check.passed:
        return check.outcome.value
    return f"{check.outcome.value}: {check.message}" + (f"\n{check.detail}" if check.detail else "")


def fit(result: StudentResult) -> tuple[StudentResult, str]:
    """``result`` with each check's message and detail cut shorter, with a marker, until its
    results.json and its feedback page are each within :data:`MAX_RESULT_BYTES`; and that
    results.json's text."""
    for limit in (None, 2_000, 500, 120):
        cut = result if limit is None else replace(result, checks=tuple(
            replace(c, message=_cut(c.message, limit), detail=_cut(c.detail, limit)) for c in result.checks))
        text = results_json(cut)  # ASCII: as many bytes as characters
        if len(text) <= MAX_RESULT_BYTES and (_PAGE_PER_JSON_BYTE * len(text) + _PAGE_FRAME_BYTES <= MAX_RESULT_BYTES
                                              or len(feedback_html(cut).encode("utf-8")) <= MAX_RESULT_BYTES):
            break
    return cut, text


#: the feedback page quotes no text results.json does not hold, and a character takes at
#: most 6 bytes there (``&quot;``, ``&#x27;``; UTF-8 at most 4) and at least one in results.json:
#: a page is at most this many times results.json, plus its frame, which is checked without
#: rendering it when that is within bounds
_PAGE_PER_JSON_BYTE = 6
_PAGE_FRAME_BYTES = 8_192


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " [... cut: the report was too long]"


def _fmt(x: float) -> str:
    return f"{x:g}"


# -- results.json -----------------------------------------------------------------------------

def results_document(result: StudentResult) -> dict:
    """``result`` in Gradescope's results.json schema. Each test names its exercise in
    ``tags`` and holds the check's own fields in ``extra_data``; its ``name`` and ``output``
    are for people."""
    tests = []
    for c in result.checks:
        earned = result.earned(c)
        tests.append({
            "name": f"{c.exercise}: {c.check}",
            "score": earned if earned else 0,
            "max_score": c.points if c.hidden else 0,
            "status": "passed" if c.passed else "failed",
            "output": output_text(c),
            "visibility": "after_published" if c.hidden else "visible",
            "tags": [c.exercise],
            "extra_data": _check_fields(c),
        })
    return {
        "score": result.score,
        "output": "\n".join(result.problems) if result.problems else "Graded by the hidden checks.",
        "tests": tests,
        "extra_data": {
            "format": RESULTS_FORMAT, "student": result.student, "fingerprint": result.fingerprint,
            "exercises": {e.exercise: {"score": e.score, "max_score": e.max_score, "outcome": e.outcome.value,
                                       "public_checks_passed": e.public_checks_passed} for e in result.exercises},
            "max_score": result.max_score, "problems": list(result.problems), "protections": list(result.protections),
        },
    }


def _check_fields(check: CheckResult) -> dict:
    """A check's own fields, as a test's ``extra_data`` holds them (an empty message or detail is left out)."""
    fields = {"exercise": check.exercise, "check": check.check, "hidden": check.hidden, "points": check.points,
              "outcome": check.outcome.value}
    if check.message:
        fields["message"] = check.message
    if check.detail:
        fields["detail"] = check.detail
    return fields


def results_json(result: StudentResult) -> str:
    """results.json's text: one line (json's C encoder; indenting falls back to Python, 10x
    slower), keys in the order :func:`results_document` builds them, so that
    :func:`read_results` finds the exercises in the course's order."""
    return json.dumps(results_document(result), separators=(",", ":")) + "\n"


class ResultsError(ValueError):
    """A results.json document that is not one this grader wrote."""


def read_results(doc: Any) -> StudentResult:
    """The model a results.json document (parsed JSON) holds, every field checked; raises
    :class:`ResultsError` otherwise (a file of an earlier version, or edited by hand)."""
    try:
        extra, tests = doc["extra_data"], doc["tests"]
        if extra["format"] != RESULTS_FORMAT or type(tests) is not list:
            raise ResultsError("not a results document of this version")
        checks = []
        for test in tests:
            fields = test["extra_data"]
            exercise, check, hidden, points = fields["exercise"], fields["check"], fields["hidden"], fields["points"]
            message, detail = fields.get("message", ""), fields.get("detail", "")
            if not (type(exercise) is str and type(check) is str and type(hidden) is bool and _is_number(points)
                    and type(message) is str and type(detail) is str):
                raise ResultsError("a test whose fields are not the check's")
            checks.append(CheckResult(exercise, check, hidden, float(points), _CHECK_OUTCOMES[fields["outcome"]],
                                      message, detail))
        exercises = []
        for name, fields in extra["exercises"].items():
            score, max_score, gate = fields["score"], fields["max_score"], fields["public_checks_passed"]
            if not (_is_number(score) and _is_number(max_score) and type(gate) is bool):
                raise ResultsError("an exercise whose fields are not its score's")
            exercises.append(ExerciseScore(name, float(score), float(max_score), _OUTCOMES[fields["outcome"]], gate))
        student, fingerprint = extra["student"], extra["fingerprint"]
        problems, protections = extra["problems"], extra["protections"]
        if not (type(student) is str and type(fingerprint) is str and _texts(problems) and _texts(protections)):
            raise ResultsError("a student whose fields are not text")
    except (KeyError, TypeError, AttributeError):  # a field missing, or a value of the wrong kind where one is read
        raise ResultsError("not a results document of this version") from None
    return StudentResult(student, fingerprint, tuple(checks), tuple(exercises), tuple(problems), tuple(protections))


def read_results_text(text: str) -> StudentResult:
    try:
        return read_results(json.loads(text))
    except (ValueError, RecursionError) as err:  # json's JSONDecodeError is a ValueError, as is ResultsError
        raise ResultsError(str(err)) from None


def read_output_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path``, a file of an output folder: the grader's folder, but a file in
    it may have been put there by other hands. It is opened without following a link and
    without blocking (a FIFO would stall the command), must be a regular file (checked on
    what was opened) and at most ``limit`` bytes. Raises :class:`ResultsError` for anything
    else, ``OSError`` when the machine refuses the read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        if os.path.islink(path):
            raise ResultsError("a link, not a file the grader wrote") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ResultsError("not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as f:
            data = f.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:
        raise ResultsError("larger than any such file the grader writes")
    return data


def read_results_file(path: Path) -> StudentResult:
    """The result in the results file ``path`` (:func:`read_output_file`, at most twice the
    size a grading run writes), read through :func:`read_results_text`."""
    data = read_output_file(path, 2 * MAX_RESULT_BYTES)
    try:
        return read_results_text(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ResultsError("not UTF-8 text") from None


_OUTCOMES = {o.value: o for o in Outcome}
_CHECK_OUTCOMES = {o.value: o for o in Outcome if o is not Outcome.NOT_GRADED}


def _is_number(value: Any) -> bool:
    return type(value) in (int, float) and math.isfinite(value)


def _texts(values: Any) -> bool:
    return type(values) is list and all(type(v) is str for v in values)


# -- the feedback page ----------------------------------------------------------------------

def feedback_html(result: StudentResult) -> str:
    """A student's feedback page: per exercise, each distinct problem once (``problems.group_problems``),
    rendered from ``report/templates/feedback.html.j2`` with every text escaped."""
    from autograder.report.render import render

    rows = []
    for score in result.exercises:  # plain tuples: the template unpacks them, faster than it looks attributes up
        problems = group_problems([output_text(c) for c in result.checks_of(score.exercise) if not c.passed])
        rows.append((score.exercise, score.outcome.value, f"{_fmt(score.score)} / {_fmt(score.max_score)}",
                     [(p.text, p.where(), p.detail) for p in problems[:_PROBLEMS_SHOWN]]))
    return render("feedback.html.j2", result=result, rows=rows,
                  score=f"{_fmt(result.score)} / {_fmt(result.max_score)}")


#: the distinct problems a feedback page shows per exercise
_PROBLEMS_SHOWN = 8


# -- grades.csv -------------------------------------------------------------------------------

def _text_cell(text: str) -> str:
    """A text cell of grades.csv: on one line (``csv`` leaves a carriage return unquoted)
    and never taken for a formula by a spreadsheet. Valid student ids pass unchanged
    unless they start with ``+``, ``-`` or ``@``."""
    return spreadsheet_safe(safe_name(text))


def grades_csv(results: list[StudentResult], exercises: list[Exercise],
               columns: dict[str, dict[str, str]] | None = None) -> str:
    """The class's scores, one row a student, then ``columns`` (name -> student -> text,
    such as an LMS's late marker). Text cells (the header, student ids) pass
    :func:`_text_cell`, so that no id a spreadsheet would take as a formula runs as one;
    numbers are written as numbers."""
    columns = columns or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_text_cell(t) for t in ["student", *[e.name for e in exercises], "total", "max_total", *columns]])
    for result in sorted(results, key=lambda r: r.student):
        scores = [result.exercise(e.name) for e in exercises]
        writer.writerow([_text_cell(result.student), *[_fmt(s.score if s else 0) for s in scores],
                         _fmt(result.score), _fmt(result.max_score),
                         *[_text_cell(values.get(result.student, "")) for values in columns.values()]])
    return out.getvalue()


# -- writing ----------------------------------------------------------------------------------

def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader (or a killed run) sees the old file or the new, never half.

    The temporary file is named by process id, so that no two processes write the same
    one; a run killed between the write and the rename leaves it behind, and the next
    complete run removes it (:func:`remove_leftovers`). A write the machine refuses (a
    full disk, a folder that vanished) leaves the old file as it was and raises
    :class:`~autograder.errors.OutputError`, naming the path and the cause.

    A file that already holds ``text`` is left as it is: a regrade that changes nothing
    (grades are deterministic) then changes no file's time, for the tools that sync
    the output folder, and replaces no file (on some file systems, each file
    replaced makes every later file creation for a while slower, by up to a
    millisecond).
    """
    data = text.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except OSError:
        pass
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError as err:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        raise OutputError(path, err) from None


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files of :func:`atomic_write` that a killed run left in ``folder``."""
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


# -- the terminal summary -------------------------------------------------------------------

@dataclass
class Summary:
    students: int
    graded_now: int
    unchanged: int  #: students whose results were up to date, and kept
    mean: float
    max_total: float
    pass_rate: dict[str, float]
    common_failure: dict[str, str]
    protections: list[str] = field(default_factory=list)
    out: Path | None = None
    #: entries of the submissions folder that were no student's submission, each with the
    #: reason (a name that is not a student id...): nobody's grade, so the run is not complete
    not_graded: list[str] = field(default_factory=list)
    #: what else the instructor should read: how an LMS download was mapped, files left out
    notes: list[str] = field(default_factory=list)
    previous: Path | None = None  #: where the results this run replaced are kept (``grading.previous``)

    def render(self) -> str:
        students = f"{self.students} student" + ("" if self.students == 1 else "s")
        lines = [f"Graded {students} ({self.graded_now} now, {self.unchanged} unchanged since the last run).",
                 f"Mean score: {self.mean:.2f} / {_fmt(self.max_total)}",
                 "Protections in force for student code: " + (", ".join(self.protections) or "none recorded"),
                 "", f"{'exercise':<26}{'full marks':>11}  most common problem"]
        for name, rate in self.pass_rate.items():
            lines.append(f"{name:<26}{rate:>10.0%}  {shorten(safe_line(self.common_failure.get(name, '')), 90)}")
        if self.out:
            lines += ["", f"Class report: {self.out / 'report.html'}",
                      f"Written: {self.out / 'grades.csv'}, {self.out / 'results'}/, {self.out / 'feedback'}/"]
        if self.out and self.previous and self.graded_now:
            lines.append(f"What this run changed: autograder diff {self.previous} {self.out}")
        if self.not_graded:
            lines += ["", f"Not graded: {len(self.not_graded)} entr{'y' if len(self.not_graded) == 1 else 'ies'} "
                          "of the submissions folder (fix, then run again: students already graded are kept):"]
            lines += [f"  {safe_line(reason)}" for reason in self.not_graded]
        if self.notes:
            lines += ["", *(safe_line(note) for note in self.notes)]
        return "\n".join(lines)


def summarise_class(results: list[StudentResult], exercises: list[Exercise], graded_now: int) -> Summary:
    n = len(results)
    pass_rate, common = {}, {}
    for e in exercises:
        full = 0
        failures: Counter[str] = Counter()
        for result in results:
            score = result.exercise(e.name)
            if score and score.max_score and score.score >= score.max_score:
                full += 1
            failures.update({split_call(output_text(c).split("\n")[0])[0] for c in result.checks_of(e.name) if not c.passed})
        pass_rate[e.name] = full / n if n else 0.0
        if failures:
            common[e.name] = min(failures.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    protections = sorted({p for r in results for p in r.protections})
    mean = sum(r.score for r in results) / n if n else 0.0
    max_total = max((r.max_score for r in results), default=0.0)
    return Summary(n, graded_now, n - graded_now, mean, max_total, pass_rate, common, protections)

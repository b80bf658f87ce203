"""Scores and reports: per-student results.json (Gradescope schema), feedback HTML, grades.csv.

Scoring rule (the same as an nbgrader test cell, whose public asserts must pass for
any points): an exercise earns the points of its passed hidden checks if all of its
public checks pass, and nothing otherwise. Nothing here depends on time or order of
completion, so the same submissions always give byte-identical files.
"""
from __future__ import annotations

import csv
import html
import io
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from autograder.curriculum import Exercise
from autograder.checking.outcomes import CheckRecord, summarise
from autograder.grading.problems import Problem, group_problems, shorten, split_call
from autograder.untrusted import safe_name, spreadsheet_safe


#: the largest results.json or feedback page one student gets. Student text is already cut
#: where it enters (``autograder.untrusted``); a student whose every check failed with the
#: longest messages would still exceed this, so reports are then cut further (:func:`fit`)
MAX_RESULT_BYTES = 1_000_000


def fit(doc: dict) -> tuple[str, str]:
    """``doc`` as results.json text and its feedback page, both within
    :data:`MAX_RESULT_BYTES`: each check's output is cut shorter, with a marker, until they are."""
    for limit in (None, 2_000, 500, 120):
        if limit is not None:
            doc = {**doc, "tests": [{**t, "output": _cut(t["output"], limit)} for t in doc["tests"]]}
        text, page = dumps(doc), feedback_html(doc)
        if len(text) <= MAX_RESULT_BYTES and len(page.encode("utf-8")) <= MAX_RESULT_BYTES:
            break
    return text, page


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + " [... cut: the report was too long]"


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader (or a killed run) sees the old file or the new, never half.

    The temporary file is named by process id, so that no two processes write the same
    one; a run killed between the write and the rename leaves it behind, and the next
    complete run removes it (:func:`remove_leftovers`).

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
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
    try:
        fd = os.open(tmp, flags, 0o644)
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tmp, flags, 0o644)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    os.replace(tmp, path)


def remove_leftovers(folder: Path) -> None:
    """Remove the temporary files of :func:`atomic_write` that a killed run left in ``folder``."""
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def _fmt(x: float) -> str:
    return f"{x:g}"


def exercise_scores(records: list[CheckRecord], exercises: list[Exercise], max_points: dict[str, float]) -> dict:
    by_exercise: dict[str, list[CheckRecord]] = {e.name: [] for e in exercises}
    for record in records:
        by_exercise.setdefault(record.exercise, []).append(record)
    scores = {}
    for e in exercises:
        recs = by_exercise[e.name]
        gate = all(r.outcome == "passed" for r in recs if not r.hidden)
        earned = sum(r.points for r in recs if r.hidden and r.outcome == "passed") if gate else 0.0
        scores[e.name] = {"score": earned, "max_score": max_points.get(e.name, 0.0),
                          "outcome": summarise(e.name, recs).outcome if recs else "not graded",
                          "public_checks_passed": gate}
    return scores


def result_document(student: str, records: list[CheckRecord], exercises: list[Exercise],
                    max_points: dict[str, float], fingerprint: str, problems: list[str],
                    protections: list[str]) -> dict:
    scores = exercise_scores(records, exercises, max_points)
    tests = []
    for r in records:
        tests.append({
            "name": f"{r.exercise}: {r.name}",
            "score": r.points if (r.hidden and r.outcome == "passed" and scores[r.exercise]["public_checks_passed"]) else 0,
            "max_score": r.points if r.hidden else 0,
            "status": "passed" if r.outcome == "passed" else "failed",
            "output": r.outcome if r.outcome == "passed" else f"{r.outcome}: {r.message}" + (f"\n{r.detail}" if r.detail else ""),
            "visibility": "after_published" if r.hidden else "visible",
        })
    total = sum(s["score"] for s in scores.values())
    return {
        "score": total,
        "output": "\n".join(problems) if problems else "Graded by the hidden checks.",
        "tests": tests,
        "extra_data": {"student": student, "fingerprint": fingerprint, "exercises": scores,
                       "max_score": sum(max_points.values()), "problems": problems, "protections": protections},
    }


def feedback_html(doc: dict) -> str:
    extra = doc["extra_data"]
    rows = []
    failed: dict[str, list[str]] = {}
    for t in doc["tests"]:
        if t["status"] != "passed":
            failed.setdefault(t["name"].partition(": ")[0], []).append(t["output"])
    for name, s in extra["exercises"].items():
        notes_html = "".join(_problem_html(p) for p in group_problems(failed.get(name, []))[:8])
        rows.append(f"<tr><td><code>{html.escape(name)}</code></td><td>{html.escape(s['outcome'])}</td>"
                    f"<td>{_fmt(s['score'])} / {_fmt(s['max_score'])}</td><td><ul>{notes_html}</ul></td></tr>")
    problems = "".join(f"<li>{html.escape(p)}</li>" for p in extra["problems"])
    return (
        "<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>Feedback for "
        f"{html.escape(extra['student'])}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
        "td{border-top:1px solid #ccc;padding:.4em;vertical-align:top}pre{white-space:pre-wrap;margin:0}</style>"
        f"</head><body><h1>Feedback for {html.escape(extra['student'])}</h1>"
        f"<p>Score: <b>{_fmt(doc['score'])} / {_fmt(extra['max_score'])}</b></p>"
        + (f"<ul>{problems}</ul>" if problems else "")
        + "<table><tr><th>Exercise</th><th>Outcome</th><th>Points</th><th>What to fix</th></tr>"
        + "".join(rows) + "</table><p>Hidden checks show what went wrong, not their code.</p></body></html>\n"
    )


def _problem_html(problem: Problem) -> str:
    """One distinct problem of an exercise: what is wrong, the checks it failed, its traceback."""
    where = problem.where()
    return (f"<li><pre>{html.escape(problem.text)}</pre>"
            + (f"<small>{html.escape(where)}</small>" if where else "")
            + (f"<pre>{html.escape(problem.detail)}</pre>" if problem.detail else "") + "</li>")


def _text_cell(text: str) -> str:
    """A text cell of grades.csv: on one line (``csv`` leaves a carriage return unquoted)
    and never taken for a formula by a spreadsheet. Valid student ids pass unchanged
    unless they start with ``+``, ``-`` or ``@``."""
    return spreadsheet_safe(safe_name(text))


def grades_csv(docs: list[dict], exercises: list[Exercise], columns: dict[str, dict[str, str]] | None = None) -> str:
    """The class's scores, one row a student, then ``columns`` (name -> student -> text,
    such as an LMS's late marker). Text cells (the header, student ids) pass
    :func:`_text_cell`, so that no id a spreadsheet would take as a formula runs as one;
    numbers are written as numbers."""
    columns = columns or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([_text_cell(t) for t in ["student", *[e.name for e in exercises], "total", "max_total", *columns]])
    for doc in sorted(docs, key=lambda d: d["extra_data"]["student"]):
        extra = doc["extra_data"]
        writer.writerow([_text_cell(extra["student"]), *[_fmt(extra["exercises"].get(e.name, {}).get("score", 0)) for e in exercises],
                         _fmt(doc["score"]), _fmt(extra["max_score"]),
                         *[_text_cell(values.get(extra["student"], "")) for values in columns.values()]])
    return out.getvalue()


@dataclass
class Summary:
    students: int
    graded_now: int
    skipped: int
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

    def render(self) -> str:
        lines = [f"Graded {self.students} students ({self.graded_now} now, {self.skipped} unchanged since the last run).",
                 f"Mean score: {self.mean:.2f} / {_fmt(self.max_total)}",
                 "Protections in force for student code: " + (", ".join(self.protections) or "none recorded"),
                 "", f"{'exercise':<26}{'full marks':>11}  most common problem"]
        for name, rate in self.pass_rate.items():
            lines.append(f"{name:<26}{rate:>10.0%}  {shorten(printable(self.common_failure.get(name, '')), 90)}")
        if self.out:
            lines += ["", f"Written: {self.out / 'grades.csv'}, {self.out / 'results'}/, {self.out / 'feedback'}/"]
        if self.not_graded:
            lines += ["", f"Not graded: {len(self.not_graded)} entr{'y' if len(self.not_graded) == 1 else 'ies'} "
                          "of the submissions folder (fix, then run again: students already graded are kept):"]
            lines += [f"  {printable(reason)}" for reason in self.not_graded]
        if self.notes:
            lines += ["", *(printable(note) for note in self.notes)]
        return "\n".join(lines)


def printable(text: str) -> str:
    """``text`` safe to print on a terminal: characters that are not printable (escape
    sequences, which could clear the screen, retitle the window or write the clipboard,
    bidirectional overrides, line breaks) are shown as escapes instead (``\\x1b``)."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def summarise_class(docs: list[dict], exercises: list[Exercise], graded_now: int) -> Summary:
    n = len(docs)
    pass_rate, common = {}, {}
    for e in exercises:
        full = 0
        failures: Counter[str] = Counter()
        for doc in docs:
            s = doc["extra_data"]["exercises"].get(e.name)
            if s and s["max_score"] and s["score"] >= s["max_score"]:
                full += 1
            messages = {split_call(t["output"].split("\n")[0])[0] for t in doc["tests"]
                        if t["name"].startswith(e.name + ": ") and t["status"] != "passed"}
            failures.update(messages)
        pass_rate[e.name] = full / n if n else 0.0
        if failures:
            common[e.name] = min(failures.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    protections = sorted({p for d in docs for p in d["extra_data"].get("protections", [])})
    mean = sum(d["score"] for d in docs) / n if n else 0.0
    max_total = max((d["extra_data"]["max_score"] for d in docs), default=0.0)
    return Summary(n, graded_now, n - graded_now, mean, max_total, pass_rate, common, protections)


def dumps(doc: dict) -> str:
    # one line per document: json's C encoder (indenting falls back to Python, 10x slower)
    return json.dumps(doc, sort_keys=True, separators=(",", ":")) + "\n"

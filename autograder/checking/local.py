"""``autograder check``: a student runs the public checks on their own exercises/.

The command runs the checks in a child process (``checking.child``) and gives each
exercise a wall-clock limit: an exercise whose checks run longer is reported as ``TIME``
and the child is stopped, then started again for the exercises after it. A subprocess is
the one way to stop student code on every platform the kit supports (Windows too): a
thread cannot be stopped, and signals that interrupt a loop do not interrupt a sleep,
nor code that catches them. This process never imports torch: the child does.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

from autograder.curriculum import course, resolve_names
from autograder.errors import AutograderError, UsageError
from autograder.outcomes import CheckResult, Outcome, StudentResult, student_result

#: seconds each exercise's public checks may take on a student's machine, by default
TIME_LIMIT = 10.0


def wanted_exercises(names: list[str] | None) -> list[str]:
    """The exercises ``names`` asks for, in teaching order: exercise names, or assignment names
    for all of an assignment's exercises (every exercise when None)."""
    known = [e.name for e in course().exercises]
    if not names:
        return known
    assignments = {a.name: [e.name for e in a.exercises] for a in course().assignments}
    resolve_names([n for n in names if n not in assignments], known + list(assignments))
    chosen = {e for n in names for e in assignments.get(n, [n])}
    return [name for name in known if name in chosen]


def _folder(exercises_dir: Path) -> Path:
    if not exercises_dir.is_dir():
        raise UsageError(f"There is no exercises folder at {exercises_dir}.",
                         hint="run the command from your kit's top folder, or pass --exercises-dir")
    return exercises_dir.resolve()


def run_public_checks(exercises_dir: Path, names: list[str] | None = None,
                      time_limit: float | None = None) -> StudentResult:
    """Run the public checks of ``names`` (exercise or assignment names; all when None)
    against ``exercises_dir``: in this process, or with ``time_limit`` seconds for each
    exercise, in a child process."""
    wanted = wanted_exercises(names)
    folder = _folder(exercises_dir)
    if time_limit is None:
        from autograder.checking.child import check_here

        found = check_here(folder, wanted)
    else:
        found = _check_in_child(folder, wanted, time_limit)
    unchecked = [name for name in wanted if name not in found]
    if unchecked:
        raise AutograderError("No public check ran for: " + ", ".join(unchecked) + ". The checks are incomplete.")
    return student_result("yours", "", [c for name in wanted for c in found[name]], wanted, {})


class _Child:
    """One child process running the public checks of some exercises, and its reports, line by line."""

    def __init__(self, folder: Path, exercises: list[str]):
        flags = {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP} if os.name == "nt" \
            else {"start_new_session": True}  # Ctrl-C in the terminal reaches this process only
        # its standard input stays open, unused, while this process lives: the child ends itself
        # when it closes, so that no student loop outlives a closed terminal
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.checking.child", str(folder), *exercises],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, **flags)
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True).start()

    def _read(self, stream: IO[bytes]) -> None:
        # this thread alone closes the stream: closing it elsewhere would wait for the
        # buffer's lock, held here while a read waits for a process that still has the pipe
        with stream:
            for line in stream:
                self.lines.put(line)
        self.lines.put(None)

    def next(self, deadline: float | None) -> dict | None:
        """The next report; None at the end of the child's output; raises queue.Empty at the deadline.

        It waits a quarter of a second at a time: a wait without a timeout cannot be
        interrupted by Ctrl-C on Windows."""
        while True:
            try:
                line = self.lines.get(timeout=0.25 if deadline is None
                                      else max(0.0, min(0.25, deadline - time.monotonic())))
            except queue.Empty:
                if deadline is not None and time.monotonic() >= deadline:
                    raise
                continue
            if line is None:
                return None
            try:
                report = json.loads(line)
            except ValueError:
                continue  # the student's code wrote to this stream itself
            if isinstance(report, dict):
                return report

    def stop(self) -> None:
        """End the child and, where processes have groups, every process the student's code
        started in it (the child leads its own group): none outlives the command or keeps its
        report stream open."""
        if os.name != "nt":
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # before the child is reaped: its id is still its group's
            except (ProcessLookupError, PermissionError):
                pass
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        if self.proc.stdin:
            self.proc.stdin.close()


def _record(data: object) -> CheckResult | None:
    """The check result a report line holds (``checking.child.record_fields``), or None."""
    if not isinstance(data, dict):
        return None
    try:
        outcome = Outcome(data["outcome"])
        fields = (data["exercise"], data["check"], data["message"], data["detail"])
        if not (all(type(f) is str for f in fields) and type(data["hidden"]) is bool
                and type(data["points"]) in (int, float)):
            return None
        return CheckResult(data["exercise"], data["check"], data["hidden"], float(data["points"]), outcome,
                           data["message"], data["detail"])
    except (KeyError, ValueError):
        return None


def _check_in_child(folder: Path, wanted: list[str], limit: float) -> dict[str, list[CheckResult]]:
    """exercise -> its checks' records, each exercise within ``limit`` seconds of wall clock."""
    found: dict[str, list[CheckResult]] = {}
    left = list(wanted)
    while left:
        child = _Child(folder, left)
        started: dict[str, float] = {}
        current: str | None = None
        finished = False  #: the child said its checks are done
        try:
            while True:
                deadline = started[current] + limit if current else None
                try:
                    report = child.next(deadline)
                except queue.Empty:  # the exercise ran out of time: it is done, the child is not
                    found[current] = [_ended(current, Outcome.TIMED_OUT, f"{current} did not finish within {limit:g} s "
                                                                   "(an endless loop, sleep, or far too much work?)")]
                    break
                if report is None:  # the child ended: after its last report, or in the middle of a check
                    if not finished and current is None:
                        raise AutograderError(f"The checks could not start (exit status {child.proc.wait()}).")
                    if not finished:
                        found.setdefault(current, []).append(_ended(
                            current, Outcome.CRASHED, f"{current} ended the Python process running it (a crash, "
                                                "os._exit(), exit() or no memory left)"))
                    break
                if "error" in report:
                    raise AutograderError(str(report["error"]))
                if report.get("done") is True:
                    finished = True  # every record is in: a process the student's code left need not end first
                    break
                exercise = report.get("start")
                if isinstance(exercise, str) and exercise in left:
                    if exercise != current and current is not None:
                        found.setdefault(current, [])
                    current = exercise
                    started.setdefault(exercise, time.monotonic())
                record = _record(report.get("record"))
                if record is not None and record.exercise in left:
                    found.setdefault(record.exercise, []).append(record)
        finally:
            child.stop()
        done = set(found) | ({current} if current else set())
        if not done & set(left):
            break  # no progress: what is left has no checks
        left = [name for name in left if name not in done and name not in started]
    return found


def _ended(exercise: str, outcome: Outcome, message: str) -> CheckResult:
    """The result of an exercise whose checks could not finish."""
    return CheckResult(exercise, "public checks", False, 0.0, outcome, message)


SYMBOLS = {Outcome.PASSED: "PASS", Outcome.FAILED: "FAIL", Outcome.NOT_ATTEMPTED: "TODO", Outcome.CRASHED: "ERROR",
           Outcome.TIMED_OUT: "TIME"}
#: what follows an exercise's name; the messages under it say the rest
LABELS = {Outcome.NOT_ATTEMPTED: " is not done yet", Outcome.TIMED_OUT: ": took too long"}


def render(result: StudentResult) -> str:
    lines = []
    for score in result.exercises:
        lines.append(f"[{SYMBOLS[score.outcome]:>5}] {score.exercise}{LABELS.get(score.outcome, '')}")
        if score.outcome in (Outcome.PASSED, Outcome.NOT_ATTEMPTED):
            continue
        shown = set()
        for check in result.checks_of(score.exercise):
            if not check.passed and check.message not in shown:
                shown.add(check.message)
                lines.append(f"        {check.message}")
                if check.detail:
                    lines.extend("          " + line for line in check.detail.rstrip().splitlines())
    passed = sum(s.outcome is Outcome.PASSED for s in result.exercises)
    lines.append("")
    lines.append(f"{passed} of {len(result.exercises)} exercises pass the public checks.")
    lines.append("An exercise earns points only if it passes its public checks; the points then come from")
    lines.append("hidden checks on other inputs, run by your instructor.")
    return "\n".join(lines)

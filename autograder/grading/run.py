"""Grade a class: skip what is up to date, run shards in parallel, show progress, write reports.

The grading command is the one process that writes the output folder: shards hand it
each student's result (the model, as results.json's text, read through
``results.read_results``) and it writes the student's results.json and feedback page at
once, then grades.csv once the class is done. A write the machine refuses (a full disk, a
vanished folder) stops the run with one line naming the path and the cause
(``errors.OutputError``); what was written stays whole, and the same command finishes
the run once the cause is fixed.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import asdict, dataclass, field
from typing import Callable
from pathlib import Path

from autograder.curriculum import PACKAGE_DIR, SOLUTIONS_DIR, course
from autograder.errors import AutograderError, UsageError
from autograder.curriculum import load_manifest
from autograder.outcomes import StudentResult
from autograder.sandbox import uids
from autograder.sandbox.cgroups import MemoryGroups
from autograder.sandbox.jail import Limits, probe, unsandboxed
from autograder.grading import parts, previous
from autograder.grading.outputs import GradedClass, prepare, write_class, write_record, write_student
from autograder.grading.parts import Part
from autograder.grading.results import ResultsError, Summary, read_results_file, read_results_text, summarise_class
from autograder.intake import Submission, read_class
from autograder.untrusted import safe_line


@dataclass
class GradeOptions:
    submissions: Path
    out: Path
    jobs: int = 2
    #: seconds per call and memory per student: the course's defaults (``[grading]`` in course.toml)
    timeout: float = field(default_factory=lambda: course().grading.timeout)
    memory_mb: int = field(default_factory=lambda: course().grading.memory_mb)
    force: bool = False
    assignment: str | None = None
    gradebook: Path | None = None
    progress: bool = True
    allow_unsandboxed: bool = False
    layout: str = "auto"  #: how the class is laid out (``intake.LAYOUTS``); "auto": detected
    part: Part | None = None  #: grade only this part of the class (``grading.parts``); None: all of it


def grader_digest(limits: Limits, names: list[str]) -> str:
    """Changes whenever anything that decides a grade changes."""
    h = hashlib.sha256(json.dumps(asdict(limits), sort_keys=True).encode())
    h.update(str(names).encode())
    # the whole grader (checks, sandbox, scoring, reports and their templates) and the solutions,
    # not a hand-kept list
    files = [(str(p.relative_to(PACKAGE_DIR.parent)), p) for p in [
        *PACKAGE_DIR.rglob("*.py"), PACKAGE_DIR / "manifest.json", *(PACKAGE_DIR / "report" / "templates").glob("*")]]
    files += [(f"solutions/{p.name}", p) for p in SOLUTIONS_DIR.glob("*.py")]  # wherever they are (a Gradescope zip)
    for name, path in sorted(files):
        h.update(name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _kept(path: Path, student: str, fingerprint: str) -> StudentResult | None:
    """The result in ``path`` if it is ``student``'s and up to date (the same submission,
    graded by the same grader), else None: the student is graded again."""
    try:
        result = read_results_file(path)
    except (OSError, ResultsError):
        return None
    return result if (result.student, result.fingerprint) == (student, fingerprint) else None


class _Progress:
    """Progress on stderr: on a terminal, a bar drawn again in place; elsewhere (a CI log,
    ``tee``), a line at each tenth of the class, without carriage returns."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.done, self.enabled = total, 0, enabled and total > 0
        self.in_place = self.enabled and sys.stderr.isatty()
        self.lock = threading.Lock()

    def tick(self) -> None:
        with self.lock:
            self.done += 1
            if self.in_place:
                filled = int(30 * self.done / self.total)
                sys.stderr.write(f"\rgrading [{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total}")
                if self.done == self.total:
                    sys.stderr.write("\n")
                sys.stderr.flush()
            elif self.enabled and 10 * self.done // self.total > 10 * (self.done - 1) // self.total:
                sys.stderr.write(f"graded {self.done}/{self.total}\n")
                sys.stderr.flush()


#: students a shard holds at once: the one it grades and the next, so it never waits for the parent
_IN_FLIGHT = 2


class _Dispatcher:
    """Hands students out to shards one at a time as each finishes one, so that shards end
    together whatever their students cost (a student whose code times out costs seconds),
    and passes each result a shard sends to ``receive``. The first error ``receive`` raises
    (an output the machine would not take) stops the handing out; it is kept in ``failure``."""

    def __init__(self, entries: list[Callable[[], str]], progress: _Progress, receive: Callable[[str], None]):
        """``entries``: each student's line for a shard, made when the student is handed out."""
        self.next, self.entries, self.progress, self.receive = 0, entries, progress, receive
        self.lock = threading.Lock()
        self.failure: AutograderError | None = None

    def _take(self) -> int | None:
        with self.lock:
            if self.next >= len(self.entries) or self.failure is not None:
                return None
            self.next += 1
            return self.next - 1

    def _give(self, shard: "_Shard") -> bool:
        index = self._take()
        try:
            if index is None:
                shard.writer.close()  # the shard ends once it has finished what it holds
                return False
            shard.writer.write(self.entries[index]())
            shard.writer.flush()
            shard.held += 1
            return True
        except (BrokenPipeError, ValueError):  # the shard has stopped: the others take the rest
            return False

    def _received(self, text: str) -> None:
        if self.failure is not None:
            return  # the run is stopping: the student is graded again next time
        try:
            self.receive(text)
        except AutograderError as err:
            with self.lock:
                self.failure = self.failure or err
            return
        self.progress.tick()

    def feed(self, shard: "_Shard", spec: str) -> None:
        try:
            shard.writer.write(spec)
        except (BrokenPipeError, ValueError):
            return
        giving = all(self._give(shard) for _ in range(_IN_FLIGHT))
        for line in shard.reader:
            if line.startswith("done "):
                shard.held -= 1
                giving = giving and self._give(shard)  # first: the shard goes on while the reports are written
                self._received(line[len("done "):])
        if giving:
            try:
                shard.writer.close()
            except BrokenPipeError:
                pass


class _Shard:
    """One shard's pipes: students in, ``done`` lines (with their results) out."""

    def __init__(self, writer, reader) -> None:  # noqa: ANN001 - text files
        self.writer, self.reader = writer, reader
        self.held = 0  #: students handed to the shard that it has not reported done

    def close(self) -> None:
        for stream in (self.writer, self.reader):
            try:
                stream.close()
            except (BrokenPipeError, ValueError):
                pass


#: what the shards keep of the instructor's environment: workers are forked from them, so
#: anything else (tokens, passwords, a CI's secrets) would be student code's to read
_PASSED_ENV = {"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "PYTHONPATH", "PYTHONHOME",
               "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX", "AUTOGRADER_SOLUTIONS"}


def grading_env() -> dict[str, str]:
    """The shards' environment: :data:`_PASSED_ENV` and the locale, and string
    hashing with a fixed seed, so that student code (or a check) whose result depends on
    the order of a set of strings gets the same grade on every run. Workers share their
    shard's seed (they are forked), so a student can learn it; with 64-bit hashes that is
    no way to flood a dictionary of the grader's."""
    kept = {k: v for k, v in os.environ.items() if k in _PASSED_ENV or k.startswith("LC_")}
    return {**kept, "PYTHONHASHSEED": "0"}


class _Shards:
    """The shards, started before the class is even read so that their one ``import torch``
    (most of the start-up) overlaps the grading command's work. One process is started; it
    forks the other shards once torch is imported (see ``grading.shard``)."""

    def __init__(self, count: int, held: list[int] = ()) -> None:
        """``held``: descriptors the shards keep open for the whole run (the worker uids' locks)."""
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed in stop()
        pipes = [(os.pipe(), os.pipe()) for _ in range(count - 1)]  # (to the shard, from the shard)
        theirs = [(to_shard[0], from_shard[1]) for to_shard, from_shard in pipes]
        lifeline, self.lifeline = os.pipe()  # never written: its end tells every shard this process has gone
        passed = [lifeline, *(fd for pair in theirs for fd in pair)]
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.grading.shard", str(lifeline),
                                      *(f"{fd_in}:{fd_out}" for fd_in, fd_out in theirs)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log, text=True,
                                     cwd=PACKAGE_DIR.parent, pass_fds=[*passed, *held], env=grading_env(),
                                     start_new_session=True)  # a process group of their own: see stop()
        for fd in passed:
            os.close(fd)
        self.shards = [_Shard(self.proc.stdin, self.proc.stdout)]
        self.shards += [_Shard(open(to_shard[1], "w"), open(from_shard[0])) for to_shard, from_shard in pipes]

    def stop(self) -> None:
        """End every shard still running (they have nothing to grade, or the run failed)."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the forked shards and fork servers too
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        os.close(self.lifeline)
        for shard in self.shards:
            shard.close()
        self.log.close()

    def log_tail(self) -> str:
        """The end of what the shards wrote to stderr, safe to print (it may quote student code)."""
        self.log.seek(0)
        return "\n".join(safe_line(line) for line in self.log.read()[-1500:].split("\n"))


def _run_shards(shards: _Shards, pending: list[tuple[Submission, str]], options: GradeOptions, limits: Limits,
                names: list[str], worker_uids: list[int] | None, groups: MemoryGroups,
                done: dict[str, StudentResult]) -> list[str]:
    """Grade ``pending`` with the shards, writing each student's reports as their result comes
    and keeping the result in ``done``; returns error reports if any shard failed.
    ``worker_uids``: one a shard, claimed by this run (see ``sandbox.uids``); None when not root.
    ``groups``: the memory cgroup of each uid's workers, where one could be made.
    Raises :class:`~autograder.errors.OutputError` if a report could not be written."""
    working = shards.shards[: len(pending)]
    for idle in shards.shards[len(pending):]:
        idle.writer.close()  # a shard whose input ends before its spec has nothing to do
    handed = {sub.student for sub, _ in pending}

    def entry(sub: Submission, fingerprint: str) -> Callable[[], str]:
        # the student's files go to the shard through its pipe, when it is handed the student
        return lambda: json.dumps({"student": sub.student, "files": sub.files, "problems": sub.problems,
                                   "import_seconds": sub.import_seconds, "fingerprint": fingerprint}) + "\n"

    def receive(text: str) -> None:
        try:
            result = read_results_text(text)
        except ResultsError as err:
            raise AutograderError(f"A shard sent a result that could not be read ({err}).") from None
        if result.student not in handed or result.student in done:
            raise AutograderError(f"A shard sent a result for {safe_line(result.student)!r}, who was not handed to it.")
        write_student(options.out, result)
        done[result.student] = result

    dispatcher = _Dispatcher([entry(sub, fingerprint) for sub, fingerprint in pending],
                             _Progress(len(pending), options.progress), receive)
    threads = []
    for k, shard in enumerate(working):
        spec = {"uid": worker_uids[k] if worker_uids else None,
                "memory_group": groups.path(worker_uids[k]) if worker_uids else None, "limits": asdict(limits),
                "exercises": names}
        threads.append(threading.Thread(target=dispatcher.feed, args=(shard, json.dumps(spec) + "\n"), daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join()  # each ends when its shard's output does
    if dispatcher.failure is not None:
        raise dispatcher.failure
    shards.proc.wait()
    errors = []
    for k, shard in enumerate(working):
        if shard.held:
            errors.append(f"shard {k} stopped before it finished {shard.held} student(s)")
    if errors or shards.proc.returncode != 0:
        errors.append(f"the shards ended with status {shards.proc.returncode}:\n{shards.log_tail()}")
    return errors


def grade(options: GradeOptions, after: Callable[[list[StudentResult]], None] | None = None,
          prepare: Callable[[], None] | None = None) -> Summary:
    """Grade the class the intake finds at ``options.submissions``; ``after(results)`` runs
    once every result and grades.csv are written, with every student's result (the model,
    in the class's order: nbgrader's gradebook is written so). ``prepare()`` runs once the
    shards are starting, before the class is read: a caller that makes the class
    (``autograder audit``) does so while they import torch."""
    if options.jobs < 1:
        raise UsageError("--jobs must be at least 1.")
    if options.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds.")
    if os.geteuid() != 0 and not options.allow_unsandboxed and unsandboxed(probe()):
        raise UsageError("This machine gives an unprivileged user no namespaces, so student code could read the "
                         "hidden checks and solutions and reach the network.",
                         hint="run the grader as root, or pass --allow-unsandboxed to grade anyway")
    # as root, the uids this run's workers run as: no other live run on this host has them
    claim = uids.claim(options.jobs) if os.geteuid() == 0 else None
    # and one memory cgroup each, so that --memory-mb bounds a worker's whole process tree
    groups = MemoryGroups.create(claim.uids, options.memory_mb) if claim else MemoryGroups({})
    try:
        shards = _Shards(len(claim.uids) if claim else options.jobs, claim.fds if claim else [])
        try:
            if prepare is not None:
                prepare()
            return _grade(options, shards, claim.uids if claim else None, groups, after)
        finally:
            shards.stop()
    finally:
        groups.remove()  # before the uids are free for another run to claim
        if claim:
            claim.release()


def _grade(options: GradeOptions, shards: _Shards, worker_uids: list[int] | None, groups: MemoryGroups,
           after: Callable[[list[StudentResult]], None] | None) -> Summary:
    every = load_manifest()
    intake = read_class(options.submissions, every, layout=options.layout, assignment=options.assignment,
                        out=options.out, keep=options.part.holds if options.part else None)
    submissions = intake.submissions
    exercises = [e for e in every if e.assignment in intake.assignments]
    columns = {"late": intake.late} if intake.layout == "canvas" else None
    prepare(options.out)
    parts.forget(options.out)  # until this run has finished, the folder is no finished part
    write_record(options.out, intake.record)
    limits = Limits(timeout=options.timeout, memory_mb=options.memory_mb)
    names = [e.name for e in exercises]
    digest = grader_digest(limits, names)
    pending = []
    results: dict[str, StudentResult] = {}  # unchanged students' results, then the others' as they come
    for sub in submissions:
        fingerprint = hashlib.sha256((sub.digest + digest).encode()).hexdigest()
        kept = None if options.force else _kept(options.out / "results" / f"{sub.student}.json", sub.student,
                                                fingerprint)
        if kept is None:
            pending.append((sub, fingerprint))
        else:
            results[sub.student] = kept
    replaced = previous.keep_previous(options.out) if pending else None  # before the first result is replaced
    errors = (_run_shards(shards, pending, options, limits, names, worker_uids, groups, results) if pending else [])
    missing = [sub.student for sub in submissions if sub.student not in results]
    if errors or missing:
        raise AutograderError("The grader itself failed; students without a result: " + ", ".join(missing or ["none"])
                              + "\n" + "\n".join(errors) + "\nRe-run the same command: finished students are kept.")
    ordered = [results[sub.student] for sub in submissions]
    # every student's files are up to date: written as their result came, or by an earlier run
    write_class(options.out, GradedClass(ordered, exercises, intake.record, columns), current=results)
    shutil.rmtree(options.out / ".work", ignore_errors=True)  # an earlier version's working folder
    if after is not None:
        after(ordered)
    previous.finished(options.out)
    summary = summarise_class(ordered, exercises, graded_now=len(pending))
    summary.out = options.out
    summary.previous = replaced
    summary.not_graded = intake.not_graded
    summary.notes = intake.notes(options.out)
    if options.part:
        parts.finish(options.out, options.part, intake, limits, len(pending), summary)
    return summary

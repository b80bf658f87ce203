"""Grading shards: ``python -m autograder.grading.shard LIFELINE [IN:OUT ...]``, driven through pipes.

The process is the first shard, on stdin and stdout. Once it has imported torch (most
of a shard's start-up), it forks one more shard for each ``IN:OUT`` pair of inherited
pipe descriptors, so that a class graded by N shards imports torch once, not N times.
The parent starts it before it has read the class. ``LIFELINE`` is the read end of a
pipe that only the parent can write to: every shard ends when it reads end-of-file.

Each shard reads the path of a spec (JSON) that names a JSON list of students as its
first line; it then grades those whose index (one per line) it reads, until its input
ends, so that a parent can spread a class over shards as they go.

Order matters for safety. This process imports torch and forks the fork server *first*;
only then does it load the reference solutions, the hidden checks and the students'
submissions. Workers are forked by the fork server, so they never hold those in memory or in
an open file.
Each finished student is written at once (atomically) and announced on stdout.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import types
from pathlib import Path


def fork_shards(channels: list[tuple[int, int]]) -> list[int]:
    """Fork one shard per ``(in, out)`` pair of descriptors; returns their pids (in the
    first shard) or ``[]`` (in a forked one, whose stdin and stdout are now its pair).

    Forked shards do not die with the first one: a shard that is killed costs only the
    students it held. Each ends when its input does, or at once if the parent has gone
    (see :func:`watch_lifeline`).
    """
    pids, inherited = [], {fd for pair in channels for fd in pair}
    for fd_in, fd_out in channels:
        pid = os.fork()
        if pid == 0:
            os.dup2(fd_in, 0)  # nothing has been read or written yet: no buffered data is lost
            os.dup2(fd_out, 1)
            for fd in inherited:
                os.close(fd)
            return []
        pids.append(pid)
    for fd in inherited:
        os.close(fd)
    return pids


def wait_for(pids: list[int]) -> int:
    """Wait for the forked shards; 1 if any of them failed, else 0."""
    failed = 0
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        if status != 0:
            print(f"grading process {pid} ended with wait status {status}", file=sys.stderr)
            failed = 1
    return failed


def watch_lifeline(fd: int) -> None:
    """End this process once ``fd`` reads end-of-file: the grading command, which holds the
    only write end, has gone (a forked shard is not its child, so the kernel cannot be
    asked to signal it). Its fork server and workers die with it."""

    def watch() -> None:
        while os.read(fd, 64):
            pass
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def main(argv: list[str]) -> int:
    """``argv``: the lifeline's descriptor, then an ``IN:OUT`` pair per shard to fork."""
    from autograder.sandbox import forkserver, jail

    forkserver.preload()  # what every fork server imports: shared too
    import pytest  # noqa: F401 - what every shard imports next (0.2 s): public code, so fork servers may have it
    lifeline = int(argv[0])
    channels = [tuple(int(fd) for fd in arg.split(":")) for arg in argv[1:]]
    forked = fork_shards(channels)
    if channels and not forked:
        return grade_shard(lifeline)
    jail.die_with_parent()
    code = grade_shard(lifeline)
    return wait_for(forked) or code


def grade_shard(lifeline: int) -> int:
    """Grade the students this shard is handed (see the module's docstring)."""
    from autograder.sandbox import forkserver, jail
    from autograder.sandbox.plan import Recorder
    from autograder.sandbox.client import ForkServerClient, StudentWorker

    jail.set_process_name("grader-shard")
    spec_path = sys.stdin.readline().rstrip("\n")  # sent once the parent has read the class
    if not spec_path:
        return 0  # nothing to grade
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    client = ForkServerClient(*forkserver.start(), memory_group=spec.get("memory_group"))
    watch_lifeline(lifeline)  # a thread: only once the fork server is forked
    if spec["uid"] is not None:
        # leftovers of an interrupted run: the uid is this run's alone (the grading command
        # holds its lock, and so does this process: see sandbox.uids), so none of another's
        forkserver.kill_uid(spec["uid"])

    # Trusted material from here on: the fork server already exists.
    from autograder.curriculum import SOLUTIONS_DIR
    from autograder.curriculum import load_manifest
    from autograder.checking.namespaces import load_namespace
    from autograder.checking.runner import HIDDEN_DIR, PUBLIC_DIR, CheckRunner, Student, run_checks
    from autograder.grading.results import atomic_write, fit, result_document

    exercises = [e for e in load_manifest() if e.name in spec["exercises"]]
    reference = load_namespace(SOLUTIONS_DIR, exercises, "solutions")
    limits = jail.Limits(**spec["limits"])
    out = Path(spec["out"])
    roster = json.loads(Path(spec["students"]).read_text(encoding="utf-8"))
    students = {f"s{i}": entry for i, entry in enumerate(roster)}
    open_subs: dict[str, StudentWorker] = {}
    recorder = Recorder(reference, {e.name: e.assignment for e in exercises})

    def rehearse(run_all) -> None:
        recorder.record_outcomes(run_all(Student(recorder.namespace(), recorder)))
        client.send_plan(recorder.plan)

    def open_submission(token: str) -> Student:
        entry = students[token]
        sub = open_subs[token] = StudentWorker(client, entry["files"], spec["uid"], limits, recorder.plan,
                                               entry.get("import_seconds", {}))
        return Student(types.SimpleNamespace(**{e.name: sub.function(e.assignment, e.name) for e in exercises}), sub)

    def close_submission(token: str, _student: Student) -> None:
        open_subs[token].close()

    def done(token: str, records: list) -> None:
        entry = students[token]
        sub = open_subs.pop(token)
        text, page = fit(result_document(entry["student"], records, exercises, plugin.max_points,
                                        entry["fingerprint"], entry["problems"], sub.protections))
        atomic_write(out / "feedback" / f"{entry['student']}.html", page)
        atomic_write(out / "results" / f"{entry['student']}.json", text)
        print(f"done {entry['student']}", flush=True)

    gc.freeze()  # torch's many long-lived objects: keep them out of every later collection
    given = (f"s{int(line)}" for line in sys.stdin if line.strip())  # handed out by the parent as we go
    plugin = CheckRunner(given, open_submission, close_submission, done, reference=reference,
                           exercises=spec["exercises"], rehearse=rehearse)
    run_checks([PUBLIC_DIR, HIDDEN_DIR], plugin)
    client.close()
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # every result is written and closed: skip the interpreter's tear-down of torch (~0.4 s)
    os._exit(code)

"""Shards: ``python -m autograder.grading.shard LIFELINE [IN:OUT ...]``, driven through pipes.

A shard is a process that grades the students the grading command hands it, one at a
time. The process started is the first shard, on stdin and stdout. Once it has imported
torch (most of a shard's start-up), it forks one more shard for each ``IN:OUT`` pair of
inherited pipe descriptors, so that a class graded by N shards imports torch once, not N
times. The grading command starts it before it has read the class. ``LIFELINE`` is the
read end of a pipe that only the grading command can write to: every shard ends when it
reads end-of-file.

Each shard reads one line of JSON, its spec (worker uid, limits, exercises); then one
line of JSON per student it is handed (id, files, problems, fingerprint), until its
input ends, so that the grading command can spread a class over shards as they go. For
each student it writes ``done `` and the student's results.json (one line:
``grading.results``), from which the grading command writes the reports.

Order matters for safety. This process imports torch and forks the fork server *first*;
only then does it load the reference solutions, the hidden checks and the students'
submissions. Workers are forked by the fork server, so they never hold those in memory or in
an open file.
"""
from __future__ import annotations

import gc
import json
import os
import signal
import sys
import threading
import types


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
            print(f"shard {pid} ended with wait status {status}", file=sys.stderr)
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
    spec_line = sys.stdin.readline()  # sent once the grading command has read the class
    if not spec_line.strip():
        return 0  # nothing to grade
    spec = json.loads(spec_line)
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
    from autograder.grading.results import fit
    from autograder.outcomes import student_result

    exercises = [e for e in load_manifest() if e.name in spec["exercises"]]
    reference = load_namespace(SOLUTIONS_DIR, exercises, "solutions")
    limits = jail.Limits(**spec["limits"])
    students: dict[str, dict] = {}  #: the students handed over and not yet done, by token
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

    def done(token: str, results: list) -> None:
        entry = students.pop(token)
        sub = open_subs.pop(token)
        _, text = fit(student_result(entry["student"], entry["fingerprint"], results, [e.name for e in exercises],
                                     plugin.max_points, entry["problems"], sub.protections))
        sys.stdout.write("done " + text)  # one line
        sys.stdout.flush()

    def given():
        """The students handed out by the grading command as we go, each under a token of its own."""
        for number, line in enumerate(sys.stdin):
            if line.strip():
                students[f"s{number}"] = json.loads(line)
                yield f"s{number}"

    gc.freeze()  # torch's many long-lived objects: keep them out of every later collection
    plugin = CheckRunner(given(), open_submission, close_submission, done, reference=reference,
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

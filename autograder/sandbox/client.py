"""The trusted side of a sandboxed submission: spawn jailed workers, call student functions.

Values cross only through ``wire`` (no pickle). A worker that times out, dies or sends
garbage is killed and replaced for the next call, so one problem costs only the
check that met it.
"""
from __future__ import annotations

import os
import socket
import threading
import time
from typing import Any

from autograder.checking.outcomes import StudentCodeProblem, StudentCrashed, StudentTimeout
from autograder.untrusted import MAX_TRACEBACK_CHARS, safe_name, safe_text
from autograder.sandbox import forkserver, wire
from autograder.sandbox.framing import FrameClosed, FrameReader, FrameTimeout, send_frame
from autograder.sandbox.jail import Limits
from autograder.sandbox.plan import Plan
from autograder.sandbox.replies import call_request, changed_arguments, interpret, read_reply


#: how long a worker may hold finished answers back to send them together
BATCH_SECONDS = 0.004
#: a student's total wall-clock budget is this many timeouts for each file and each function
#: (plus two): enough for every file's import and every function to time out once, which is
#: the most an honest submission can cost (a function that timed out is not called again)
BUDGET_TIMEOUTS_PER_PART = 1
#: the most a student's budget grows for imports the grader allows to take longer (a
#: notebook's module runs its cells at import, each with its own time: ``intake.cells``)
MAX_IMPORT_EXTRA_SECONDS = 120
#: the most a worker may list of its protections, each a short name
MAX_PROTECTIONS = 32
#: the most a student's answers read ahead (not yet judged) may take in the grader's memory;
#: a right answer set takes kilobytes, and one answer may take up to ``wire.MAX_MESSAGE_BYTES``
MAX_HELD_BYTES = 2 * wire.MAX_MESSAGE_BYTES


class ForkServerClient:
    def __init__(self, pid: int, control: socket.socket, memory_group: str | None = None):
        """``memory_group``: the memory cgroup every worker moves into (``sandbox.cgroups``), if any."""
        self.pid = pid
        self.control = control
        self.memory_group = memory_group
        self.lock = threading.Lock()
        self.setup: tuple[int | None, Limits] | None = None  #: the uid and limits the fork server has

    def spawn(self, uid: int | None, limits: Limits) -> tuple[int, socket.socket]:
        with self.lock:
            if self.setup != (uid, limits):  # once a run: every worker has the same
                self._request(forkserver.SETUP, [forkserver.setup_message(uid, limits, self.memory_group)])
                self.setup = (uid, limits)
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            socket.send_fds(self.control, [forkserver.SPAWN], [theirs.fileno()])
            theirs.close()
            pid = forkserver.INT.unpack(self.control.recv(16))[0]
        if pid < 0:
            ours.close()
            raise RuntimeError("the fork server refused to fork a worker before its setup")
        return pid, ours

    def send_plan(self, plan: Plan) -> None:
        """Hand the fork server the planned calls; every worker forked after this inherits them."""
        with self.lock:
            self._request(forkserver.PLAN, plan.requests)

    def _request(self, op: bytes, frames: list[bytes]) -> None:
        """A request that comes with data: the frames go over a stream of their own."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with ours:
            socket.send_fds(self.control, [op + forkserver.INT.pack(len(frames))], [theirs.fileno()])
            theirs.close()
            for data in frames:
                send_frame(ours, data)
            self.control.recv(16)

    def kill(self, pid: int) -> None:
        """Have the fork server kill and reap a worker (and its strays). No reply is awaited: the
        fork server answers requests in order, so it is done before it forks the next worker."""
        with self.lock:
            self.control.sendall(forkserver.KILL + forkserver.INT.pack(pid))

    def close(self) -> None:
        self.control.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


class StudentWorker:
    """One student's code, run in a jailed worker forked by the fork server.

    With a :class:`~.plan.Plan`, the worker makes the planned calls on its own and the
    answers are read as the checks ask for them; a call that is not the planned one is
    made live. Each answer is waited for at most ``limits.timeout`` seconds. A worker
    that runs out of time or dies is killed, and the next call gets a fresh one that
    resumes the plan from there, so one problem costs only the check that met it.
    """

    def __init__(self, fork_server: ForkServerClient, files: dict[str, str], uid: int, limits: Limits,
                 plan: Plan | None = None, import_seconds: dict[str, float] | None = None):
        self.fork_server = fork_server
        self.files = files
        self.uid = uid
        self.limits = limits
        self.plan = plan or Plan()
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.reader: FrameReader | None = None
        self.import_errors: dict[str, dict] = {}
        self.protections: list[str] = []
        self.timed_out: set[str] = set()
        self.load_failure: StudentCodeProblem | None = None
        self.batched = True  #: the worker may hold answers back briefly (see worker._run_plan)
        self.unloadable: dict[str, str] = {}  #: file -> "timeout" or "crash": what importing it did
        self.check: int | None = None
        self.ordinal = 0
        self.running: int | None = None  #: the planned call the worker is making (None: no plan running)
        self.skipping: frozenset[str] = frozenset()  #: names the running plan skips
        #: answers to planned calls read so far: the raw reply, or what went wrong
        self.answers: dict[int, bytes | StudentCodeProblem] = {}
        self.replies: tuple[bytes, ...] | None = None  #: the current check's replies, if all came
        self.pure = True  #: the current check has used nothing but planned replies
        self.changed: list[int] = []  #: the arguments the last call changed in place (in the worker)
        self.held = 0  #: bytes of the answers in ``answers``
        functions = len(set(self.plan.names)) or 16
        #: the student's total wall-clock budget in seconds (see BUDGET_TIMEOUTS_PER_PART)
        #: relpath -> how long its import may take, where the grader allows more than a timeout
        self.import_seconds = {k: float(v) for k, v in (import_seconds or {}).items() if k in files}
        extra = min(sum(max(0.0, s - limits.timeout) for s in self.import_seconds.values()), MAX_IMPORT_EXTRA_SECONDS)
        self.budget = limits.timeout * (BUDGET_TIMEOUTS_PER_PART * (len(files) + functions) + 2) + extra
        self.deadline: float | None = None  #: when the budget runs out (set when the first worker starts)
        self.exhausted = False  #: the budget ran out: nothing more of this student's is run

    # -- the backend interface the grading plugin uses ------------------------------------

    def start_check(self, index: int | None = None) -> None:
        self.check, self.ordinal = index, 0
        self.replies, self.pure = None, True
        calls = self.plan.by_check.get(index)
        if calls and len(self.answers) > 64:  # answers of earlier checks are no longer needed
            self.answers = {i: a for i, a in self.answers.items() if i >= calls[0].index}
            self.held = sum(len(a) for a in self.answers.values() if isinstance(a, bytes))

    def known_outcome(self, index: int) -> Any:
        """The record of check ``index`` if it has already judged the very replies this student gives."""
        calls = self.plan.by_check.get(index)
        if not calls:
            return None
        replies = []
        if self.exhausted:
            return None
        for call in calls:
            if call.name in self.timed_out or f"{call.module}.py" not in self.files:
                return None
            try:
                answer = self._answer(call.index)
            except StudentCodeProblem:
                return None  # the check will meet the same problem when it calls, and report it
            if not isinstance(answer, bytes):
                return None
            replies.append(answer)
        if self.import_errors and any(f"{call.module}.py" in self.import_errors for call in calls):
            return None  # known only once the worker loaded the files; the message is this student's
        self.replies = tuple(replies)
        return self.plan.known(index, self.replies)

    def learn_outcome(self, index: int, record: Any) -> None:
        """Remember the record of a check that ran on planned replies alone."""
        if self.pure and self.replies is not None and index == self.check and record is not None:
            self.plan.learn(index, self.replies, record)

    def function(self, module: str, name: str):
        def proxy(*args: Any, **kwargs: Any) -> Any:
            return self.call(module, name, args, kwargs)

        proxy.__name__ = name
        proxy.changed_arguments = lambda: self.changed  # see autograder.checking.runner.StudentCalls
        return proxy

    def close(self) -> None:
        self._stop()

    # -- calls ----------------------------------------------------------------------------

    def call(self, module: str, name: str, args: tuple, kwargs: dict) -> Any:
        planned = self.plan.planned(self.check, self.ordinal)
        self.ordinal += 1
        self.changed = []
        from_plan = False  # this call was answered by a planned reply, read as it came
        try:
            if self.exhausted:
                raise self._out_of_budget()
            if name in self.timed_out:
                raise StudentTimeout(f"{name} was not run: it already ran out of time in an earlier check")
            relpath = f"{module}.py"
            if relpath not in self.files:
                raise StudentCrashed(f"exercises/{relpath} is missing from the submission")
            if planned is not None and (planned.module, planned.name) == (module, name) \
                    and planned.key == wire.fingerprint((list(args), dict(kwargs))):
                reply = self._answer(planned.index)
            else:
                reply = self._live_reply(module, name, args, kwargs)
            if relpath in self.import_errors:
                raise self._import_problem(relpath)
            if isinstance(reply, StudentTimeout):
                self.timed_out.add(name)
            if isinstance(reply, StudentCodeProblem):
                raise reply
            if isinstance(reply, bytes):
                try:
                    reply = read_reply(reply)
                except wire.WireError:
                    raise self._crash(name) from None
                from_plan = planned is not None
            self.changed = changed_arguments(reply, args)
            return interpret(reply, name, args)  # raising what the reply says is still its doing
        finally:
            if not from_plan:
                self.pure = False

    def _answer(self, index: int) -> bytes | StudentCodeProblem:
        """The answer to planned call ``index``, reading the worker's answers up to it."""
        if index in self.answers:
            return self.answers[index]
        if self.pid is None or self.running is None or self.running > index:
            # a fresh worker: one that made these calls before may have had its arguments changed
            self._stop()
            self._start(run_from=index)
        while self.running is not None and self.running <= index:
            got, answer = self._read_planned()
            self.answers[got] = answer
        if index not in self.answers:  # the worker skipped it: cannot happen unless the worker lied
            self.answers[index] = self._crash(self.plan.names[index])
        return self.answers[index]

    def _read_planned(self) -> tuple[int, bytes | StudentCodeProblem]:
        """The next answer of the running plan: (its index, the answer)."""
        index = self.running
        name = self.plan.names[index]
        try:
            frame = self.reader.read(self._read_deadline())
        except (FrameTimeout, FrameClosed, OSError) as problem:
            self._stop()
            failure = self._timeout(name) if isinstance(problem, FrameTimeout) else self._crash(name)
            if self.exhausted:
                return index, failure
            if self.batched:  # answers held back in the worker are lost: ask again, one answer at a time
                self.batched = False
                self._start(run_from=index)
                if self.running is not None:
                    return self._read_planned()
            return index, failure
        self.held += len(frame)
        if self.held > MAX_HELD_BYTES:  # only a worker writing to its socket itself gets here
            self._stop()
            return index, StudentCrashed(f"{name} sent the grader more than {MAX_HELD_BYTES >> 20} MB of answers")
        expected = self.plan.expected[index]
        if frame == expected:
            frame = expected  # the same bytes, whose hash is already known: remembered outcomes are found faster
        else:
            try:
                fields = wire.peek(frame)  # a reply is a dict of plain fields, tagged with its index
                if not isinstance(fields, dict) or not isinstance(fields.get("$dict"), dict) \
                        or fields["$dict"].get("i") != index:
                    raise wire.WireError("answers out of order")
            except wire.WireError:
                self._stop()
                return index, self._crash(name)
        self.running = self._next_planned(index + 1)
        return index, frame

    def _drain(self) -> None:
        """Read the rest of the running plan, so that the worker is free for a live call."""
        while self.running is not None:
            got, answer = self._read_planned()
            self.answers[got] = answer

    def _live_reply(self, module: str, name: str, args: tuple, kwargs: dict) -> dict | StudentCodeProblem:
        self._drain()
        if self.pid is None:
            self._start()
        try:
            # the request may be large (a value the student returned, passed back): a worker that
            # stops reading its socket must not hold the grader in sendall past the deadline
            self.sock.settimeout(max(0.001, self._read_deadline() - time.monotonic()))
            try:
                send_frame(self.sock, call_request(module, name, args, kwargs))
            finally:
                self.sock.settimeout(None)
            return read_reply(self.reader.read(self._read_deadline()))
        except (FrameTimeout, TimeoutError):
            self._stop()
            return self._timeout(name)
        except (FrameClosed, OSError, wire.WireError):
            self._stop()
            return self._crash(name)

    def _import_problem(self, relpath: str) -> StudentCodeProblem:
        kind = self.unloadable.get(relpath)
        if kind == "timeout":
            return StudentTimeout(f"importing exercises/{relpath} took longer than {self.limits.timeout:g} s "
                                  "(is there a loop or a long computation at the top level of the file?)")
        if kind == "crash":
            return StudentCrashed(f"importing exercises/{relpath} ended the Python process running it (a crash, "
                                  "os._exit(), "
                                  f"exit() or more than the {self.limits.memory_mb} MB memory limit at the top "
                                  "level of the file)")
        error = self.import_errors[relpath]
        return StudentCrashed(f"exercises/{relpath} could not be imported: {error['type']}: {error['message']}",
                              error.get("traceback", ""))

    def _read_deadline(self, seconds: float | None = None) -> float:
        """When the read now starting gives up: ``seconds`` (one timeout) from now, or when
        the student's budget runs out if that is sooner (see :meth:`_timeout`)."""
        now = time.monotonic()
        if self.deadline is None:
            self.deadline = now + self.budget
        return min(now + (seconds or self.limits.timeout), self.deadline)

    def _import_seconds(self, relpath: str | None) -> float:
        """How long importing ``relpath`` may take: a timeout, or what the grader allowed it."""
        return max(self.limits.timeout, self.import_seconds.get(relpath, 0.0)) if relpath else self.limits.timeout

    def _out_of_budget(self) -> StudentTimeout:
        return StudentTimeout(f"not run: your code used up its total time of {self.budget:g} s "
                              f"({self.limits.timeout:g} s for each file and function, plus "
                              f"{2 * self.limits.timeout:g} s), "
                              "mostly in checks that timed out or crashed before this one")

    def _timeout(self, name: str) -> StudentTimeout:
        """What a read that timed out costs: the call, or everything left once the budget is spent."""
        if self.exhausted or (self.deadline is not None and time.monotonic() >= self.deadline):
            self.exhausted = True
            return self._out_of_budget()
        return StudentTimeout(f"{name} did not finish within {self.limits.timeout:g} s "
                              "(an endless loop, sleep, or far too much work?)")

    def _crash(self, name: str) -> StudentCrashed:
        return StudentCrashed(f"{name} ended the Python process running it instead of returning "
                              f"(a crash, os._exit(), closed files, or more than the {self.limits.memory_mb} MB "
                              "memory limit)")

    # -- the worker -----------------------------------------------------------------------

    def _start(self, run_from: int | None = None) -> None:
        """Fork a worker and load the files; with ``run_from``, it then makes the planned calls from there.

        A file whose import hangs or ends the worker is left out, and the others are
        loaded again without it: it costs only its own exercises.
        """
        if self.load_failure is not None:
            raise self.load_failure  # the worker cannot even start: a new one would fail the same way
        files = {k: v for k, v in self.files.items() if k not in self.unloadable}
        self.pid, self.sock = self.fork_server.spawn(self.uid, self.limits)
        self.reader = FrameReader(self.sock)
        load = {"op": "load", "files": files}
        if run_from is not None:
            self.skipping = frozenset(self.timed_out)
            load.update(run_from=run_from, skip=sorted(self.skipping), batch=BATCH_SECONDS if self.batched else 0)
        loading = None
        try:
            send_frame(self.sock, wire.encode(load))  # read by the worker once it is jailed
            self.protections = self._read_ready(self.reader.read(self._read_deadline()))
            for _ in range(len(files) + 1):  # one "loading" a file, then the result: no more
                reply = wire.decode(self.reader.read(self._read_deadline(self._import_seconds(loading))))
                if not isinstance(reply, dict) or reply.get("status") != "loading":
                    break
                file = reply.get("file")
                loading = file if isinstance(file, str) and file in files else None
            else:  # student code writing to the worker's socket, each message in time, forever
                raise wire.WireError("more files reported loading than were sent")
            errors = self._read_import_errors(reply, files)
        except FrameTimeout:
            self._give_up_on(loading, files, "timeout", run_from)
            return
        except (FrameClosed, OSError, wire.WireError):
            self._give_up_on(loading, files, "crash", run_from)
            return
        for relpath, kind in self.unloadable.items():
            errors[relpath] = {"type": kind, "message": "", "traceback": ""}
        self.import_errors = errors
        if run_from is not None:
            self.running = self._next_planned(run_from)

    @staticmethod
    def _read_ready(data: bytes) -> list[str]:
        """The protections a fresh worker reports (it sends them before any student code runs)."""
        ready = wire.decode(data)
        protections = ready.get("protections") if isinstance(ready, dict) else None
        if not isinstance(protections, list) or len(protections) > MAX_PROTECTIONS \
                or not all(isinstance(p, str) for p in protections):
            raise wire.WireError("a worker that did not say it was ready")
        return [safe_name(p) for p in protections]

    @staticmethod
    def _read_import_errors(reply: Any, files: dict[str, str]) -> dict[str, dict]:
        """What a load's result says of each file that failed to import: type, message and
        traceback as safe text, for files that were sent only."""
        errors = reply.get("errors") if isinstance(reply, dict) and reply.get("status") == "ok" else None
        if not isinstance(errors, dict):
            raise wire.WireError("a load without a result")
        checked = {}
        for relpath, error in errors.items():
            if relpath not in files or not isinstance(error, dict):
                raise wire.WireError("a load result about a file that was not sent")
            fields = {key: error.get(key, "") for key in ("type", "message", "traceback")}
            if not all(isinstance(value, str) for value in fields.values()):
                raise wire.WireError("a load result whose fields are not text")
            checked[relpath] = {"type": safe_name(fields["type"]), "message": safe_text(fields["message"]),
                                "traceback": safe_text(fields["traceback"], MAX_TRACEBACK_CHARS)}
        return checked

    def _give_up_on(self, relpath: str | None, files: dict, kind: str, run_from: int | None) -> None:
        """The load stopped while importing ``relpath``: leave it out and start again, or give up."""
        self._stop()
        if kind == "timeout" and self.deadline is not None and time.monotonic() >= self.deadline:
            self.exhausted = True
            self.load_failure = self._out_of_budget()
            raise self.load_failure
        if relpath in files:
            self.unloadable[relpath] = kind
            self._start(run_from)
            return
        if kind == "timeout":
            self.load_failure = StudentTimeout(f"starting Python to run your files took longer than "
                                               f"{self.limits.timeout:g} s")
        else:
            self.load_failure = StudentCrashed("Python could not start to run your files")
        raise self.load_failure

    def _next_planned(self, index: int) -> int | None:
        while index < len(self.plan.requests) and self.plan.names[index] in self.skipping:
            index += 1
        return index if index < len(self.plan.requests) else None

    def _stop(self) -> None:
        if self.pid is not None:
            self.sock.close()
            self.fork_server.kill(self.pid)
            self.pid = self.sock = None
        self.running = None

"""What the trusted side does with one student's workers, as a state machine without I/O.

The transport (``sandbox.client.StudentWorker``) owns the sockets, the clock and the fork
server; this machine owns every decision. The transport asks for an answer
(:meth:`WorkerProtocol.ask` for a planned call, :meth:`~WorkerProtocol.ask_live` for a
call that is not the planned one), then loops: it takes :meth:`~WorkerProtocol.next_action`
(:class:`Spawn`, :class:`Receive`, :class:`Send`, :class:`Stop`), carries it out, and reports
what happened (:meth:`~WorkerProtocol.spawned`, :meth:`~WorkerProtocol.received`,
:meth:`~WorkerProtocol.sent`, :meth:`~WorkerProtocol.deadline_passed`,
:meth:`~WorkerProtocol.closed`), until the action is :class:`Done`.

A worker's life: forked and sent the files (LOADING: it says it is ready, then names each
file before importing it, then gives the import errors); then, if asked, it makes the
planned calls on its own (STREAMING), their answers arriving in order, a few milliseconds'
worth at a time; or it waits (IDLE) for a live call (CALLING). A file whose import hangs or
ends the worker is left out and the others are loaded again in a new worker.

Blame: when an answer is late, the call to blame is the one the worker says it is making
(``sandbox.progress``), and only once that call has had its whole timeout by its own start.
When the worker's socket closes, the worker may still be running (a call of the student's
closed it) and saying so only when it next sends, so the transport first waits for the
worker to end (ENDING); then the call to blame is the one it was making. But if it ended
because sending its answers failed (or did not end in time), any call whose answer it
held back may have been the cause, so those calls are made again by a worker that sends
each answer at once, where the first death is exact. The blamed call's answer is its timeout or crash, the worker is stopped, and the
next is started after it: the call is never made again after a timeout, and calls of a
function that timed out are not made again either. Answers a stopped worker held back
are asked for again (they took it less than ``BATCH_SECONDS`` in all). A student's total
time is bounded (:func:`budget`); once it is spent, nothing more of theirs runs.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Sequence

from autograder.outcomes import Outcome, StudentCodeProblem
from autograder.sandbox import wire
from autograder.sandbox.progress import Running
from autograder.sandbox.replies import read_import_errors, read_ready, read_reply, tagged

#: how long a worker may hold finished answers back to send them together
BATCH_SECONDS = 0.004
#: a student's total wall-clock budget is this many timeouts for each file and each function
#: (plus two): enough for every file's import and every function to time out once, which is
#: the most an honest submission can cost (a function that timed out is not called again)
BUDGET_TIMEOUTS_PER_PART = 1
#: the most a student's budget grows for imports the grader allows to take longer (a
#: notebook's module runs its cells at import, each with its own time: ``intake.cells``)
MAX_IMPORT_EXTRA_SECONDS = 120
#: the most a student's answers read ahead (not yet judged) may take in the grader's memory;
#: a right answer set takes kilobytes, and one answer may take up to ``wire.MAX_MESSAGE_BYTES``
MAX_HELD_BYTES = 2 * wire.MAX_MESSAGE_BYTES


class State(enum.Enum):
    NO_WORKER = "no worker"
    LOADING = "loading"  #: forked and sent the files: their imports are reported
    STREAMING = "streaming"  #: making the planned calls from ``running`` on
    IDLE = "idle"  #: loaded, making no call: free for a live one
    CALLING = "calling"  #: a live call's request is sent, or being sent
    ENDING = "ending"  #: the socket of a worker that was streaming closed: it is waited for


# -- what the transport is to do --------------------------------------------------------------

@dataclass(frozen=True)
class Spawn:
    """Fork a worker and send it ``load`` (``wire``-encoded); then report :meth:`WorkerProtocol.spawned`."""

    load: dict


@dataclass(frozen=True)
class Receive:
    """Read the worker's next frame, giving up at ``deadline`` (``time.monotonic``)."""

    deadline: float


@dataclass(frozen=True)
class Send:
    """Send a live call's ``request``, giving up at ``deadline``."""

    request: bytes
    deadline: float


@dataclass(frozen=True)
class AwaitExit:
    """Wait until the worker has ended, giving up at ``deadline``; then report
    :meth:`WorkerProtocol.exited`, or :meth:`~WorkerProtocol.deadline_passed` if it has not."""

    deadline: float


@dataclass(frozen=True)
class Stop:
    """Kill the worker."""


@dataclass(frozen=True)
class Done:
    """The answer asked for: a planned call's raw reply (bytes), a live call's checked reply
    (``replies.read_reply``), or what went wrong instead."""

    answer: bytes | dict | StudentCodeProblem


Action = Spawn | Receive | Send | AwaitExit | Stop | Done


class ProtocolError(Exception):
    """The transport broke the machine's rules (an event it did not ask for): a grader bug."""


@dataclass
class _Live:
    module: str
    name: str
    request: bytes
    reply: dict | StudentCodeProblem | None = None


def budget(timeout: float, files: int, functions: int, import_extra: float = 0.0) -> float:
    """A student's total wall-clock seconds (see :data:`BUDGET_TIMEOUTS_PER_PART`)."""
    return timeout * (BUDGET_TIMEOUTS_PER_PART * (files + functions) + 2) + min(import_extra, MAX_IMPORT_EXTRA_SECONDS)


class WorkerProtocol:
    """One student's workers. ``names`` and ``expected``: each planned call's function and
    the raw reply a right answer gets (``sandbox.plan``); ``files``: the student's files
    (relpath -> source); ``import_seconds``: files whose import may take longer than a
    timeout; ``functions``: how many functions the budget counts."""

    def __init__(self, names: Sequence[str], expected: Sequence[bytes | None], files: dict[str, str],
                 timeout: float, memory_mb: int, import_seconds: dict[str, float] | None = None,
                 functions: int = 16):
        self.names = list(names)
        self.expected = list(expected)
        self.files = files
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.import_seconds = {k: float(v) for k, v in (import_seconds or {}).items() if k in files}
        extra = sum(max(0.0, s - timeout) for s in self.import_seconds.values())
        self.budget = budget(timeout, len(files), functions, extra)

        self.state = State.NO_WORKER
        self.protections: list[str] = []
        #: answers to planned calls: the raw reply, or what went wrong
        self.answers: dict[int, bytes | StudentCodeProblem] = {}
        self.held = 0  #: bytes of the raw replies in ``answers``
        self.timed_out: dict[str, int] = {}  #: function -> the planned index at (or after) which it ran out of time
        self.unloadable: dict[str, str] = {}  #: file -> "timeout" or "crash": what importing it did
        self.import_errors: dict[str, dict] = {}  #: file -> its import error (type, message, traceback)
        self.load_failure: StudentCodeProblem | None = None  #: no worker can start: every one would fail so
        self.exhausted = False  #: the budget is spent: nothing more of this student's runs

        self._goal: int | _Live | None = None
        self._asked = -1  #: the highest planned index asked for
        self._budget_deadline: float | None = None  #: set at the first deadline
        self._deadline: float | None = None  #: of the read (or send) under way
        self._stopping = False  #: the worker must be killed before anything else
        #: a Spawn's files, run_from, the rules of its stream (the calls answered before, the functions
        #: skipped), and whether the worker may hold answers back
        self._spawning: tuple[dict[str, str], int | None, frozenset[int], dict[str, int], bool] | None = None
        self._batched = True  #: the worker may hold answers back
        #: workers that start at or before this planned call send each answer at once: they make again
        #: the calls of a death that the answers held back left unexplained
        self._unbatched_through = -1
        # the worker's load
        self._files_sent: dict[str, str] = {}
        self._run_from: int | None = None
        self._ready = False
        self._loading: str | None = None
        self._loading_reports = 0
        # the worker's stream
        self.running: int | None = None  #: the planned call whose answer comes next
        self._answered: frozenset[int] = frozenset()  #: calls the stream leaves out: answered before it began
        self._skip: dict[str, int] = {}  #: and calls of these functions after these indices
        self._extended: set[int] = set()  #: calls whose wait was extended to their own start's timeout

    # -- asking ------------------------------------------------------------------------------

    def ask(self, index: int) -> None:
        """Seek the answer to planned call ``index``."""
        self._goal = index
        self._asked = max(self._asked, index)

    def ask_live(self, module: str, name: str, request: bytes) -> None:
        """Seek the reply to a call that is not the planned one (``request``: ``replies.call_request``)."""
        self._goal = _Live(module, name, request)

    def refusal(self, module: str, name: str, index: int | None) -> StudentCodeProblem | None:
        """Why a call of ``name`` (planned call ``index``, or a live one) is not made at all, if it is not."""
        if self.exhausted:
            return self._out_of_budget()
        if name in self.timed_out and (index is None or index > self.timed_out[name]):
            return self._not_run(name)
        if f"{module}.py" not in self.files:
            # the student may work in .py files or in notebooks: name both, and no folder of ours
            return StudentCodeProblem(Outcome.CRASHED, f"{name} was not graded: your submission has no file for the "
                                                       f"{module} assignment ({module}.py or {module}.ipynb)")
        return None

    def import_problem(self, relpath: str) -> StudentCodeProblem | None:
        """What the student reads of a file whose import failed (known once a worker loaded the files)."""
        kind = self.unloadable.get(relpath)
        if kind == "timeout":
            return StudentCodeProblem(Outcome.TIMED_OUT, f"importing exercises/{relpath} took longer than "
                                                         f"{self._import_seconds(relpath):g} s (is there a loop or a "
                                                         "long computation at the top level of the file?)")
        if kind == "crash":
            return StudentCodeProblem(Outcome.CRASHED, f"importing exercises/{relpath} ended the Python process "
                                                       f"running it (a crash, os._exit(), exit() or more than the "
                                                       f"{self.memory_mb} MB memory limit at the top level of the file)")
        error = self.import_errors.get(relpath)
        if error is None:
            return None
        return StudentCodeProblem(Outcome.CRASHED, f"exercises/{relpath} could not be imported: {error['type']}: "
                                                   f"{error['message']}", error["traceback"])

    def forget_before(self, index: int) -> None:
        """Answers to planned calls before ``index`` are no longer needed."""
        if len(self.answers) > 64:
            self.answers = {i: a for i, a in self.answers.items() if i >= index}
            self.held = sum(len(a) for a in self.answers.values() if isinstance(a, bytes))

    # -- the loop ----------------------------------------------------------------------------

    def next_action(self, now: float) -> Action:
        if self._stopping:
            self._stopping = False
            self.state, self.running = State.NO_WORKER, None
            return Stop()
        goal = self._goal
        if goal is None:
            raise ProtocolError("nothing was asked")
        if isinstance(goal, int) and goal in self.answers:
            return self._done(self.answers[goal])
        if isinstance(goal, _Live) and goal.reply is not None:
            return self._done(goal.reply)
        if self.load_failure is not None:
            return self._done(self.load_failure)
        if self.exhausted:
            return self._done(self._out_of_budget())
        if isinstance(goal, int) and self._stream_skips(goal, self.timed_out, frozenset()):
            return self._done(self._not_run(self.names[goal]))  # no worker makes it: see refusal()
        if self.state is State.NO_WORKER:
            return self._spawn(goal if isinstance(goal, int) else None)
        if self.state is State.LOADING:
            return Receive(self._read_deadline(now, self._import_seconds(self._loading)))
        if self.state is State.ENDING:
            return AwaitExit(self._read_deadline(now, self.timeout))
        if isinstance(goal, int):
            if self.state is State.STREAMING and self.running <= goal:
                return Receive(self._read_deadline(now, self.timeout))
            self._stopping = True  # no stream, or one past the call: a new worker makes it
            return self.next_action(now)
        if self.state is State.STREAMING:  # the worker is busy with the plan: read it through first
            return Receive(self._read_deadline(now, self.timeout))
        if self.state is State.IDLE:
            self.state = State.CALLING
            return Send(goal.request, self._read_deadline(now, self.timeout))
        return Receive(self._read_deadline(now, self.timeout))  # CALLING: the request is sent

    # -- events ------------------------------------------------------------------------------

    def spawned(self, now: float) -> None:
        """The worker of the last :class:`Spawn` exists and its load was sent (or is being sent)."""
        if self._spawning is None:
            raise ProtocolError("spawned without a Spawn")
        self._files_sent, self._run_from, self._answered, self._skip, self._batched = self._spawning
        self._spawning = None
        self.state = State.LOADING
        self._ready, self._loading, self._loading_reports = False, None, 0
        self._deadline = None
        self._extended = set()

    def received(self, frame: bytes, now: float) -> None:
        self._deadline = None
        if self.state is State.LOADING:
            self._received_load(frame, now)
        elif self.state is State.STREAMING:
            self._received_answer(frame)
        elif self.state is State.CALLING:
            self._received_reply(frame)
        else:
            raise ProtocolError(f"a frame received in state {self.state.value}")

    def sent(self, now: float) -> None:
        """The live call's request is sent: its reply is awaited, with a timeout of its own."""
        if self.state is not State.CALLING:
            raise ProtocolError(f"sent in state {self.state.value}")
        self._deadline = None

    def deadline_passed(self, now: float, running: Running | None = None) -> None:
        """The read (or send) gave up; ``running``: what the worker says it is making
        (``progress.Progress.running``), read only while it streams."""
        self._deadline = None
        spent = self._budget_deadline is not None and now >= self._budget_deadline
        if self.state is State.LOADING:
            self._load_stopped("timeout", spent)
        elif self.state in (State.STREAMING, State.ENDING):  # ENDING: the worker did not end in time
            if spent:
                self.exhausted, self._stopping = True, True
                return
            index, started = self._claimed(running)
            if started is not None and now < started + self.timeout and index not in self._extended:
                self._extended.add(index)  # the call began after the wait did: it gets its whole time
                self._deadline = min(started + self.timeout, now + self.timeout, self._budget_deadline)
                return
            if started is None and self.state is State.ENDING:
                self._unexplained(len(self.names))  # nothing to go by
                return
            self._blame(index, StudentCodeProblem(Outcome.TIMED_OUT, f"{self.names[index]} did not finish within "
                                                  f"{self.timeout:g} s (an endless loop, sleep, or far too much "
                                                  "work?)"))
            self.timed_out.setdefault(self.names[index], index)
        elif self.state is State.CALLING:
            self._stopping = True
            if spent:
                self.exhausted = True
                return
            name = self._goal.name
            self._goal.reply = StudentCodeProblem(Outcome.TIMED_OUT, f"{name} did not finish within {self.timeout:g} s "
                                                                     "(an endless loop, sleep, or far too much work?)")
            self.timed_out.setdefault(name, self._asked)
        else:
            raise ProtocolError(f"a deadline passed in state {self.state.value}")

    def closed(self, now: float) -> None:
        """The worker's socket closed or failed: the worker ended (or must be taken for ended)."""
        deadline, self._deadline = self._deadline, None
        if self.state is State.LOADING:
            self._load_stopped("crash", False)
        elif self.state is State.STREAMING and self._batched:
            self.state = State.ENDING  # see the module's docstring
            self._deadline = deadline
        elif self.state is State.STREAMING:
            self._blame(self.running, self.crash(self.names[self.running]))  # every answer before it came
        elif self.state is State.CALLING:
            self._stopping = True
            self._goal.reply = self.crash(self._goal.name)
        elif self.state is not State.NO_WORKER:
            self._stopping = True

    def exited(self, now: float, running: Running | None) -> None:
        """After :class:`AwaitExit`: the worker ended, and ``running`` is what it last wrote
        (``progress.Progress.running``). (If it did not end by the deadline, the transport
        reports :meth:`deadline_passed` instead: it is still making a call.)"""
        if self.state is not State.ENDING:
            raise ProtocolError(f"exited in state {self.state.value}")
        self._deadline = None
        index, started = self._claimed(running)
        if started is None or (running.send_failed and index != self.running):
            self._unexplained(index)
        else:
            self._blame(index, self.crash(self.names[index]))

    # -- inside ------------------------------------------------------------------------------

    def _done(self, answer: bytes | dict | StudentCodeProblem) -> Done:
        self._goal = None
        return Done(answer)

    def _spawn(self, run_from: int | None) -> Spawn:
        files = {k: v for k, v in self.files.items() if k not in self.unloadable}
        load: dict[str, Any] = {"op": "load", "files": files}
        answered = frozenset(i for i in self.answers if run_from is not None and i >= run_from)
        if run_from is not None:
            load.update(run_from=run_from, skip=dict(self.timed_out), answered=sorted(answered),
                        batch=BATCH_SECONDS if run_from > self._unbatched_through else 0)
        self._spawning = (files, run_from, answered, dict(self.timed_out),
                          run_from is not None and run_from > self._unbatched_through)
        return Spawn(load)

    def _read_deadline(self, now: float, seconds: float) -> float:
        """When the read now starting gives up: ``seconds`` from now, or when the student's
        budget runs out if that is sooner."""
        if self._budget_deadline is None:
            self._budget_deadline = now + self.budget
        if self._deadline is None:
            self._deadline = min(now + seconds, self._budget_deadline)
        return self._deadline

    def _import_seconds(self, relpath: str | None) -> float:
        """How long importing ``relpath`` may take: a timeout, or what the grader allowed it."""
        return max(self.timeout, self.import_seconds.get(relpath, 0.0)) if relpath else self.timeout

    def _received_load(self, frame: bytes, now: float) -> None:
        try:
            if not self._ready:
                self.protections = read_ready(frame)
                self._ready = True
                return
            reply = wire.decode(frame)
            if isinstance(reply, dict) and reply.get("status") == "loading":
                self._loading_reports += 1
                if self._loading_reports > len(self._files_sent):  # student code writing to the socket, forever
                    raise wire.WireError("more files reported loading than were sent")
                file = reply.get("file")
                self._loading = file if isinstance(file, str) and file in self._files_sent else None
                return
            errors = read_import_errors(reply, self._files_sent)
        except wire.WireError:
            self._load_stopped("crash", False)
            return
        for relpath, kind in self.unloadable.items():
            errors[relpath] = {"type": kind, "message": "", "traceback": ""}
        self.import_errors = errors
        self.running = self._next_planned(self._run_from) if self._run_from is not None else None
        self.state = State.STREAMING if self.running is not None else State.IDLE

    def _load_stopped(self, kind: str, spent: bool) -> None:
        """The load stopped while importing ``self._loading``: leave that file out and start
        again, or, if no file is to blame, give up on this student's workers."""
        self._stopping = True
        relpath = self._loading
        if kind == "timeout" and spent:
            self.exhausted = True
            self.load_failure = self._out_of_budget()
        elif relpath in self._files_sent:
            self.unloadable[relpath] = kind
        elif kind == "timeout":
            self.load_failure = StudentCodeProblem(Outcome.TIMED_OUT, "starting Python to run your files took longer "
                                                                      f"than {self.timeout:g} s")
        else:
            self.load_failure = StudentCodeProblem(Outcome.CRASHED, "Python could not start to run your files")

    def _received_answer(self, frame: bytes) -> None:
        index = self.running
        self.held += len(frame)
        if self.held > MAX_HELD_BYTES:  # only a worker writing to its socket itself gets here
            self._blame(index, StudentCodeProblem(Outcome.CRASHED, f"{self.names[index]} sent the grader more than "
                                                                   f"{MAX_HELD_BYTES >> 20} MB of answers"))
            return
        expected = self.expected[index]
        if frame == expected:
            frame = expected  # the same bytes, whose hash is already known: remembered outcomes are found faster
        elif not tagged(frame, index):
            self._blame(index, self.crash(self.names[index]))
            return
        self.answers[index] = frame
        self.running = self._next_planned(index + 1)
        if self.running is None:
            self.state = State.IDLE

    def _received_reply(self, frame: bytes) -> None:
        try:
            self._goal.reply = read_reply(frame)
            self.state = State.IDLE
        except wire.WireError:
            self._stopping = True
            self._goal.reply = self.crash(self._goal.name)

    def _claimed(self, running: Running | None) -> tuple[int, float | None]:
        """The call to blame for a late answer or a dead worker, and when it started: the one
        the worker says it is making, if that is one of the stream's calls not yet answered;
        else the first not yet answered (as good as exact for a worker that sends each
        answer at once, and only a worker whose student rewrote it says nothing else)."""
        if running is not None:
            index, started, _ = running
            if type(index) is int and self.running <= index < len(self.names) \
                    and not self._stream_skips(index, self._skip, self._answered):
                return index, started
        return self.running, None

    def _unexplained(self, through: int) -> None:
        """The worker died, and any call whose answer it held back, up to ``through``, may
        have been the cause (see the module's docstring): they are made again, each answer
        sent at once."""
        self._stopping = True
        self._unbatched_through = max(self._unbatched_through, through)

    def _blame(self, index: int, problem: StudentCodeProblem) -> None:
        """Planned call ``index`` came to ``problem``: the worker is stopped, and the next one
        is started after it."""
        self.answers[index] = problem
        self._stopping = True

    def _stream_skips(self, index: int, skip: dict[str, int], answered: frozenset[int]) -> bool:
        name = self.names[index]
        return index in answered or (name in skip and index > skip[name])

    def _next_planned(self, index: int) -> int | None:
        """The next planned call from ``index`` on that the worker makes (see ``worker._skipped``)."""
        while index < len(self.names) and self._stream_skips(index, self._skip, self._answered):
            index += 1
        return index if index < len(self.names) else None

    @staticmethod
    def _not_run(name: str) -> StudentCodeProblem:
        return StudentCodeProblem(Outcome.TIMED_OUT, f"{name} was not run: it already ran out of time in an earlier "
                                                     "check")

    def _out_of_budget(self) -> StudentCodeProblem:
        return StudentCodeProblem(Outcome.TIMED_OUT, f"not run: your code used up its total time of {self.budget:g} s "
                                                     f"({self.timeout:g} s for each file and function, plus "
                                                     f"{2 * self.timeout:g} s), mostly in checks that timed out or "
                                                     "crashed before this one")

    def crash(self, name: str) -> StudentCodeProblem:
        """What the student reads of a call of ``name`` that ended its worker (or whose reply could not be read)."""
        return StudentCodeProblem(Outcome.CRASHED, f"{name} ended the Python process running it instead of returning "
                                                   f"(a crash, os._exit(), closed files, or more than the "
                                                   f"{self.memory_mb} MB memory limit)")

"""The trusted side of a sandboxed submission: the fork server's client, and the transport
under the worker protocol (``sandbox.protocol``): sockets, deadlines and the clock.

Values cross only through ``wire`` (no pickle). A worker that times out, dies or sends
garbage is killed and replaced for the next call, so one problem costs only the
check that met it.
"""
from __future__ import annotations

import os
import select
import socket
import threading
import time
from typing import Any

from autograder.outcomes import StudentCodeProblem
from autograder.sandbox import forkserver, wire
from autograder.sandbox.framing import FrameClosed, FrameReader, FrameTimeout, send_frame
from autograder.sandbox.jail import Limits
from autograder.sandbox.plan import Plan
from autograder.sandbox.progress import Progress
from autograder.sandbox.protocol import AwaitExit, Done, Receive, Send, Spawn, Stop, WorkerProtocol
from autograder.sandbox.replies import call_request, changed_arguments, interpret, read_reply


class ForkServerClient:
    def __init__(self, pid: int, control: socket.socket, progress: Progress, memory_group: str | None = None):
        """``progress``: the page its workers write which planned call they make (``sandbox.progress``);
        ``memory_group``: the memory cgroup every worker moves into (``sandbox.cgroups``), if any."""
        self.pid = pid
        self.control = control
        self.progress = progress
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
    """One student's code, run in jailed workers forked by the fork server: the backend the
    check runner calls (``checking.runner.Backend``), and the transport under the worker
    protocol (:class:`~.protocol.WorkerProtocol`, which decides everything but the I/O).

    With a :class:`~.plan.Plan`, a worker makes the planned calls on its own and the
    answers are read as the checks ask for them; a call that is not the planned one is
    made live. Each outcome of a check on planned replies alone is remembered by the plan,
    so a later student giving the same replies takes it without the check running again.
    """

    def __init__(self, fork_server: ForkServerClient, files: dict[str, str], uid: int | None, limits: Limits,
                 plan: Plan | None = None, import_seconds: dict[str, float] | None = None):
        self.fork_server = fork_server
        self.files = files
        self.uid = uid
        self.limits = limits
        self.plan = plan or Plan()
        self.protocol = WorkerProtocol(self.plan.names, self.plan.expected, files, limits.timeout, limits.memory_mb,
                                       import_seconds, functions=len(set(self.plan.names)) or 16)
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.reader: FrameReader | None = None
        self.check: int | None = None
        self.ordinal = 0
        self.replies: tuple[bytes, ...] | None = None  #: the current check's replies, if all came
        self.pure = True  #: the current check has used nothing but planned replies
        self.changed: list[int] = []  #: the arguments the last call changed in place (in the worker)

    @property
    def protections(self) -> list[str]:
        return self.protocol.protections

    # -- the backend interface the check runner uses ----------------------------------------

    def start_check(self, index: int | None = None) -> None:
        self.check, self.ordinal = index, 0
        self.replies, self.pure = None, True
        calls = self.plan.by_check.get(index)
        if calls:
            self.protocol.forget_before(calls[0].index)  # answers of earlier checks are no longer needed

    def known_outcome(self, index: int) -> Any:
        """The result of check ``index`` if it has already judged the very replies this student gives."""
        calls = self.plan.by_check.get(index)
        if not calls or self.protocol.exhausted:
            return None
        replies = []
        for call in calls:
            if call.name in self.protocol.timed_out or f"{call.module}.py" not in self.files:
                return None
            answer = self._answer(call.index)
            if not isinstance(answer, bytes):
                return None  # the check will meet the same problem when it calls, and report it
            replies.append(answer)
        if self.protocol.import_errors and any(f"{call.module}.py" in self.protocol.import_errors for call in calls):
            return None  # known only once the worker loaded the files; the message is this student's
        self.replies = tuple(replies)
        return self.plan.known(index, self.replies)

    def learn_outcome(self, index: int, result: Any) -> None:
        """Remember the result of a check that ran on planned replies alone."""
        if self.pure and self.replies is not None and index == self.check and result is not None:
            self.plan.learn(index, self.replies, result)

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
            if planned is not None and ((planned.module, planned.name) != (module, name)
                                        or planned.key != wire.fingerprint((list(args), dict(kwargs)))):
                planned = None  # not the call the rehearsal made: it is made live
            refused = self.protocol.refusal(module, name, planned.index if planned else None)
            if refused is not None:
                raise refused
            if planned is not None:
                reply = self._answer(planned.index)
            else:
                self.protocol.ask_live(module, name, call_request(module, name, args, kwargs))
                reply = self._drive()
            problem = self.protocol.import_problem(f"{module}.py")
            if problem is not None:
                raise problem
            if isinstance(reply, StudentCodeProblem):
                raise reply
            if isinstance(reply, bytes):
                try:
                    reply = read_reply(reply)
                except wire.WireError:
                    raise self.protocol.crash(name) from None
                from_plan = planned is not None
            self.changed = changed_arguments(reply, args)
            return interpret(reply, name, args)  # raising what the reply says is still its doing
        finally:
            if not from_plan:
                self.pure = False

    def _answer(self, index: int) -> bytes | StudentCodeProblem:
        """The answer to planned call ``index``."""
        self.protocol.ask(index)
        return self._drive()

    # -- the transport ---------------------------------------------------------------------

    def _drive(self) -> bytes | dict | StudentCodeProblem:
        """Carry out the protocol's actions until it has the answer asked for."""
        protocol = self.protocol
        while True:
            action = protocol.next_action(time.monotonic())
            if isinstance(action, Done):
                return action.answer
            if isinstance(action, Receive):
                try:
                    frame = self.reader.read(action.deadline)
                except FrameTimeout:
                    protocol.deadline_passed(time.monotonic(), self.fork_server.progress.running())
                except (FrameClosed, OSError):
                    protocol.closed(time.monotonic())
                else:
                    protocol.received(frame, time.monotonic())
            elif isinstance(action, AwaitExit):
                if self._await_exit(action.deadline):
                    protocol.exited(time.monotonic(), self.fork_server.progress.running())
                else:
                    protocol.deadline_passed(time.monotonic(), self.fork_server.progress.running())
            elif isinstance(action, Send):
                # the request may be large (a value the student returned, passed back): a worker that
                # stops reading its socket must not hold the grader in sendall past the deadline
                try:
                    self.sock.settimeout(max(0.001, action.deadline - time.monotonic()))
                    send_frame(self.sock, action.request)
                    self.sock.settimeout(None)
                except TimeoutError:
                    protocol.deadline_passed(time.monotonic())
                except OSError:
                    protocol.closed(time.monotonic())
                else:
                    protocol.sent(time.monotonic())
            elif isinstance(action, Spawn):
                self._spawn(action.load)
            elif isinstance(action, Stop):
                self._stop()

    def _spawn(self, load: dict) -> None:
        self.pid, self.sock = self.fork_server.spawn(self.uid, self.limits)
        self.reader = FrameReader(self.sock)
        self.fork_server.progress.reset()  # the last worker is reaped: nothing writes it but this one
        self.protocol.spawned(time.monotonic())
        try:
            send_frame(self.sock, wire.encode(load))  # read by the worker once it is jailed
        except OSError:
            self.protocol.closed(time.monotonic())

    def _await_exit(self, deadline: float) -> bool:
        """Whether the worker has ended by ``deadline`` (a pidfd turns readable when it does:
        no polling, and the worker is not ours to wait for). False where it cannot be told."""
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # an old kernel; or the fork server reaped it, which it does only when asked
            return False
        try:
            return bool(select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0])
        finally:
            os.close(fd)

    def _stop(self) -> None:
        if self.pid is not None:
            self.sock.close()
            self.fork_server.kill(self.pid)
            self.pid = self.sock = self.reader = None

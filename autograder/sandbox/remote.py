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

import torch

from ..outcomes import NotAttempted, StudentCrashed, StudentTimeout
from . import wire
from .framing import FrameClosed, FrameTimeout, recv_frame, send_frame
from .jail import Limits
from .zygote import limits_message


class ZygoteClient:
    def __init__(self, pid: int, control: socket.socket):
        self.pid = pid
        self.control = control
        self.lock = threading.Lock()

    def spawn(self, uid: int, limits: Limits) -> tuple[int, socket.socket]:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        with self.lock:
            message = wire.encode({"op": "spawn", "uid": uid, "limits": limits_message(limits)})
            socket.send_fds(self.control, [message], [theirs.fileno()])
            theirs.close()
            reply = wire.decode(self.control.recv(1 << 16))
        return reply["pid"], ours

    def kill(self, pid: int) -> None:
        with self.lock:
            self.control.sendall(wire.encode({"op": "kill", "pid": pid}))
            self.control.recv(1 << 16)

    def close(self) -> None:
        self.control.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def _write_back(original: Any, after: Any) -> None:
    """Make the caller's arguments show what the student's function did to its copies."""
    if isinstance(original, torch.Tensor) and isinstance(after, torch.Tensor):
        if original.dtype == after.dtype and original.shape == after.shape:
            if not torch.equal(original, after):
                with torch.no_grad():
                    original.copy_(after)
        else:
            original.data = after.data
    elif isinstance(original, torch.nn.Module) and isinstance(after, torch.nn.Module):
        try:
            original.load_state_dict(after.state_dict())
        except (RuntimeError, KeyError):
            pass
    elif isinstance(original, list) and isinstance(after, list):
        if len(original) == len(after) and all(type(a) is type(b) for a, b in zip(original, after)):
            for a, b in zip(original, after):
                _write_back(a, b)
        original[:] = after


class Submission:
    """One student's code, run in a jailed worker forked by the zygote."""

    def __init__(self, zygote: ZygoteClient, files: dict[str, str], uid: int, limits: Limits):
        self.zygote = zygote
        self.files = files
        self.uid = uid
        self.limits = limits
        self.pid: int | None = None
        self.sock: socket.socket | None = None
        self.import_errors: dict[str, dict] = {}
        self.protections: list[str] = []
        self.timed_out: set[str] = set()
        self.deadline: float | None = None

    def start_check(self) -> None:
        self.deadline = time.monotonic() + self.limits.timeout

    def _stop(self) -> None:
        if self.pid is not None:
            self.sock.close()
            self.zygote.kill(self.pid)
            self.pid = self.sock = None

    def close(self) -> None:
        self._stop()

    def _start(self) -> None:
        self.pid, self.sock = self.zygote.spawn(self.uid, self.limits)
        deadline = time.monotonic() + self.limits.timeout
        try:
            ready = wire.decode(recv_frame(self.sock, deadline))
            self.protections = list(ready["protections"])
            send_frame(self.sock, wire.encode({"op": "load", "files": self.files}))
            reply = wire.decode(recv_frame(self.sock, deadline))
            self.import_errors = dict(reply["errors"])
        except FrameTimeout:
            self._stop()
            raise StudentTimeout(f"importing your files took longer than {self.limits.timeout:g} s "
                                 "(is there a loop or a long computation at the top level of a file?)") from None
        except (FrameClosed, OSError, wire.WireError, KeyError, TypeError):
            self._stop()
            raise StudentCrashed("importing your files ended the grading process "
                                 "(a crash, os._exit(), exit() or the memory limit at the top level of a file)") from None

    def call(self, module: str, name: str, args: tuple, kwargs: dict) -> Any:
        if name in self.timed_out:
            raise StudentTimeout(f"{name} was not run: it already ran out of time in an earlier check")
        relpath = f"{module}.py"
        if relpath not in self.files:
            raise StudentCrashed(f"exercises/{relpath} is missing from the submission")
        if self.pid is None:
            self._start()
        if relpath in self.import_errors:
            error = self.import_errors[relpath]
            raise StudentCrashed(f"exercises/{relpath} could not be imported: {error['type']}: {error['message']}",
                                 error.get("traceback", ""))
        deadline = self.deadline or (time.monotonic() + self.limits.timeout)
        try:
            send_frame(self.sock, wire.encode({"op": "call", "module": module, "name": name,
                                               "args": list(args), "kwargs": dict(kwargs)}))
            reply = wire.decode(recv_frame(self.sock, deadline))
            status = reply["status"]
        except FrameTimeout:
            self._stop()
            self.timed_out.add(name)
            raise StudentTimeout(f"{name} did not finish within {self.limits.timeout:g} s "
                                 "(an endless loop, sleep, or far too much work?)") from None
        except (FrameClosed, OSError, wire.WireError, KeyError, TypeError):
            self._stop()
            raise StudentCrashed(f"{name} ended the grading process instead of returning "
                                 f"(a crash, os._exit(), closed files, or more than the {self.limits.memory_mb} MB "
                                 "memory limit)") from None
        if status == "ok":
            for original, after in zip(args, reply.get("args", [])):
                _write_back(original, after)
            return reply.get("value")
        message = f"{reply.get('type', 'Error')}: {reply.get('message', '')}"
        if status == "not_attempted":
            raise NotAttempted(f"{name} still raises NotImplementedError")
        if status == "missing":
            raise StudentCrashed(str(reply.get("message")))
        raise StudentCrashed(f"{name} raised {message}", str(reply.get("traceback", "")))

    def function(self, module: str, name: str):
        def proxy(*args: Any, **kwargs: Any) -> Any:
            return self.call(module, name, args, kwargs)

        proxy.__name__ = name
        return proxy

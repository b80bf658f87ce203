"""A fork server: a process that has imported torch once and forks one jailed worker per request.

It is forked from the grading session *before* that session loads hidden checks or
reference solutions, so no worker can find them in memory, and it keeps no file
descriptor but its control socket. Student code cannot import modules after it drops
privileges (the interpreter may live in a directory it cannot read), so everything
student code may reasonably use is imported here first.
"""
from __future__ import annotations

import gc
import importlib
import os
import signal
import socket
import tempfile
from dataclasses import asdict

from . import jail, wire
from .worker import serve as serve_worker
from .framing import FrameClosed, recv_frame, send_frame

PRELOAD = (
    "torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.linalg", "torch.fft", "torch.special",
    "torch.optim", "torch.utils.data", "torch.distributions", "numpy", "math", "cmath", "random", "statistics",
    "itertools", "functools", "collections", "collections.abc", "typing", "dataclasses", "copy", "operator",
    "re", "json", "string", "enum", "abc", "decimal", "fractions", "socket", "subprocess", "os", "sys", "time",
    "signal", "ctypes", "threading", "pathlib", "io", "traceback", "warnings", "inspect", "pickle", "shutil",
    "encodings.idna", "urllib.request", "http.client", "multiprocessing", "tempfile", "struct", "array",
    "heapq", "bisect", "textwrap", "pprint", "contextlib", "weakref", "gc", "resource",
)


def preload() -> None:
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import torch

    torch.set_num_threads(1)  # a fork after a multi-threaded op can hang: stay single-threaded
    # warm up what rebuilding a described module uses, so that it needs no import in the jail
    torch.nn.utils.skip_init(torch.nn.Linear, 1, 1).to_empty(device="cpu")
    torch.nn.utils.skip_init(torch.nn.BatchNorm1d, 2).load_state_dict(torch.nn.BatchNorm1d(2).state_dict())


def uid_has_processes(uid: int) -> bool:
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/status") as f:
                    for line in f:
                        if line.startswith("Uid:"):
                            if int(line.split()[1]) == uid:
                                return True
                            break
            except (OSError, ValueError, IndexError):
                continue
    return False


def kill_uid(uid: int) -> None:
    """Kill every process of ``uid`` (catches children that left the process group)."""
    if not uid_has_processes(uid):  # forking this big process costs ~20 ms: only when needed
        return
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def _run_worker(conn: socket.socket, scratch: str, uid: int | None, limits: jail.Limits) -> None:
    try:
        protections = jail.enter(scratch, uid, limits, conn.fileno())
        send_frame(conn, wire.encode({"status": "ready", "protections": protections}))
        serve_worker(conn)
    finally:
        os._exit(0)


def serve(control: socket.socket) -> None:
    """Answer spawn and kill requests until the session closes the control socket."""
    scratch = tempfile.mkdtemp(prefix="autograder-scratch-")
    os.chmod(scratch, 0o755)
    children: dict[int, int | None] = {}
    try:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(control, 1 << 16, 1)
            except OSError:
                break
            if not data:
                break
            request = wire.decode(data)
            if request["op"] == "spawn":
                conn = socket.socket(fileno=fds[0])
                uid = request["uid"] if os.geteuid() == 0 else None
                limits = jail.Limits(**request["limits"])
                pid = os.fork()
                if pid == 0:
                    control.close()
                    _run_worker(conn, scratch, uid, limits)
                conn.close()
                children[pid] = uid
                control.sendall(wire.encode({"pid": pid}))
            elif request["op"] == "kill":
                _reap(request["pid"], children.pop(request["pid"], None))
                control.sendall(wire.encode({"killed": request["pid"]}))
    finally:
        for pid, uid in children.items():
            _reap(pid, uid)
        os.rmdir(scratch)


def _reap(pid: int, uid: int | None) -> None:
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    if uid is not None:
        kill_uid(uid)


def start() -> tuple[int, socket.socket]:
    """Fork the zygote from the current process; return its pid and the control socket."""
    preload()
    gc.freeze()  # workers inherit a heap the collector need not walk (and pages it need not copy)
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        jail.die_with_parent()
        parent_end.close()
        os.closerange(3, child_end.fileno())
        os.closerange(child_end.fileno() + 1, 65536)
        try:
            serve(child_end)
        finally:
            os._exit(0)
    child_end.close()
    return pid, parent_end


def limits_message(limits: jail.Limits) -> dict:
    return asdict(limits)

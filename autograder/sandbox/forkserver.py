"""A fork server: a process that has imported torch once and forks one jailed worker per request.

It is forked from its shard *before* that shard loads hidden checks or
reference solutions, so no worker can find them in memory, and it keeps no file
descriptor but its control socket. Student code cannot import modules after it drops
privileges (the interpreter may live in a directory it cannot read), so everything
student code may reasonably use is imported here first.
"""
from __future__ import annotations

import ctypes
import gc
import importlib
import inspect
import json
import os
import signal
import socket
import struct
import time
from dataclasses import asdict
from typing import Any

from autograder.sandbox import jail, modules, syscalls, warmup, wire
from autograder.sandbox.worker import forget_inherited_package, serve as serve_worker
from autograder.sandbox.framing import FrameReader, send_frame
from autograder.sandbox.progress import Progress

PRELOAD = (
    "torch", "torch.nn", "torch.nn.functional", "torch.nn.init", "torch.linalg", "torch.fft", "torch.special",
    "torch.optim", "torch.utils.data", "torch.distributions", "numpy", "math", "cmath", "random", "statistics",
    "itertools", "functools", "collections", "collections.abc", "typing", "dataclasses", "copy", "operator",
    "re", "json", "string", "enum", "abc", "decimal", "fractions", "socket", "subprocess", "os", "sys", "time",
    "signal", "ctypes", "threading", "pathlib", "io", "traceback", "warnings", "inspect", "pickle", "shutil",
    "encodings.idna", "urllib.request", "http.client", "multiprocessing", "tempfile", "struct", "array",
    "heapq", "bisect", "textwrap", "pprint", "contextlib", "weakref", "gc", "resource",
)


_preloaded = False  #: whether this process (or the one it was forked from) has run :func:`preload`


def preload() -> None:
    """Import and warm up what workers use; once a process: a shard forked from the first
    has it already, and its fork server would only pay for the warm-up again."""
    global _preloaded
    if _preloaded:
        return
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import torch

    torch.set_num_threads(1)  # a fork after a multi-threaded op can hang: stay single-threaded
    # warm up what rebuilding a described module uses (see modules.rebuild), so that it
    # needs no import in the jail. Not torch.nn.utils.skip_init: it pulls in sympy and the
    # meta-device registrations, ~500 modules and 0.6 s that no student function needs
    # and every fork then pays for (34 MB more to map).
    for cls, kwargs in ((torch.nn.Linear, {"in_features": 1, "out_features": 1}),
                        (torch.nn.BatchNorm1d, {"num_features": 2})):
        modules.construct(cls, kwargs, skip_init=True).load_state_dict(cls(**kwargs).state_dict())
    warmup.exercise_torch()
    _preloaded = True


_libc = ctypes.CDLL(None, use_errno=True)
_libc_fork = _libc.fork
_HUGE_PAGE = 2 << 20
_MADV_HUGEPAGE, _MADV_COLLAPSE = 14, 25


def collapse_into_huge_pages() -> int:
    """Back this process's big anonymous regions with 2 MB pages; returns the bytes collapsed.

    A fork copies one page-table entry per 4 KB page that torch's import left behind
    (~180 MB here), and the child's exit frees them again: about 20 ms per worker.
    With the heap in 2 MB pages the same fork copies 512 times fewer entries (about
    6 ms for fork and exit, measured here). Needs Linux 6.1 (MADV_COLLAPSE); elsewhere
    it does nothing and forks simply cost more.
    """
    _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    collapsed = 0
    try:
        with open("/proc/self/maps") as f:
            lines = f.read().splitlines()
    except OSError:
        return 0
    for line in lines:
        fields = line.split()
        if fields[1] != "rw-p" or (len(fields) > 5 and fields[5] != "[heap]"):
            continue  # private anonymous memory and the malloc heap only
        low, high = (int(x, 16) for x in fields[0].split("-"))
        start, end = (low + _HUGE_PAGE - 1) & ~(_HUGE_PAGE - 1), high & ~(_HUGE_PAGE - 1)
        if end - start < _HUGE_PAGE:
            continue
        _libc.madvise(start, end - start, _MADV_HUGEPAGE)
        if _libc.madvise(start, end - start, _MADV_COLLAPSE) == 0:
            collapsed += end - start
    return collapsed


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


def kill_uid(uid: int, check: bool = True) -> None:
    """Kill every process of ``uid`` (catches children that left the process group)."""
    if check and not uid_has_processes(uid):  # forking this big process costs ms: only when needed
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


def fork_worker() -> int:
    """``os.fork()`` without Python's after-fork work, which cost a worker ~4 ms and 350 page faults.

    Python's handlers re-initialise locks and thread state that other threads might have
    held at the fork, and reseed ``random``. The fork server has no other thread (checked), and
    a worker reseeds before every call (``replies.seed_call``: torch's generator always,
    Python's when the student's files name it); glibc still runs its own
    and torch's ``pthread_atfork`` handlers.
    """
    if os.stat("/proc/self/task").st_nlink != 3:  # ".", ".." and one thread (cheaper than listing them)
        return os.fork()
    pid = _libc_fork()
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork failed")
    return pid


def _run_worker(conn: socket.socket, scratch: str, uid: int | None, limits: jail.Limits, contained: bool,
                plan: list[tuple[dict, Any]], progress: Progress, network_private: bool, filtered: bool,
                pid_private: bool) -> None:
    try:
        jail.set_process_name("grader-worker")
        protections = jail.enter(scratch, uid, limits, conn.fileno(), network_private, filtered, contained,
                                 pid_private)
        send_frame(conn, wire.encode({"status": "ready", "protections": protections}))
        serve_worker(conn, plan, progress)
    finally:
        os._exit(0)


def _children(path: str = "/proc/thread-self/children") -> set[int] | None:
    """The children ``path`` lists (this process's, by default), or None where the kernel
    does not list them."""
    try:  # a raw read: the fork server runs this after every worker, and each object it makes costs a page fault
        fd = os.open(path, os.O_RDONLY)
        try:
            # small reads: a buffer of more than 512 bytes comes from malloc, which may first
            # sweep its free lists, writing to pages all over the heap
            data = chunk = os.read(fd, 256)
            while chunk:
                chunk = os.read(fd, 256)
                data += chunk
            return {int(pid) for pid in data.split()}
        finally:
            os.close(fd)
    except (OSError, ValueError):
        return None


def _clean_up_strays(uid: int | None, workers: set[int], pid_init: int | None = None) -> None:
    """Kill and reap what a worker left running after it was killed.

    The fork server is a child subreaper: a process a worker started (even one that called
    setsid) becomes the fork server's child when its parent dies, unless the worker ran in
    the fork server's process namespace (as root: ``jail.private_process_namespace``),
    where it becomes a child of that namespace's first process, ``pid_init``. So once a
    worker is gone, any child of either that is not a live worker (or ``pid_init``) is
    a stray. Listing children is cheap; scanning /proc for a uid cost ~4 ms a student.

    Strays are killed one by one (the first process of a namespace reaps those orphaned
    to it); only strays that outlive that (processes that forked faster than they were
    killed) get ``kill(-1)`` as the uid.
    """
    ours = f"/proc/{pid_init}/task/{pid_init}/children" if pid_init is not None else None
    for attempt in range(200):
        children = _children()
        orphans = _children(ours) if ours else set()
        if children is None or orphans is None:  # the kernel does not list children: fall back to the scan
            if uid is not None:
                kill_uid(uid)
            return
        strays = children - workers - {pid_init}
        if not strays and not orphans:
            return
        if attempt >= 20 and uid is not None:
            kill_uid(uid, check=False)  # kill(-1) as that uid: no fork can race it
        reaped = False
        for pid in strays | orphans:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                reaped = True
            if pid in strays:
                try:
                    reaped = os.waitpid(pid, os.WNOHANG)[0] != 0 or reaped
                except ChildProcessError:
                    reaped = True
        if not reaped:  # killed, still ending (or being reaped by the namespace's first process)
            time.sleep(0.0002 * (attempt + 1))


def uninitialised_memory_filled() -> None:
    """Have torch fill the memory it hands out uninitialised (``torch.empty``, ``Tensor.resize_``)
    with NaN or the largest integer, in every worker to come: a student who returns such a
    tensor (an honest mistake) gets the same feedback on every run, not what the memory
    held. The fill comes with torch's deterministic algorithms, whose only effect on the
    CPU operations a student may use is a warning for the few without one (``put_``); the
    warning goes where all a worker prints goes. (``torch.use_deterministic_algorithms`` would
    set the same, but first import torch's compiler, hundreds of modules no worker needs and
    which an unprivileged worker could not even import.)"""
    import torch

    torch._C._set_deterministic_algorithms(True, warn_only=True)
    torch._C._set_deterministic_fill_uninitialized_memory(True)


def _fingerprint_args(call: dict):
    """``wire.fingerprint`` of a planned call's arguments, or None (the worker then takes it)."""
    try:
        return wire.fingerprint(call["args"])
    except Exception:  # noqa: BLE001 - a value fingerprint cannot summarise: not worth failing the plan
        return None


#: the fork server's requests: one byte, then a pid (KILL) or a count of frames (SETUP, PLAN), and
#: a socket: the worker's (SPAWN), or a stream for the frames
SPAWN, KILL, SETUP, PLAN = b"S", b"K", b"U", b"P"
INT = struct.Struct("<i")  #: after a request's byte: the pid to kill, or how many frames follow; a SPAWN's reply: the pid


def serve(control: socket.socket, progress: Progress) -> None:
    """Answer setup, plan, spawn and kill requests until the shard closes the control socket.

    ``SETUP`` (JSON) sets the uid, limits and memory cgroup of the workers to come; ``PLAN`` hands over
    the inputs of every planned call (see ``sandbox.plan``): values the hidden checks pass
    to student functions, never the checks, their expected values or the reference
    solutions. A worker would receive each of them anyway.

    SPAWN and KILL, one of each per student, are a few bytes with no decoding, and the
    loop between a fork and the next does as little as it can: every page of memory this
    process writes while a worker lives must be copied (the worker shares them all), and
    every page it writes at all faults once after each fork, which is why requests are a
    few bytes rather than JSON messages.
    """
    jail.become_subreaper()
    forget_inherited_package()  # whatever the shard had under that name is not a student's
    uninitialised_memory_filled()
    network_private = jail.private_network()
    pid_init = jail.private_process_namespace()  # before the filter, which refuses nothing it needs
    filtered = syscalls.deny_dangerous_calls()  # here, once: every worker inherits it with the fork
    scratch = jail.scratch_folder()
    children: dict[int, int | None] = {}
    uid, limits, contained = None, None, False  # until SETUP: no worker is forked before its uid and limits are known
    # the calls every student gets, decoded once here and inherited by each worker, each with
    # its arguments' fingerprint, which tells a worker whether the call changed them
    plan: list[tuple[dict, Any]] = []
    try:
        while True:
            try:
                data, fds, _, _ = socket.recv_fds(control, 256, 1)  # small: see _children
            except OSError:
                break
            op = data[:1]
            if op == SPAWN and fds and limits is None:
                os.close(fds[0])
                control.send(INT.pack(-1))
            elif op == SPAWN and fds:
                pid = fork_worker()
                if pid == 0:
                    control.close()
                    _run_worker(socket.socket(fileno=fds[0]), scratch, uid, limits, contained, plan, progress,
                                network_private, filtered, pid_init is not None)
                os.close(fds[0])
                children[pid] = uid
                control.send(INT.pack(pid))
            elif op == KILL:  # no reply: the shard does not wait for the reaping
                pid = INT.unpack_from(data, 1)[0]
                if pid in children:  # never a process that is not a worker of ours
                    _reap(pid, children.pop(pid), set(children), pid_init)
            elif op == SETUP and fds:
                with socket.socket(fileno=fds[0]) as stream:
                    request = json.loads(FrameReader(stream, chunk=1 << 16).read())
                uid = request["uid"] if os.geteuid() == 0 else None
                if not contained and os.geteuid() == 0:  # once: the fork server cannot leave the group
                    contained = jail.join_memory_group(request.get("memory_group"))
                limits = jail.Limits(**request["limits"])
                control.send(SETUP)
            elif op == PLAN and fds:
                with socket.socket(fileno=fds[0]) as stream:
                    reader = FrameReader(stream, chunk=1 << 16)
                    calls = [wire.decode(reader.read()) for _ in range(INT.unpack_from(data, 1)[0])]
                plan = [(call, _fingerprint_args(call)) for call in calls]
                warmup.exercise_worker(plan)
                control.send(PLAN)
            else:
                for fd in fds:
                    os.close(fd)
                if not data:
                    break
    finally:
        for pid, uid in list(children.items()):
            del children[pid]
            _reap(pid, uid, set(children), pid_init)


def _reap(pid: int, uid: int | None, workers: set[int], pid_init: int | None = None) -> None:
    for target in (-pid, pid):
        try:
            os.kill(target, signal.SIGKILL)
        except OSError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    _clean_up_strays(uid, workers, pid_init)


def _skip_init(module_cls: Any, *args: Any, **kwargs: Any) -> Any:
    """``torch.nn.utils.skip_init`` as workers have it: the same checks and the same result (a
    layer built on the meta device, then given memory without initialisation), but that
    memory is made by ``torch.zeros``. torch's own makes it with ``empty_like``, which
    imports sympy on first use (~500 modules the jail cannot import, or 35 MB more for every
    fork server had it loaded them); zeros also keep grades deterministic."""
    import torch

    if not (isinstance(module_cls, type) and issubclass(module_cls, torch.nn.Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    device = kwargs.pop("device", "cpu")
    kwargs["device"] = "meta"
    return module_cls(*args, **kwargs)._apply(lambda t: torch.zeros(t.shape, dtype=t.dtype, device=device))


def _light_skip_init() -> None:
    """Give the fork server (so every worker, never the trusted side) :func:`_skip_init`."""
    import torch.nn.utils
    import torch.nn.utils.init

    torch.nn.utils.skip_init = torch.nn.utils.init.skip_init = _skip_init


def start() -> tuple[int, socket.socket, Progress]:
    """Fork the fork server from the current process; return its pid, the control socket,
    and the page through which its workers say which planned call they are making."""
    preload()
    progress = Progress()  # before the fork: the fork server and its workers share it
    gc.freeze()  # workers inherit a heap the collector need not walk (and pages it need not copy)
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        jail.die_with_parent()
        jail.set_process_name("grader-forksrv")
        parent_end.close()
        os.closerange(3, child_end.fileno())
        os.closerange(child_end.fileno() + 1, 65536)
        collapse_into_huge_pages()  # here, so that the shard's later writes cannot split them
        _light_skip_init()
        try:
            serve(child_end, progress)
        finally:
            os._exit(0)
    child_end.close()
    return pid, parent_end, progress


def setup_message(uid: int | None, limits: jail.Limits, memory_group: str | None = None) -> bytes:
    return json.dumps({"uid": uid, "limits": asdict(limits), "memory_group": memory_group}).encode()

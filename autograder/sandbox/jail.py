"""Isolation applied in a freshly forked worker, before any student code runs.

As root: a new session, private mount/network/IPC/process namespaces (no network), a
size-limited tmpfs as the only visible file system (chroot), resource limits, an
unprivileged uid of its shard's own (claimed by the run: ``uids``), no-new-privileges,
and the system call filter the fork server installed (``syscalls``). Not root: the same
through a user namespace where the kernel allows one, with every capability dropped
and a process namespace of the worker's own in place of the uid; otherwise limits only.
Every step that succeeds is named in the result, so a run can report what held.
"""
from __future__ import annotations

import ctypes
import os
import resource
import signal
import tempfile
from dataclasses import dataclass

from autograder.sandbox import cgroups, syscalls

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
CLONE_NEWPID = 0x20000000
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_NO_NEW_PRIVS = 38
PR_SET_PDEATHSIG = 1
PR_SET_NAME = 15
PR_SET_CHILD_SUBREAPER = 36

_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker; defaults suit a course's small exercises."""

    timeout: float = 3.0  #: wall-clock seconds per call of a student function (enforced by the parent)
    #: address space of each process, including torch itself (~650 MB); and, as root, what
    #: the worker and every process it starts may write in all (a memory cgroup: ``cgroups``)
    memory_mb: int = 2048
    cpu_seconds: int = 60  #: CPU time for a worker's whole life
    file_mb: int = 16  #: largest file a worker may write
    scratch_mb: int = 32  #: size of the worker's private tmpfs
    processes: int = 8  #: processes per worker uid (enforced for an unprivileged uid)
    open_files: int = 64


class JailError(Exception):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        raise JailError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def die_with_parent() -> None:
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)


def become_subreaper() -> None:
    """Orphans among this process's descendants become its children (not init's)."""
    _libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def set_process_name(name: str) -> None:
    """The name ps, top and perf show (15 bytes at most)."""
    _libc.prctl(PR_SET_NAME, ctypes.c_char_p(name.encode()[:15]), 0, 0, 0)


def private_network() -> bool:
    """As root, move the calling process into a network namespace of its own (no network).

    The fork server does this once, so that its workers need not each create (and the
    kernel destroy) a namespace: about 1 ms a worker. Workers run one at a time and what
    a worker leaves running is killed before the next starts, so they share nothing live.
    """
    return os.geteuid() == 0 and _libc.unshare(CLONE_NEWNET) == 0


def private_process_namespace() -> int | None:
    """As root, give the workers this process forks from now on a process namespace of
    their own: unshare one and fork its first process (pid 1), which only reaps what is
    orphaned into it; returns that process's pid, or None (not root, or refused).

    The fork server does this once. Its workers then run, one at a time, in a namespace
    where the only other process is that first one (which no signal from inside can
    reach): ``kill(-1)`` from student code reaches only the student's own processes,
    whatever else runs as its uid on the machine. A process a worker leaves behind is
    orphaned into this namespace, to its first process; the fork server kills those
    (``forkserver._clean_up_strays``). One namespace, not one per worker: a fork per worker
    for its own first process cost about 4 ms of CPU a student.
    """
    if os.geteuid() != 0 or _libc.unshare(CLONE_NEWPID) != 0:
        return None
    pid = os.fork()
    if pid == 0:
        try:
            set_process_name("grader-pidns")
            _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # ends with the fork server, and the namespace with it
            os.closerange(0, 65536)
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
            while True:
                try:
                    while os.waitpid(-1, os.WNOHANG)[0] > 0:
                        pass
                except ChildProcessError:
                    pass
                signal.sigwait({signal.SIGCHLD})
        finally:
            os._exit(0)
    return pid


def join_memory_group(group: str | None) -> bool:
    """Move the calling fork server into the memory cgroup ``group`` (``cgroups``), so that
    every worker it forks is born there, with all the processes it starts (joining in each
    worker cost about 2 ms a student); True if it did. The fork server's own memory, already
    charged elsewhere, stays there; it makes itself the OOM killer's last choice (each
    worker makes itself its first, see :func:`enter`)."""
    if group is None or not cgroups.join(group):
        return False
    try:
        _write("/proc/self/oom_score_adj", "-1000")
    except OSError:
        pass
    return True


def scratch_folder() -> str:
    """Where a worker mounts its private tmpfs, in a mount namespace of its own: an existing
    folder (the temporary one), so that nothing is created that a killed run would leave
    behind, and the folder itself is neither changed nor hidden for anyone else."""
    return tempfile.gettempdir()


def enter(scratch: str, uid: int | None, limits: Limits, keep_fd: int, network_private: bool = False,
          filtered: bool = False, contained: bool = False, pid_private: bool = False) -> list[str]:
    """Jail the calling (freshly forked, single-threaded) process; return protections in force.

    ``scratch``: an existing folder, where the private tmpfs is mounted, in this
    process's own mount namespace: the folder itself is neither changed nor hidden for
    anyone else.

    ``network_private``: the process is already in a network namespace of its own (see
    :func:`private_network`), so none is created here. ``filtered``: it is already under
    the system call filter (``syscalls``, installed by the fork server). ``contained``: it
    was forked inside a memory cgroup (the fork server joined it: :func:`join_memory_group`),
    so that it and every process it starts share ``limits.memory_mb``; where there is
    none, it may start no process at all, and its memory is then its own alone, which
    ``RLIMIT_AS`` bounds. ``pid_private``: as root, it was forked into the fork server's
    process namespace (:func:`private_process_namespace`), where no process but its own
    can be named.

    Not root, the jail is a user namespace in which the process is root, with every
    capability: it then drops them all once it has made its chroot, or student code
    could simply chroot again and climb out to the real file system. And it runs as
    the same user as the fork server, the shards and everything else the
    instructor runs, so it moves into a process namespace of its own, where none of
    them can be named, let alone signalled.
    """
    protections: list[str] = []
    if contained:  # the fork server keeps itself out of the cgroup's OOM killer's reach; the worker goes first
        _write("/proc/self/oom_score_adj", "1000")
    os.setsid()
    protections.append("own session")
    devnull = os.open(os.devnull, os.O_RDWR)
    root = os.geteuid() == 0
    namespaced = False
    try:
        flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC
        if not root:
            real_uid, real_gid = os.getuid(), os.getgid()
            _check(_libc.unshare(flags | CLONE_NEWUSER | CLONE_NEWPID), "unshare")
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {real_uid} 1")
            _write("/proc/self/gid_map", f"0 {real_gid} 1")
            protections.append("user namespace")
        else:
            _check(_libc.unshare(flags & ~CLONE_NEWNET if network_private else flags), "unshare")
        protections.append("no network")
        _check(_libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate")
        owner = f",uid={uid},gid={uid}" if (root and uid is not None) else ""
        options = f"size={limits.scratch_mb}m,mode=0700{owner}".encode()
        _check(_libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", 0, options), "mount tmpfs")
        os.chroot(scratch)
        os.chdir("/")
        if not root:
            drop_capabilities()
            protections.append("no capabilities")
            become_process_namespace_init()
        if not root or pid_private:
            protections.append("own process namespace")
        protections.append(f"empty {limits.scratch_mb} MB file system (chroot)")
        namespaced = True
    except (JailError, OSError):
        pass
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    mb = 1024 * 1024
    for name, value in (
        ("RLIMIT_AS", limits.memory_mb * mb),
        ("RLIMIT_CPU", limits.cpu_seconds),
        ("RLIMIT_FSIZE", limits.file_mb * mb),
        ("RLIMIT_NOFILE", limits.open_files),
        ("RLIMIT_CORE", 0),
        ("RLIMIT_NPROC", limits.processes),
    ):
        resource.setrlimit(getattr(resource, name), (value, value))
    protections.append("resource limits")
    if root and uid is not None:
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        protections.append("unprivileged uid")
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # die with the fork server (cleared by setuid: set it after)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        protections.append("no new privileges")
    if filtered:
        protections.append("system call filter (seccomp)")
    os.closerange(3, keep_fd)
    os.closerange(keep_fd + 1, 65536)
    if contained:
        protections.append("memory cgroup (whole process tree)")
    elif syscalls.deny_new_processes():  # after the fork that made this process its namespace's first
        protections.append("no child processes")
    if not namespaced:
        protections.append("WARNING: no namespaces; student code can see the file system and network")
    return protections


def become_process_namespace_init() -> None:
    """Fork into the process namespace this process has unshared, and go on as the child,
    its first process (pid 1). This process keeps nothing open and only waits for that
    child, then ends. When the fork server kills it, the child dies with it, and with
    the child every process it started.

    The child leaves this process's session: ``kill(0, ...)`` from student code then
    reaches only the student's own processes. Killing its waiting parent instead would
    end the worker an instant later, after or before its answer: grades would vary."""
    _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # the waiting process ends with the fork server
    # glibc's fork, without Python's after-fork work (about 4 ms and 350 page faults in a
    # process this big): this process was freshly forked and started no thread, so no
    # lock can be held by a thread the child lacks (and /proc, where that could be
    # checked, is outside the chroot)
    pid = _libc.fork()
    if pid < 0:
        raise JailError(f"fork: {os.strerror(ctypes.get_errno())}")
    if pid == 0:
        _libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0)  # and the child with the waiting process
        os.setsid()
        return
    os.closerange(0, 65536)  # the worker's socket closes when the worker ends, not later
    try:
        os.waitpid(pid, 0)
    finally:
        os._exit(0)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


_CAP_VERSION_3 = 0x20080522
_CAP_LAST = 63  #: past the highest capability any kernel has yet (40): dropping one it lacks fails harmlessly
PR_CAPBSET_DROP = 24
PR_SET_SECUREBITS = 28
#: keep root from regaining capabilities through exec or a uid change, and lock that
_SECUREBITS = 0b1111 | (1 << 5) | (1 << 6) | (1 << 7)  # NOROOT, NO_SETUID_FIXUP, KEEP_CAPS, NO_CAP_AMBIENT_RAISE (+ locks)


def drop_capabilities() -> None:
    """Give up every capability, for good: the bounding set, the securebits that let root
    regain them, then the permitted, effective and inheritable sets."""
    for cap in range(_CAP_LAST + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)
    _check(_libc.prctl(PR_SET_SECUREBITS, _SECUREBITS, 0, 0, 0), "securebits")
    header, data = _CapHeader(_CAP_VERSION_3, 0), (ctypes.c_uint32 * 6)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


def probe() -> list[str]:
    """The protections a worker would get here, found by jailing a short-lived child."""
    import json
    import socket

    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        try:
            ours.close()
            theirs.sendall(json.dumps(enter(scratch_folder(), None, Limits(), theirs.fileno())).encode())
        finally:
            os._exit(0)
    theirs.close()
    with ours:
        data = ours.recv(65536)
    os.waitpid(pid, 0)
    return json.loads(data) if data else []


def unsandboxed(protections: list[str]) -> bool:
    return any(p.startswith("WARNING") for p in protections)

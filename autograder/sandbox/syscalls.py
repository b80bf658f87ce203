"""A seccomp filter for workers: system calls no exercise needs fail with EPERM.

The jail already takes away what these calls could reach (a worker is an
unprivileged uid, or holds no capability, in a chroot, with no network and no new
privileges). The filter narrows what is left of the kernel for student code to
attack: debugging other processes, loading BPF programs, io_uring, keyrings, mount
and namespace calls, kernel modules and clocks. It is a deny list, so that whatever
torch, numpy and Python do at run time keeps working; a denied call fails like a
call without permission, which code already handles, rather than ending the worker.

The fork server installs it once, and every worker inherits it with the fork:
installing it in each worker cost about 0.9 ms a student. So it leaves out the
three calls each worker's jail makes after the fork (``unshare``, ``mount``,
``chroot``); once jailed, a worker lacks the capabilities they need (see ``jail``).

Written as a classic BPF program installed with ``prctl``, so that it needs no
library. Only x86-64 is described here; elsewhere :func:`deny_dangerous_calls`
installs nothing and says so, and the run's summary does not list the filter.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_KILL_PROCESS = 0x80000000
_SECCOMP_RET_ERRNO = 0x00050000
_SECCOMP_RET_ALLOW = 0x7FFF0000
_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_SYSCALL_BIT = 0x40000000

# classic BPF opcodes (linux/filter.h)
_LD_W_ABS = 0x00 | 0x00 | 0x20
_JEQ_K = 0x05 | 0x10 | 0x00
_JGE_K = 0x05 | 0x30 | 0x00
_RET_K = 0x06 | 0x00

#: struct seccomp_data: the call's number, then the architecture it was made in
_NR_OFFSET, _ARCH_OFFSET = 0, 4

#: x86-64 numbers of the calls a worker is refused (not ``unshare``, ``mount``, ``chroot``: see above)
DENIED_X86_64 = {
    "ptrace": 101, "process_vm_readv": 310, "process_vm_writev": 311, "kcmp": 312, "pidfd_getfd": 438,
    "bpf": 321, "perf_event_open": 298, "userfaultfd": 323,
    "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
    "add_key": 248, "request_key": 249, "keyctl": 250,
    "umount2": 166, "pivot_root": 155, "setns": 308,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "mount_setattr": 442, "name_to_handle_at": 303, "open_by_handle_at": 304, "quotactl": 179,
    "init_module": 175, "finit_module": 313, "delete_module": 176, "kexec_load": 246, "kexec_file_load": 320,
    "reboot": 169, "swapon": 167, "swapoff": 168, "acct": 163, "syslog": 103, "vhangup": 153,
    "settimeofday": 164, "clock_settime": 227, "adjtimex": 159, "clock_adjtime": 305,
    "iopl": 172, "ioperm": 173, "modify_ldt": 154, "uselib": 134, "lookup_dcookie": 212, "fanotify_init": 300,
}


def _instruction(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def _same_architecture(arch: int) -> list[bytes]:
    """A filter's start: a call from another architecture ends the process; then the
    call's number is loaded for what follows."""
    return [
        _instruction(_LD_W_ABS, 0, 0, _ARCH_OFFSET),
        _instruction(_JEQ_K, 1, 0, arch),
        _instruction(_RET_K, 0, 0, _SECCOMP_RET_KILL_PROCESS),
        _instruction(_LD_W_ABS, 0, 0, _NR_OFFSET),
    ]


def program(denied: dict[str, int] = DENIED_X86_64, arch: int = _AUDIT_ARCH_X86_64) -> bytes:
    """The filter: calls from another architecture (a 32-bit ``int 0x80``) end the
    process; x32 calls and the ``denied`` ones fail with EPERM; the rest go through."""
    refuse = _SECCOMP_RET_ERRNO | errno.EPERM
    code = _same_architecture(arch) + [
        _instruction(_JGE_K, 0, 1, _X32_SYSCALL_BIT),
        _instruction(_RET_K, 0, 0, refuse),
    ]
    for number in sorted(set(denied.values())):
        code += [_instruction(_JEQ_K, 0, 1, number), _instruction(_RET_K, 0, 0, refuse)]
    code.append(_instruction(_RET_K, 0, 0, _SECCOMP_RET_ALLOW))
    return b"".join(code)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def deny_dangerous_calls() -> bool:
    """Install the filter in the calling process and everything it forks from now on;
    True if it holds. Sets no-new-privileges first (which the filter needs without
    CAP_SYS_ADMIN): the caller must never need to gain privileges by running a program.
    Cannot be undone.
    """
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    return _install(program())


_JSET_K = 0x05 | 0x40 | 0x00
_ARG0_OFFSET = 16  #: struct seccomp_data: the low 32 bits of the first argument (little-endian)
_CLONE_THREAD = 0x00010000
#: x86-64 numbers of the calls that start a process
_CLONE, _FORK, _VFORK, _CLONE3 = 56, 57, 58, 435


def no_new_processes_program(arch: int = _AUDIT_ARCH_X86_64) -> bytes:
    """A second filter: ``fork``, ``vfork`` and ``clone`` without ``CLONE_THREAD`` fail with
    EPERM; ``clone3`` fails with ENOSYS (its flags are in memory, out of a filter's reach), so
    that glibc falls back to ``clone`` for a thread, which goes through."""
    refuse = _SECCOMP_RET_ERRNO | errno.EPERM
    code = _same_architecture(arch) + [
        _instruction(_JEQ_K, 0, 1, _CLONE3),
        _instruction(_RET_K, 0, 0, _SECCOMP_RET_ERRNO | errno.ENOSYS),
        _instruction(_JEQ_K, 4, 0, _FORK),  # to "refuse"
        _instruction(_JEQ_K, 3, 0, _VFORK),  # to "refuse"
        _instruction(_JEQ_K, 0, 3, _CLONE),  # not clone: to "allow"
        _instruction(_LD_W_ABS, 0, 0, _ARG0_OFFSET),
        _instruction(_JSET_K, 1, 0, _CLONE_THREAD),  # a thread: to "allow"
        _instruction(_RET_K, 0, 0, refuse),  # refuse
        _instruction(_RET_K, 0, 0, _SECCOMP_RET_ALLOW),  # allow
    ]
    return b"".join(code)


def _install(code: bytes) -> bool:
    buffer = ctypes.create_string_buffer(code, len(code))
    fprog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0:
        return False
    return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0


def deny_new_processes() -> bool:
    """Keep the calling process from starting processes (threads still start), for good;
    True if it holds. A worker whose tree no memory cgroup bounds (see ``cgroups``) gets it
    once jailed, so that its memory is one process's, which ``RLIMIT_AS`` bounds."""
    if platform.machine() not in ("x86_64", "AMD64"):
        return False
    return _install(no_new_processes_program())

"""Worker uids, claimed by each run so that no two live runs on one host share one.

As root, each grading shard runs its workers as an unprivileged uid of its own. A uid
is what the kernel uses to decide who may signal whom (``kill(-1)`` from student code
reaches every process of its uid) and what ``RLIMIT_NPROC`` counts, and a shard kills
every process of its uid as it starts (leftovers of an interrupted run). So two runs
at once (two TAs at a deadline) must never use the same uid.

The uids are 61000 to 61183: 184 of them, below the range systemd gives its dynamic
users (61184 and up). A run takes one per shard (``--jobs``), so any number of
concurrent runs is supported as long as their ``--jobs`` add up to at most 184 (23
runs of 8 shards). A uid is claimed with an exclusive, non-blocking ``flock`` on its
own lock file in a folder only root may write to (:data:`LOCK_DIR`). The grading
command holds the locks for the whole run and hands them to its shards (a lock lives
as long as any process holds its file open), so a run that is killed frees its uids
once its shards are gone, and only a holder of a uid's lock may kill that uid's
processes.
"""
from __future__ import annotations

import fcntl
import os
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from autograder.errors import UsageError

FIRST_UID = 61000
LAST_UID = 61183  #: systemd's dynamic users start at 61184
LOCK_DIR = Path("/run/autograder")


class UidClaim:
    """The uids a run holds, and the open lock files that hold them."""

    def __init__(self, uids: list[int], fds: list[int]) -> None:
        self.uids, self.fds = uids, fds

    def release(self) -> None:
        for fd in self.fds:
            os.close(fd)
        self.fds = []


def _lock_dir() -> Path:
    """The folder of lock files, created root-only; refused if anyone else could write to it
    (they could then hold a lock forever, or swap a lock file under a run)."""
    try:
        os.mkdir(LOCK_DIR, 0o700)
    except FileExistsError:
        pass
    except OSError as err:
        raise UsageError(f"Cannot create {LOCK_DIR}, where grading runs claim their worker uids: "
                         f"{err.strerror}.") from None
    info = os.lstat(LOCK_DIR)
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise UsageError(f"{LOCK_DIR} must be a folder that only root can write to: it holds the locks that keep "
                         "the worker uids of concurrent grading runs apart.",
                         hint=f"remove {LOCK_DIR} and run the grader again")
    return LOCK_DIR


def _try_lock(folder: Path, uid: int) -> int | None:
    """An open descriptor holding uid's lock, or None if another live run holds it."""
    fd = os.open(folder / f"uid-{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    return fd


def claim(count: int) -> UidClaim:
    """Claim up to ``count`` worker uids (the lowest free ones), at least one."""
    folder = _lock_dir()
    uids, fds = [], []
    for uid in range(FIRST_UID, LAST_UID + 1):
        if len(uids) == count:
            break
        try:
            fd = _try_lock(folder, uid)
        except OSError as err:
            for held in fds:
                os.close(held)
            raise UsageError(f"Cannot open the lock file of worker uid {uid} in {folder}: {err.strerror}.") from None
        if fd is not None:
            uids.append(uid)
            fds.append(fd)
    if not uids:
        raise UsageError(f"Every worker uid ({FIRST_UID} to {LAST_UID}) is held by another grading run on this "
                         "machine.", hint="wait for one of them to finish, or run them with fewer --jobs")
    return UidClaim(uids, fds)


@contextmanager
def held_if_free(uid: int) -> Iterator[bool]:
    """Hold ``uid``'s lock for the ``with`` block if no live run holds it (yields whether it did):
    what that uid left behind is then a dead run's, safe to remove."""
    try:
        fd = _try_lock(_lock_dir(), uid)
    except (OSError, UsageError):
        fd = None
    try:
        yield fd is not None
    finally:
        if fd is not None:
            os.close(fd)

"""Memory cgroups: ``--memory-mb`` bounds a worker's whole process tree, not each process.

``RLIMIT_AS`` caps one process's address space, and a worker may start processes (up to
``RLIMIT_NPROC``), each with a cap of its own: a student whose processes each filled
their cap took several times ``--memory-mb``. As root, each shard gets a memory cgroup
limited to ``--memory-mb``; its workers (one at a time) move themselves into it before
any student code runs (``jail.enter``), so the worker and every process it starts
share the one limit. Beyond it, the kernel's OOM killer ends the largest of them; a
worker that dies so is reported like any other ("more than the N MB memory limit").
Only pages the tree itself writes count (the torch the fork server imported, which the
worker merely reads, stays charged to the fork server); ``RLIMIT_AS`` still holds each
process to ``--memory-mb`` of address space, torch included.

The groups live under the grading command's own memory cgroup (so a grader confined by
its host stays inside), in a folder ``autograder``, one a worker uid: ``uid-61000``. A
uid belongs to one live run at a time (``uids``), so the group of a claimed uid is the
run's own; the run removes its groups at its end, and a group left by a run that was
killed is removed by the next run that finds its uid unclaimed.

cgroup2 is preferred where its memory controller can be given to the groups
(``memory.max``, no swap, and ``memory.oom.group``, so that an OOM kill ends the whole
tree); else cgroup v1's memory controller (``memory.limit_in_bytes``, and
``memory.memsw.limit_in_bytes`` where swap is accounted). Where neither can be used (not
root, or no controller), workers may not start processes at all
(``syscalls.deny_new_processes``): the tree is then one process, bounded by ``RLIMIT_AS``.
"""
from __future__ import annotations

import os
import re
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import uids

FOLDER = "autograder"
_GROUP = re.compile(r"uid-(\d+)")


@dataclass(frozen=True)
class _Hierarchy:
    version: int  #: 2 (unified) or 1 (the v1 memory controller)
    own: Path  #: the grading command's own cgroup in it


def _own_paths() -> dict[str, str]:
    """This process's cgroup per hierarchy: ``""`` for cgroup2, each v1 controller by name."""
    paths = {}
    try:
        with open("/proc/self/cgroup") as f:
            for line in f:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for name in controllers.split(",") if controllers else [""]:
                    paths[name] = path
    except (OSError, ValueError):
        pass
    return paths


def _hierarchies() -> list[_Hierarchy]:
    """Where a memory cgroup could be made, best first: cgroup2 with its memory controller, then v1."""
    try:
        with open("/proc/self/mounts") as f:
            mounts = [line.split()[1:4] for line in f]
    except OSError:
        return []
    own = _own_paths()
    found = []
    for point, kind, options in mounts:
        if kind == "cgroup2" and "" in own:
            folder = Path(point) / own[""].lstrip("/")
            try:
                if "memory" in (folder / "cgroup.controllers").read_text().split():
                    found.append(_Hierarchy(2, folder))
            except OSError:
                pass
    for point, kind, options in mounts:
        if kind == "cgroup" and "memory" in options.split(",") and "memory" in own:
            folder = Path(point) / own["memory"].lstrip("/")
            if folder.is_dir():
                found.append(_Hierarchy(1, folder))
    return found


def _write(path: Path, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


def _limit(group: Path, version: int, memory_mb: int) -> None:
    limit = str(memory_mb << 20)
    if version == 2:
        _write(group / "memory.max", limit)
        if (group / "memory.swap.max").exists():
            _write(group / "memory.swap.max", "0")
        _write(group / "memory.oom.group", "1")
    else:
        _write(group / "memory.limit_in_bytes", limit)  # first: memsw may never be below it
        if (group / "memory.memsw.limit_in_bytes").exists():
            _write(group / "memory.memsw.limit_in_bytes", limit)


def remove(group: Path, seconds: float = 5.0) -> bool:
    """Remove ``group``, killing what is still in it (the caller must own it); True once gone."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            group.rmdir()
            return True
        except FileNotFoundError:
            return True
        except OSError:
            if time.monotonic() > deadline:
                return False
        try:
            for pid in (group / "cgroup.procs").read_text().split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
        except OSError:
            pass
        time.sleep(0.01)


class MemoryGroups:
    """One memory cgroup per worker uid of a run (none where they cannot be made)."""

    def __init__(self, groups: dict[int, Path]) -> None:
        self.groups = groups

    def path(self, uid: int | None) -> str | None:
        group = self.groups.get(uid)
        return str(group) if group else None

    @classmethod
    def create(cls, worker_uids: list[int], memory_mb: int) -> "MemoryGroups":
        """Groups limited to ``memory_mb`` for ``worker_uids`` (which this run holds)."""
        if os.geteuid() != 0:
            return cls({})
        for hierarchy in _hierarchies():
            made: dict[int, Path] = {}
            try:
                parent = hierarchy.own / FOLDER
                parent.mkdir(exist_ok=True)
                if hierarchy.version == 2:  # fails where our own group holds processes: then v1
                    _write(hierarchy.own / "cgroup.subtree_control", "+memory")
                    _write(parent / "cgroup.subtree_control", "+memory")
                _remove_dead_runs_groups(parent, set(worker_uids))
                for uid in worker_uids:
                    group = parent / f"uid-{uid}"
                    if not remove(group):  # a killed run's, whose uid is ours now
                        raise OSError(f"cannot remove {group}")
                    group.mkdir()
                    made[uid] = group
                    _limit(group, hierarchy.version, memory_mb)
                return cls(made)
            except OSError:
                for group in made.values():
                    remove(group)
        return cls({})

    def remove(self) -> None:
        """Remove the groups (at the end of the run: what is left in them is this run's)."""
        for group in self.groups.values():
            remove(group)
        self.groups = {}


def _remove_dead_runs_groups(parent: Path, ours: set[int]) -> None:
    for entry in parent.iterdir():
        match = _GROUP.fullmatch(entry.name)
        if match and int(match.group(1)) not in ours and entry.is_dir():
            with uids.held_if_free(int(match.group(1))) as free:
                if free:  # no live run holds that uid: a killed run left it
                    remove(entry, seconds=1.0)


def join(group: str) -> bool:
    """Move the calling process into ``group`` (its children follow it); True if it did."""
    try:
        _write(Path(group) / "cgroup.procs", "0")
        return True
    except OSError:
        return False

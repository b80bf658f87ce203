"""Test-only: switch one protection of the sandbox off, to prove a test needs it.

Nothing in the ``autograder`` package can turn a protection off. This module lives
in ``tests/`` and acts only when a test puts a ``sitecustomize.py`` that calls
:func:`apply` on the grading command's ``PYTHONPATH`` (see :func:`hook_folder`): the
shards then start with that protection replaced by a no-op, before any
worker is forked. An instructor's install has neither.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _no_chroot() -> None:
    os.chroot = lambda path: None  # the worker then sees the real file system


def _no_uid() -> None:
    from autograder.sandbox import jail

    enter = jail.enter
    jail.enter = lambda scratch, uid, *args, **kwargs: enter(scratch, None, *args, **kwargs)


def _no_network_namespace() -> None:
    from autograder.sandbox import jail

    jail.CLONE_NEWNET = 0
    jail.private_network = lambda: False


def _no_resource_limits() -> None:
    import resource

    resource.setrlimit = lambda *args: None


def _no_seccomp() -> None:
    from autograder.sandbox import syscalls

    syscalls.deny_dangerous_calls = lambda: False


def _no_memory_bound() -> None:
    from autograder.sandbox import jail, syscalls

    jail.join_memory_group = lambda group: False
    syscalls.deny_new_processes = lambda: False


def _no_budget() -> None:
    from autograder.sandbox import protocol

    protocol.BUDGET_TIMEOUTS_PER_PART = 10**6


#: protection -> how to switch it off
ABLATIONS = {
    "chroot": _no_chroot,
    "unprivileged uid": _no_uid,
    "no network": _no_network_namespace,
    "resource limits": _no_resource_limits,
    "seccomp": _no_seccomp,
    "memory cgroup and its fallback": _no_memory_bound,
    "time budget": _no_budget,
}


def apply(name: str) -> None:
    ABLATIONS[name]()


def hook_folder(folder: Path, name: str) -> Path:
    """A folder whose ``sitecustomize.py`` switches ``name`` off in every Python started
    with it on ``PYTHONPATH``; returns it."""
    if name not in ABLATIONS:
        raise KeyError(name)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\nfrom tests.ablation import apply\napply({name!r})\n")
    return folder

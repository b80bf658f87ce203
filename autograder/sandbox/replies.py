"""A call and its reply: how the trusted side asks, how a worker answers, and how the
answer is turned back into a value; and the readers of what a worker says as it starts
(its protections) and loads the files (their import errors).

Both halves live here so that the grader's rehearsal (``sandbox.plan``) can make the
reply a right answer would get, byte for byte, and read it back with the very code
that reads a student's.
"""
from __future__ import annotations

import random
import sys
from typing import Any

import torch

from autograder.outcomes import Outcome, StudentCodeProblem, not_done
from autograder.untrusted import MAX_TRACEBACK_CHARS, safe_name, safe_text
from autograder.sandbox import wire

#: every check, every student file's import and every call of a student function starts
#: from this random state, so that a layer a student creates has the same weights as the
#: reference's, and grades do not vary from run to run
SEED = 0


def call_request(module: str, name: str, args: tuple | list, kwargs: dict) -> bytes:
    """The encoded request to call ``exercises.<module>.<name>(*args, **kwargs)`` in a worker."""
    return wire.encode({"op": "call", "module": module, "name": name, "args": list(args), "kwargs": dict(kwargs)})


def seed_generators(python_random: bool = True) -> None:
    """The one seeding rule: seed every generator code can draw from without a seed of
    its own: torch's, numpy's global one once ``numpy.random`` is loaded (code can reach it
    only then: a worker cannot import it), and Python's ``random`` unless ``python_random``
    is false. A worker passes false when no file of its student names ``random``, which its
    code then cannot reach (seeding it costs four times torch's, 7 us, at every call)."""
    if python_random:
        random.seed(SEED)
    torch.default_generator.manual_seed(SEED)
    numpy_random = sys.modules.get("numpy.random")
    if numpy_random is not None:
        numpy_random.seed(SEED)


def ok_reply(value: Any, args: list, before: Any) -> dict:
    """The reply to a call that returned ``value``; ``before`` is ``wire.fingerprint(args)`` taken before it."""
    reply = {"status": RETURNED, "value": value}
    if wire.fingerprint(args) != before:  # the arguments go back only when the function changed them
        reply["args"] = args
    return reply


def changed_arguments(reply: dict, args: tuple) -> list[int]:
    """The positions of the arguments that a call answered by ``reply`` (checked by
    :func:`read_reply`) changed in place: the worker sends its arguments back only then.
    The caller's own objects are never touched (see ``autograder.checking.runner.StudentCalls``)."""
    after = reply.get("args")
    if after is None:
        return []
    changed = [i for i, (a, b) in enumerate(zip(args, after)) if wire.fingerprint(a) != wire.fingerprint(b)]
    return changed or list(range(len(args)))  # told of a change it cannot place: every argument


#: a call's status, as a worker says it: it returned, or the outcome it came to instead
RETURNED = "ok"
CALL_STATUSES = frozenset({RETURNED, Outcome.NOT_ATTEMPTED.value, Outcome.CRASHED.value})
#: why a call crashed: its function raised; its file defines no such function; its file
#: was not loaded; the worker's own side failed (not the student's code); the value it
#: returned was too large to send
CRASH_CAUSES = frozenset({"raised", "missing", "not loaded", "grader fault", "too large"})


def read_reply(data: bytes) -> dict:
    """A worker's reply to a call, decoded and checked field by field: ``status``; for a
    call that returned, the ``value`` and, if the function changed them, the ``args`` (a
    list); otherwise ``type``, ``message`` and ``traceback`` as safe text, and for a crash
    its ``cause``. Raises ``wire.WireError`` (a
    :class:`~autograder.untrusted.StudentInputError`) on anything else."""
    reply = wire.decode(data)
    if not isinstance(reply, dict) or not isinstance(reply.get("status"), str) or reply["status"] not in CALL_STATUSES:
        raise wire.WireError("a reply without a known status")
    status = reply["status"]
    if status == RETURNED:
        checked = {"status": status, "value": reply.get("value")}
        if "args" in reply:
            if not isinstance(reply["args"], list):
                raise wire.WireError("a reply whose arguments are not a list")
            checked["args"] = reply["args"]
        return checked
    fields = {key: reply.get(key, "") for key in ("type", "message", "traceback")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise wire.WireError("a reply whose error fields are not text")
    checked = {"status": status, "type": safe_name(fields["type"] or "Error"), "message": safe_text(fields["message"]),
               "traceback": safe_text(fields["traceback"], MAX_TRACEBACK_CHARS)}
    if status == Outcome.CRASHED.value:
        if reply.get("cause") not in CRASH_CAUSES:
            raise wire.WireError("a crash without a known cause")
        checked["cause"] = reply["cause"]
    return checked


def interpret(reply: dict, name: str, args: tuple) -> Any:
    """The value a reply (checked by :func:`read_reply`) carries, or raise what went wrong."""
    status = reply.get("status")
    if status == RETURNED:
        return reply.get("value")
    if status == Outcome.NOT_ATTEMPTED.value:
        raise StudentCodeProblem(Outcome.NOT_ATTEMPTED, not_done(name))
    cause = reply.get("cause")
    if cause == "missing":  # for a notebook, the traceback is the line of the cell that stopped before the def
        raise StudentCodeProblem(Outcome.CRASHED, reply["message"], reply["traceback"])
    if cause == "grader fault":
        raise StudentCodeProblem(Outcome.CRASHED, f"The grader could not run {name} ({reply['message']}); this is "
                                                  "a fault of the grader, not of your code: tell your instructor.")
    if cause == "too large":
        raise StudentCodeProblem(Outcome.CRASHED, f"{name} returned a value too large to grade ({reply['message']}).")
    raise StudentCodeProblem(Outcome.CRASHED, f"{name} raised {reply['type']}: {reply['message']}", reply["traceback"],
                             error=(name, reply["type"], reply["message"]))


# -- what a worker says as it starts and loads, and how its planned answers are tagged --------------

#: the most a worker may list of its protections, each a short name
MAX_PROTECTIONS = 32


def tagged(frame: bytes, index: int) -> bool:
    """Whether ``frame`` is a reply tagged with planned call ``index`` (a dict of plain fields)."""
    try:
        fields = wire.peek(frame)
    except wire.WireError:
        return False
    return isinstance(fields, dict) and isinstance(fields.get("$dict"), dict) and fields["$dict"].get("i") == index


def read_ready(data: bytes) -> list[str]:
    """The protections a fresh worker reports (it sends them before any student code runs)."""
    ready = wire.decode(data)
    protections = ready.get("protections") if isinstance(ready, dict) else None
    if not isinstance(protections, list) or len(protections) > MAX_PROTECTIONS \
            or not all(isinstance(p, str) for p in protections):
        raise wire.WireError("a worker that did not say it was ready")
    return [safe_name(p) for p in protections]


def read_import_errors(reply: Any, files: dict[str, str]) -> dict[str, dict]:
    """What a load's result says of each file that failed to import: type, message and
    traceback as safe text, for files that were sent only."""
    errors = reply.get("errors") if isinstance(reply, dict) and reply.get("status") == "ok" else None
    if not isinstance(errors, dict):
        raise wire.WireError("a load without a result")
    checked = {}
    for relpath, error in errors.items():
        if relpath not in files or not isinstance(error, dict):
            raise wire.WireError("a load result about a file that was not sent")
        fields = {key: error.get(key, "") for key in ("type", "message", "traceback")}
        if not all(isinstance(value, str) for value in fields.values()):
            raise wire.WireError("a load result whose fields are not text")
        checked[relpath] = {"type": safe_name(fields["type"]), "message": safe_text(fields["message"]),
                            "traceback": safe_text(fields["traceback"], MAX_TRACEBACK_CHARS)}
    return checked

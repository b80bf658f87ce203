"""A call and its reply: how the trusted side asks, how a worker answers, and how the
answer is turned back into a value.

Both halves live here so that the grader's rehearsal (``sandbox.plan``) can make the
reply a right answer would get, byte for byte, and read it back with the very code
that reads a student's.
"""
from __future__ import annotations

import random
from typing import Any

import torch

from autograder.checking.hints import crashed
from autograder.checking.outcomes import NotAttempted, StudentCrashed
from autograder.untrusted import MAX_TRACEBACK_CHARS, safe_name, safe_text
from autograder.sandbox import wire

#: every call to a student function starts from this random state, so that a layer a
#: student creates has the same weights as the reference's, and grades do not vary
CALL_SEED = 0


def call_request(module: str, name: str, args: tuple | list, kwargs: dict) -> bytes:
    """The encoded request to call ``exercises.<module>.<name>(*args, **kwargs)`` in a worker."""
    return wire.encode({"op": "call", "module": module, "name": name, "args": list(args), "kwargs": dict(kwargs)})


def seed_call(python_random: bool = True) -> None:
    """Seed torch's generator, and Python's unless ``python_random`` is false: a worker passes
    false when no file of its student's names ``random``, which then cannot be drawn from
    (seeding it costs more than torch's)."""
    if python_random:
        random.seed(CALL_SEED)
    torch.default_generator.manual_seed(CALL_SEED)


def ok_reply(value: Any, args: list, before: Any) -> dict:
    """The reply to a call that returned ``value``; ``before`` is ``wire.fingerprint(args)`` taken before it."""
    reply = {"status": "ok", "value": value}
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


#: what a worker may say of a call: "grader_fault" when its own side failed (not the
#: student's code), "too_large" when the returned value could not be sent within bounds
CALL_STATUSES = frozenset({"ok", "not_attempted", "missing", "error", "import_error", "grader_fault", "too_large"})


def read_reply(data: bytes) -> dict:
    """A worker's reply to a call, decoded and checked field by field: ``status``; for "ok"
    the ``value`` and, if the function changed them, the ``args`` (a list); otherwise
    ``type``, ``message`` and ``traceback`` as safe text. Raises ``wire.WireError`` (a
    :class:`~autograder.untrusted.StudentInputError`) on anything else."""
    reply = wire.decode(data)
    if not isinstance(reply, dict) or not isinstance(reply.get("status"), str) or reply["status"] not in CALL_STATUSES:
        raise wire.WireError("a reply without a known status")
    status = reply["status"]
    if status == "ok":
        checked = {"status": status, "value": reply.get("value")}
        if "args" in reply:
            if not isinstance(reply["args"], list):
                raise wire.WireError("a reply whose arguments are not a list")
            checked["args"] = reply["args"]
        return checked
    fields = {key: reply.get(key, "") for key in ("type", "message", "traceback")}
    if not all(isinstance(value, str) for value in fields.values()):
        raise wire.WireError("a reply whose error fields are not text")
    return {"status": status, "type": safe_name(fields["type"] or "Error"), "message": safe_text(fields["message"]),
            "traceback": safe_text(fields["traceback"], MAX_TRACEBACK_CHARS)}


def interpret(reply: dict, name: str, args: tuple) -> Any:
    """The value a reply (checked by :func:`read_reply`) carries, or raise what went wrong."""
    status = reply.get("status")
    if status == "ok":
        return reply.get("value")
    if status == "not_attempted":
        raise NotAttempted(f"{name} is not done yet: it still raises NotImplementedError")
    if status == "missing":
        raise StudentCrashed(reply["message"])
    if status == "grader_fault":
        raise StudentCrashed(f"The grader could not run {name} ({reply['message']}); this is a fault of the "
                             "grader, not of your code: tell your instructor.")
    if status == "too_large":
        raise StudentCrashed(f"{name} returned a value too large to grade ({reply['message']}).")
    raise StudentCrashed(crashed(name, reply["type"], reply["message"]), reply["traceback"])

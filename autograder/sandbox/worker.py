"""The loop a jailed worker runs: load one student's files, then answer calls.

Everything here runs in the untrusted process. It is written to be correct for
honest students; a hostile one can change any of it, which only changes what its
own answers say, and answers are decoded safely and judged by the trusted side.
"""
from __future__ import annotations

import importlib.abc
import importlib.util
import linecache
import os
import socket
import sys
import time
import types
from typing import Any, Callable

from autograder.sandbox import wire
from autograder.checking.outcomes import student_traceback
from autograder.sandbox.replies import ok_reply, seed_call
from autograder.sandbox.framing import FrameClosed, frame, recv_frame

PACKAGE = "exercises"

#: whether the student's files name Python's ``random`` (set by :func:`load`); if not,
#: calls need not reseed it
_names_random = True


class _SourceFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``exercises.<name>`` from source held in memory."""

    def __init__(self, files: dict[str, str]):
        self.files = files

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001
        if fullname == PACKAGE:
            return importlib.util.spec_from_loader(fullname, self, is_package=True)
        prefix, _, stem = fullname.partition(".")
        if prefix == PACKAGE and f"{stem}.py" in self.files:
            return importlib.util.spec_from_loader(fullname, self, origin=f"{PACKAGE}/{stem}.py")
        return None

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        if module.__name__ == PACKAGE:
            module.__path__ = []
            return
        relpath = f"{module.__name__.partition('.')[2]}.py"
        filename = f"{PACKAGE}/{relpath}"
        source = self.files[relpath]
        module.__file__ = filename
        code = compile(source, filename, "exec", dont_inherit=True)
        exec(code, module.__dict__)


def _traceback(exc: BaseException) -> str:
    """The traceback cut to the student's own files (as this worker names them), then the exception line."""
    return student_traceback(exc, lambda filename: filename.startswith(PACKAGE + "/"))[-4000:]


#: why an import fails here when it works on the student's machine
IMPORT_HINT = (" (graded code cannot load modules: it has those the grader loaded in advance, torch, numpy without"
               " numpy.random (use torch.rand or torch.randn), math, random and the common standard ones)")


def _error(status: str, exc: BaseException) -> dict:
    message = str(exc)[:1000] + (IMPORT_HINT if isinstance(exc, ImportError) else "")
    return {"status": status, "type": type(exc).__name__, "message": message, "traceback": _traceback(exc)}


def forget_inherited_package() -> None:
    """Drop any ``exercises`` modules this process has, so a later ``load`` imports the student's.

    The fork server calls it once, before forking any worker: walking ``sys.modules``
    (over a thousand entries once torch is imported) in each worker touched about 900
    pages that the worker then had to copy, about 5 ms a student.
    """
    for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
        del sys.modules[name]


def load(files: dict[str, str], starting: Callable[[str], None] = lambda relpath: None) -> dict:
    """Import every file; ``starting(relpath)`` is called before each (so a hang can be placed).

    Expects no ``exercises`` modules yet (see :func:`forget_inherited_package`).
    """
    global _names_random
    _names_random = any("random" in source for source in files.values())
    for relpath, source in files.items():
        linecache.cache[f"{PACKAGE}/{relpath}"] = (len(source), None, source.splitlines(True), f"{PACKAGE}/{relpath}")
    sys.meta_path.insert(0, _SourceFinder(files))
    errors = {}
    for relpath in sorted(files):
        name = f"{PACKAGE}.{relpath[:-3]}"
        starting(relpath)
        try:
            importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - anything the student's import does
            sys.modules.pop(name, None)
            errors[relpath] = _error("import_error", exc)
    return {"status": "ok", "errors": errors}


def call(request: dict, before: Any = None) -> dict:
    """Make the call ``request`` asks for; ``before`` is ``wire.fingerprint`` of its arguments, if known."""
    module = sys.modules.get(f"{PACKAGE}.{request['module']}")
    if module is None:
        return {"status": "import_error", "type": "ImportError", "message": "file not loaded", "traceback": ""}
    function = getattr(module, request["name"], None)
    if not callable(function):
        return {"status": "missing", "type": "AttributeError",
                "message": f"{request['module']}.py defines no function {request['name']}", "traceback": ""}
    args, kwargs = request["args"], request["kwargs"]
    if before is None:
        before = wire.fingerprint(args)
    seed_call(_names_random)
    try:
        value = function(*args, **kwargs)
    except NotImplementedError as exc:
        return _error("not_attempted", exc)
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all the student's
        return _error("error", exc)
    return ok_reply(value, args, before)


def _grader_error(exc: Exception) -> dict:
    """The reply when the grader's side of a call fails (e.g. arguments that cannot be rebuilt)."""
    return {"status": "grader_fault", "type": type(exc).__name__, "traceback": "",
            "message": f"{type(exc).__name__}: {str(exc)[:500]}"}


def _payload(reply: dict) -> bytes:
    try:
        payload = wire.encode(reply)
    except BaseException as exc:  # noqa: BLE001
        payload = wire.encode({**({"i": reply["i"]} if "i" in reply else {}), **_error("error", exc)})
    if len(payload) > wire.MAX_MESSAGE_BYTES:
        # keeps the planned call's tag "i": without it the grader could not place the answer
        payload = wire.encode({**({"i": reply["i"]} if "i" in reply else {}), "status": "too_large", "type": "",
                               "traceback": "", "message": f"more than {wire.MAX_MESSAGE_BYTES // 2**20} MB"})
    return payload


def _send(sock: socket.socket, data: bytes, me: int) -> bool:
    if os.getpid() != me:  # a process the student forked returned here: it must not answer
        os._exit(0)
    try:
        sock.sendall(data)
    except OSError:
        return False
    return True


def _answer(sock: socket.socket, reply: dict, me: int) -> bool:
    return _send(sock, frame(_payload(reply)), me)


def _run_plan(sock: socket.socket, plan: list[tuple[dict, Any]], start: int, skip: set, me: int,
              batch: float) -> bool:
    """Make the planned calls from ``start`` on, answering each (tagged ``i``).

    Answers go out together, at most ``batch`` seconds after the first of them was ready
    (0: each at once), which saves system calls and wake-ups on both sides. If a call
    hangs, answers held back are lost; the grader then asks again with ``batch`` 0.
    """
    held: list[bytes] = []
    since = 0.0
    for index in range(start, len(plan)):
        request, before = plan[index]
        if request["name"] in skip:
            continue
        try:
            reply = call(request, before)
        except Exception as exc:  # noqa: BLE001
            reply = _grader_error(exc)
        reply["i"] = index
        if not held:
            since = time.monotonic()
        held.append(frame(_payload(reply)))
        if batch <= 0 or time.monotonic() - since >= batch:
            if not _send(sock, b"".join(held), me):
                return False
            held = []
    return not held or _send(sock, b"".join(held), me)


def serve(sock: socket.socket, plan: list[tuple[dict, Any]]) -> None:
    """Answer ``load`` and ``call`` requests; after a ``load`` with ``run_from``, make the
    planned calls from ``run_from`` on (except those named in ``skip``). Each planned call
    comes with ``wire.fingerprint`` of its arguments, taken once by the fork server."""
    me = os.getpid()
    while True:
        try:
            data = recv_frame(sock)
        except (FrameClosed, OSError):
            return
        run_from, request = None, {}
        try:
            request = wire.decode(data)
            if request["op"] == "load":
                reply = load(request["files"], lambda relpath: _answer(sock, {"status": "loading", "file": relpath}, me))
                run_from = request.get("run_from")
            else:
                reply = call(request)
        except Exception as exc:  # noqa: BLE001 - e.g. arguments that cannot be rebuilt in the jail
            reply = _grader_error(exc)
        if not _answer(sock, reply, me):
            return
        if type(run_from) is int:
            batch = request.get("batch", 0)
            batch = batch if type(batch) in (int, float) else 0
            if not _run_plan(sock, plan, run_from, set(request.get("skip") or ()), me, batch):
                return

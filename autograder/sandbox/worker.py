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

from autograder.sandbox.notebook_reasons import why_undefined
from autograder.outcomes import Outcome, student_traceback
from autograder.sandbox import wire
from autograder.sandbox.framing import FrameClosed, FrameReader, frame
from autograder.sandbox.progress import Progress
from autograder.sandbox.replies import ok_reply, seed_generators
from autograder.untrusted import MAX_TRACEBACK_CHARS

PACKAGE = "exercises"

#: whether the student's files name Python's ``random`` (set by :func:`load`); if not,
#: calls need not reseed it
_names_random = True
#: the names the student's files go by here (``exercises/<file>``), set by :func:`load`:
#: a traceback's frame is the student's if its file is one of them
_student_files: frozenset[str] = frozenset()


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
    """The traceback cut to the student's own files (as this worker names them), then the
    exception line; its end, if it is long (where the exception is)."""
    return student_traceback(exc, _student_files.__contains__)[-MAX_TRACEBACK_CHARS:]


#: why an import fails here when it works on the student's machine
IMPORT_HINT = (" (graded code cannot load modules: it has those the grader loaded in advance, torch, numpy without"
               " numpy.random (use torch.rand or torch.randn), math, random and the common standard ones)")


def _exception(exc: BaseException) -> dict:
    """What the grader reads of an exception the student's code raised: its type, message and traceback."""
    message = str(exc)[:1000] + (IMPORT_HINT if isinstance(exc, ImportError) else "")
    return {"type": type(exc).__name__, "message": message, "traceback": _traceback(exc)}


def _crash(cause: str, message: str, detail: str = "") -> dict:
    """The reply to a call that crashed for ``cause`` (see ``replies.CRASH_CAUSES``) before the student's code raised."""
    return {"status": Outcome.CRASHED.value, "cause": cause, "type": "", "message": message,
            "traceback": detail[-MAX_TRACEBACK_CHARS:]}


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

    Expects no ``exercises`` modules yet (see :func:`forget_inherited_package`). Each file
    imports from the same random state (see ``replies.seed_generators``), so that what its
    top level draws is the same on every run, whichever files came before it.
    """
    global _names_random, _student_files
    _names_random = any("random" in source for source in files.values())
    _student_files = frozenset(f"{PACKAGE}/{relpath}" for relpath in files)
    for relpath, source in files.items():
        linecache.cache[f"{PACKAGE}/{relpath}"] = (len(source), None, source.splitlines(True), f"{PACKAGE}/{relpath}")
    sys.meta_path.insert(0, _SourceFinder(files))
    errors = {}
    for relpath in sorted(files):
        name = f"{PACKAGE}.{relpath[:-3]}"
        starting(relpath)
        seed_generators(_names_random)
        try:
            importlib.import_module(name)
        except BaseException as exc:  # noqa: BLE001 - anything the student's import does
            sys.modules.pop(name, None)
            errors[relpath] = _exception(exc)
    return {"status": "ok", "errors": errors}


def call(request: dict, before: Any = None) -> dict:
    """Make the call ``request`` asks for; ``before`` is ``wire.fingerprint`` of its arguments, if known."""
    module = sys.modules.get(f"{PACKAGE}.{request['module']}")
    if module is None:
        return _crash("not loaded", "file not loaded")
    function = getattr(module, request["name"], None)
    if not callable(function):  # for a notebook, the cell that should have defined it says why it did not
        message, detail = (why_undefined(module.__dict__, request["name"])
                           or (f"{request['module']}.py defines no function {request['name']}", ""))
        return _crash("missing", message, detail)
    args, kwargs = request["args"], request["kwargs"]
    if before is None:
        before = wire.fingerprint(args)
    seed_generators(_names_random)
    try:
        value = function(*args, **kwargs)
    except NotImplementedError as exc:
        return {"status": Outcome.NOT_ATTEMPTED.value, **_exception(exc)}
    except BaseException as exc:  # noqa: BLE001 - SystemExit, KeyboardInterrupt: all the student's
        return {"status": Outcome.CRASHED.value, "cause": "raised", **_exception(exc)}
    return ok_reply(value, args, before)


def _grader_error(exc: Exception) -> dict:
    """The reply when the grader's side of a call fails (e.g. arguments that cannot be rebuilt)."""
    return _crash("grader fault", f"{type(exc).__name__}: {str(exc)[:500]}")


def _payload(reply: dict) -> bytes:
    tag = {"i": reply["i"]} if "i" in reply else {}  # a planned call's: without it the grader cannot place the answer
    try:
        payload = wire.encode(reply)
    except BaseException as exc:  # noqa: BLE001
        payload = wire.encode({**tag, "status": Outcome.CRASHED.value, "cause": "raised", **_exception(exc)})
    if len(payload) > wire.MAX_MESSAGE_BYTES:
        payload = wire.encode({**tag, **_crash("too large", f"more than {wire.MAX_MESSAGE_BYTES // 2**20} MB")})
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


def _skipped(request: dict, skip: dict) -> Callable[[int, str], bool]:
    """Which planned calls a load's request leaves out: those it lists as ``answered``
    (the grader has their answers), and the calls of a function after the index at which
    it ran out of time (``skip``, name -> index)."""
    answered = set(request.get("answered") or ())
    return lambda index, name: index in answered or (name in skip and index > skip[name])


def _run_plan(sock: socket.socket, plan: list[tuple[dict, Any]], start: int, skipped: Callable[[int, str], bool],
              me: int, batch: float, progress: Progress) -> bool:
    """Make the planned calls from ``start`` on, but the ``skipped`` ones, answering each (tagged ``i``).

    Answers go out together, at most ``batch`` seconds after the first of them started
    (0: each at once), which saves system calls and wake-ups on both sides. So the calls
    whose answers are held back ran for less than ``batch`` in all: if a later call hangs
    or crashes, they are lost with the worker, and making them again in the next costs
    that little. The call that hangs or crashes is known by the index written to
    ``progress`` before each call, and a send that fails is marked there too.
    """
    held: list[bytes] = []
    since = 0.0
    for index in range(start, len(plan)):
        request, before = plan[index]
        if skipped(index, request["name"]):
            continue
        if os.getpid() != me:  # a process the student forked returned here: it must not go on
            os._exit(0)
        if not held:
            since = time.monotonic()
        progress.starting(index)
        try:
            reply = call(request, before)
        except Exception as exc:  # noqa: BLE001
            reply = _grader_error(exc)
        reply["i"] = index
        held.append(frame(_payload(reply)))
        if batch <= 0 or time.monotonic() - since >= batch:
            if not _send(sock, b"".join(held), me):
                progress.send_failed()
                return False
            held = []
    if held and not _send(sock, b"".join(held), me):
        progress.send_failed()
        return False
    return True


def serve(sock: socket.socket, plan: list[tuple[dict, Any]], progress: Progress) -> None:
    """Answer ``load`` and ``call`` requests; after a ``load`` with ``run_from``, make the
    planned calls from ``run_from`` on (but those it skips: see :func:`_skipped`). Each
    planned call comes with ``wire.fingerprint`` of its arguments, taken once by the fork server."""
    me = os.getpid()
    reader = FrameReader(sock, chunk=1 << 16)
    while True:
        try:
            data = reader.read()
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
            skip = request.get("skip") if isinstance(request.get("skip"), dict) else {}
            if not _run_plan(sock, plan, run_from, _skipped(request, skip), me, batch, progress):
                return

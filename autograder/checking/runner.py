"""The pytest plugin that runs checks against one or many submissions and records outcomes.

Checks are ordinary pytest functions marked with ``@pytest.mark.exercise(name)`` (and,
for hidden checks, ``@pytest.mark.points(n)``). They ask for the student's function by
its name (``def test_x(create_tensor): ...``), for ``student`` (all of them) and for
``reference`` (the reference solutions, hidden checks only), plus their own
``@pytest.mark.parametrize`` arguments.

pytest collects the checks (markers, parametrization, assertion rewriting); the plugin
then takes over the run loop and calls each collected check once per submission with
those arguments. That costs microseconds per check where pytest's full per-item
protocol (fixtures, reports, capture) costs milliseconds, which matters at a class of
hundreds times ~70 checks. The caller supplies the submissions: ``open(id) ->``
:class:`Student` (the student's functions, and the :class:`Backend` behind them if
any), ``close(id, student)``; the runner calls ``on_student_done(id, results)`` (a
:class:`~autograder.outcomes.CheckResult` per check) once a student's checks are all
done, and, before the first student, ``rehearse(run_all)`` where ``run_all(student)``
runs every check once with a student the caller chooses.
"""
from __future__ import annotations

import copy
import functools
import inspect
import os
import re
import traceback
from pathlib import Path
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Protocol

import pytest
import torch

from autograder.curriculum import PACKAGE_DIR, course
from autograder.errors import AutograderError
from autograder.checking.hints import crashed
from autograder.outcomes import CheckResult, Outcome, StudentCodeProblem, not_done, student_traceback
from autograder.sandbox.replies import seed_generators
from autograder.sandbox.wire import fingerprint
from autograder.untrusted import MAX_TRACEBACK_CHARS, safe_text

PUBLIC_DIR = PACKAGE_DIR / "checks"
HIDDEN_DIR = PACKAGE_DIR / "hidden"
CHECKS_INI = PUBLIC_DIR / "pytest.ini"


#: where an object lives in memory, as Python's default repr shows it ("<generator object f at 0x7f3a...>")
_ADDRESS = re.compile(r"\bat 0x[0-9a-fA-F]+")


def without_addresses(text: str) -> str:
    """``text`` with memory addresses left out: they change from run to run (address space
    layout randomisation), and feedback must not."""
    return _ADDRESS.sub("at 0x...", text)


def _nowhere(filename: str) -> bool:
    return False


def classify(exc: BaseException, is_student_file: Callable[[str], bool] = _nowhere) -> tuple[Outcome, str, str]:
    """(outcome, message, detail) for an exception that ended a check; no memory addresses.
    ``is_student_file`` tells the student's own files by name, where they run here."""
    outcome, message, detail = _classify(exc, is_student_file)
    return outcome, without_addresses(message), without_addresses(detail)


def _classify(exc: BaseException, is_student_file: Callable[[str], bool]) -> tuple[Outcome, str, str]:
    if isinstance(exc, StudentCodeProblem):
        return exc.outcome, crashed(*exc.error) if exc.error else exc.message, exc.detail
    frames = traceback.extract_tb(exc.__traceback__)
    raised_by_student = bool(frames) and is_student_file(frames[-1].filename)
    if isinstance(exc, NotImplementedError) and raised_by_student:
        return Outcome.NOT_ATTEMPTED, not_done(frames[-1].name), ""
    if isinstance(exc, AssertionError):
        text = str(exc).split("\nassert ")[0].strip() or "A check failed."
        return Outcome.FAILED, text, ""
    if any(is_student_file(f.filename) for f in frames):
        return Outcome.CRASHED, crashed("Your code", type(exc).__name__, safe_text(exc)), student_traceback(exc, is_student_file)
    return Outcome.FAILED, (f"What your function returned could not be checked ({type(exc).__name__}: {exc}): "
                            "compare it with what the exercise asks for."), ""


class Backend(Protocol):
    """What runs a student's functions elsewhere and wants to know which check is running
    (``sandbox.client.StudentWorker``, ``sandbox.plan.Recorder``)."""

    def start_check(self, index: int) -> None:
        """Check ``index`` starts: the calls that follow belong to it."""

    def known_outcome(self, index: int) -> CheckResult | None:
        """The result of check ``index`` if it is known without running it, else None."""

    def learn_outcome(self, index: int, result: CheckResult) -> None:
        """Check ``index`` ran and came to ``result``."""


@dataclass
class Student:
    """One submission as the runner sees it: an object whose attributes are the student's
    functions, the backend that runs them, if any (None: they run here), and, for
    functions that run here, which source files are the student's (by name), so that a
    traceback is cut to them."""

    functions: Any
    backend: Backend | None = None
    is_student_file: Callable[[str], bool] = _nowhere


def _marker_value(item: pytest.Item, name: str, default: Any) -> Any:
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


def _points(item: pytest.Item) -> float:
    """What a check is worth: its ``@pytest.mark.points``, else the course's default."""
    marker = item.get_closest_marker("points")
    return float(marker.args[0]) if marker and marker.args else course().grading.points


class CheckRunner:
    def __init__(self, ids: Iterable[str], open_submission: Callable[[str], Student],
                 close_submission: Callable[[str, Student], None],
                 on_student_done: Callable[[str, list[CheckResult]], None],
                 reference: Any = None, exercises: list[str] | None = None,
                 rehearse: Callable[[Callable[[Student], dict[int, CheckResult | None]]], None] | None = None):
        self.ids = ids
        self.open_submission = open_submission
        self.close_submission = close_submission
        self.on_student_done = on_student_done
        self.reference_namespace = reference
        self.exercises = exercises
        self.rehearse = rehearse
        self.collection_errors: list[str] = []
        self.max_points: dict[str, float] = {}

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.exercises is not None:
            items[:] = [i for i in items if _marker_value(i, "exercise", None) in self.exercises]
        for item in items:
            if _is_hidden(item):
                name = _marker_value(item, "exercise", "?")
                self.max_points[name] = self.max_points.get(name, 0.0) + _points(item)

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.config.option.collectonly:
            return False
        checks = [item for item in session.items if isinstance(item, pytest.Function)]
        rehearse = self.rehearse
        for student_id in self.ids:
            if rehearse is not None:  # before the first student only: no students, no rehearsal
                # lets a backend see, once, every call the checks make (see sandbox.plan)
                rehearse(lambda student: {i: self._run(item, student, i) for i, item in enumerate(checks)})
                rehearse = None
            student = self.open_submission(student_id)
            try:
                results = [self._run(item, student, i) for i, item in enumerate(checks)]
            finally:
                self.close_submission(student_id, student)
            self.on_student_done(student_id, [r for r in results if r is not None])
        return True

    def _arguments(self, item: pytest.Function, namespace: Any) -> dict[str, Any]:
        params = getattr(getattr(item, "callspec", None), "params", {})
        kwargs = {}
        for name in item._fixtureinfo.argnames:
            if name in params:
                value = params[name]
                kwargs[name] = value if _immutable(value) else copy.deepcopy(value)  # a student may mutate it
            elif name == "student":
                kwargs[name] = namespace  # a StudentCalls
            elif name == "reference":
                if self.reference_namespace is None:
                    return None
                kwargs[name] = self.reference_namespace
            elif hasattr(namespace, name):
                kwargs[name] = getattr(namespace, name)
            else:
                raise AutograderError(f"{item.nodeid} asks for {name!r}: checks may only use student, reference, "
                                      "exercise names and their parametrize arguments.")
        return kwargs

    def _run(self, item: pytest.Function, student: Student, index: int) -> CheckResult | None:
        """Check ``index`` against one submission. Whatever the submission's input makes the
        grader's side raise costs this check only, with the reason, never the run."""
        try:
            return self._judge(item, student, index)
        except AutograderError:
            raise  # the checks themselves are wrong: nothing to grade with
        except Exception as exc:  # noqa: BLE001 - e.g. a value the backend could not read
            return self._result(item, (Outcome.CRASHED, f"The grader could not judge this check ({type(exc).__name__}: "
                                                        f"{without_addresses(safe_text(exc, 500))}); this is a fault "
                                                        "of the grader, not of your code: tell your instructor.", ""))

    def _judge(self, item: pytest.Function, student: Student, index: int) -> CheckResult | None:
        backend = student.backend
        if backend is not None:
            backend.start_check(index)  # the calls that follow belong to this check
            known = backend.known_outcome(index)
            if known is not None:
                return known  # the backend knows the outcome without running the check
        calls = StudentCalls(student.functions, self.reference_namespace)
        kwargs = self._arguments(item, calls)
        if kwargs is None:
            return None
        # every check starts from the same random state: `nn.Linear(9, 4)` in a check is the
        # same layer for every student and on every run
        seed_generators()
        try:
            item.obj(**kwargs)
            outcome = (Outcome.PASSED, "", "")
        except Exception as exc:  # noqa: BLE001 - whatever the student's value made the check raise
            outcome = classify(exc, student.is_student_file)
        if calls.changed and outcome[0] in (Outcome.PASSED, Outcome.FAILED) \
                and not item.get_closest_marker("modifies_arguments"):
            name, labels = calls.changed[0]
            outcome = (Outcome.FAILED, f"{name} changed its {' and '.join(labels)} in place: leave the arguments as "
                                       "they were and return a new value.", "")
        result = self._result(item, outcome)
        if backend is not None:
            backend.learn_outcome(index, result)
        return result

    @staticmethod
    def _result(item: pytest.Function, outcome: tuple[Outcome, str, str]) -> CheckResult:
        """The result of a check that came to ``outcome`` (with its message and detail), the
        texts made safe once, here (they may quote anything the student's code said or returned)."""
        hidden = _is_hidden(item)
        return CheckResult(exercise=_marker_value(item, "exercise", "?"), check=getattr(item, "name", item.nodeid),
                           hidden=hidden, points=_points(item) if hidden else 0.0,
                           outcome=outcome[0], message=safe_text(outcome[1]),
                           detail=safe_text(outcome[2], MAX_TRACEBACK_CHARS))


class StudentCalls:
    """The student's functions as one check sees them: every argument a call changed in
    place is noted and put back as it was before the call.

    So what a check computes after a student's call (the reference's answer, its own
    expectations) always starts from pristine inputs, whatever the student's function
    did to them. A sandboxed function changes only the worker's copies and reports
    which arguments it changed (``changed_arguments``); a local one is given the check's
    own objects, which are copied before the call and restored after it. A check whose student calls changed an
    argument fails with a message saying so, unless it is marked
    ``@pytest.mark.modifies_arguments``.
    """

    def __init__(self, namespace: Any, reference: Any):
        self._namespace = namespace
        self._reference = reference
        self.changed: list[tuple[str, list[str]]] = []  #: (function, the arguments it changed)

    def __getattr__(self, name: str) -> Any:
        function = getattr(self._namespace, name)
        if name.startswith("_") or not callable(function):
            return function

        def call(*args: Any, **kwargs: Any) -> Any:
            return self._call(name, function, args, kwargs)

        call.__name__ = name
        return call

    def _call(self, name: str, function: Callable, args: tuple, kwargs: dict) -> Any:
        report = getattr(function, "changed_arguments", None)
        if report is not None:  # a sandboxed function: it changes only the worker's copies, and says which
            value = function(*args, **kwargs)
            changed = report()
            if changed:
                self.changed.append((name, self._labels(name, args, kwargs, changed)))
            return value
        saved = [(i, copy.deepcopy(value)) for i, value in enumerate([*args, *kwargs.values()])
                 if not _immutable(value)]
        try:
            return function(*args, **kwargs)
        finally:
            values = [*args, *kwargs.values()]
            changed = [i for i, before in saved if fingerprint(values[i]) != fingerprint(before)]
            if changed:
                self.changed.append((name, self._labels(name, args, kwargs, changed)))
                for i, before in saved:
                    restore(values[i], before)

    def _labels(self, name: str, args: tuple, kwargs: dict, positions: list[int]) -> list[str]:
        """The words that name the arguments at ``positions`` (keyword arguments follow the
        positional ones) in a message: the parameter names of the reference, or else of
        the student's own function, where they are known."""
        names: list[str] = []
        for function in (getattr(self._reference, name, None), getattr(self._namespace, name, None)):
            try:
                names = [p.name for p in inspect.signature(function).parameters.values()
                         if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            except (TypeError, ValueError):
                continue
            if names:
                break
        names = names[: len(args)] + [""] * (len(args) - len(names[: len(args)])) + list(kwargs)
        return [f"argument `{names[i]}`" if names[i] else f"argument {i + 1}" for i in positions]


def restore(original: Any, saved: Any) -> None:
    """Put ``original`` (a check's object) back as ``saved``, its copy from before a call."""
    if isinstance(original, torch.Tensor) and isinstance(saved, torch.Tensor):
        with torch.no_grad():
            if original.dtype == saved.dtype and original.shape == saved.shape:
                original.copy_(saved)
            else:
                original.data = saved.data
    elif isinstance(original, torch.nn.Module) and isinstance(saved, torch.nn.Module):
        original.__dict__.clear()  # layers added or removed too, not only their values
        original.__dict__.update(saved.__dict__)
    elif isinstance(original, list) and isinstance(saved, list):
        original[:] = saved
    elif isinstance(original, dict) and isinstance(saved, dict):
        original.clear()
        original.update(saved)


def _immutable(value: Any) -> bool:
    if value is None or type(value) in (bool, int, float, str, bytes):
        return True
    return type(value) is tuple and all(_immutable(v) for v in value)


def _is_hidden(item: pytest.Item) -> bool:
    return _in_hidden_dir(str(item.path))


@functools.cache
def _in_hidden_dir(path: str) -> bool:
    return Path(path).resolve().is_relative_to(HIDDEN_DIR)


def run_checks(paths: list[Path], plugin: CheckRunner, quiet: bool = True, extra: tuple[str, ...] = ()) -> int:
    args = [*extra, "-s", "-c", str(CHECKS_INI), "--rootdir", str(PACKAGE_DIR), "-p", "no:logging", "-p", "no:warnings", *(["-p", "no:terminal"] if quiet else []),
            "-W", "ignore::pytest.PytestAssertRewriteWarning", *map(str, paths)]
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # third-party plugins only cost start-up
    code = pytest.main(args, plugins=[plugin])
    if plugin.collection_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        details = "\n".join(plugin.collection_errors)
        raise AutograderError(f"The checks themselves could not run (pytest exit code {int(code)}).\n{details}".strip())
    return code

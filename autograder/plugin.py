"""The pytest plugin that runs checks against one or many submissions and records outcomes.

Checks are ordinary pytest functions marked with ``@pytest.mark.exercise(name)`` (and,
for hidden checks, ``@pytest.mark.points(n)``). They ask for the student's function by
its name as a fixture (``def test_x(create_tensor): ...``), or for ``student`` (all of
them) and ``reference`` (the reference solutions, hidden checks only).

A *backend* supplies the submissions: ``ids``, ``open(id) -> namespace`` of the
student's functions, ``close(id, namespace)``. The plugin parametrizes every check
over the ids (session scope, so pytest runs one student's checks together) and calls
``on_student_done(id, records)`` once a student's checks are all done.
"""
from __future__ import annotations

import os
import traceback
import types
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from .errors import AutograderError
from .outcomes import StudentCodeProblem

PACKAGE_DIR = Path(__file__).resolve().parent
PUBLIC_DIR = PACKAGE_DIR / "checks"
HIDDEN_DIR = PACKAGE_DIR / "hidden"
CHECKS_INI = PUBLIC_DIR / "pytest.ini"
STUDENT_FILES = ("exercises/", "exercises\\")


@dataclass
class CheckRecord:
    name: str  #: the test function's name
    exercise: str
    points: float
    hidden: bool
    outcome: str  #: passed, failed, not attempted, crashed, timed out
    message: str = ""
    detail: str = ""  #: a traceback cut to the student's files, when there is one


@dataclass
class _Student:
    namespace: Any
    records: list[CheckRecord] = field(default_factory=list)


def _in_student_file(filename: str) -> bool:
    return any(part in filename.replace("\\", "/") for part in ("/exercises/", "exercises/")) \
        or filename.startswith(STUDENT_FILES)


def student_traceback(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _in_student_file(f.filename)]
    return "".join(traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc))


def classify(exc: BaseException) -> tuple[str, str, str]:
    """(outcome, message, detail) for an exception that ended a check."""
    if isinstance(exc, StudentCodeProblem):
        return exc.outcome, exc.message, exc.traceback
    frames = traceback.extract_tb(exc.__traceback__)
    raised_by_student = bool(frames) and _in_student_file(frames[-1].filename)
    if isinstance(exc, NotImplementedError) and raised_by_student:
        return "not attempted", "still raises NotImplementedError", ""
    if isinstance(exc, AssertionError):
        text = str(exc).split("\nassert ")[0].strip() or "a check failed"
        return "failed", text, ""
    if any(_in_student_file(f.filename) for f in frames):
        return "crashed", f"raised {type(exc).__name__}: {exc}", student_traceback(exc)
    return "failed", f"what your function returned could not be checked ({type(exc).__name__}: {exc})", ""


def _check_name(item: pytest.Item, student_id: str) -> str:
    parts = [p for p in item.callspec.id.split("-") if p != student_id]
    base = getattr(item, "originalname", item.name)
    return f"{base}[{'-'.join(parts)}]" if parts else base


def _marker_value(item: pytest.Item, name: str, default: Any) -> Any:
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else default


class GradingPlugin:
    def __init__(self, ids: list[str], open_submission: Callable[[str], Any],
                 close_submission: Callable[[str, Any], None],
                 on_student_done: Callable[[str, list[CheckRecord]], None],
                 reference: Any = None, exercises: list[str] | None = None):
        self.ids = ids
        self.open_submission = open_submission
        self.close_submission = close_submission
        self.on_student_done = on_student_done
        self.reference_namespace = reference
        self.exercises = exercises
        self.current: dict[str, _Student] = {}
        self.collection_errors: list[str] = []
        self.max_points: dict[str, float] = {}

    # -- collection -------------------------------------------------------------------
    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "submission" in metafunc.fixturenames:
            metafunc.parametrize("submission", self.ids, indirect=True, scope="session")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if self.exercises is not None:
            items[:] = [i for i in items if _marker_value(i, "exercise", None) in self.exercises]
        first = self.ids[0] if self.ids else None
        for item in items:
            params = getattr(getattr(item, "callspec", None), "params", {})
            if params.get("submission") == first and Path(str(item.path)).resolve().is_relative_to(HIDDEN_DIR):
                name = _marker_value(item, "exercise", "?")
                self.max_points[name] = self.max_points.get(name, 0.0) + float(_marker_value(item, "points", 1))

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")

    # -- outcomes ---------------------------------------------------------------------
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        if call.when == "teardown" or "submission" not in getattr(item, "callspec", pytest).__dict__.get("params", {}):
            return
        if call.when == "setup" and report.passed:
            return
        student_id = item.callspec.params["submission"]
        state = self.current.get(student_id)
        if state is None:
            return
        if call.excinfo is None:
            result = ("passed", "", "")
        elif call.excinfo.errisinstance(pytest.skip.Exception):
            return
        elif call.when == "setup" and not isinstance(call.excinfo.value, StudentCodeProblem):
            self.collection_errors.append(f"{item.nodeid}: setup failed: {call.excinfo.exconly()[-1000:]}")
            return
        else:
            result = classify(call.excinfo.value)
        state.records.append(CheckRecord(
            name=_check_name(item, student_id),
            exercise=_marker_value(item, "exercise", "?"),
            points=float(_marker_value(item, "points", 1)),
            hidden=Path(str(item.path)).resolve().is_relative_to(HIDDEN_DIR),
            outcome=result[0], message=result[1], detail=result[2],
        ))


def fixtures_plugin(plugin: GradingPlugin, names: list[str]) -> types.ModuleType:
    """The fixtures checks ask for, as plain functions in a module object (like a conftest)."""

    @pytest.fixture(scope="session")
    def submission(request: pytest.FixtureRequest):
        student_id = request.param
        namespace = plugin.open_submission(student_id)
        state = plugin.current[student_id] = _Student(namespace)
        yield state
        plugin.close_submission(student_id, namespace)
        del plugin.current[student_id]
        plugin.on_student_done(student_id, state.records)

    @pytest.fixture
    def student(submission: _Student):
        start = getattr(submission.namespace, "_start_check", None)
        if start:
            start()
        return submission.namespace

    @pytest.fixture
    def reference():
        if plugin.reference_namespace is None:
            pytest.skip("the reference solutions are not available here")
        return plugin.reference_namespace

    def exercise(name: str):
        @pytest.fixture(name=name)
        def fixture(student):  # noqa: ANN001
            return getattr(student, name)

        return fixture

    module = types.ModuleType("autograder_fixtures")
    fixtures = {"submission": submission, "student": student, "reference": reference}
    fixtures.update({f"exercise_{n}": exercise(n) for n in names})
    for key, value in fixtures.items():
        setattr(module, key, value)
    return module


def run_checks(paths: list[Path], plugin: GradingPlugin, exercise_names: list[str], quiet: bool = True) -> int:
    args = ["-c", str(CHECKS_INI), "--rootdir", str(PACKAGE_DIR), "-p", "no:logging", "-p", "no:warnings", *(["-p", "no:terminal"] if quiet else []),
            "-W", "ignore::pytest.PytestAssertRewriteWarning", *map(str, paths)]
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")  # third-party plugins only cost start-up
    code = pytest.main(args, plugins=[plugin, fixtures_plugin(plugin, exercise_names)])
    if plugin.collection_errors or code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        details = "\n".join(plugin.collection_errors)
        raise AutograderError(f"The checks themselves could not run (pytest exit code {int(code)}).\n{details}".strip())
    return code

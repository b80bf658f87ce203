"""Namespaces of functions that checks call: the student's, loaded locally, and the reference.

A file that cannot be imported turns each of its exercises into a function that
raises a crash (:class:`~autograder.outcomes.StudentCodeProblem`) with the reason, so the
other files still count.
"""
from __future__ import annotations

import importlib.util
import sys
import types
from pathlib import Path

from autograder.curriculum import Exercise
from autograder.outcomes import Outcome, StudentCodeProblem, student_traceback
from autograder.sandbox.replies import seed_generators


def _crashing(name: str, message: str, detail: str):
    def crashed(*args, **kwargs):
        raise StudentCodeProblem(Outcome.CRASHED, message, detail)

    crashed.__name__ = name
    return crashed


def source_files(directory: Path, exercises: list[Exercise]) -> frozenset[str]:
    """The names by which the files :func:`load_namespace` loads from ``directory`` appear in
    tracebacks: how a frame of the student's own code is told from the grader's."""
    return frozenset(str(directory / e.relpath) for e in exercises)


def load_module_from(path: Path, module_name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(module_name, None)
        raise
    return module


def load_namespace(directory: Path, exercises: list[Exercise], package: str) -> types.SimpleNamespace:
    """Import every assignment file of ``directory`` as ``<package>.<assignment>``, each from
    the same random state (``replies.seed_generators``), as a worker imports a student's."""
    namespace = types.SimpleNamespace()
    if package not in sys.modules:
        pkg = types.ModuleType(package)
        pkg.__path__ = [str(directory)]
        sys.modules[package] = pkg
    modules: dict[str, types.ModuleType | BaseException] = {}
    for exercise in exercises:
        if exercise.assignment not in modules:
            path = directory / exercise.relpath
            seed_generators()
            try:
                modules[exercise.assignment] = load_module_from(path, f"{package}.{exercise.assignment}")
            except FileNotFoundError:
                modules[exercise.assignment] = FileNotFoundError(f"{path} does not exist")
            except BaseException as exc:  # noqa: BLE001 - a student's file may raise anything
                modules[exercise.assignment] = exc
        module = modules[exercise.assignment]
        if isinstance(module, BaseException):
            where = f"exercises/{exercise.relpath}"
            function = _crashing(exercise.name, f"{where} could not be imported: {type(module).__name__}: {module}",
                                 student_traceback(module, source_files(directory, exercises).__contains__))
        else:
            function = getattr(module, exercise.name, None)
            if not callable(function):
                function = _crashing(exercise.name, f"exercises/{exercise.relpath} defines no function {exercise.name}", "")
        setattr(namespace, exercise.name, function)
    return namespace

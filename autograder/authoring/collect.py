"""The course's checks as pytest collects them: which exercise each grades, for how many
points, where it is written and what it asks for. ``autograder build`` validates and
records them (``authoring.validate``); nothing is run.
"""
from __future__ import annotations

import inspect
import os
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from autograder.checking.runner import CHECKS_INI, HIDDEN_DIR
from autograder.curriculum import PACKAGE_DIR
from autograder.errors import AutograderError


@dataclass(frozen=True)
class CollectedCheck:
    path: Path  #: the check's file
    line: int  #: its ``def`` (1-based)
    function: str  #: ``test_create_tensor_keeps_integers``
    exercise: object  #: the argument of ``@pytest.mark.exercise``, None when there is none
    points: object  #: the argument of ``@pytest.mark.points``, None when there is none
    hidden: bool
    arguments: tuple[str, ...]  #: the names it asks for
    parametrized: tuple[str, ...]  #: those of them its ``@pytest.mark.parametrize`` gives
    items: int = 1  #: the checks pytest makes of it (one per parametrize case)

    @property
    def asks_for(self) -> tuple[str, ...]:
        """What it asks the runner for: its arguments but the parametrized ones."""
        return tuple(n for n in self.arguments if n not in self.parametrized)


@dataclass(frozen=True)
class CollectionError:
    path: Path
    text: str  #: pytest's report, its end


class _Collector:
    def __init__(self) -> None:
        self.checks: list[CollectedCheck] = []
        self.errors: list[CollectionError] = []
        self._seen: dict[tuple[str, str], int] = {}  #: (file, function) -> its index in checks

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.errors.append(CollectionError(Path(report.fspath), report.longreprtext[-1500:]))

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            if not isinstance(item, pytest.Function):
                continue
            key = (str(item.path), item.originalname)
            if key in self._seen:  # one entry per function, whatever its parametrize makes of it
                index = self._seen[key]
                self.checks[index] = replace(self.checks[index], items=self.checks[index].items + 1)
                continue
            self._seen[key] = len(self.checks)
            params = getattr(getattr(item, "callspec", None), "params", {})
            self.checks.append(CollectedCheck(
                path=Path(item.path), line=item.function.__code__.co_firstlineno + _decorator_lines(item),
                function=item.originalname, exercise=_marker(item, "exercise"), points=_marker(item, "points"),
                hidden=Path(item.path).resolve().is_relative_to(HIDDEN_DIR),
                arguments=tuple(item._fixtureinfo.argnames), parametrized=tuple(n for n in params)))


def _marker(item: pytest.Item, name: str) -> object:
    marker = item.get_closest_marker(name)
    return marker.args[0] if marker and marker.args else None


def _decorator_lines(item: pytest.Function) -> int:
    """``co_firstlineno`` is the first decorator's line: the ``def`` is this many lines below."""
    try:
        lines, _ = inspect.getsourcelines(item.function)
    except (OSError, TypeError):
        return 0
    return next((i for i, line in enumerate(lines) if line.lstrip().startswith(("def ", "async def "))), 0)


def collect_checks(paths: list[Path]) -> tuple[list[CollectedCheck], list[CollectionError]]:
    """Every check in ``paths`` (files), and what could not be collected."""
    if not paths:
        return [], []
    collector = _Collector()
    args = ["--collect-only", "-c", str(CHECKS_INI), "--rootdir", str(PACKAGE_DIR), "-p", "no:terminal",
            "-p", "no:logging", "-W", "ignore::pytest.PytestAssertRewriteWarning", *map(str, paths)]
    os.environ.setdefault("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    code = pytest.main(args, plugins=[collector])
    if code in (pytest.ExitCode.USAGE_ERROR, pytest.ExitCode.INTERNAL_ERROR):
        raise AutograderError(f"pytest could not collect the checks (exit code {int(code)}).")
    return collector.checks, collector.errors

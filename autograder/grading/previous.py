"""The previous run's results, kept in ``OUT/previous`` when a run regrades into the same ``OUT``.

A regrade (the grader changed, or ``--force``) replaces students' results.json one by one;
before its first write, :func:`keep_previous` makes ``OUT/previous`` an image of ``OUT``'s
results (results/, grades.csv, report.html), so that ``autograder diff OUT/previous OUT``
says what the regrade changed. Files are hard links where the file system allows it (a
result is replaced by a new file, never written in place, so the link keeps the old
content), copies elsewhere: cheap for a class of thousands.

A run that does not finish (killed, or the grader failed) leaves a mark in ``previous``;
the next run then keeps that ``previous`` rather than the half-regraded results, so that
``previous`` always holds the results of a finished run.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from autograder.errors import OutputError

PREVIOUS = "previous"  #: in the output folder
_UNFINISHED = ".unfinished"  #: in ``previous``: the run after it has not finished
_KEPT = ("grades.csv", "report.html")


def keep_previous(out: Path) -> Path | None:
    """Before a run writes any result into ``out``: keep what is there in ``out``/previous
    (see the module's docstring). Returns that folder, or None when ``out`` holds no results."""
    previous = out / PREVIOUS
    for leftover in out.glob(".previous-*"):  # a run killed while it made its image
        shutil.rmtree(leftover, ignore_errors=True)
    if (previous / _UNFINISHED).exists():
        return previous  # the last run did not finish: previous/ still holds the run before it
    results = sorted(p for p in (out / "results").glob("*.json") if p.is_file()) if (out / "results").is_dir() else []
    if not results:
        return None
    image = out / f".previous-{os.getpid()}"
    try:
        (image / "results").mkdir(parents=True)
        for path in results:
            _link(path, image / "results" / path.name)
        for name in _KEPT:
            if (out / name).is_file():
                _link(out / name, image / name)
        (image / _UNFINISHED).touch()
        if previous.exists():
            old = out / f".previous-old-{os.getpid()}"
            previous.rename(old)
            image.rename(previous)
            shutil.rmtree(old, ignore_errors=True)
        else:
            image.rename(previous)
    except OSError as err:
        shutil.rmtree(image, ignore_errors=True)
        raise OutputError(previous, err) from None
    return previous


def finished(out: Path) -> None:
    """The run finished: ``out``/previous holds the run before it, whatever the next run does."""
    try:
        (out / PREVIOUS / _UNFINISHED).unlink(missing_ok=True)
    except OSError as err:
        raise OutputError(out / PREVIOUS / _UNFINISHED, err) from None


def _link(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copy2(source, target)

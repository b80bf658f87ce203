"""What a notebook's check cell runs, in the student's kernel: ``check("create_tensor", globals())``.

This file is copied into each released assignment's ``public_checks.py`` (see
:mod:`autograder.nbgrader.checks_file`), after the diagnoses and the public checks, which
define ``CHECKS``: the public check functions of each exercise. It needs nothing but the
standard library, as it runs where the autograder is not installed.

A check cell's output is what a student reads at a glance, in the notebook and in
``nbgrader validate``: one line per failing check, the hint first, no traceback and no
check code. Lines are wrapped at :data:`WIDTH` characters (``nbgrader validate`` cuts lines
longer than 87, indent included), so nothing is lost. Each way an exercise can be
unfinished gets its own one-line message: not written yet (the stub), not defined (the
answer cell was not run, or renamed the function), does not compile (with the line), and
raised an exception (with the line of the cell that raised it).
"""
from __future__ import annotations

import inspect
import textwrap
import traceback
from typing import Any, Callable

#: the longest line a check cell prints
WIDTH = 80

#: filled in by the generated module: exercise name -> its public check functions
CHECKS: dict[str, list[Callable[..., None]]] = {}


class ChecksFailed(Exception):
    """An exercise is not right yet. IPython shows :meth:`_render_traceback_` in place of a
    traceback, so the student sees these lines and nothing else."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines

    def _render_traceback_(self) -> list[str]:
        return self.lines


def wrap(text: str) -> list[str]:
    """``text`` as lines of at most :data:`WIDTH` characters, continuation lines indented."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, WIDTH, subsequent_indent="    ", break_long_words=True,
                               break_on_hyphens=False) or [""]
    return lines


def check(exercise: str, namespace: dict[str, Any]) -> None:
    """Run ``exercise``'s public checks on the function ``namespace`` (the notebook's
    globals) defines; print that they pass, or raise :class:`ChecksFailed` saying what is wrong."""
    if exercise not in CHECKS:
        raise ChecksFailed(wrap(f"There are no public checks for {exercise!r} in public_checks.py."))
    if not callable(namespace.get(exercise)):
        raise ChecksFailed(wrap(_not_defined(exercise, namespace)))
    problems: list[str] = []
    for test in CHECKS[exercise]:
        arguments = [namespace.get(name) for name in inspect.signature(test).parameters]
        try:
            test(*arguments)
        except AssertionError as exc:
            problem = str(exc).strip() or "A public check failed."
        except NotImplementedError as exc:
            if _student_frames(exc):
                raise ChecksFailed(wrap(f"{exercise} is not done yet: replace the line "
                                        "raise NotImplementedError(...) with your code.")) from None
            problem = _raised(exc)
        except Exception as exc:  # noqa: BLE001 - whatever the student's code raises is reported
            problem = _raised(exc)
        else:
            continue
        if problem not in problems:
            problems.append(problem)
    if problems:
        raise ChecksFailed([line for problem in problems for line in wrap(problem)])
    count = len(CHECKS[exercise])
    print(f"{exercise}: {'the public check passes' if count == 1 else f'all {count} public checks pass'}.")


def _not_defined(exercise: str, namespace: dict[str, Any]) -> str:
    """Why ``exercise`` is not a function in the notebook: its cell does not compile, was
    not run, or does not define it under that name."""
    if exercise in namespace:
        kind = type(namespace[exercise]).__name__
        return (f"{exercise} is {'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind}, not a function: "
                f"keep the def {exercise}(...) line as it was given.")
    for source in reversed(list(namespace.get("In") or [])):
        if isinstance(source, str) and f"def {exercise}(" in source:
            try:
                compile(source, "cell", "exec")
            except SyntaxError as err:
                return (f"The answer cell of {exercise} does not compile: {err.msg} on line {err.lineno} "
                        "of that cell. Fix it, then run that cell and this one again.")
            break
    return (f"{exercise} is not defined: run its answer cell first, "
            f"and keep the name {exercise} in its def line.")


def _student_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``exc``'s traceback in the notebook's own cells."""
    return [f for f in traceback.extract_tb(exc.__traceback__) if _in_cell(f.filename)]


def _in_cell(filename: str) -> bool:
    # ipykernel names a cell's code /tmp/ipykernel_<pid>/<hash>.py; older IPython, <ipython-input-...>
    return "ipykernel_" in filename or filename.startswith("<ipython-input")


def _raised(exc: BaseException) -> str:
    frames = _student_frames(exc)
    where = f" on line {frames[-1].lineno} of its cell" if frames else ""
    text = " ".join(str(exc).split())
    if len(text) > 200:
        text = text[:200] + "..."
    if not frames:
        return (f"What your function returned could not be checked ({type(exc).__name__}: {text}): "
                "compare it with what the exercise asks for.")
    return f"Your code raised {type(exc).__name__}{': ' + text if text else ''}{where}."

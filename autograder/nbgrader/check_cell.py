"""What a notebook's check cell runs, in the student's kernel: ``check("create_tensor", globals())``.

This file is copied into each released assignment's ``public_checks.py`` (see
:mod:`autograder.nbgrader.checks_file`), after the diagnoses and the public checks, which
define ``CHECKS``: the public check functions of each exercise. It needs nothing but torch
and the standard library, as it runs where the autograder is not installed.

A check cell's output is what a student reads at a glance, in the notebook and in
``nbgrader validate``: one line per failing check, the hint first, no traceback and no
check code. Lines are wrapped at :data:`WIDTH` characters (``nbgrader validate`` cuts lines
longer than 87, indent included), so nothing is lost. Each way an exercise can be
unfinished gets its own one-line message: not written yet (the stub), not defined (the
answer cell was not run, or renamed the function), does not compile (with the line), and
raised an exception (with the line of the cell that raised it).
"""
from __future__ import annotations

import functools
import inspect
import os
import sysconfig
import textwrap
import traceback
from typing import Any, Callable

import torch

from autograder.checking.hints import crashed

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
    function = namespace.get(exercise)
    if not callable(function):
        raise ChecksFailed(wrap(_not_defined(exercise, namespace)))
    problems: list[str] = []
    for test in CHECKS[exercise]:
        changed: list[str] = []
        arguments = [_watched(namespace.get(name), changed) for name in inspect.signature(test).parameters]
        try:
            test(*arguments)
        except AssertionError as exc:
            problem = _raised(exc) if _raised_in_student_code(exc) else _text(exc) or "A public check failed."
        except NotImplementedError as exc:
            frames = _student_frames(exc)
            if frames and frames[-1].name == exercise:
                raise ChecksFailed(wrap(f"{exercise} is not done yet: replace the line "
                                        "raise NotImplementedError(...) with your code.")) from None
            problem = (f"{exercise} calls {frames[-1].name}, which is not done yet." if frames
                       else _raised(exc))
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - whatever the student's code raises is reported
            problem = _raised(exc)
        else:
            problem = None
        if changed:  # what the check then saw was not what it gave: this is the problem
            problem = (f"{exercise} changed its {changed[0]} in place: leave the arguments as they were "
                       "and return a new value.")
        if problem and problem not in problems:
            problems.append(problem)
    if problems:
        raise ChecksFailed([line for problem in problems for line in wrap(problem)])
    count = len(CHECKS[exercise])
    print(f"{exercise}: {'the public check passes' if count == 1 else f'all {count} public checks pass'}.")


def _watched(function: Any, changed: list[str]) -> Any:
    """``function`` with its tensor and module arguments put back as they were after each
    call, and the first one it changed named in ``changed``."""
    if not callable(function):
        return function
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        parameters = []

    @functools.wraps(function)
    def call(*args: Any, **kwargs: Any) -> Any:
        values = [*args, *kwargs.values()]
        labels = [f"argument `{parameters[i]}`" if i < len(parameters) else f"argument {i + 1}"
                  for i in range(len(args))] + [f"argument `{k}`" for k in kwargs]
        saved = [(i, _snapshot(v)) for i, v in enumerate(values) if isinstance(v, (torch.Tensor, torch.nn.Module))]
        try:
            return function(*args, **kwargs)
        finally:
            for i, before in saved:
                if not _same_state(values[i], before):
                    if not changed:
                        changed.append(labels[i])
                    _restore(values[i], before)

    return call


def _snapshot(value: Any) -> Any:
    """A copy of a tensor or module argument: its values, and what grading also compares (whether
    a tensor or parameter requires grad, the modules' training mode)."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone().requires_grad_(value.requires_grad)
    return ({k: v.detach().clone() for k, v in value.state_dict().items()},
            [m.training for m in value.modules()], [p.requires_grad for p in value.parameters()])


def _same_state(value: Any, before: Any) -> bool:
    if isinstance(value, torch.Tensor):
        return value.dtype == before.dtype and value.shape == before.shape and bool(torch.equal(value, before)) \
            and value.requires_grad == before.requires_grad
    state, modes, grads = before
    now = value.state_dict()
    return ([m.training for m in value.modules()] == modes and now.keys() == state.keys()
            and [p.requires_grad for p in value.parameters()] == grads
            and all(now[k].shape == v.shape and torch.equal(now[k], v) for k, v in state.items()))


def _restore(value: Any, before: Any) -> None:
    with torch.no_grad():
        if isinstance(value, torch.Tensor):
            if value.shape == before.shape and value.dtype == before.dtype:
                value.copy_(before)
            if value.is_leaf and value.requires_grad != before.requires_grad:
                value.requires_grad_(before.requires_grad)
            return
        state, modes, grads = before
        try:
            value.load_state_dict(state)
        except (RuntimeError, KeyError, ValueError):
            pass
        for module, mode in zip(value.modules(), modes):
            module.training = mode
        for parameter, grad in zip(value.parameters(), grads):
            parameter.requires_grad_(grad)


def _not_defined(exercise: str, namespace: dict[str, Any]) -> str:
    """Why ``exercise`` is not a function in the notebook: its cell does not compile, was
    not run, or does not define it under that name."""
    if exercise in namespace:
        kind = type(namespace[exercise]).__name__
        return (f"{exercise} is {'an' if kind[0] in 'aeiouAEIOU' else 'a'} {kind}, not a function: "
                f"keep the def {exercise}(...) line as it was given.")
    for source, first_line in reversed(_cells(namespace)):
        if f"def {exercise}(" in source:
            try:
                compile(source, "cell", "exec")
            except SyntaxError as err:
                return (f"The answer cell of {exercise} does not compile: {err.msg} on line "
                        f"{(err.lineno or 1) + first_line - 1} of that cell. Fix it, then run that cell and this one again.")
            return (f"{exercise} is not defined: run its answer cell (if it stops with an error before "
                    f"the def line, fix that first), and keep the name {exercise} in its def line.")
    return (f"{exercise} is not defined: run its answer cell first, "
            f"and keep the name {exercise} in its def line.")


def _cells(namespace: dict[str, Any]) -> list[tuple[str, int]]:
    """The code of each cell the kernel ran, as Python, with the cell line it starts on.

    IPython keeps each cell made Python (``In``): a line magic becomes a call, which
    compiles like the cell would. A cell magic (``%%time``) makes the whole cell a string
    argument, so for those the cell as typed is taken, less its first line."""
    history = namespace.get("In")
    cells = [(source, 1) for source in (history if isinstance(history, list) else []) if isinstance(source, str)]
    try:
        raw = namespace["get_ipython"]().history_manager.input_hist_raw
    except Exception:  # noqa: BLE001 - no IPython (a plain interpreter), or one without that history
        return cells
    if not isinstance(raw, list) or len(raw) != len(cells):
        return cells
    for index, typed in enumerate(raw):
        if isinstance(typed, str) and typed.lstrip().startswith("%%"):
            skipped = len(typed) - len(typed.lstrip())
            _, _, body = typed.lstrip().partition("\n")
            cells[index] = (body, typed[:skipped].count("\n") + 2)
    return cells


#: where library code lives: a frame elsewhere (but in this file) is the notebook's own code
_LIBRARIES = tuple({os.path.normcase(p) for p in (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["purelib"],
                                                    sysconfig.get_paths()["platlib"], os.path.dirname(torch.__file__))})


def _student_frames(exc: BaseException) -> list[traceback.FrameSummary]:
    """The frames of ``exc``'s traceback in the notebook's own code."""
    return [f for f in traceback.extract_tb(exc.__traceback__) if _in_notebook(f.filename)]


def _in_notebook(filename: str) -> bool:
    # a cell is /tmp/ipykernel_<pid>/<hash>.py, <ipython-input-...>, <timed exec> (%%time)...
    if os.path.normcase(filename) == os.path.normcase(__file__):
        return False
    return not os.path.normcase(filename).startswith(_LIBRARIES)


def _raised_in_student_code(exc: BaseException) -> bool:
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and _in_notebook(frames[-1].filename)


def _text(exc: BaseException) -> str:
    """``str(exc)`` on one line, cut; whatever its ``__str__`` does."""
    try:
        text = " ".join(str(exc).split())
    except Exception:  # noqa: BLE001 - a student's exception whose __str__ raises
        return ""
    return text[:200] + "..." if len(text) > 200 else text


def _raised(exc: BaseException) -> str:
    frames = _student_frames(exc)
    where = f" on line {frames[-1].lineno} of its cell" if frames else ""
    text = _text(exc)
    if not frames:
        return (f"What your function returned could not be checked ({type(exc).__name__}: {text}): "
                "compare it with what the exercise asks for.")
    return f"{crashed('Your code', type(exc).__name__, text, where)}."

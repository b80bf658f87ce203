"""The reference solution against its own checks, twice: every check must pass, the same way both times.

The runs happen here, in the audit's process (the reference is the instructor's code),
with a fresh seed before every check as grading does; a check whose outcome or message
differs between the two runs depends on something the seeds do not fix (a clock, an
address, the order of a set) and is named. The class the audit grades holds the reference
twice as well, so that the sandboxed engine is held to the same.
"""
from __future__ import annotations

import types
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from autograder.checking.namespaces import load_namespace
from autograder.checking.runner import HIDDEN_DIR, PUBLIC_DIR, CheckRunner, Student, run_checks
from autograder.curriculum import SOLUTIONS_DIR, course
from autograder.outcomes import CheckResult

RUNS = ("first", "second")
MAX_LITERAL_ELEMENTS = 64  #: a tensor answer longer than this is not written out as a literal


@dataclass(frozen=True)
class ReferenceRun:
    problems: list[str]  #: a check failing against the reference, or not deterministic
    #: exercise -> what the reference returned in its first public check, as Python code
    public_answers: dict[str, str]


def run_reference(exercises: list[str]) -> ReferenceRun:
    """Run ``exercises``' checks against the reference, twice."""
    reference = load_namespace(SOLUTIONS_DIR.resolve(), course().exercises, "solutions")
    answers: dict[str, Any] = {}

    def recording(name: str) -> Any:
        function = getattr(reference, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            value = function(*args, **kwargs)
            answers.setdefault(name, value)  # public checks are collected, and run, before hidden ones
            return value
        return call

    first = types.SimpleNamespace(**{e.name: recording(e.name) for e in course().exercises})
    records: dict[str, list[CheckResult]] = {run: [] for run in RUNS}
    plugin = CheckRunner(list(RUNS), lambda run: Student(first if run == RUNS[0] else reference), lambda *_: None,
                         lambda run, found: records[run].extend(found), reference=reference, exercises=exercises)
    run_checks([PUBLIC_DIR, HIDDEN_DIR], plugin)
    literals = {name: literal(value) for name, value in answers.items()}
    return ReferenceRun(_problems(records[RUNS[0]], records[RUNS[1]]),
                        {name: text for name, text in literals.items() if text})


def _problems(first: list[CheckResult], second: list[CheckResult]) -> list[str]:
    if [(r.exercise, r.check) for r in first] != [(r.exercise, r.check) for r in second]:
        return ["the checks ran differently the second time (a check that creates checks?)"]
    problems = []
    for a, b in zip(first, second):
        what = f"{a.exercise}: {'hidden' if a.hidden else 'public'} check {a.check}"
        if not a.passed:
            problems.append(f"{what} fails against the reference solution ({a.outcome.value}: {a.message[:200]})")
        if (a.outcome, a.message) != (b.outcome, b.message):
            problems.append(f"{what} is not deterministic: {a.outcome.value} the first time, {b.outcome.value} the "
                            "second" + ("" if a.outcome != b.outcome else f" with another message ({b.message[:120]})"))
    return problems


def literal(value: Any) -> str:
    """``value`` as Python code that makes it again (``40``, ``(2, 3)``, ``torch.float32``,
    ``torch.tensor([1, 0])``), or "" when it has no short one (a module, a large tensor)."""
    if value is None or type(value) in (bool, int, float):
        return repr(value)
    if isinstance(value, torch.dtype):
        return str(value)
    if type(value) in (tuple, torch.Size) and all(type(v) is int for v in value):
        return repr(tuple(value))
    if type(value) is torch.Tensor and value.numel() <= MAX_LITERAL_ELEMENTS and not value.requires_grad \
            and (value.dtype.is_floating_point or value.dtype in (torch.int64, torch.bool)):
        return f"torch.tensor({value.tolist()!r}, dtype={value.dtype})"
    if isinstance(value, nn.Module):
        return _module_literal(value)
    return ""


def _module_literal(module: nn.Module) -> str:
    """A module's architecture as code (``nn.Sequential(nn.Linear(in_features=9, ...), ...)``),
    or "": its weights are left to the random initialisation, as a student's would be."""
    if type(module) is nn.Sequential:
        parts = [_module_literal(child) for child in module]
        return f"nn.Sequential({', '.join(parts)})" if all(parts) else ""
    if type(module).__module__.startswith("torch.nn.modules.") and not list(module.children()):
        code = f"nn.{module!r}"  # a layer's repr is its constructor call: Linear(in_features=9, ...)
        try:
            again = eval(code, {"nn": nn, "torch": torch})  # noqa: S307 - the reference's own layer, not student code
        except Exception:  # noqa: BLE001 - a repr that is not a constructor call
            return ""
        return code if repr(again) == repr(module) and type(again) is type(module) else ""
    return ""

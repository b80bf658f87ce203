"""``autograder new EXERCISE --assignment A``: a new exercise's files, ready to rewrite.

It writes, appending where a file exists and creating the assignment when it is new:

- ``solutions/A.py``: the function, a docstring to rewrite, its solution between the markers;
- ``autograder/checks/hints_A.py``: its hint function (``EXERCISE_mistake``);
- ``autograder/checks/public_A.py``: one public check;
- ``autograder/hidden/hidden_A.py``: one hidden check, and the exercise's entries in the
  assignment's mistake catalogue (what the tests check its hint with);
- ``course.toml``: the assignment, when it is new.

The example works as written (the exercise doubles a tensor), so the course builds,
checks and grades straight away; the instructor then rewrites each part. Nothing is
written unless every file can be: names are checked first, against the whole course.
"""
from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from pathlib import Path

from autograder.authoring.course_file import read_course_file
from autograder.authoring.source import parse_solution
from autograder.authoring.validate import reserved_names
from autograder.curriculum import COURSE_FILE, PROJECT_DIR, SOLUTIONS_DIR, Assignment, name_problem
from autograder.errors import MarkerError, UsageError

HINTS_TOOLKIT = "autograder.checking.hints"
CATALOGUE_MARK = "# --- the mistake catalogue"
LINE = 120  #: the longest line written


@dataclass(frozen=True)
class Written:
    relpath: str  #: relative to the project
    what: str  #: what was written there, for the person who asked


def new_exercise(exercise: str, assignment: str, title: str | None = None, root: Path = PROJECT_DIR,
                 solutions_dir: Path = SOLUTIONS_DIR) -> list[Written]:
    """Write ``exercise`` into ``assignment`` (created when new); what was written, in order."""
    declared = read_course_file(root)
    for name, what in ((assignment, "assignment"), (exercise, "exercise")):
        problem = name_problem(name, what)
        if problem:
            raise UsageError(problem)
    reserved = reserved_names()
    if exercise in reserved:
        raise UsageError(f"{exercise!r} cannot name an exercise: checks need that name for {reserved[exercise]}.")
    files = Assignment(name=assignment, title=title or assignment.replace("_", " ").capitalize())
    is_new = assignment not in declared.course.names
    _refuse_taken(exercise, declared.course.names, solutions_dir)
    paths = {"solution": solutions_dir / files.relpath, "hints": root / files.hints_relpath,
             "public": root / files.public_relpath, "hidden": root / files.hidden_relpath}
    if is_new:
        if title is not None and not 0 < len(title) <= 100:
            raise UsageError("A title is 1 to 100 characters.")
        found = [str(p) for p in paths.values() if p.exists()]
        if found:
            raise UsageError(f"The assignment {assignment!r} is not in {COURSE_FILE}, but its files exist: "
                             + ", ".join(found) + ".", hint=f"declare it in {COURSE_FILE}, or move these away")
    elif title is not None:
        raise UsageError(f"The assignment {assignment!r} exists: its title is in {COURSE_FILE}; leave out --title.")
    number = len(declared.course.names) + 1 if is_new else declared.course.names.index(assignment) + 1
    texts = {kind: path.read_text(encoding="utf-8") if path.exists() else None for kind, path in paths.items()}
    new = {
        "solution": _solution(texts["solution"], files, number) + SOLUTION.format(name=exercise),
        "hints": add_import(texts["hints"] or HINTS_HEADER.format(assignment=assignment), HINTS_TOOLKIT,
                              "not_a_tensor") + HINT.format(name=exercise),
        "public": add_import(add_import(texts["public"] or PUBLIC_HEADER.format(assignment=assignment),
                                            HINTS_TOOLKIT, "message", "tensor_difference"),
                               files.hints_module, f"{exercise}_mistake") + PUBLIC.format(name=exercise),
        "hidden": _hidden(texts["hidden"], files, exercise),
    }
    written = []
    if is_new:
        course_file = root / COURSE_FILE
        text = course_file.read_text(encoding="utf-8")
        entry = COURSE_ENTRY.format(name=assignment, title=json.dumps(files.title, ensure_ascii=False))
        course_file.write_text(text.rstrip("\n") + "\n" + entry, encoding="utf-8")
        written.append(Written(COURSE_FILE, f"the assignment {assignment!r}, after the others"))
    what = {"solution": f"{exercise}: its docstring and reference solution (between the markers)",
            "hints": f"{exercise}_mistake: the typical mistakes of {exercise}, recognised",
            "public": f"test_{exercise}_example: the public check students run",
            "hidden": f"test_{exercise}_random: the hidden check that grades it; its catalogue entries"}
    for kind, path in paths.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new[kind], encoding="utf-8")
        written.append(Written(_relative(path, root), what[kind]))
    return written


def next_steps(written: list[Written]) -> str:
    """What ``autograder new`` prints: every path it wrote, then what to do."""
    width = max(len(w.relpath) for w in written)
    lines = ["Wrote:"] + [f"  {w.relpath:<{width}}  {w.what}" for w in written]
    lines += ["", "The example doubles a tensor. Rewrite the function, its docstring, its checks and its hint",
              "in the files above, then run:", "", "  autograder build", "",
              "which checks the course and regenerates the stubs, the manifest and the notebooks",
              "(docs/authoring.md walks through the rest)."]
    return "\n".join(lines)


def _relative(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def _refuse_taken(exercise: str, assignments: list[str], solutions_dir: Path) -> None:
    for name in assignments:
        files = Assignment(name=name, title=name)
        path = solutions_dir / files.relpath
        if not path.is_file():
            continue
        try:
            solution = parse_solution(path.read_text(encoding="utf-8"), files.solution_relpath, name)
        except MarkerError as err:
            raise UsageError(f"Cannot add an exercise while a solution file is broken: {err.message}") from None
        if exercise in solution.functions:
            raise UsageError(f"{files.solution_relpath} already defines {exercise!r}: an exercise's name is unique "
                             "in the course.", hint="choose another name")


def _solution(text: str | None, files: Assignment, number: int) -> str:
    if text is None:
        return SOLUTION_HEADER.format(number=number, title=files.title)
    return text.rstrip("\n") + "\n"


def _hidden(text: str | None, files: Assignment, exercise: str) -> str:
    text = text or HIDDEN_HEADER.format(assignment=files.name, hints=files.hints_module.rsplit(".", 1)[-1])
    if CATALOGUE_MARK not in text:
        text = text.rstrip("\n") + "\n" + CATALOGUE
    where = text.index(CATALOGUE_MARK)
    text = text[:where].rstrip("\n") + "\n" + HIDDEN.format(name=exercise) + "\n\n" + text[where:]
    for owner, entry in (("MISTAKES", f'"{exercise}": ("    return x * 2\\n", "    return (x * 2).tolist()\\n"),'),
                         ("hint_inputs", f'"{exercise}": (torch.ones(2, 3),),'),
                         ("hint_examples", f'("{exercise}", [2.0, 4.0], "return a torch.Tensor"),')):
        text = _insert_entry(text, owner, entry, files.hidden_relpath)
    return text


def _insert_entry(source: str, owner: str, entry: str, filename: str) -> str:
    """``source`` with ``entry`` as the last item of the dict or list literal that ``owner``
    holds (a module-level name) or returns (a function)."""
    lines = source.splitlines(keepends=True)
    for node in ast.parse(source).body:
        literal = None
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == owner for t in node.targets):
            literal = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id == owner:
            literal = node.value
        elif isinstance(node, ast.FunctionDef) and node.name == owner:
            returns = [n for n in ast.walk(node) if isinstance(n, ast.Return)]
            literal = returns[-1].value if returns else None
        if isinstance(literal, (ast.Dict, ast.List)) and lines[literal.end_lineno - 1].strip() in ("}", "]"):
            closing = lines[literal.end_lineno - 1]
            indent = closing[: len(closing) - len(closing.lstrip())] + "    "
            return "".join(lines[: literal.end_lineno - 1]) + indent + entry + "\n" + "".join(lines[literal.end_lineno - 1:])
    raise UsageError(f"Cannot add to {owner} in {filename}: keep it as `autograder new` writes it (a literal "
                     "whose closing bracket is on a line of its own).", hint="add the exercise's entries by hand")


def add_import(source: str, module: str, *names: str) -> str:
    """``source`` importing ``names`` from ``module`` too (merged into its import of that
    module, or after its last import)."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == module and node.level == 0:
            have = [a.name if not a.asname else f"{a.name} as {a.asname}" for a in node.names]
            wanted = sorted(set(have) | set(names))
            if len(wanted) == len(have):
                return source
            return "".join(lines[: node.lineno - 1]) + _import_line(module, wanted) + "".join(lines[node.end_lineno:])
    last = max((n.end_lineno for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))), default=0)
    gap = "\n" if last and lines[last - 1].strip() and not _imports_from(tree, module.split(".")[0]) else ""
    return "".join(lines[:last]) + gap + _import_line(module, sorted(names)) + "".join(lines[last:])


def _imports_from(tree: ast.Module, package: str) -> bool:
    """Whether ``tree`` already imports from ``package`` (its imports then form a group)."""
    return any(isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == package for n in tree.body)


def _import_line(module: str, names: list[str]) -> str:
    """``from module import a, b``, wrapped in parentheses under :data:`LINE` characters."""
    head = f"from {module} import "
    if len(head) + len(", ".join(names)) <= LINE:
        return head + ", ".join(names) + "\n"
    out, current = [], head + "("
    for i, name in enumerate(names):
        piece = name + (", " if i < len(names) - 1 else ")")
        if len(current) + len(piece.rstrip()) > LINE:
            out.append(current.rstrip())
            current = " " * len(head + "(")
        current += piece
    return "\n".join(out + [current]) + "\n"


COURSE_ENTRY = '''
[[assignments]]
name = "{name}"
title = {title}
# modules = ["MSELoss"]  # torch.nn classes its exercises may return beyond the default set
'''

SOLUTION_HEADER = '''"""Assignment {number}: {title}.

Say here what this assignment teaches and why it matters: its notebook opens with this
text, and each exercise's docstring teaches the rest.
"""
import torch
'''

SOLUTION = '''

def {name}(x: torch.Tensor) -> torch.Tensor:
    """Say in one line what {name} returns.

    Teach here: the idea, what it is for, the shapes and dtypes it takes and gives, and
    the mistake students tend to make. The stub and the notebook show this text; the
    first line is also the answer cell's summary.

    Example::

        >>> {name}(torch.tensor([1.0, 2.0, 3.0]))
        tensor([2., 4., 6.])

    Args:
        x: a float tensor of any shape; must not be modified.

    Returns:
        A new float tensor of the same shape.
    """
    ### BEGIN SOLUTION
    return x * 2
    ### END SOLUTION
'''

HINTS_HEADER = '''"""Hints for the {assignment} assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). The public
and the hidden checks of this assignment call them. Only torch and
``autograder.checking.hints`` here: the assignment's released notebook carries this file
in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

import torch
'''

HINT = '''

def {name}_mistake(got: Any, x: torch.Tensor) -> str | None:
    """A hint when what {name} returned is a typical mistake, else None: what is wrong,
    then what to do, in one sentence (the other assignments' hints are examples)."""
    return not_a_tensor(got)
'''

PUBLIC_HEADER = '''"""Public checks of the {assignment} assignment: students run them (``autograder check``, a
notebook's check cells) and an exercise earns points only when all of its pass.

Each check asks for exercise functions by name and uses only torch and the hints: it is
copied into the notebook's ``public_checks.py``.
"""
import pytest
import torch
'''

PUBLIC = '''

@pytest.mark.exercise("{name}")
def test_{name}_example({name}):
    x = torch.tensor([1.0, 2.0, 3.0])
    got = {name}(x)
    problem = message({name}_mistake(got, x) or tensor_difference(got, torch.tensor([2.0, 4.0, 6.0])),
                      "{name}(torch.tensor([1.0, 2.0, 3.0]))")
    assert problem is None, problem
'''

HIDDEN_HEADER = '''"""Hidden checks of the {assignment} assignment: they decide the grade. Never shipped to students."""
import pytest
import torch

from autograder.checking import expect
from autograder.checks import {hints} as hints
'''

HIDDEN = '''

@pytest.mark.exercise("{name}")
@pytest.mark.points(1)
@pytest.mark.parametrize("seed", [1, 2])
def test_{name}_random(student, reference, seed):
    x = torch.randn(3, 4, generator=torch.Generator().manual_seed(seed))
    got = student.{name}(x)
    call = "{name}(x of shape (3, 4))"
    expect.hint(hints.{name}_mistake(got, x), call)
    expect.tensor(got, reference.{name}(x), call)
'''

CATALOGUE = f'''

{CATALOGUE_MARK}: what the tests check this assignment's hints with ------------
# (never shipped: it quotes the solution)

#: one typical mistake per exercise, as an edit of the reference solution (right line, wrong
#: line): the public and the hidden checks must name it, in the same words
MISTAKES = {{
}}


def hint_inputs() -> dict:
    """exercise -> the inputs (after what the student returned) its checks give its hint function."""
    return {{
    }}


def hint_examples() -> list:
    """(exercise, what a student's function returned, words its hint must contain)."""
    return [
    ]
'''

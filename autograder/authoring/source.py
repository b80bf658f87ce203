"""A reference solution file, parsed once into what every generated file is made from.

Stubs (``stubs``), the manifest (``curriculum.Exercise``) and the nbgrader notebooks
(``nbgrader.course``) all read a :class:`SolutionFile`: one parse, one rule for where a
function ends (at the next top-level statement, so trailing comments belong to it),
one place that checks the markers.
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from autograder.curriculum import BEGIN_SOLUTION, END_SOLUTION, Assignment, Exercise
from autograder.errors import MarkerError

_MARKER = re.compile(r"^(\s*)### (BEGIN|END) SOLUTION\s*$")
_LOOSE_MARKER = re.compile(r"#+\s*(BEGIN|END)\s*SOL", re.IGNORECASE)  # anything that looks meant as a marker


@dataclass(frozen=True)
class SolutionBlock:
    begin: int  #: 0-based index of the ``### BEGIN SOLUTION`` line
    end: int  #: 0-based index of the ``### END SOLUTION`` line
    exercise: str  #: the function it belongs to
    indent: str  #: the markers' indentation


@dataclass(frozen=True)
class SolutionFile:
    filename: str  #: as messages name it (``solutions/tensors.py``)
    assignment: str
    lines: tuple[str, ...]
    docstring: str  #: the module's
    imports: str  #: its top-level import statements, one per line
    functions: dict[str, str]  #: name -> the function's source with markers, up to the next statement
    blocks: tuple[SolutionBlock, ...]
    exercises: tuple[Exercise, ...]  #: public functions with a solution block, in order
    starts: dict[str, int]  #: function name -> the line (1-based) of its ``def``
    tree: ast.Module  #: the file's syntax tree (for the checks ``autograder build`` makes)


def parse_solution(source: str, filename: str, assignment: str) -> SolutionFile:
    """Parse ``source``; raises MarkerError, naming file and line, for a file that does not
    parse or whose markers are malformed, unpaired, nested or outside a function."""
    lines = source.splitlines()
    for number, line in enumerate(lines, 1):
        if _LOOSE_MARKER.search(line) and not _MARKER.match(line):
            raise MarkerError(
                f"{filename}:{number}: malformed solution marker {line.strip()!r}; "
                f"write exactly {BEGIN_SOLUTION!r} or {END_SOLUTION!r} on a line of its own."
            )
    try:
        tree = ast.parse(source, filename=filename)
    except SyntaxError as err:
        raise MarkerError(f"{filename}:{err.lineno}: the solution file does not parse: {err.msg}.") from None
    owner: dict[int, str] = {}  # 0-based line -> the top-level function that owns it
    functions: dict[str, str] = {}
    defs: dict[str, int] = {}
    starts = [n.lineno for n in tree.body] + [len(lines) + 1]
    for node, next_start in zip(tree.body, starts[1:]):
        if isinstance(node, ast.FunctionDef):
            for lineno in range(node.lineno, next_start):
                owner[lineno - 1] = node.name
            functions[node.name] = "\n".join(lines[node.lineno - 1 : next_start - 1]).rstrip() + "\n"
            defs[node.name] = node.lineno
    blocks = _blocks(lines, owner, filename)
    solved = {block.exercise for block in blocks}
    exercises = tuple(
        Exercise(name=node.name, assignment=assignment, docstring=ast.get_docstring(node) or "",
                 signature=f"{node.name}({_parameters(node.args)})"
                           + (f" -> {ast.unparse(node.returns)}" if node.returns else ""))
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_") and node.name in solved
    )
    imports = "\n".join(ast.get_source_segment(source, n) for n in tree.body
                        if isinstance(n, (ast.Import, ast.ImportFrom))) + "\n"
    return SolutionFile(filename, assignment, tuple(lines), ast.get_docstring(tree) or "", imports, functions,
                        tuple(blocks), exercises, defs, tree)


def read_solution(solutions_dir: Path, assignment: str) -> SolutionFile:
    """The solution file of ``assignment`` in ``solutions_dir``, parsed."""
    files = Assignment(name=assignment, title=assignment)
    path = solutions_dir / files.relpath
    return parse_solution(path.read_text(encoding="utf-8"), files.solution_relpath, assignment)


def _blocks(lines: list[str], owner: dict[int, str], filename: str) -> list[SolutionBlock]:
    blocks = []
    begin: int | None = None
    for index, line in enumerate(lines):
        match = _MARKER.match(line)
        if not match:
            continue
        where = f"{filename}:{index + 1}"
        if match.group(2) == "BEGIN":
            if begin is not None:
                raise MarkerError(f"{where}: {BEGIN_SOLUTION!r} inside the block opened on line {begin + 1}; close it first.")
            if index not in owner:
                raise MarkerError(f"{where}: {BEGIN_SOLUTION!r} outside a top-level function; every solution block "
                                  "belongs to one exercise function.")
            begin = index
        else:
            if begin is None:
                raise MarkerError(f"{where}: {END_SOLUTION!r} without a matching {BEGIN_SOLUTION!r}.")
            if owner.get(index) != owner[begin]:
                raise MarkerError(f"{where}: {END_SOLUTION!r} is not in the same function as the {BEGIN_SOLUTION!r} "
                                  f"on line {begin + 1}.")
            indent = _MARKER.match(lines[begin]).group(1)
            if match.group(1) != indent:
                raise MarkerError(f"{where}: {END_SOLUTION!r} is not indented like the {BEGIN_SOLUTION!r} on line "
                                  f"{begin + 1}.")
            blocks.append(SolutionBlock(begin, index, owner[begin], indent))
            begin = None
    if begin is not None:
        raise MarkerError(f"{filename}:{begin + 1}: {BEGIN_SOLUTION!r} is never closed by {END_SOLUTION!r}.")
    return blocks


def _parameters(args: ast.arguments) -> str:
    """A def's parameters as PEP 8 writes them: ``n: int = 0`` (``ast.unparse`` gives ``n: int=0``)."""
    if args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg:
        return ast.unparse(args)
    defaults = [None] * (len(args.args) - len(args.defaults)) + list(args.defaults)
    parts = []
    for arg, default in zip(args.args, defaults):
        text = arg.arg + (f": {ast.unparse(arg.annotation)}" if arg.annotation else "")
        if default is not None:
            text += (" = " if arg.annotation else "=") + ast.unparse(default)
        parts.append(text)
    return ", ".join(parts)

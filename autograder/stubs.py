"""Turn a reference solution into a student stub: a pure function of the source text.

The part between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (markers included)
becomes ``raise NotImplementedError(...)`` naming the exercise; everything else
(signature, docstring, imports) is kept, so the stub imports and runs.
"""
from __future__ import annotations

import ast
import re

from .curriculum import BEGIN_SOLUTION, END_SOLUTION
from .errors import MarkerError

STUB_HEADER = (
    "# Your exercises. Replace each `raise NotImplementedError(...)` with your code,\n"
    "# then run `autograder check` to test your work.\n"
)

_MARKER = re.compile(r"^(\s*)### (BEGIN|END) SOLUTION\s*$")
_LOOSE_MARKER = re.compile(r"#+\s*(BEGIN|END)\s*SOL", re.IGNORECASE)  # anything that looks meant as a marker


def not_implemented_line(exercise: str) -> str:
    return f'raise NotImplementedError("Exercise {exercise}: not done yet, replace this line with your code")'


def find_solution_blocks(source: str, filename: str) -> list[tuple[int, int, str]]:
    """``(begin, end, exercise)`` line indices (0-based, inclusive) of every solution block.

    Raises MarkerError, naming file and line, for unpaired, nested or misplaced markers.
    """
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
    # a function owns its lines up to the next top-level statement (trailing comments included)
    owner: dict[int, str] = {}
    starts = [n.lineno for n in tree.body] + [len(lines) + 1]
    for node, next_start in zip(tree.body, starts[1:]):
        if isinstance(node, ast.FunctionDef):
            for lineno in range(node.lineno, next_start):
                owner[lineno - 1] = node.name
    blocks = []
    begin: int | None = None
    for index, line in enumerate(lines):
        match = _MARKER.match(line)
        if not match:
            continue
        kind = match.group(2)
        where = f"{filename}:{index + 1}"
        if kind == "BEGIN":
            if begin is not None:
                raise MarkerError(f"{where}: {BEGIN_SOLUTION!r} inside the block opened on line {begin + 1}; close it first.")
            if index not in owner:
                raise MarkerError(f"{where}: {BEGIN_SOLUTION!r} outside a top-level function; every solution block belongs to one exercise function.")
            begin = index
        else:
            if begin is None:
                raise MarkerError(f"{where}: {END_SOLUTION!r} without a matching {BEGIN_SOLUTION!r}.")
            if owner.get(index) != owner[begin]:
                raise MarkerError(f"{where}: {END_SOLUTION!r} is not in the same function as the {BEGIN_SOLUTION!r} on line {begin + 1}.")
            if match.group(1) != _MARKER.match(lines[begin]).group(1):
                raise MarkerError(f"{where}: {END_SOLUTION!r} is not indented like the {BEGIN_SOLUTION!r} on line {begin + 1}.")
            blocks.append((begin, index, owner[begin]))
            begin = None
    if begin is not None:
        raise MarkerError(f"{filename}:{begin + 1}: {BEGIN_SOLUTION!r} is never closed by {END_SOLUTION!r}.")
    return blocks


def make_stub(source: str, filename: str) -> str:
    """The student version of a solution file."""
    lines = source.splitlines()
    out: list[str] = []
    cursor = 0
    for begin, end, exercise in find_solution_blocks(source, filename):
        out.extend(lines[cursor:begin])
        indent = _MARKER.match(lines[begin]).group(1)
        out.append(indent + not_implemented_line(exercise))
        cursor = end + 1
    out.extend(lines[cursor:])
    return STUB_HEADER + "\n".join(out) + "\n"


def solution_bodies(source: str, filename: str) -> dict[str, str]:
    """exercise -> the code between its markers (used to prove nothing leaks)."""
    lines = source.splitlines()
    return {
        exercise: "\n".join(line.strip() for line in lines[begin + 1 : end] if line.strip())
        for begin, end, exercise in find_solution_blocks(source, filename)
    }

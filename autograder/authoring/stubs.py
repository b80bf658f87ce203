"""Turn a reference solution into a student stub: a pure function of the source text.

The part between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (markers included)
becomes ``raise NotImplementedError(...)`` naming the exercise; everything else
(signature, docstring, imports) is kept, so the stub imports and runs.
"""
from __future__ import annotations

from autograder.authoring.source import SolutionFile, parse_solution

STUB_HEADER = (
    "# Your exercises. Replace each `raise NotImplementedError(...)` with your code,\n"
    "# then run `autograder check` to test your work.\n"
)

def not_implemented_line(exercise: str) -> str:
    return f'raise NotImplementedError("{exercise} is not done yet: replace this line with your code")'


def stub_of(solution: SolutionFile) -> str:
    """The student version of a parsed solution file."""
    lines = solution.lines
    out: list[str] = []
    cursor = 0
    for block in solution.blocks:
        out.extend(lines[cursor:block.begin])
        out.append(block.indent + not_implemented_line(block.exercise))
        cursor = block.end + 1
    out.extend(lines[cursor:])
    return STUB_HEADER + "\n".join(out) + "\n"


def make_stub(source: str, filename: str) -> str:
    """The student version of a solution file's text (raises MarkerError naming the file)."""
    return stub_of(parse_solution(source, filename, ""))


def solution_bodies(source: str, filename: str) -> dict[str, str]:
    """exercise -> the code between its markers (used to prove nothing leaks)."""
    solution = parse_solution(source, filename, "")
    return {block.exercise: "\n".join(line.strip() for line in solution.lines[block.begin + 1 : block.end] if line.strip())
            for block in solution.blocks}

"""What a feedback page lists: one line per distinct problem, with how many checks it failed.

A check's message is its problem, then where it happened in brackets
(``checking.hints.message``: "The bias was not added: ... [linear_transform(x of shape
(5, 4), ...)]"). Several checks of an exercise often fail for one mistake, each with its
own call; a student needs the problem once. The call is the check's own text (brackets
balanced), so it is found from the end of the message by matching brackets, in linear
time, whatever student text comes before it.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass, field


def split_call(line: str) -> tuple[str, str]:
    """(the problem, the call) of a message's line; the call is "" when the line ends in none."""
    if not line.endswith("]"):
        return line, ""
    depth = 0
    for i in range(len(line) - 1, -1, -1):
        if line[i] == "]":
            depth += 1
        elif line[i] == "[":
            depth -= 1
            if depth == 0:
                if i > 0 and line[i - 1] == " ":
                    return line[: i - 1], line[i + 1: -1]
                return line, ""
    return line, ""


@dataclass
class Problem:
    """A distinct problem of an exercise: its text, the detail of its first check (a traceback)
    and the calls of the checks it failed, in order."""

    text: str
    detail: str = ""
    calls: list[str] = field(default_factory=list)
    checks: int = 0

    def where(self) -> str:
        """The checks it failed, in words: "in 1 check: f(x)" or "in 3 checks, such as f(x)"."""
        if not self.calls:
            return "" if self.checks == 1 else f"in {self.checks} checks"
        if self.checks == 1:
            return f"in 1 check: {self.calls[0]}"
        return f"in {self.checks} checks, such as {self.calls[0]}"


def group_problems(outputs: list[str]) -> list[Problem]:
    """The distinct problems among the ``outputs`` of an exercise's failed checks (each its
    first line, then any detail), in the order they first appear."""
    found: dict[str, Problem] = {}
    for output in outputs:
        line, _, detail = output.partition("\n")
        text, call = split_call(line)
        problem = found.get(text)
        if problem is None:
            problem = found[text] = Problem(text, detail)
        problem.checks += 1
        if call:
            problem.calls.append(call)
    return list(found.values())


def shorten(text: str, width: int) -> str:
    """``text`` on one line, cut at a word boundary to at most ``width`` characters."""
    short = textwrap.shorten(text, width=width, placeholder=" ...")
    return short if short.strip(". ") else text[:width]

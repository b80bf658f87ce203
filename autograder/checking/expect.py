"""What a check raises when it finds a wrong answer, and comparisons for hidden checks
that say what is wrong in a student's terms.

Each helper raises :class:`CheckFailure` with a hint (what is wrong, then what to do;
:mod:`autograder.checking.hints`), followed by the call it happened in: the same words
the public checks give. An assignment's own hints come from its hints module, which its
hidden checks pass to :func:`hint`.
"""
from __future__ import annotations

from typing import Any

import torch

from autograder.checking import hints


class CheckFailure(AssertionError):
    """A check found a wrong answer; the message tells the student what is wrong."""


def fail(message: str) -> None:
    raise CheckFailure(message)


def hint(message: str | None, call: str) -> None:
    """Fail with ``message`` (a hint) and where it happened, if there is one."""
    text = hints.message(message, call)
    if text:
        fail(text)


def tensor(got: Any, want: torch.Tensor, call: str) -> None:
    """``got`` must be a tensor with ``want``'s shape, dtype and values."""
    hint(hints.tensor_difference(got, want), call)


def python_int(got: Any, want: int, call: str) -> None:
    hint(hints.python_int_mistake(got), call)
    if got != want:
        fail(f"It returned {got}; expected {want}. [{call}]")


def unchanged(after: torch.Tensor, before: torch.Tensor, call: str, what: str = "its input") -> None:
    if not torch.equal(after, before):
        fail(f"It modified {what} in place: compute a new tensor and leave the input as it was. [{call}]")


def shape(got: Any, want: tuple[int, ...], call: str) -> None:
    """A tensor ``got`` must have the shape ``want``; one that lost or gained dimensions of
    size 1 (``squeeze()``, ``unsqueeze()``, ``keepdim=True``) is told so. Anything else is
    left to :func:`tensor`."""
    if isinstance(got, torch.Tensor):
        hint(hints.size_one_difference(tuple(got.shape), tuple(want)), call)

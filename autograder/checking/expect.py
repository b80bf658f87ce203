"""Comparisons for checks that say what is wrong in a student's terms.

Each helper raises :class:`~autograder.checking.outcomes.CheckFailure` with a message that
names the call, what was expected and what came back, so that the student reads a
diagnosis rather than a diff.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autograder.checking.outcomes import fail


def describe(value: Any) -> str:
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if isinstance(value, nn.Module):
        return f"an {type(value).__name__} module"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiouAEIOU' else 'a'} {name} ({value!r:.80})"


def tensor(got: Any, want: torch.Tensor, call: str, *, atol: float = 1e-5, rtol: float = 1e-4,
           check_dtype: bool = True) -> None:
    """``got`` must be a tensor with ``want``'s shape, dtype and values."""
    if not isinstance(got, torch.Tensor):
        fail(f"{call} returned {describe(got)}; it should return a torch.Tensor.")
    if tuple(got.shape) != tuple(want.shape):
        fail(f"{call} returned shape {tuple(got.shape)}; expected shape {tuple(want.shape)}.")
    if check_dtype and got.dtype != want.dtype:
        fail(f"{call} returned dtype {got.dtype}; expected {want.dtype}.")
    if want.dtype.is_floating_point:
        g, w = got.detach().double(), want.double()
        if torch.isnan(g).any() and not torch.isnan(w).any():
            fail(f"{call} returned NaN values; expected finite numbers (did something overflow?).")
        if not torch.allclose(g, w, atol=atol, rtol=rtol, equal_nan=True):
            diff = (g - w).abs().nan_to_num(nan=float("inf")).reshape(-1)
            index = _unravel(int(diff.argmax()), tuple(g.shape))
            fail(f"{call} returned wrong values: at index {index} got {g[index].item():.6g}, expected {w[index].item():.6g}.")
    elif not torch.equal(got, want.to(got.dtype)):
        fail(f"{call} returned wrong values: got {got.tolist()!r:.120}, expected {want.tolist()!r:.120}.")


def _unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element ``flat`` of a row-major tensor of ``shape``.

    Not ``torch.unravel_index``: its first call imports sympy (about 0.8 s), which made
    the first student with a wrong value cost a grading process most of a second.
    """
    index = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        index.append(i)
    return tuple(reversed(index))


def python_int(got: Any, want: int, call: str) -> None:
    if isinstance(got, torch.Tensor):
        fail(f"{call} returned a tensor; return a Python int (use .item() or sum plain ints).")
    if type(got) is not int:
        fail(f"{call} returned {describe(got)}; it should return a Python int.")
    if got != want:
        fail(f"{call} returned {got}; expected {want}.")


def unchanged(after: torch.Tensor, before: torch.Tensor, call: str, what: str = "its input") -> None:
    if not torch.equal(after, before):
        fail(f"{call} modified {what} in place; compute a new tensor and leave the input as it was.")


def layer_types(model: Any, call: str) -> list[str]:
    if not isinstance(model, nn.Sequential):
        fail(f"{call} returned {describe(model)}; it should return an nn.Sequential.")
    return [type(layer).__name__ for layer in model]

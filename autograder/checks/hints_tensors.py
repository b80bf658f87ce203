"""Hints for the tensors assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). The public
and the hidden checks of this assignment call them. Only torch and
``autograder.checking.hints`` here: the assignment's released notebook carries this file
in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

import torch

from autograder.checking.hints import describe, is_int, not_a_tensor, python_int_mistake, same


def create_tensor_mistake(got: Any, data: Any) -> str | None:
    want = torch.tensor(data)
    if isinstance(got, (list, tuple)):
        return "it returned the list itself: turn it into a tensor with torch.tensor(data)."
    if isinstance(got, torch.Tensor) and got.dtype == torch.float32 and want.dtype in (torch.int64, torch.bool):
        kind = "integers" if want.dtype == torch.int64 else "booleans"
        return (f"{kind} became floats (torch.Tensor(data) or a float dtype does that): "
                "use torch.tensor(data) as it is.")
    return not_a_tensor(got)


def tensor_dtype_mistake(got: Any, t: torch.Tensor) -> str | None:
    if isinstance(got, str):
        return "it returned the dtype's name, a string: return the torch.dtype itself, t.dtype."
    if isinstance(got, (torch.Size, tuple)):
        return "that is the shape: the element type is the attribute t.dtype."
    if isinstance(got, type) and issubclass(got, torch.Tensor):
        return "that is the tensor's class: the element type is the attribute t.dtype."
    if not isinstance(got, torch.dtype):
        return f"it returned {describe(got)}: return a torch.dtype, the attribute t.dtype."
    return None


def tensor_shape_mistake(got: Any, t: torch.Tensor) -> str | None:
    shape = tuple(t.shape)
    if isinstance(got, torch.Tensor):
        return "it returned a tensor: return a tuple of ints, such as t.shape."
    if type(got) is int:
        return "it returned one number: return the whole shape, t.shape (a tuple, one length per dimension)."
    if isinstance(got, list):
        return "it returned a list: return a tuple (t.shape is one)."
    if not isinstance(got, tuple):
        return f"it returned {describe(got)}: return a tuple such as t.shape."
    if len(got) == 1 and len(shape) > 1 and is_int(got[0], shape[0]):
        return "that is only the first dimension (len(t)): return the whole shape, t.shape."
    return None


def count_elements_mistake(got: Any, t: torch.Tensor) -> str | None:
    shape = tuple(t.shape)
    if shape and is_int(got, shape[0]) and t.numel() != shape[0]:
        return "len(t) counts only the first dimension: t.numel() counts every element."
    if is_int(got, len(shape)) and t.numel() != len(shape):
        return "that is the number of dimensions (t.dim()): t.numel() counts the elements."
    return python_int_mistake(got)


def linear_transform_mistake(got: Any, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if same(got, x @ weight.T) and not same(x @ weight.T + bias, x @ weight.T):
        return "the bias was not added: a layer computes x @ weight.T + bias."
    if weight.shape[0] == weight.shape[1] and same(got, x @ weight + bias) and not same(got, x @ weight.T + bias):
        return "the weight was not transposed: it is stored as (out, in), so use weight.T."
    return None

"""Hints for the tensors assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). Each asks
its exercise's catalogue: mistake models (what a typical wrong implementation returns,
with what a teacher says about it) and recognisers, tried in order. The public and the
hidden checks of this assignment call them. Only torch and ``autograder.checking.hints``
here: the assignment's released notebook carries this file in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

import torch

from autograder.checking.hints import (Catalogue, Mistake, class_path, describe, not_a_tensor, python_int_mistake,
                                       text_of)


def _data_returned(got: Any, data: Any) -> str | None:
    if isinstance(got, (list, tuple)) or (type(got) in (int, float, bool) and got == data):
        return "it returned the data itself: turn it into a tensor with torch.tensor(data)."
    return None


def _dtype_changed(got: Any, data: Any) -> str | None:
    want = torch.tensor(data)
    if not isinstance(got, torch.Tensor) or got.dtype == want.dtype or tuple(got.shape) != tuple(want.shape):
        return None
    if got.dtype == torch.float32 and want.dtype in (torch.int64, torch.bool):
        kind = "integers" if want.dtype == torch.int64 else "booleans"
        return (f"{kind} became floats (torch.Tensor(data) or a float dtype does that): "
                "use torch.tensor(data) as it is.")
    return (f"the dtype is {got.dtype}, where torch.tensor(data) infers {want.dtype} from the values: "
            "leave out dtype= and conversions such as .float() or .long().")


CREATE_TENSOR = Catalogue(
    lambda data: torch.tensor(data),
    _data_returned,
    _dtype_changed,
    Mistake("the tensor has an extra dimension of size 1 ([data] wraps the list in another): use torch.tensor(data).",
            lambda data: torch.tensor([data])),
    Mistake("the tensor was flattened: the nesting of the lists is the shape, so keep it, torch.tensor(data).",
            lambda data: torch.tensor(data).reshape(-1)),
    Mistake("a dimension of length 1 was removed (squeeze): the nesting of the lists is the shape, torch.tensor(data).",
            lambda data: torch.tensor(data).squeeze()),
    Mistake("the tensor is transposed: the outer list holds the rows, as torch.tensor(data) makes them.",
            lambda data: torch.tensor(data).t()),
    lambda got, data: not_a_tensor(got),
)


def create_tensor_mistake(got: Any, data: Any) -> str | None:
    return CREATE_TENSOR.diagnose(got, data)


def _not_a_dtype(got: Any, t: torch.Tensor) -> str | None:
    path = class_path(got)
    if isinstance(got, str):
        return "it returned the dtype's name, a string: return the torch.dtype itself, t.dtype."
    if isinstance(got, (torch.Size, tuple)):
        return "that is the shape: the element type is the attribute t.dtype."
    if path == "builtins.type" and "Tensor" in text_of(got):
        return "that is the tensor's class (type(t)): the element type is the attribute t.dtype."
    if path.startswith("numpy."):
        return "that is NumPy's dtype: return torch's own, the attribute t.dtype."
    if type(got) is bool:
        return "it returned True or False (a comparison?): return the dtype itself, t.dtype."
    if isinstance(got, torch.dtype):
        return f"it returned {got} for a {t.dtype} tensor: return the dtype of the tensor given, t.dtype."
    return f"it returned {describe(got)}: return a torch.dtype, the attribute t.dtype."


TENSOR_DTYPE = Catalogue(
    lambda t: t.dtype,
    Mistake("t.type() gives the name of the tensor's type, a string: the element type is the attribute t.dtype.",
            lambda t: t.type()),
    Mistake("that is the size of one element in bytes (element_size()): the element type is the attribute t.dtype.",
            lambda t: t.element_size()),
    _not_a_dtype,
)


def tensor_dtype_mistake(got: Any, t: torch.Tensor) -> str | None:
    return TENSOR_DTYPE.diagnose(got, t)


def _not_a_shape(got: Any, t: torch.Tensor) -> str | None:
    shape = tuple(t.shape)
    if isinstance(got, torch.Tensor):
        return "it returned a tensor: return a tuple of ints, such as t.shape."
    if type(got) is int:
        return "it returned one number: return the whole shape, t.shape (a tuple, one length per dimension)."
    if isinstance(got, list):
        return "it returned a list: return a tuple (t.shape is one)."
    if not isinstance(got, tuple):
        return f"it returned {describe(got)}: return a tuple such as t.shape."
    if any(type(n) is not int for n in got):
        return (f"the tuple holds {describe(next(n for n in got if type(n) is not int))}, not ints: "
                "return t.shape, whose entries are ints.")
    if len(got) == 1 and len(shape) > 1 and got[0] == shape[0]:
        return "that is only the first dimension (len(t)): return the whole shape, t.shape."
    return None


TENSOR_SHAPE = Catalogue(
    lambda t: tuple(t.shape),
    Mistake("the lengths are in reverse order: t.shape lists them from the first dimension to the last.",
            lambda t: tuple(reversed(t.shape))),
    Mistake("a 0-dimensional tensor (a single number) has the empty shape (): t.shape gives it as it is.",
            lambda t: tuple(t.shape) or (1,)),
    Mistake("those are the strides (t.stride()), how far apart elements lie in memory: the shape is t.shape.",
            lambda t: tuple(t.stride())),
    _not_a_shape,
)


def tensor_shape_mistake(got: Any, t: torch.Tensor) -> str | None:
    return TENSOR_SHAPE.diagnose(got, t)


def _zero(got: Any, t: torch.Tensor) -> str | None:
    if type(got) is int and got == 0 and t.numel():
        return ("it returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts "
                "from 1, not 0; t.numel() counts every element.")
    return None


COUNT_ELEMENTS = Catalogue(
    lambda t: t.numel(),
    Mistake("len(t) counts only the first dimension: t.numel() counts every element.", lambda t: len(t)),
    Mistake("that is the number of dimensions (t.dim()): t.numel() counts the elements.", lambda t: t.dim()),
    Mistake("that adds up the lengths of the dimensions: the number of elements is their product, t.numel().",
            lambda t: sum(t.shape)),
    Mistake("that counts only the first two dimensions: the number of elements multiplies every length, t.numel().",
            lambda t: t.shape[0] * t.shape[1]),
    Mistake("that is the length of the last dimension only: t.numel() counts the elements of every dimension.",
            lambda t: t.shape[-1]),
    _zero,
    Mistake("that depends on the values (it counts the non-zero ones, or adds them up): t.numel() counts every "
            "element, whatever its value.", lambda t: int(torch.count_nonzero(t))),
    Mistake("that depends on the values (it counts the non-zero ones, or adds them up): t.numel() counts every "
            "element, whatever its value.", lambda t: t.sum().item()),
    Mistake("that is the size in bytes (element_size() * numel()): the number of elements is t.numel().",
            lambda t: t.element_size() * t.numel()),
    Mistake("that is the shape: the number of elements is the product of its lengths, t.numel().",
            lambda t: tuple(t.shape)),
    lambda got, t: python_int_mistake(got),
)


def count_elements_mistake(got: Any, t: torch.Tensor) -> str | None:
    return COUNT_ELEMENTS.diagnose(got, t)


LINEAR_TRANSFORM = Catalogue(
    lambda x, weight, bias: x @ weight.T + bias,
    lambda got, x, weight, bias: not_a_tensor(got),
    Mistake("the bias was not added: a layer computes x @ weight.T + bias.", lambda x, weight, bias: x @ weight.T),
    Mistake("the weight was not transposed: it is stored as (out, in), so use weight.T.",
            lambda x, weight, bias: x @ weight + bias),
    Mistake("the product is the wrong way round: x @ weight.T gives one row per sample.",
            lambda x, weight, bias: weight @ x.T + bias),
    Mistake("* multiplies element by element: the layer needs the matrix product, x @ weight.T.",
            lambda x, weight, bias: x * weight + bias),
    Mistake("the bias was subtracted: a layer adds it, x @ weight.T + bias.", lambda x, weight, bias: x @ weight.T - bias),
    Mistake("the bias was made a column (shape (out, 1)): add it as it is, shape (out,), and it is added to every "
            "sample's row.", lambda x, weight, bias: x @ weight.T + bias.reshape(-1, 1)),
    Mistake("the bias was added to the inputs before the product: add it to the product, x @ weight.T + bias.",
            lambda x, weight, bias: (x + bias) @ weight.T),
)


def linear_transform_mistake(got: Any, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> str | None:
    return LINEAR_TRANSFORM.diagnose(got, x, weight, bias)

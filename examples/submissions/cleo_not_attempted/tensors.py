# Your exercises. Replace each `raise NotImplementedError(...)` with your code,
# then run `autograder check` to test your work.
"""Assignment 1: tensors.

A tensor is PyTorch's basic data structure: an n-dimensional array of numbers, much
like a NumPy array, that knows its element type (``dtype``) and its ``shape``.
Everything a network does is additions and multiplications on tensors.
"""
from typing import Any

import torch


def create_tensor(data: Any) -> torch.Tensor:
    """Turn a (nested) Python list into a tensor.

    ``torch.tensor(data)`` copies the values and infers the element type from them:
    Python ints give ``torch.int64``, floats give ``torch.float32`` and bools give
    ``torch.bool``. The nesting of the lists becomes the shape.

    Beware ``torch.Tensor(data)`` (capital T): it is the class constructor and always
    makes ``float32``, so integers silently become floats.

    Example::

        >>> create_tensor([[1, 2, 3], [4, 5, 6]])
        tensor([[1, 2, 3],
                [4, 5, 6]])

    Args:
        data: a number, or a list (possibly nested, all rows the same length) of
            ints, floats or bools.

    Returns:
        A new tensor with the same values, shape and dtype as ``torch.tensor(data)``.
    """
    raise NotImplementedError("create_tensor is not done yet: replace this line with your code")


def tensor_dtype(t: torch.Tensor) -> torch.dtype:
    """Return the element type of a tensor.

    Every tensor stores one kind of number. The type is the tensor's *attribute*
    ``t.dtype`` (there is no ``torch.dtype(t)`` function: ``torch.dtype`` is the class
    of the answer, such as ``torch.float32`` or ``torch.int64``).

    Example::

        >>> tensor_dtype(torch.tensor([1.5, 2.0]))
        torch.float32

    Args:
        t: any tensor.

    Returns:
        The ``torch.dtype`` of ``t``.
    """
    raise NotImplementedError("tensor_dtype is not done yet: replace this line with your code")


def tensor_shape(t: torch.Tensor) -> tuple[int, ...]:
    """Return the shape of a tensor as a tuple of ints.

    The shape is the tensor's attribute ``t.shape`` (the same as ``t.size()``): one
    length per dimension. A matrix with 2 rows and 3 columns has shape ``(2, 3)``; a
    single number (a 0-dimensional tensor) has shape ``()``.

    Example::

        >>> tensor_shape(torch.zeros(2, 3))
        (2, 3)

    Args:
        t: any tensor.

    Returns:
        A tuple with the length of each dimension (``torch.Size`` is a tuple, so
        returning it is fine).
    """
    raise NotImplementedError("tensor_shape is not done yet: replace this line with your code")


def count_elements(t: torch.Tensor) -> int:
    """Return how many numbers a tensor holds.

    ``t.numel()`` multiplies the lengths of all dimensions: a ``(2, 3)`` tensor holds 6
    numbers, a 0-dimensional tensor holds 1, and a tensor with a zero-length
    dimension holds 0. Note that ``len(t)`` is only the length of the first dimension.

    Example::

        >>> count_elements(torch.zeros(4, 5))
        20

    Args:
        t: any tensor.

    Returns:
        The number of elements, as a Python ``int``.
    """
    raise NotImplementedError("count_elements is not done yet: replace this line with your code")


def linear_transform(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
    """Compute what a linear layer computes, by hand: ``x @ weight.T + bias``.

    A neuron multiplies each input feature by a weight, adds the products up and adds
    its bias. For a whole layer and a whole batch at once this is one matrix product
    and one addition. The weight matrix is stored as ``(out_features, in_features)``,
    the same way ``nn.Linear`` stores it, so it has to be transposed.

    Example::

        >>> x = torch.tensor([[1.0, 2.0]])            # 1 sample, 2 features
        >>> w = torch.tensor([[1.0, 0.0], [0.5, 0.5]])  # 2 outputs
        >>> linear_transform(x, w, torch.tensor([0.0, 1.0]))
        tensor([[1.0000, 2.5000]])

    Args:
        x: float tensor of shape ``(batch, in_features)``; must not be modified.
        weight: float tensor of shape ``(out_features, in_features)``.
        bias: float tensor of shape ``(out_features,)``.

    Returns:
        A new float tensor of shape ``(batch, out_features)``.
    """
    raise NotImplementedError("linear_transform is not done yet: replace this line with your code")

"""The errors students meet most, explained in their terms: one sentence per error.

:func:`explain` reads an exception's class name and text (what Python or PyTorch said)
and returns what a teacher would say about it, or None for an error it does not know.
``checking.hints.crashed`` puts that sentence before the raw line, wherever a check runs:
grading, ``autograder check`` and a notebook's check cells.

The text comes from student code (an exception's message is whatever it says), so it is
read in linear time: its length is bounded first, then only ``in``, ``find`` and
``split`` look at it; no regular expression.

Only torch and the standard library here: a released notebook's ``public_checks.py``
holds this file (``autograder/nbgrader/checks_file.py``).
"""
from __future__ import annotations

import difflib

import torch
from torch import nn

#: how much of an error's text is read: every message explained here is shorter
MAX_ERROR_CHARS = 1_000


def _between(text: str, start: str, end: str) -> str | None:
    """The text between the first ``start`` and the next ``end``, at most 60 characters."""
    at = text.find(start)
    if at < 0:
        return None
    at += len(start)
    stop = text.find(end, at)
    return text[at:stop][:60] if stop >= 0 else None


def _close(name: str, options: list[str]) -> str | None:
    """The option closest to a misspelt ``name``, if one is close enough."""
    found = difflib.get_close_matches(name[:40], [o for o in options if not o.startswith("_")], n=1, cutoff=0.75)
    return found[0] if found else None


_IMPORTS = {"nn": "from torch import nn", "F": "import torch.nn.functional as F", "torch": "import torch",
            "np": "import numpy as np", "numpy": "import numpy", "math": "import math"}


def explain(error: str, text: str) -> str | None:
    """A sentence about the error ``error`` (its class name) with message ``text``, or None."""
    text = " ".join(str(text)[:MAX_ERROR_CHARS].split())
    for explainer in (_calls, _shapes, _types, _names, _resources):
        sentence = explainer(error, text)
        if sentence:
            return sentence
    return None


def _calls(error: str, text: str) -> str | None:
    """Something called that should not be, or not called that should be."""
    if "'torch.Size' object is not callable" in text:
        return "shape is an attribute, not a method: write t.shape without ()."
    if "'torch.dtype' object is not callable" in text:
        return "dtype is an attribute, not a method: write t.dtype without ()."
    if "cannot create 'torch.dtype' instances" in text:
        return "torch.dtype is the type of dtypes, not a function: the element type of t is the attribute t.dtype."
    if "object is not callable" in text and text.startswith("'"):
        what = _between(text, "'", "'")
        if what in ("int", "bool", "float", "Tensor", "Parameter", "tuple"):
            return (f"a value (a {what}) was called like a function: attributes such as t.ndim, t.T or "
                    "layer.weight are written without ().")
        return None
    if "does not support the context manager protocol" in text or (error == "AttributeError" and text == "__enter__"):
        return "a context manager is written with parentheses: with torch.no_grad(): ..."
    if "'builtin_function_or_method'" in text or "'method'" in text:
        if "not subscriptable" in text:
            return "a method was indexed without being called: write t.size()[0], or use the attribute t.shape[0]."
        return "a method was used without being called: add its () (for example p.numel(), not p.numel)."
    if "is not a Module subclass" in text:
        if text.startswith("list ") or text.startswith("tuple "):
            return "nn.Sequential takes the layers one by one, not a list: unpack it, nn.Sequential(*layers)."
        if text.startswith("torch.nn.modules."):
            layer = text.split(" ", 1)[0].rsplit(".", 1)[-1][:40]
            return f"nn.{layer} was given as a class, not a layer: create the layer with parentheses, nn.{layer}()."
        return "nn.Sequential takes layers (torch.nn modules) only."
    if '"forward" function' in text and "ModuleList" in text:
        return "an nn.ModuleList holds layers but cannot be called on an input: use nn.Sequential, which runs them in order."
    if ".__init__()" in text and ("positional argument" in text or "multiple values for argument" in text):
        layer = text.split(".__init__()", 1)[0][-40:]
        if isinstance(getattr(nn, layer, None), type):
            return (f"nn.{layer}(...) takes the layer's settings, not the input: create the layer, then call it "
                    f"on the input, nn.{layer}(...)(x).")
    if ".forward() takes" in text and "positional argument" in text:
        return "a layer is called on its input alone: settings such as dim go to its constructor, nn.Softmax(dim=dim)(x)."
    if 'positional arguments: "dim"' in text or "missing 1 required positional argument: 'dim'" in text:
        return "softmax needs to know which dimension sums to one: pass dim=dim."
    return None


def _shapes(error: str, text: str) -> str | None:
    """Shapes that do not fit, and indices past the end."""
    if "1D tensors expected" in text:
        return "torch.dot multiplies two vectors (1-D tensors) only: for matrices use the matrix product, x @ weight.T."
    if "shapes cannot be multiplied" in text:
        sizes = _between(text, "(", ")") or "?"
        return (f"in a matrix product a @ b the columns of a must equal the rows of b, and here they do not ({sizes}): "
                "is a transpose (.T) missing or extra, or are the operands the wrong way round?")
    if "must match the size of tensor b" in text:
        a, b = _between(text, "tensor a (", ")"), _between(text, "tensor b (", ")")
        dim = _between(text + ".", "non-singleton dimension ", ".")
        return (f"these shapes do not fit element by element ({a} against {b} in dimension {dim}): a sum or max "
                "along a dimension removes it unless you pass keepdim=True, and a matrix product is @, not *.")
    if "vector + matrix @ vector expected" in text or ("size mismatch, got input" in text and "vec (" in text):
        return "torch.mv multiplies a matrix by one vector: for a batch of samples use the matrix product, x @ weight.T."
    if "Dimension specified as" in text and "has no dimensions" in text:
        return "a 0-dimensional tensor (a single number) has no dimension 0: t.numel() and t.shape work for every tensor."
    if "einsum()" in text and "does not broadcast" in text:
        return "the letters of the einsum do not match the operands' shapes: the weight is stored as (out, in)."
    if "stack expects a non-empty TensorList" in text:
        return "torch.stack was given an empty list: an input may have no rows (or be a single number)."
    if "Dimension out of range" in text:
        top = _between(text, ", ", "]")
        got = _between(text + ")", "but got ", ")")
        if top is not None and top.isdigit():
            return (f"dimension {got} does not exist: the tensor has {int(top) + 1} dimension(s), numbered from 0 "
                    "(or from the end: dim=-1 is the last).")
        return f"dimension {got} does not exist for this tensor: count from the end with dim=-1 for the last."
    if error == "IndexError" and ("tuple index out of range" in text or "list index out of range" in text):
        return ("an index past the end of a tuple or list: t.shape has one entry per dimension (fewer for a 1-D or "
                "0-D tensor), and a list such as hidden_sizes may be empty.")
    if "is out of bounds for dimension" in text:
        return "an index past the end of a dimension of a tensor: positions go from 0 to its length - 1."
    if "len() of a 0-d tensor" in text:
        return "a 0-dimensional tensor (a single number) has no length: t.numel() and t.shape work for every tensor."
    if "expected sequence of length" in text:
        return "the lists are not all the same length: a tensor needs rows of equal length."
    if "is invalid for input of size" in text:
        return "the new shape holds a different number of elements than the tensor: their products must be equal."
    if "view size is not compatible" in text:
        return "view() needs a tensor laid out in one piece: use reshape(), which works for any tensor."
    if "too many values to unpack" in text or "not enough values to unpack" in text:
        return "unpacking needs one name per value: a shape has one entry per dimension, and max(dim=...) returns two."
    if "reduce() of empty iterable" in text:
        return "reduce() of an empty sequence: a 0-dimensional tensor's shape is (), so start from 1, or use t.numel()."
    return None


def _types(error: str, text: str) -> str | None:
    """A value of the wrong type or dtype."""
    if "torch.return_types." in text:
        name = _between(text, "torch.return_types.", "'") or "max"
        return f"{name}(dim=...) returns a pair (values, indices): take .values or .indices."
    if "same dtype" in text or "expected scalar type" in text or "Found dtype" in text:
        return "the tensors have different dtypes (integers and floats?): convert one, for example with .float()."
    if "Only Tensors of floating point and complex dtype can require gradients" in text:
        return "only float tensors can require gradients: leave requires_grad out for integers and booleans."
    if "could not infer output dtype" in text:
        return "mean() needs a float tensor: convert it first with .float()."
    if "only one element tensors can be converted to Python scalars" in text or "cannot be converted to Scalar" in text:
        return ("a tensor of several numbers was used where one Python number is needed (math functions, float(), "
                "int(), .item()): use torch functions, which work on whole tensors.")
    if "Boolean value of Tensor with more than one value is ambiguous" in text:
        return ("a tensor of several values was used as one True or False (if, and, or, Python's max): use torch "
                "functions such as torch.max, .any() or .all().")
    if "unsupported operand type(s)" in text and "'torch.Size'" in text:
        return "a shape (a torch.Size) was used as a number: t.numel() is the number of elements."
    if "argument '" in text and " must be " in text and ", not " in text and "must be Tensor" not in text:
        function = text.split("(", 1)[0][-30:] if "(" in text else "this function"
        argument, kind = _between(text, "argument '", "'"), _between(text, " must be ", ", not ")
        given = _between(text + ")", ", not ", ")")
        return f"the argument {argument} of {function} must be a {kind}, not a {given}."
    if "must be Tensor, not " in text:
        function = text.split("(", 1)[0][-30:] if "(" in text else "this function"
        given = _between(text + ")", "must be Tensor, not ", ")") or "?"
        if given == "tuple":
            return (f"{function} needs a tensor, not a tuple: take the tensor you need out of it "
                    "(max(dim=...) returns (values, indices)).")
        if given == "generator":
            return f"{function} needs a tensor, not a generator: Python's sum(...) adds up a generator of numbers."
        return f"{function} needs a tensor, not a {given}: make one with torch.tensor(...) first."
    if "received an invalid combination of arguments" in text:
        function = text.split("(", 1)[0][-30:]
        return f"{function}() was given arguments it does not take (a missing dim=? a list instead of a tensor?)."
    if "object has no attribute" in text:
        owner, name = _between(text, "'", "'"), _between(text, "attribute '", "'")
        return _no_attribute(owner, name, text)
    if "module 'torch" in text and "has no attribute" in text:
        owner, name = _between(text, "module '", "'"), _between(text, "attribute '", "'")
        where = {"torch": torch, "torch.nn": nn}.get(owner or "")
        close = _close(name, dir(where)) if where is not None and name else None
        if close:
            return f"{owner} has no {name}: did you mean {owner}.{close}?"
    if "object is not iterable" in text and "'int'" in text:
        return "a number was looped over or unpacked as if it were a list (an input may be a single number)."
    if "object is not iterable" in text and text.startswith("'"):
        layer = _between(text, "'", "'")
        if layer and isinstance(getattr(nn, layer, None), type) and layer not in ("Sequential", "ModuleList"):
            return (f"an nn.{layer} is one layer, not a list of layers: model.parameters() goes through the "
                    "parameters of any model.")
    if "object of type 'generator' has no len()" in text:
        return "model.parameters() is a generator, which has no len(): go through it with a for loop (or sum(...))."
    if "can't assign a" in text and "to a torch." in text:
        return ("a list was put where one number goes (t[i] = ...): the data may be nested; torch.tensor(data) turns "
                "nested lists of any depth into a tensor.")
    if "object is not subscriptable" in text and "'int'" in text:
        return "a number was indexed with [...] as if it were a list or a tensor."
    return None


def _no_attribute(owner: str | None, name: str | None, text: str) -> str | None:
    if owner in ("Tensor", "Parameter") and name:
        close = _close(name, dir(torch.Tensor))
        return (f"tensors have no attribute {name}" + (f": did you mean {close}?" if close else
                                                       ": check its spelling in the PyTorch documentation."))
    if owner == "NoneType":
        return ("a value is None where an object was expected: a function without return gives None, and a "
                "layer made with bias=False has no bias.")
    if owner in ("Sequential", "ModuleList") and name in ("weight", "bias", "in_features", "out_features"):
        return (f"an nn.{owner} has no {name} of its own, its layers do (model[0].{name}): model.parameters() "
                "goes through all of them.")
    if owner == "list":
        return f"a list has no {name}: tensors do (torch.tensor(...) makes one)."
    if owner == "tuple":
        return f"a tuple has no {name}: max(dim=...) returns a pair, take .values or .indices; a shape is a tuple of ints."
    if owner in ("int", "float"):
        return f"a Python number has no {name}: it is not a tensor (it is already a number)."
    if owner == "torch.dtype":
        return f"a dtype has no {name}: return it as it is, t.dtype (str(t.dtype) is its name as text)."
    if owner == "torch.Size":
        return f"a shape (torch.Size) has no {name}: it is a tuple of ints already, tuple(t.shape)."
    if owner and name and isinstance(getattr(nn, owner, None), type):
        return (f"an nn.{owner} has no {name}: its parameters are tensors, which have (model.parameters() goes "
                "through them).")
    return None


def _names(error: str, text: str) -> str | None:
    """Names not defined, or used before they have a value."""
    if error == "NameError" and text.startswith("name '"):
        name = _between(text, "name '", "'") or "?"
        if name in _IMPORTS:
            return f"{name} is not defined: import it at the top of the file, {_IMPORTS[name]}."
        return f"{name} is not defined: define it before its use, or check its spelling (names are case-sensitive)."
    if error == "UnboundLocalError":
        name = _between(text, "variable '", "'") or "a variable"
        return (f"{name} is used before it gets a value: one set only inside a loop or an if that did not run "
                "(an empty hidden_sizes?).")
    return None


def _resources(error: str, text: str) -> str | None:
    """Running out: memory, recursion, a division by zero."""
    if error == "MemoryError":
        return "it ran out of memory: is a tensor or a list far larger than the inputs call for?"
    if error == "RecursionError":
        return "the function calls itself without end: is its own name used inside it?"
    if error == "ZeroDivisionError":
        return "a division by zero: an empty or 0-dimensional tensor can make a length or a count 0."
    return None

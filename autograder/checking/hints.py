"""What hints are made of: the course's hints (``autograder/checks/hints_<assignment>.py``)
and the comparisons of hidden checks (``checking.expect``) build on these.

A hint names a typical mistake, recognised from what a student's function returned, and
says what to do, in one sentence and without the call: the caller says where it
happened (:func:`message`). Each assignment's hints module holds one function per
exercise, ``<exercise>_mistake(got, *inputs)``, returning a hint or None; the public
checks (``autograder check``, a notebook's check cells) and the hidden checks (grading)
call the same functions, so a student reads the same words wherever a check runs.

Only torch here, and nothing else of the autograder: a released notebook's
``public_checks.py`` holds this file, its assignment's hints and public checks, and runs
in students' kernels, where the autograder is not installed
(``autograder/nbgrader/checks_file.py``).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn


def message(hint: str | None, call: str) -> str | None:
    """What a check says: the hint (capitalised), then the call it came from; None for no hint."""
    if not hint:
        return None
    return f"{hint[:1].upper()}{hint[1:]} [{call}]"


def describe(value: Any) -> str:
    """What a value is, in a few words: "a torch.float32 tensor of shape (2, 3)"."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if value is None:
        return "None (is a return statement missing?)"
    name = kind(value)[:40] or "?"
    article = "an" if name[0] in "aeiouAEIOU" else "a"
    if isinstance(value, nn.Module):
        return f"{article} {name} module"
    try:
        text = " ".join(repr(value).split())  # one line, whatever the value
    except Exception:  # noqa: BLE001 - a student's object whose repr raises
        return f"{article} {name}"
    return f"{article} {name} ({text[:60]}{'...' if len(text) > 60 else ''})"


def same(got: Any, want: torch.Tensor, atol: float = 1e-5) -> bool:
    """``got`` is a tensor with ``want``'s shape and values (whatever its dtype)."""
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
        return False
    if got.is_complex() or want.is_complex():
        return False
    return bool(torch.allclose(got.detach().double(), want.detach().double(), atol=atol, rtol=1e-4))


def own_class(module: Any, kind: str = "module") -> str | None:
    """A hint when ``module`` is of a class the student wrote (a subclass of ``nn.Sequential``
    or a layer of their own): the grader rebuilds returned modules from torch.nn's own
    classes only, so ``autograder check`` must refuse them too, with the same words."""
    if not isinstance(module, nn.Module):
        return None
    name = _class_path(module)
    if name.split(".")[0] == "torch":
        return None
    name = name.rsplit(".", 1)[-1]
    return (f"{kind} is of a class of your own ({name[:40]}): the grader rebuilds only torch.nn's own "
            "classes, so build it from them (nn.Sequential, nn.Linear, ...).")


def _class_path(module: nn.Module) -> str:
    """``torch.nn.modules.linear.Linear``: the module's class, or the class the grader's
    stand-in for a module it could not rebuild says it was."""
    name = getattr(module, "class_name", None)
    return name if isinstance(name, str) else f"{type(module).__module__}.{type(module).__qualname__}"


def kind(layer: Any) -> str:
    """A layer's class name as the student wrote it: ``Linear``, ``LeakyReLU``."""
    return _class_path(layer).rsplit(".", 1)[-1] if isinstance(layer, nn.Module) else type(layer).__name__


def own_classes(model: Any) -> str | None:
    """The hint for a model or one of its layers of a class of the student's own."""
    if not isinstance(model, nn.Module):
        return None
    return own_class(model, "the model") or next(
        (own_class(layer, "a layer") for layer in model.children() if own_class(layer)), None)


def not_a_tensor(got: Any) -> str | None:
    if isinstance(got, torch.Tensor):
        return None
    if isinstance(got, nn.Module):
        return "it returned a module, not its output: call the module on the input, module(x)."
    return f"it returned {describe(got)}: return a torch.Tensor."


def tensor_difference(got: Any, want: torch.Tensor) -> str | None:
    """How ``got`` differs from the tensor ``want``: its type, shape, dtype or first wrong value."""
    hint = not_a_tensor(got)
    if hint:
        return hint
    if tuple(got.shape) != tuple(want.shape):
        return f"the shape is {tuple(got.shape)}; expected {tuple(want.shape)}."
    if got.dtype != want.dtype:
        return f"the dtype is {got.dtype}; expected {want.dtype}."
    if want.dtype.is_floating_point:
        g, w = got.detach().double(), want.double()
        if torch.isnan(g).any() and not torch.isnan(w).any():
            return "it returned NaN values (did something overflow?): expected finite numbers."
        if torch.allclose(g, w, atol=1e-5, rtol=1e-4, equal_nan=True):
            return None
        diff = (g - w).abs().nan_to_num(nan=float("inf")).reshape(-1)
        index = unravel(int(diff.argmax()), tuple(g.shape))
        return f"wrong values: at index {index} it is {g[index].item():.6g}; expected {w[index].item():.6g}."
    if torch.equal(got, want):
        return None
    return f"wrong values: got {got.tolist()!r:.100}; expected {want.tolist()!r:.100}."


def unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element ``flat`` of a row-major tensor of ``shape`` (``torch.unravel_index``
    imports sympy on first use: most of a second)."""
    index = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        index.append(i)
    return tuple(reversed(index))


def is_int(got: Any, number: int) -> bool:
    """``got`` is the Python int ``number`` (a tensor or any other object never is)."""
    return type(got) is int and got == number


def python_int_mistake(got: Any) -> str | None:
    if isinstance(got, torch.Tensor):
        return "it returned a tensor: return a Python int (.item() turns a one-number tensor into one)."
    if type(got) is not int:
        return f"it returned {describe(got)}: return a Python int."
    return None


def layers_of(model: Any) -> tuple[str | None, list[str]]:
    """(a hint, or None and the layer kinds) for what should be an nn.Sequential of torch.nn layers."""
    hint = own_classes(model)
    if hint:
        return hint, []
    if not isinstance(model, nn.Sequential):
        return f"it returned {describe(model)}: return an nn.Sequential of the layers.", []
    return None, [kind(layer) for layer in model]

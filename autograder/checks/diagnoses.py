"""The mistakes students typically make, recognised from what their function returned.

One place for every diagnosis. The public checks (``autograder check`` and a notebook's
check cells) and the hidden checks (grading) call these same functions, so a student who
forgets the bias reads "the bias was not added" wherever the check runs.

``<exercise>_mistake(got, *inputs)`` returns a hint, or None when ``got`` is none of the
mistakes it knows (it may still be wrong: the caller then compares it with the expected
answer). A hint starts with what is wrong and ends with what to do, in one sentence and
without the call: the caller says where it happened.

Only torch here, and nothing of the autograder: a released notebook's ``public_checks.py``
is generated from this file and runs in students' kernels, where the autograder is not
installed (``autograder/nbgrader/checks_file.py``).
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


def _same(got: Any, want: torch.Tensor, atol: float = 1e-5) -> bool:
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


def _own_classes(model: Any) -> str | None:
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


def _is(got: Any, number: int) -> bool:
    """``got`` is the Python int ``number`` (a tensor or any other object never is)."""
    return type(got) is int and got == number


def python_int_mistake(got: Any) -> str | None:
    if isinstance(got, torch.Tensor):
        return "it returned a tensor: return a Python int (.item() turns a one-number tensor into one)."
    if type(got) is not int:
        return f"it returned {describe(got)}: return a Python int."
    return None


# --- tensors -------------------------------------------------------------------------------


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
    if len(got) == 1 and len(shape) > 1 and _is(got[0], shape[0]):
        return "that is only the first dimension (len(t)): return the whole shape, t.shape."
    return None


def count_elements_mistake(got: Any, t: torch.Tensor) -> str | None:
    shape = tuple(t.shape)
    if shape and _is(got, shape[0]) and t.numel() != shape[0]:
        return "len(t) counts only the first dimension: t.numel() counts every element."
    if _is(got, len(shape)) and t.numel() != len(shape):
        return "that is the number of dimensions (t.dim()): t.numel() counts the elements."
    return python_int_mistake(got)


def linear_transform_mistake(got: Any, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if _same(got, x @ weight.T) and not _same(x @ weight.T + bias, x @ weight.T):
        return "the bias was not added: a layer computes x @ weight.T + bias."
    if weight.shape[0] == weight.shape[1] and _same(got, x @ weight + bias) and not _same(got, x @ weight.T + bias):
        return "the weight was not transposed: it is stored as (out, in), so use weight.T."
    return None


# --- layers --------------------------------------------------------------------------------


def make_linear_layer_mistake(layer: Any, n_features: int, n_classes: int) -> str | None:
    if own_class(layer):
        return own_class(layer, "the layer")
    if not isinstance(layer, nn.Linear):
        return f"it returned {describe(layer)}: return an nn.Linear(n_features, n_classes)."
    sizes = (layer.in_features, layer.out_features)
    if sizes == (n_classes, n_features) and n_features != n_classes:
        return ("the sizes are swapped: the inputs are the features and the outputs the classes, "
                "nn.Linear(n_features, n_classes).")
    if layer.bias is None:
        return "the layer has no bias: leave out bias=False."
    if sizes != (n_features, n_classes):
        return f"the layer is nn.Linear{sizes}: expected nn.Linear({n_features}, {n_classes})."
    if tuple(layer.weight.shape) != (n_classes, n_features):
        return (f"the weight has shape {tuple(layer.weight.shape)}: nn.Linear({n_features}, {n_classes}) "
                f"stores ({n_classes}, {n_features}); leave it as nn.Linear made it.")
    return None


def linear_parameter_count_mistake(got: Any, in_features: int, out_features: int) -> str | None:
    if type(got) is not int:
        return python_int_mistake(got)
    want = in_features * out_features + out_features
    if got == want:
        return None
    if got == in_features * out_features:
        return "that counts the weights only: each output also has a bias, so add out_features."
    if got == in_features * out_features + in_features:
        return "one bias per output, not per input: add out_features, not in_features."
    if got == in_features + out_features:
        return "every input connects to every output: the weights are in_features * out_features."
    return python_int_mistake(got)


def count_parameters_mistake(got: Any, model: nn.Module) -> str | None:
    if type(got) is not int:
        return python_int_mistake(got)
    want = sum(p.numel() for p in model.parameters())
    if got == want:
        return None
    tensors = len(list(model.parameters()))
    if got == tensors:
        return ("that is the number of parameter tensors: add up their sizes, "
                "sum(p.numel() for p in model.parameters()).")
    with_buffers = want + sum(b.numel() for b in model.buffers())
    if got == with_buffers and with_buffers != want:
        return "buffers (running statistics) were counted too: only model.parameters() are parameters."
    if got == 0 and want > 0:
        return "it returned 0: add each p.numel() to the total (total += p.numel()) and return it."
    if got > 0 and got in (len(list(model.modules())), len(list(model.children()))):
        return "that is the number of layers: count the numbers in their parameters, p.numel()."
    return python_int_mistake(got)


def _layers_of(model: Any) -> tuple[str | None, list[str]]:
    """(a hint, or None and the layer kinds) for what should be an nn.Sequential of torch.nn layers."""
    hint = _own_classes(model)
    if hint:
        return hint, []
    if not isinstance(model, nn.Sequential):
        return f"it returned {describe(model)}: return an nn.Sequential of the layers.", []
    return None, [kind(layer) for layer in model]


def build_classifier_mistake(model: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    hint, kinds = _layers_of(model)
    if hint:
        return hint
    if not kinds or kinds[-1] != "Softmax":
        return "the output activation is missing: end the model with nn.Softmax(dim=-1)."
    sizes = [n_features, *hidden, n_classes]
    want = [f"Linear({a}, {b})" for a, b in zip(sizes, sizes[1:])]
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    got = [f"Linear({layer.in_features}, {layer.out_features})" for layer in linears]
    if got != want:
        return f"the Linear layers are {', '.join(got) or 'none'}: expected {', '.join(want)}."
    if kinds.count("ReLU") < len(hidden):
        return "a hidden layer has no activation: put nn.ReLU() after each hidden Linear layer."
    want_kinds = ["Linear"] + ["ReLU", "Linear"] * len(hidden) + ["Softmax"]
    if kinds != want_kinds:
        return f"the layers are [{', '.join(kinds)}]: expected [{', '.join(want_kinds)}]."
    if any(layer.bias is None for layer in linears):
        return "a Linear layer has no bias: leave out bias=False."
    softmax = model[-1]
    if softmax.dim is None:
        return "nn.Softmax() without dim makes PyTorch guess the dimension: pass dim=-1, the classes."
    if softmax.dim not in (-1, 1):
        return f"Softmax(dim={softmax.dim}) normalises over the batch: use dim=-1, the classes."
    return None


def added_parameters_mistake(got: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    if type(got) is not int:
        return python_int_mistake(got)
    sizes = [n_features, *hidden, n_classes]
    total = sum(a * b + b for a, b in zip(sizes, sizes[1:]))
    plain = n_features * n_classes + n_classes
    if got == total and total != plain:
        return ("that is the whole model's count: subtract what the model without hidden layers has, "
                "n_features * n_classes + n_classes.")
    weights = sum(a * b for a, b in zip(sizes, sizes[1:])) - n_features * n_classes
    if got == weights and weights != total - plain:
        return "the biases were left out: every Linear layer has one bias per output."
    return python_int_mistake(got)


# --- activations ---------------------------------------------------------------------------


def apply_sigmoid_mistake(got: Any, x: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if _same(got, torch.sigmoid(x)):
        return None
    if x.dim() and _same(got, torch.softmax(x, dim=-1)):
        return "that is softmax: sigmoid squashes each number on its own; use nn.Sigmoid()."
    if _same(got, torch.exp(-x)) or _same(got, 1 + torch.exp(-x)):
        return "only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."
    if _same(got, torch.relu(x)):
        return "that is ReLU: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."
    return None


def build_binary_classifier_mistake(model: Any, n_features: int) -> str | None:
    hint, kinds = _layers_of(model)
    if hint:
        return hint
    if kinds == ["Linear"]:
        return "the output activation is missing: end the model with nn.Sigmoid()."
    if kinds == ["Linear", "Softmax"]:
        if model[0].out_features == 1:
            return "softmax over one output is always 1: a binary classifier ends with nn.Sigmoid()."
        return "a binary classifier here has one output and ends with nn.Sigmoid(), not a softmax."
    if kinds != ["Linear", "Sigmoid"]:
        return f"the layers are {kinds}: expected [Linear, Sigmoid]."
    linear = model[0]
    if (linear.in_features, linear.out_features) != (n_features, 1):
        return (f"the layer is Linear({linear.in_features}, {linear.out_features}): one probability needs "
                f"one output, Linear({n_features}, 1).")
    return None


def apply_softmax_mistake(got: Any, logits: torch.Tensor, dim: int = -1) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if torch.isnan(got).any() and not torch.isnan(logits).any():
        return ("it returned NaN: exp overflows on large logits; subtract the maximum before "
                "exponentiating, or use torch.softmax.")
    right = torch.softmax(logits, dim=dim)
    if dim not in (-1, logits.dim() - 1) and _same(got, torch.softmax(logits, dim=-1)) and not _same(got, right):
        return "the dim argument was ignored: pass it on, torch.softmax(logits, dim=dim)."
    if logits.dim() > 1 and dim in (-1, logits.dim() - 1) and _same(got, torch.softmax(logits, dim=0)) \
            and not _same(got, right):
        return "softmax was taken over dimension 0 (the batch): take it over dim, the classes."
    if _same(got, torch.log_softmax(logits, dim=dim)) and not _same(got, right):
        return "that is log_softmax: softmax returns probabilities, torch.softmax(logits, dim=dim)."
    e = torch.exp(logits - logits.max())
    if logits.dim() > 1 and _same(got, e / e.sum()) and not _same(got, right):
        return "the sum was over every element: sum along dim, exp(x).sum(dim=dim, keepdim=True)."
    if _same(got, logits / logits.sum(dim=dim, keepdim=True)) and not _same(got, right):
        return "the exponential is missing: softmax divides exp(logits) by its sum."
    if _same(got, torch.exp(logits)) and not _same(got, right):
        return "the division is missing: divide exp(logits) by its sum along dim."
    return None


def forward_pass_mistake(got: Any, model: nn.Module, x: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if got.requires_grad:
        return "the output requires grad: run the model inside with torch.no_grad()."
    return None


def predict_classes_mistake(got: Any, probabilities: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if probabilities.dim() > 1 and _same(got, probabilities.argmax(dim=0)) \
            and not _same(got, probabilities.argmax(dim=-1)):
        return "argmax was taken over the batch (dim 0): take it over the classes, dim=-1."
    if probabilities.dim() and got.dtype.is_floating_point and _same(got, probabilities.max(dim=-1).values):
        return "those are the largest probabilities: argmax gives their positions, the classes."
    return None

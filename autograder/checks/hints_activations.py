"""Hints for the activations assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). Each asks
its exercise's catalogue: mistake models (what a typical wrong implementation returns,
with what a teacher says about it) and recognisers, tried in order. Models that build
layers run on PyTorch's meta device (``Catalogue(..., modules=True)``). The public and the
hidden checks of this assignment call them. Only torch and ``autograder.checking.hints``
here: the assignment's released notebook carries this file in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autograder.checking.hints import Catalogue, Mistake, class_path, kind, layers_of, not_a_tensor, same


def _dtype_kept(got: Any, x: torch.Tensor, *rest: Any) -> str | None:
    """An activation keeps its input's dtype."""
    if isinstance(got, torch.Tensor) and got.dtype != x.dtype and tuple(got.shape) == tuple(x.shape):
        return (f"the dtype is {got.dtype}, but the input is {x.dtype}: an activation keeps its input's dtype, "
                "so leave out conversions such as .double().")
    return None


APPLY_SIGMOID = Catalogue(
    lambda x: torch.sigmoid(x),
    lambda got, x: not_a_tensor(got),
    Mistake("that is softmax: sigmoid squashes each number on its own; use nn.Sigmoid().",
            lambda x: torch.softmax(x, dim=-1)),
    Mistake("only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it.",
            lambda x: torch.exp(-x)),
    Mistake("only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it.",
            lambda x: 1 + torch.exp(-x)),
    Mistake("the sign is flipped: sigmoid(x) = 1 / (1 + exp(-x)), with a minus; nn.Sigmoid() computes it.",
            lambda x: torch.sigmoid(-x)),
    Mistake("the denominator is 1 + exp(-x), with a plus: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it.",
            lambda x: 1 / (1 - torch.exp(-x))),
    Mistake("that is ReLU: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it.", lambda x: torch.relu(x)),
    Mistake("that is tanh, whose values lie between -1 and 1: sigmoid squashes into (0, 1); use nn.Sigmoid().",
            lambda x: torch.tanh(x)),
    Mistake("that is the log of the sigmoid: nn.Sigmoid() gives the sigmoid itself.",
            lambda x: torch.nn.functional.logsigmoid(x)),
    Mistake("that is a step (0 or 1): the sigmoid is smooth, 1 / (1 + exp(-x)); use nn.Sigmoid().",
            lambda x: (x > 0).float()),
    Mistake("that is hardsigmoid, a cheaper straight-line approximation: use the sigmoid itself, nn.Sigmoid().",
            lambda x: torch.nn.functional.hardsigmoid(x)),
    Mistake("that is softplus, log(1 + exp(x)), which has no upper bound: sigmoid(x) = 1 / (1 + exp(-x)); use "
            "nn.Sigmoid().", lambda x: torch.nn.functional.softplus(x)),
    _dtype_kept,
)


def apply_sigmoid_mistake(got: Any, x: torch.Tensor) -> str | None:
    return APPLY_SIGMOID.diagnose(got, x)


def _binary_layers(model: Any, n_features: int) -> str | None:
    hint, kinds = layers_of(model)
    if hint:
        return hint
    if kinds == ["Linear"]:
        return "the output activation is missing: end the model with nn.Sigmoid()."
    if kinds == ["Linear", "Softmax"]:
        if model[0].out_features == 1:
            return "softmax over one output is always 1: a binary classifier ends with nn.Sigmoid()."
        return "a binary classifier here has one output and ends with nn.Sigmoid(), not a softmax."
    if kinds == ["Linear", "LogSigmoid"]:
        return "nn.LogSigmoid gives log-probabilities (negative numbers): end the model with nn.Sigmoid()."
    if kinds == ["Sigmoid", "Linear"]:
        return "the sigmoid comes first: it belongs after the linear layer, on its output."
    if kinds != ["Linear", "Sigmoid"]:
        return f"the layers are {kinds}: expected [Linear, Sigmoid]."
    linear = model[0]
    if (linear.in_features, linear.out_features) != (n_features, 1):
        return (f"the layer is Linear({linear.in_features}, {linear.out_features}): one probability needs "
                f"one output, Linear({n_features}, 1).")
    if linear.bias is None:
        return "the linear layer has no bias: logistic regression has one, so leave out bias=False."
    return None


BUILD_BINARY_CLASSIFIER = Catalogue(
    lambda n: nn.Sequential(nn.Linear(n, 1), nn.Sigmoid()),
    Mistake("ReLU does not give probabilities (its outputs have no upper bound): end the model with nn.Sigmoid().",
            lambda n: nn.Sequential(nn.Linear(n, 1), nn.ReLU())),
    Mistake("tanh gives values between -1 and 1, not probabilities: end the model with nn.Sigmoid().",
            lambda n: nn.Sequential(nn.Linear(n, 1), nn.Tanh())),
    _binary_layers,
    modules=True,
)


def build_binary_classifier_mistake(model: Any, n_features: int) -> str | None:
    return BUILD_BINARY_CLASSIFIER.diagnose(model, n_features)


def _overflow(got: Any, logits: torch.Tensor, dim: int = -1) -> str | None:
    if isinstance(got, torch.Tensor) and got.is_floating_point() and torch.isnan(got).any() \
            and not torch.isnan(logits).any():
        return ("it returned NaN: exp overflows on large logits; subtract the maximum before "
                "exponentiating, or use torch.softmax.")
    return None


def _shifted(logits: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.exp(logits - logits.max(dim=dim, keepdim=True).values)


APPLY_SOFTMAX = Catalogue(
    lambda logits, dim=-1: torch.softmax(logits, dim=dim),
    lambda got, logits, dim=-1: not_a_tensor(got),
    Mistake("the maximum subtracted is the whole tensor's: subtract each row's own maximum, "
            "logits.max(dim=dim, keepdim=True).values, or rows far below it become 0 / 0.",
            lambda logits, dim=-1: torch.exp(logits - logits.max())
            / torch.exp(logits - logits.max()).sum(dim=dim, keepdim=True)),
    _overflow,
    Mistake("the dim argument was ignored: pass it on, torch.softmax(logits, dim=dim).",
            lambda logits, dim=-1: torch.softmax(logits, dim=-1)),
    Mistake("softmax was taken over dimension 0 (the batch): take it over dim, the classes.",
            lambda logits, dim=-1: torch.softmax(logits, dim=0)),
    Mistake("softmax was taken over dimension 1: take it over dim (by default the last one, dim=-1).",
            lambda logits, dim=-1: torch.softmax(logits, dim=1)),
    Mistake("that is log_softmax: softmax returns probabilities, torch.softmax(logits, dim=dim).",
            lambda logits, dim=-1: torch.log_softmax(logits, dim=dim)),
    Mistake("the sum was over every element: sum along dim, exp(x).sum(dim=dim, keepdim=True).",
            lambda logits, dim=-1: _shifted(logits.reshape(-1), 0).reshape(logits.shape)
            / _shifted(logits.reshape(-1), 0).sum()),
    Mistake("the exponential is missing: softmax divides exp(logits) by its sum.",
            lambda logits, dim=-1: logits / logits.sum(dim=dim, keepdim=True)),
    Mistake("the division is missing: divide exp(logits) by its sum along dim.", lambda logits, dim=-1: torch.exp(logits)),
    Mistake("the exponentials were divided by their maximum, not their sum: divide by exp(logits).sum(dim=dim, "
            "keepdim=True), so that they sum to one.",
            lambda logits, dim=-1: torch.exp(logits) / torch.exp(logits).max(dim=dim, keepdim=True).values),
    Mistake("that is the sigmoid, of each number on its own: softmax makes the values along dim sum to one, "
            "torch.softmax(logits, dim=dim).", lambda logits, dim=-1: torch.sigmoid(logits)),
    _dtype_kept,
)


def apply_softmax_mistake(got: Any, logits: torch.Tensor, dim: int = -1) -> str | None:
    return APPLY_SOFTMAX.diagnose(got, logits, dim)


FORWARD_PASS = Catalogue(
    lambda model, x: model(x),
    lambda got, model, x: not_a_tensor(got),
    Mistake("that is the predicted class: forward_pass returns the model's output as it is, model(x).",
            lambda model, x: model(x).argmax(dim=-1)),
    Mistake("a softmax was applied to the output: return what the model outputs as it is, model(x).",
            lambda model, x: torch.softmax(model(x), dim=-1)),
    Mistake("that is the output of the first sample only: return the output for the whole batch, model(x).",
            lambda model, x: model(x)[0]),
    Mistake("only the first layer was applied: call the model itself, model(x), which runs every layer.",
            lambda model, x: model[0](x)),
    lambda got, model, x: _dtype_kept(got, model(x)),
)


def forward_pass_mistake(got: Any, model: nn.Module, x: torch.Tensor) -> str | None:
    if isinstance(got, torch.Tensor) and got.requires_grad:
        return "the output requires grad: run the model inside with torch.no_grad()."
    with torch.no_grad():
        return FORWARD_PASS.diagnose(got, model, x)


def _max_pair(got: Any, probabilities: torch.Tensor) -> str | None:
    if class_path(got).startswith("torch.return_types."):
        return f"{kind(got)}(dim=-1) returns a pair (values, indices): the classes are the indices, .indices."
    return None


def _integer_classes(got: Any, probabilities: torch.Tensor) -> str | None:
    want = probabilities.argmax(dim=-1)
    if isinstance(got, torch.Tensor) and got.dtype != want.dtype and same(got, want):
        return f"the classes are {got.dtype}: class indices are integers (int64), as argmax gives them."
    return None


def _not_the_largest(got: Any, probabilities: torch.Tensor) -> str | None:
    """Classes of the right kind, but a row whose class is not its most probable one."""
    want = probabilities.argmax(dim=-1)
    if not isinstance(got, torch.Tensor) or got.shape != want.shape or got.dtype != want.dtype or got.dim() != 1:
        return None
    for row, (mine, best) in enumerate(zip(got.tolist(), want.tolist())):
        if mine != best and 0 <= mine < probabilities.shape[-1]:
            return (f"in row {row} it is class {mine} (probability {probabilities[row, mine].item():.3g}), but class "
                    f"{best} is more likely ({probabilities[row, best].item():.3g}): argmax(dim=-1) gives each row's "
                    "most likely class.")
    return None


PREDICT_CLASSES = Catalogue(
    lambda probabilities: probabilities.argmax(dim=-1),
    _max_pair,
    lambda got, probabilities: not_a_tensor(got),
    Mistake("argmax was taken over the batch (dim 0): take it over the classes, dim=-1.",
            lambda p: p.argmax(dim=0)),
    Mistake("those are the largest probabilities: argmax gives their positions, the classes.",
            lambda p: p.max(dim=-1).values),
    Mistake("that is the largest probability of the whole tensor: argmax(dim=-1) gives, for each row, the position "
            "of its largest.", lambda p: p.max()),
    Mistake("argmax without dim gives one index into the flattened tensor: pass dim=-1 for one class per row.",
            lambda p: p.argmax() if len(p) > 1 else None),  # for one row, the same as a squeeze() of the classes
    Mistake("rounding gives 0 or 1 for each probability, not a class index: argmax(dim=-1) gives the most likely "
            "class of each row.", lambda p: p.round()),
    Mistake("a threshold (> 0.5) is for a single probability (two classes): with several classes take "
            "argmax(dim=-1).", lambda p: p > 0.5),
    Mistake("a threshold (> 0.5) is for a single probability (two classes): with several classes take "
            "argmax(dim=-1).", lambda p: (p > 0.5).long()),
    Mistake("classes are numbered from 0: argmax's position is already the class (no + 1).",
            lambda p: p.argmax(dim=-1) + 1),
    Mistake("argmin picks the least likely class: argmax picks the most likely.", lambda p: p.argmin(dim=-1)),
    Mistake("keepdim=True keeps a dimension of size 1: return one class per sample, shape (batch,), with "
            "argmax(dim=-1).", lambda p: p.argmax(dim=-1, keepdim=True)),
    _integer_classes,
    _not_the_largest,
)


def predict_classes_mistake(got: Any, probabilities: torch.Tensor) -> str | None:
    return PREDICT_CLASSES.diagnose(got, probabilities)

"""Hints for the layers assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). The public
and the hidden checks of this assignment call them. Only torch and
``autograder.checking.hints`` here: the assignment's released notebook carries this file
in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

from torch import nn

from autograder.checking.hints import describe, layers_of, own_class, python_int_mistake


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



def build_classifier_mistake(model: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    hint, kinds = layers_of(model)
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

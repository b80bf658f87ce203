"""Hints for the layers assignment: the typical mistakes of its exercises, recognised.

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

from autograder.checking.hints import (Catalogue, Mistake, class_path, describe, kind, layers_of, own_class,
                                       python_int_mistake, text_of)


def _not_a_linear_layer(layer: Any, n_features: int, n_classes: int) -> str | None:
    if own_class(layer):
        return own_class(layer, "the layer")
    if kind(layer) == "LazyLinear":
        return ("nn.LazyLinear learns its number of inputs on its first call: create nn.Linear(n_features, "
                "n_classes), which knows it from the start.")
    if class_path(layer) == "builtins.type" and "Linear" in text_of(layer):
        return "it returned the class nn.Linear: create a layer from it, nn.Linear(n_features, n_classes)."
    if isinstance(layer, torch.Tensor) and tuple(layer.shape) in ((n_classes, n_features), (n_features, n_classes)):
        return "that is a weight matrix: return the layer itself, nn.Linear(n_features, n_classes)."
    if isinstance(layer, nn.Sequential):
        return "that is an nn.Sequential holding layers: return the nn.Linear layer itself."
    if not isinstance(layer, nn.Linear):
        return f"it returned {describe(layer)}: return an nn.Linear(n_features, n_classes)."
    return None


def _linear_layer_sizes(layer: nn.Linear, n_features: int, n_classes: int) -> str | None:
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


MAKE_LINEAR_LAYER = Catalogue(
    lambda n_features, n_classes: nn.Linear(n_features, n_classes),
    _not_a_linear_layer,
    Mistake("the layer has one output: a classifier needs one per class, nn.Linear(n_features, n_classes).",
            lambda n_features, n_classes: nn.Linear(n_features, 1)),
    _linear_layer_sizes,
    modules=True,
)


def make_linear_layer_mistake(layer: Any, n_features: int, n_classes: int) -> str | None:
    return MAKE_LINEAR_LAYER.diagnose(layer, n_features, n_classes)


LINEAR_PARAMETER_COUNT = Catalogue(
    lambda n_in, n_out: n_in * n_out + n_out,
    Mistake("that counts the weights only: each output also has a bias, so add out_features.",
            lambda n_in, n_out: n_in * n_out),
    Mistake("one bias per output, not per input: add out_features, not in_features.",
            lambda n_in, n_out: n_in * n_out + n_in),
    Mistake("every input connects to every output: the weights are in_features * out_features.",
            lambda n_in, n_out: n_in + n_out),
    Mistake("each output has a bias of its own: add out_features, not 1.", lambda n_in, n_out: n_in * n_out + 1),
    Mistake("only the outputs have biases: in_features * out_features weights plus out_features biases.",
            lambda n_in, n_out: n_in * n_out + n_out + n_in),
    Mistake("only the outputs have biases: in_features * out_features weights plus out_features biases.",
            lambda n_in, n_out: (n_in + 1) * (n_out + 1)),
    Mistake("that is the number of parameter tensors (a weight and a bias): count the numbers in them, "
            "in_features * out_features + out_features.", lambda n_in, n_out: 2),
    Mistake("each output has one bias, not one per weight: in_features * out_features + out_features.",
            lambda n_in, n_out: 2 * n_in * n_out),
    lambda got, n_in, n_out: python_int_mistake(got),
)


def linear_parameter_count_mistake(got: Any, in_features: int, out_features: int) -> str | None:
    return LINEAR_PARAMETER_COUNT.diagnose(got, in_features, out_features)


def _counted_twice(got: Any, model: nn.Module) -> str | None:
    """A layer used twice makes two mistakes give one count: say what both have in common."""
    by_name = sum(v.numel() for v in model.state_dict().values())
    by_module = sum(p.numel() for m in model.modules() for p in m.parameters())
    if type(got) is int and got == by_name == by_module:
        return ("shared parameters were counted once per use: a layer used twice has its parameters once, as "
                "model.parameters() lists them (state_dict() lists them once per use, and model.modules() a layer "
                "and the model holding it).")
    return None


def _zero_parameters(got: Any, model: nn.Module) -> str | None:
    if type(got) is int and got == 0 and any(True for _ in model.parameters()):
        return ("it returned 0: add each p.numel() to the total (total += p.numel()), going through "
                "model.parameters() (model.children() leaves out a layer's own parameters).")
    return None


COUNT_PARAMETERS = Catalogue(
    lambda model: sum(p.numel() for p in model.parameters()),
    Mistake("that is the number of parameter tensors: add up their sizes, sum(p.numel() for p in model.parameters()).",
            lambda model: len(list(model.parameters()))),
    _counted_twice,
    Mistake("state_dict() holds buffers (running statistics) too, and a layer used twice once per use: count "
            "model.parameters(), which lists each parameter once.",
            lambda model: sum(v.numel() for v in model.state_dict().values())),
    Mistake("buffers (running statistics) were counted too: only model.parameters() are parameters.",
            lambda model: sum(p.numel() for p in model.parameters()) + sum(b.numel() for b in model.buffers())),
    _zero_parameters,
    Mistake("model.children() leaves out the model's own parameters (an nn.Linear has no children): "
            "go through model.parameters().",
            lambda model: sum(p.numel() for c in model.children() for p in c.parameters())),
    Mistake("model.modules() lists the model itself as well as its layers, so parameters were counted more than "
            "once: go through model.parameters() once.",
            lambda model: sum(p.numel() for m in model.modules() for p in m.parameters())),
    Mistake("only the last parameter tensor was counted: add each one's size to the total, total += p.numel().",
            lambda model: list(model.parameters())[-1].numel()),
    Mistake("only the first parameter tensor was counted: is the return inside the loop?",
            lambda model: list(model.parameters())[0].numel()),
    Mistake("only the weights were counted: the biases are parameters too.",
            lambda model: sum(p.numel() for p in model.parameters() if p.dim() > 1)),
    Mistake("len(p) counts only the first dimension of each parameter: p.numel() counts all of its numbers.",
            lambda model: sum(len(p) for p in model.parameters())),
    Mistake("that is the number of layers: count the numbers in their parameters, p.numel().",
            lambda model: len(list(model.modules()))),
    Mistake("that is the number of layers: count the numbers in their parameters, p.numel().",
            lambda model: len(list(model.children()))),
    lambda got, model: python_int_mistake(got),
)


def count_parameters_mistake(got: Any, model: nn.Module) -> str | None:
    return COUNT_PARAMETERS.diagnose(got, model)


def _classifier(sizes: list[int], hidden: type | None = nn.ReLU, last: nn.Module | None = None,
                bias: bool = True, relu_last: bool = False) -> nn.Sequential:
    """A classifier built as the exercise asks, but for what a mistake changes (a model's model)."""
    layers: list[nn.Module] = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b, bias=bias))
        if hidden is not None and (i < len(sizes) - 2 or relu_last):
            layers.append(hidden())
    return nn.Sequential(*layers, *([last] if last is not None else []))


def _sizes(n_features: int, n_classes: int, hidden: list[int]) -> list[int]:
    return [n_features, *hidden, n_classes]


def _extra_layers(model: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    hint, kinds = layers_of(model)
    if hint:
        return hint
    extra = sorted({k for k in kinds if k not in ("Linear", "ReLU", "Softmax")} - {"Sigmoid", "Tanh", "LogSoftmax"})
    if extra:
        return (f"the model has {', '.join(extra)} layers the exercise does not ask for: build it from nn.Linear, "
                "nn.ReLU and nn.Softmax only.")
    return None


def _classifier_layers(model: nn.Sequential, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    kinds = [kind(layer) for layer in model]
    if kinds and kinds[-1] in ("LogSoftmax", "Sigmoid"):
        return f"the model ends with nn.{kinds[-1]}: end it with nn.Softmax(dim=-1), which gives probabilities."
    if not kinds or kinds[-1] != "Softmax":
        return "the output activation is missing: end the model with nn.Softmax(dim=-1)."
    sizes = _sizes(n_features, n_classes, hidden)
    want = [f"Linear({a}, {b})" for a, b in zip(sizes, sizes[1:])]
    linears = [layer for layer in model if isinstance(layer, nn.Linear)]
    got = [f"Linear({layer.in_features}, {layer.out_features})" for layer in linears]
    if got != want:
        return f"the Linear layers are {', '.join(got) or 'none'}: expected {', '.join(want)}."
    other = sorted({k for k in kinds[:-1] if k in ("Sigmoid", "Tanh")})
    if other:
        return f"the hidden layers' activation is {', '.join(other)}: put nn.ReLU() after each hidden Linear layer."
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


BUILD_CLASSIFIER = Catalogue(
    lambda n, c, h: _classifier(_sizes(n, c, h), last=nn.Softmax(dim=-1)),
    _extra_layers,
    Mistake("the output activation is missing: end the model with nn.Softmax(dim=-1).",
            lambda n, c, h: _classifier(_sizes(n, c, h))),
    Mistake("there is a ReLU after the last Linear layer: its outputs go straight into the softmax (a ReLU there "
            "turns every negative score into 0).",
            lambda n, c, h: _classifier(_sizes(n, c, h), last=nn.Softmax(dim=-1), relu_last=True)),
    Mistake("a hidden layer has no activation: put nn.ReLU() after each hidden Linear layer.",
            lambda n, c, h: _classifier(_sizes(n, c, h), hidden=None, last=nn.Softmax(dim=-1))),
    Mistake("the hidden layers' activation is a sigmoid: put nn.ReLU() after each hidden Linear layer.",
            lambda n, c, h: _classifier(_sizes(n, c, h), hidden=nn.Sigmoid, last=nn.Softmax(dim=-1))),
    Mistake("the hidden layers' activation is tanh: put nn.ReLU() after each hidden Linear layer.",
            lambda n, c, h: _classifier(_sizes(n, c, h), hidden=nn.Tanh, last=nn.Softmax(dim=-1))),
    Mistake("nn.LogSoftmax gives log-probabilities: end the model with nn.Softmax(dim=-1), which gives probabilities.",
            lambda n, c, h: _classifier(_sizes(n, c, h), last=nn.LogSoftmax(dim=-1))),
    Mistake("a sigmoid scores each class on its own: end the model with nn.Softmax(dim=-1), so that the "
            "probabilities of the classes sum to one.",
            lambda n, c, h: _classifier(_sizes(n, c, h), last=nn.Sigmoid())),
    Mistake("each Linear layer takes the previous layer's outputs as its inputs: keep track of the last size "
            "as you go (in_size = h).",
            lambda n, c, h: nn.Sequential(*[m for size in h for m in (nn.Linear(n, size), nn.ReLU())],
                                          nn.Linear(h[-1], c), nn.Softmax(dim=-1))),
    Mistake("the output layer takes the last hidden layer's outputs: nn.Linear(hidden_sizes[-1], n_classes) when "
            "there are hidden layers.",
            lambda n, c, h: nn.Sequential(*_classifier([n, *h], relu_last=True), nn.Linear(n, c), nn.Softmax(dim=-1))),
    Mistake("the output layer is missing: after the hidden layers comes an nn.Linear to n_classes, then the softmax.",
            lambda n, c, h: _classifier([n, *h], relu_last=True, last=nn.Softmax(dim=-1))),
    Mistake("a Linear layer has no bias: leave out bias=False.",
            lambda n, c, h: _classifier(_sizes(n, c, h), last=nn.Softmax(dim=-1), bias=False)),
    _classifier_layers,
    modules=True,
)


def build_classifier_mistake(model: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    return BUILD_CLASSIFIER.diagnose(model, n_features, n_classes, list(hidden))


def _count(sizes: list[int], biases: bool = True) -> int:
    return sum(a * b + (b if biases else 0) for a, b in zip(sizes, sizes[1:]))


ADDED_PARAMETERS = Catalogue(
    lambda n, c, h: _count([n, *h, c]) - _count([n, c]),
    Mistake("that is the whole model's count: subtract what the model without hidden layers has, "
            "n_features * n_classes + n_classes.", lambda n, c, h: _count([n, *h, c])),
    Mistake("the biases were left out: every Linear layer has one bias per output.",
            lambda n, c, h: _count([n, *h, c], biases=False) - _count([n, c], biases=False)),
    Mistake("the subtraction is the wrong way round: the model with hidden layers minus the one without.",
            lambda n, c, h: _count([n, c]) - _count([n, *h, c])),
    Mistake("only the hidden layers were counted: the output layer changes too (it starts from the last hidden "
            "size), so compare the two whole models.", lambda n, c, h: _count([n, *h])),
    Mistake("the model without hidden layers has biases too: subtract n_features * n_classes + n_classes.",
            lambda n, c, h: _count([n, *h, c]) - n * c),
    Mistake("the output layer was left out of the model with hidden layers: it goes from the last hidden size to "
            "n_classes.", lambda n, c, h: _count([n, *h]) - _count([n, c])),
    Mistake("the first layer (n_features to the first hidden size) was left out: count every Linear layer of the "
            "model with hidden layers.", lambda n, c, h: _count([*h, c])),
    lambda got, n, c, h: python_int_mistake(got),
)


def added_parameters_mistake(got: Any, n_features: int, n_classes: int, hidden: list[int]) -> str | None:
    return ADDED_PARAMETERS.diagnose(got, n_features, n_classes, list(hidden))

"""Hints for the activations assignment: the typical mistakes of its exercises, recognised.

One function per exercise, ``<exercise>_mistake(got, *inputs)``: a hint, or None when
``got`` is none of the mistakes it knows (see ``autograder.checking.hints``). The public
and the hidden checks of this assignment call them. Only torch and
``autograder.checking.hints`` here: the assignment's released notebook carries this file
in its ``public_checks.py``.
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from autograder.checking.hints import layers_of, not_a_tensor, same


def apply_sigmoid_mistake(got: Any, x: torch.Tensor) -> str | None:
    hint = not_a_tensor(got)
    if hint:
        return hint
    if same(got, torch.sigmoid(x)):
        return None
    if x.dim() and same(got, torch.softmax(x, dim=-1)):
        return "that is softmax: sigmoid squashes each number on its own; use nn.Sigmoid()."
    if same(got, torch.exp(-x)) or same(got, 1 + torch.exp(-x)):
        return "only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."
    if same(got, torch.relu(x)):
        return "that is ReLU: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."
    return None


def build_binary_classifier_mistake(model: Any, n_features: int) -> str | None:
    hint, kinds = layers_of(model)
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
    if dim not in (-1, logits.dim() - 1) and same(got, torch.softmax(logits, dim=-1)) and not same(got, right):
        return "the dim argument was ignored: pass it on, torch.softmax(logits, dim=dim)."
    if logits.dim() > 1 and dim in (-1, logits.dim() - 1) and same(got, torch.softmax(logits, dim=0)) \
            and not same(got, right):
        return "softmax was taken over dimension 0 (the batch): take it over dim, the classes."
    if same(got, torch.log_softmax(logits, dim=dim)) and not same(got, right):
        return "that is log_softmax: softmax returns probabilities, torch.softmax(logits, dim=dim)."
    e = torch.exp(logits - logits.max())
    if logits.dim() > 1 and same(got, e / e.sum()) and not same(got, right):
        return "the sum was over every element: sum along dim, exp(x).sum(dim=dim, keepdim=True)."
    if same(got, logits / logits.sum(dim=dim, keepdim=True)) and not same(got, right):
        return "the exponential is missing: softmax divides exp(logits) by its sum."
    if same(got, torch.exp(logits)) and not same(got, right):
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
    if probabilities.dim() > 1 and same(got, probabilities.argmax(dim=0)) \
            and not same(got, probabilities.argmax(dim=-1)):
        return "argmax was taken over the batch (dim 0): take it over the classes, dim=-1."
    if probabilities.dim() and got.dtype.is_floating_point and same(got, probabilities.max(dim=-1).values):
        return "those are the largest probabilities: argmax gives their positions, the classes."
    return None

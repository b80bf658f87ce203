"""What a student's function returns reaches the checks as the student built it: the grader
bugs issue 25 found, each kept fixed (the wire round trip a graded answer takes)."""
from __future__ import annotations

import json
import struct
import time

import pytest
import torch
from torch import nn

from autograder.checks.hints_layers import build_classifier_mistake, make_linear_layer_mistake
from autograder.sandbox import wire


def round_trip(value):
    return wire.decode(wire.encode(value))


def test_a_transposed_weight_arrives_as_it_is_and_its_hint_names_it():
    layer = nn.Linear(9, 4)
    layer.weight = nn.Parameter(layer.weight.T.clone())
    back = round_trip(layer)
    assert tuple(back.weight.shape) == (9, 4) and torch.equal(back.weight, layer.weight)
    assert "the weight has shape (9, 4)" in make_linear_layer_mistake(back, 9, 4)


def _renamed(layer: nn.Module, old: str, new: str) -> bytes:
    """``layer`` as a worker sends it, but with its state's ``old`` entry named ``new``."""
    data = wire.encode(layer)
    header_length, table_length = struct.unpack_from("<II", data, 0)
    header = json.loads(data[8:8 + header_length])
    state = header["$module"]["state"]
    state[new] = state.pop(old)
    header_bytes = json.dumps(header).encode()
    return struct.pack("<II", len(header_bytes), table_length) + header_bytes + data[8 + header_length:]


def test_a_layer_state_must_still_fill_its_layer_by_name():
    """A tensor of another shape may replace a parameter, but the names are the layer's own."""
    with pytest.raises(wire.WireError):
        wire.decode(_renamed(nn.Linear(2, 2), "bias", "extra"))
    assert tuple(wire.decode(_renamed(nn.Linear(2, 2), "bias", "bias")).bias.shape) == (2,)


def test_a_relu_used_after_every_hidden_layer_arrives_each_time():
    relu = nn.ReLU()
    model = nn.Sequential(nn.Linear(9, 16), relu, nn.Linear(16, 8), relu, nn.Linear(8, 4), nn.Softmax(dim=-1))
    back = round_trip(model)
    assert [type(m).__name__ for m in back] == ["Linear", "ReLU", "Linear", "ReLU", "Linear", "Softmax"]
    assert build_classifier_mistake(back, 9, 4, [16, 8]) is None


def test_sharing_at_every_level_costs_every_use_and_is_refused_quickly():
    """40 levels of a layer used twice is 4 kB to send and 2**40 uses: the checks would run
    its forward pass for days on the trusted side. Each use counts against the message's
    modules, so it is refused; a model of a few shared layers is not."""
    model = nn.Linear(2, 2)
    for _ in range(40):
        model = nn.Sequential(model, model)
    data = wire.encode(model)
    assert len(data) < 10_000
    start = time.perf_counter()
    with pytest.raises(wire.WireError, match="modules"):
        wire.decode(data)
    assert time.perf_counter() - start < 2
    small = nn.Linear(2, 2)
    for _ in range(5):
        small = nn.Sequential(small, small)
    assert sum(1 for _ in round_trip(small).modules()) == 6  # one of each, shared as sent

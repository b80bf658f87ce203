"""The allow-list of torch.nn classes the grader rebuilds returned modules from: a course
extends it by class names only, each a concrete torch.nn layer, and what a worker says
of such a layer still goes through the one validating decoder."""
from __future__ import annotations

import json
import struct

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from autograder.errors import AutograderError
from autograder.sandbox import modules, wire

EXTRA = ("L1Loss", "MSELoss", "Embedding")


@pytest.fixture
def extended(monkeypatch):
    """The allow-list of a course whose assignments name ``EXTRA``."""
    monkeypatch.setattr(modules, "LAYERS", modules.allowed_layers(EXTRA))


@pytest.mark.parametrize("name, words", [
    ("Linear", "allowed already"), ("Sequential", "allowed already"), ("Module", "not a torch.nn layer class"),
    ("os", "not a torch.nn layer class"), ("__class__", "not a torch.nn layer class"), ("mse_loss", "not a torch.nn"),
    ("ModuleDict", "container"), ("LazyLinear", "sizes itself"), ("Parameter", "not a torch.nn layer class"),
])
def test_a_course_names_only_concrete_torch_nn_layers(name, words):
    assert words in modules.extra_layer_problem(name)
    with pytest.raises(AutograderError):
        modules.allowed_layers([name])


def test_without_a_name_in_the_course_a_class_stays_unsupported():
    assert modules.describe(nn.L1Loss(), lambda t: None) == {"type": "unsupported",
                                                            "class": "torch.nn.modules.loss.L1Loss"}
    assert modules.LAYERS.keys() == modules.allowed_layers(modules.course().modules).keys()


def test_a_named_class_survives_the_round_trip_with_its_arguments(extended):
    for module in (nn.L1Loss(reduction="sum"), nn.Sequential(nn.Linear(2, 3), nn.MSELoss()),
                   nn.Embedding(10, 3, padding_idx=0)):
        back = wire.decode(wire.encode(module))
        assert type(back) is type(module) and wire.fingerprint(back) == wire.fingerprint(module)
    assert wire.decode(wire.encode(nn.L1Loss(reduction="sum"))).reduction == "sum"


def forged(args: object, kind: str = "L1Loss", state: object = None) -> bytes:
    head = json.dumps({"$module": {"type": kind, "args": args, "state": state or {}}}).encode()
    return struct.pack("<II", len(head), 2) + head + b"[]"


plain = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=True) | st.text(max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(kind=st.sampled_from(EXTRA), args=st.dictionaries(st.sampled_from(["reduction", "num_embeddings",
       "embedding_dim", "padding_idx", "max_norm", "size_average", "x"]) | st.text(max_size=5), plain, max_size=6))
def test_forged_arguments_of_a_named_class_decode_or_raise_wire_error(extended, kind, args):
    try:
        module = wire.decode(forged(args, kind))
    except wire.WireError:
        return
    assert type(module) is getattr(nn, kind)


def test_forged_sizes_and_texts_are_refused(extended):
    with pytest.raises(wire.WireError):  # 10^8 elements: over the per-layer cap, refused before any allocation
        wire.decode(forged({"num_embeddings": 100_000, "embedding_dim": 1_000}, "Embedding"))
    with pytest.raises(wire.WireError):
        wire.decode(forged({"reduction": "m" * (modules.MAX_TEXT_ARG + 1)}))
    # a text torch checks only when the layer runs: the check that runs it fails, for this student only
    rebuilt = wire.decode(forged({"reduction": "median"}))
    with pytest.raises(ValueError):
        rebuilt(torch.zeros(2), torch.zeros(2))

"""The decoder every forged message reaches: arbitrary, truncated, deeply nested and
type-confused bytes raise WireError (and nothing else), within the stated bounds of
time and memory; honest values survive the round trip."""
from __future__ import annotations

import json
import resource
import struct
import time

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from autograder.sandbox import wire
from autograder.sandbox.replies import CALL_STATUSES, CRASH_CAUSES, read_import_errors, read_ready, read_reply
from autograder.untrusted import MAX_MESSAGE_CHARS, MAX_TRACEBACK_CHARS, StudentInputError, safe_text

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def message(header: object, buffers: list[bytes] = (), table: object = None) -> bytes:
    """A message with a JSON ``header`` (any JSON value) and raw ``buffers``, as a worker could forge it."""
    head = json.dumps(header).encode()
    sizes = json.dumps([len(b) for b in buffers] if table is None else table).encode()
    return struct.pack("<II", len(head), len(sizes)) + head + sizes + b"".join(buffers)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["$float", "$bigint", "$tensor", "$dtype", "$size", "$tuple", "$dict", "$module",
                         "$opaque", "dtype", "shape", "type", "children", "args", "state", "frozen", "text",
                         "status", "value", "i", "x"]) | st.text(max_size=5), children, max_size=4),
    max_leaves=30,
)


def decodes_or_refuses(data: bytes) -> None:
    try:
        wire.decode(data)
    except wire.WireError as err:
        assert isinstance(err, StudentInputError)
        str(err).encode("utf-8")  # safe text


@FUZZ
@given(st.binary(max_size=300))
def test_arbitrary_bytes_raise_only_wire_error(data):
    decodes_or_refuses(data)
    try:
        wire.peek(data)
    except wire.WireError:
        pass


@FUZZ
@given(json_values, st.lists(st.binary(max_size=16), max_size=3))
def test_type_confused_trees_raise_only_wire_error(header, buffers):
    decodes_or_refuses(message(header, buffers))


@FUZZ
@given(json_values, st.data())
def test_truncated_and_flipped_messages_raise_only_wire_error(header, data):
    good = wire.encode({"status": "ok", "value": [torch.ones(3), nn.Linear(2, 1), header], "i": 0})
    cut = data.draw(st.integers(0, len(good)))
    decodes_or_refuses(good[:cut])
    position = data.draw(st.integers(0, len(good) - 1))
    flipped = bytearray(good)
    flipped[position] ^= data.draw(st.integers(1, 255))
    decodes_or_refuses(bytes(flipped))


@FUZZ
@given(json_values)
def test_replies_of_any_shape_are_checked_or_refused(value):
    try:
        reply = read_reply(wire.encode(value))
    except wire.WireError:
        return
    assert reply["status"] in CALL_STATUSES
    assert reply["status"] != "crashed" or reply["cause"] in CRASH_CAUSES
    if reply["status"] != "ok":
        assert len(reply["message"]) <= MAX_MESSAGE_CHARS + 60 and len(reply["traceback"]) <= MAX_TRACEBACK_CHARS + 60
        for text in (reply["type"], reply["message"], reply["traceback"]):
            text.encode("utf-8")


@FUZZ
@given(json_values, st.sampled_from(["protections", "errors"]))
def test_load_messages_of_any_shape_are_checked_or_refused(value, field):
    data = wire.encode({field: value, "status": "ok"})
    try:
        if field == "protections":
            assert all(isinstance(p, str) for p in read_ready(data))
        else:
            errors = read_import_errors(wire.decode(data), {"tensors.py": ""})
            assert set(errors) <= {"tensors.py"}
    except wire.WireError:
        pass


@FUZZ
@given(st.text())
def test_safe_text_is_encodable_printable_and_bounded(text):
    safe = safe_text(text, 50)
    safe.encode("utf-8")
    assert len(safe) <= 50 + 40
    assert all(c in "\n\t" or c.isprintable() or c == " " for c in safe), repr(safe)


honest_values = st.recursive(
    st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats(allow_nan=False) | st.text(max_size=10)
    | st.builds(lambda n, d: torch.arange(n).to(d), st.integers(0, 6),
                st.sampled_from([torch.float32, torch.int64, torch.bool, torch.float64])),
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=12,
)


@FUZZ
@given(honest_values)
def test_honest_values_survive_the_round_trip(value):
    assert wire.fingerprint(wire.decode(wire.encode(value))) == wire.fingerprint(value)


def test_a_module_survives_the_round_trip():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.BatchNorm1d(4), nn.Linear(4, 2, bias=False), nn.Softmax(dim=-1))
    model[0].weight.requires_grad_(False)
    back = wire.decode(wire.encode(model))
    assert wire.fingerprint(back) == wire.fingerprint(model)


def test_a_layer_used_twice_stays_one_layer():
    """Parameters shared between layers arrive shared: a model that uses one layer twice
    (and once more inside a container) has that layer's parameters once, as torch counts them."""
    shared = nn.Linear(4, 4)
    model = nn.Sequential(shared, nn.ReLU(), shared, nn.Sequential(shared, nn.Sigmoid()))
    back = wire.decode(wire.encode(model))
    assert back[0] is back[2] is back[3][0] and len(back) == 4
    assert sum(p.numel() for p in back.parameters()) == sum(p.numel() for p in model.parameters()) == 20
    x = torch.randn(2, 4)
    assert torch.equal(back(x), model(x))
    assert wire.fingerprint(back) == wire.fingerprint(model) != wire.fingerprint(
        nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 4), nn.Sequential(nn.Linear(4, 4), nn.Sigmoid())))


@pytest.mark.parametrize("index", [0, 1, -1, "0", None, 10**30])
def test_a_shared_module_names_only_one_rebuilt_before_it(index):
    """A forged reference to a module not yet whole (its own container: a cycle), to one
    that does not exist, or of the wrong type is refused, never followed."""
    identity = {"type": "Identity", "args": {}, "state": {}}
    forged = {"$module": {"type": "Sequential", "children": [["0", {"type": "shared", "index": index}],
                                                             ["1", identity]]}}
    with pytest.raises(wire.WireError):
        wire.decode(message(forged))
    after = {"$module": {"type": "Sequential", "children": [["0", identity], ["1", {"type": "shared", "index": 0}]]}}
    back = wire.decode(message(after))
    assert back[0] is back[1]


def nest(kinds: list[str], leaf: object) -> object:
    """``leaf`` wrapped in a list, tuple, dict or Sequential for each of ``kinds``, outermost first."""
    value = leaf
    for kind in reversed(kinds):
        value = {"list": lambda v: [v], "tuple": lambda v: (v,), "dict": lambda v: {"k": v},
                 "module": lambda v: nn.Sequential(v if isinstance(v, nn.Module) else nn.Identity())}[kind](value)
    return value


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["list", "tuple", "dict", "module"]), max_size=120),
       st.sampled_from([1, 2.5, "x", torch.Size([2, 3]), torch.ones(2)]))
def test_whatever_the_nesting_an_encoded_value_decodes(kinds, leaf):
    """The encoder counts depth as the decoder does (a tuple's items sit two levels down)
    and sends what is deeper as an opaque placeholder: an honest value, however deep, is
    never refused; and its fingerprint is the fingerprint of what arrives, up to that depth."""
    value = nest(kinds, leaf)
    back = wire.decode(wire.encode({"status": "ok", "value": value}))
    if len(kinds) * 2 + 2 < wire.MAX_ENCODED_DEPTH:  # shallow enough to cross whole
        assert wire.fingerprint(back["value"]) == wire.fingerprint(value)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("forge", [
    pytest.param(lambda: message({"$module": {"type": "Sequential", "children": [
        [str(i), {"type": "Identity", "args": {}, "state": {}}] for i in range(1_000_000)]}}), id="a million layers"),
    pytest.param(lambda: struct.pack("<II", 2_000_000, 2) + b"[" * 2_000_000 + b"[]", id="deep nesting"),
    pytest.param(lambda: message([[0] * 10] * 100_000), id="many nodes"),
    pytest.param(lambda: message({"$bigint": "9" * 100_000}), id="a huge integer"),
    pytest.param(lambda: message({"$tensor": 0, "dtype": "float32", "shape": [10**6] * 40}, [b""]), id="a huge shape"),
    pytest.param(lambda: message([{"$tensor": i, "dtype": "bool", "shape": [1]} for i in range(20_000)],
                                 [b"\x01"] * 20_000), id="many tensors"),
    pytest.param(lambda: message({"$module": {"type": "Linear", "args": {"in_features": 7000, "out_features": 7000,
                                                                         "bias": True}, "state": {}}}),
                 id="a large layer without state"),
])
def test_forged_messages_are_refused_quickly_and_cheaply(forge):
    """Each costs the trusted side little: a million described layers once took 3.6 GB and 1 min 43 s."""
    data = forge()
    assert len(data) <= wire.MAX_MESSAGE_BYTES
    before = peak_mb()
    start = time.process_time()
    with pytest.raises(wire.WireError):
        wire.decode(data)
    assert time.process_time() - start < 5
    assert peak_mb() - before < 500


def nested(depth: int) -> bytes:
    return message(json.loads("[" * depth + "]" * depth))


#: bound -> (a message only that bound refuses, a value that lifts it)
BOUNDS = {
    "MAX_NODES": (lambda: message([0] * 250_000), 10**9),
    "MAX_DEPTH": (lambda: nested(100), 10**6),
    "MAX_MODULES": (lambda: message({"$module": {"type": "Sequential", "children": [
        [str(i), {"type": "Identity", "args": {}, "state": {}}] for i in range(1_500)]}}), 10**9),
    "MAX_HEADER_BYTES": (lambda: message("x" * (5 << 20)), 1 << 30),
    "MAX_TENSORS": (lambda: message([{"$tensor": i, "dtype": "bool", "shape": [1]} for i in range(12_000)],
                                    [b"\x01"] * 12_000), 10**9),
}


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_each_bound_is_what_refuses_its_message(bound, monkeypatch):
    """Ablation: with the bound in force the message is refused; with it lifted, the same
    message is decoded. So each bound is needed, and is the one doing the refusing."""
    forge, lifted = BOUNDS[bound]
    data = forge()
    with pytest.raises(wire.WireError):
        wire.decode(data)
    monkeypatch.setattr(wire, bound, lifted)
    wire.decode(data)

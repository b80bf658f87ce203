"""A pickle-free wire format for values crossing between trusted and untrusted code.

A message is a JSON tree plus raw tensor buffers. Decoding never runs code: it builds
only JSON values, tensors (from raw bytes, with a dtype from a fixed list), dtypes,
``torch.Size``, tuples, described ``nn.Module`` trees (rebuilt from allowed layer types,
see ``modules``) and :class:`Opaque` placeholders for anything else.
"""
from __future__ import annotations

import json
import struct
from dataclasses import dataclass
from typing import Any

import torch

from autograder.untrusted import StudentInputError, safe_name, safe_text
from autograder.sandbox import modules

MAX_MESSAGE_BYTES = 64 * 1024 * 1024  #: a whole message, tensors' bytes included
#: the JSON part of a message (plain values and descriptions; tensors' bytes are apart): a
#: right answer's is a few kilobytes, and parsing costs memory in proportion to it
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000  #: values (JSON nodes) in one message
MAX_DEPTH = 60  #: nesting of lists, dicts, tuples and modules in one message
#: the deepest an encoded value goes before the rest is sent as an opaque placeholder: the
#: decoder's bound, less the two levels a tuple or a size takes (their items sit in a list)
MAX_ENCODED_DEPTH = MAX_DEPTH - 2
MAX_MODULES = 1_000  #: modules (layers and containers) described in one message
MAX_TENSORS = 10_000  #: tensor buffers in one message

DTYPES = {
    str(d).removeprefix("torch."): d
    for d in (
        torch.float64, torch.float32, torch.float16, torch.bfloat16, torch.int64, torch.int32,
        torch.int16, torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128,
    )
}


ITEMSIZE = {name: torch.empty((), dtype=d).element_size() for name, d in DTYPES.items()}


class WireError(StudentInputError):
    """A message that does not follow the format or exceeds a bound (for example forged by
    student code): the one error reading a message raises."""


@dataclass(frozen=True)
class Opaque:
    """A value of a type that does not cross: only its type name and a short repr do."""

    type_name: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type_name}: {self.text}>"


#: dtype -> its name in DTYPES: a lookup, where str(dtype) costs a call each time
_DTYPE_NAMES = {d: name for name, d in DTYPES.items()}


def _dtype_name(dtype: torch.dtype) -> str:
    return _DTYPE_NAMES.get(dtype) or str(dtype).removeprefix("torch.")


def _tensor_bytes(t: torch.Tensor) -> bytes:
    """The elements' bytes in row-major order."""
    try:
        return t.detach().numpy().tobytes()  # the common case, in one step
    except (TypeError, RuntimeError):  # a dtype numpy lacks (bfloat16), a conjugate or negative view
        pass
    t = t.detach().to("cpu").resolve_conj().resolve_neg().contiguous()
    if t.numel() == 0:
        return b""
    return t.reshape(-1).view(torch.uint8).numpy().tobytes()


def _enc(v: Any, buffers: list[bytes], depth: int) -> Any:
    """``v`` as a JSON tree; ``depth`` counts levels as :func:`decode` does."""
    if depth > MAX_ENCODED_DEPTH:
        return {"$opaque": "nested", "text": "too deeply nested"}
    kind = type(v)
    # the plain types first, by exact type: most of what crosses, at a dictionary lookup each
    if v is None or kind is str or kind is bool:
        return v
    if kind is int:
        return v if abs(v) < 2**63 else {"$bigint": str(v)}
    if kind is float:
        return {"$float": repr(v)}
    if kind is dict and all(type(k) is str for k in v):
        return {"$dict": {k: _enc(x, buffers, depth + 1) for k, x in v.items()}}
    if kind is list:
        return [_enc(x, buffers, depth + 1) for x in v]
    if kind is tuple:
        return {"$tuple": [_enc(x, buffers, depth + 2) for x in v]}
    if isinstance(v, str):  # a subclass: as plain text, as JSON writes it
        return v
    if isinstance(v, torch.Tensor):
        name = _DTYPE_NAMES.get(v.dtype)
        if name is not None:
            buffers.append(_tensor_bytes(v))
            return {"$tensor": len(buffers) - 1, "dtype": name, "shape": list(v.shape),
                    "requires_grad": bool(v.requires_grad), "class": type(v).__name__}
    if isinstance(v, torch.dtype):
        return {"$dtype": _dtype_name(v)}
    if isinstance(v, torch.Size):
        return {"$size": [int(x) for x in v]}
    if isinstance(v, torch.nn.Module):
        return {"$module": modules.describe(v, lambda t: _enc(t, buffers, depth + 1), levels=MAX_DEPTH - depth)}
    try:
        text = repr(v)[:200]
    except Exception:  # noqa: BLE001 - student objects may break repr
        text = "?"
    return {"$opaque": f"{type(v).__module__}.{type(v).__qualname__}", "text": text}


def encode(value: Any) -> bytes:
    """Encode a value; anything unsupported becomes an Opaque description, never an error."""
    buffers: list[bytes] = []
    header = json.dumps(_enc(value, buffers, 0), allow_nan=True).encode()
    head = json.dumps([len(b) for b in buffers]).encode() if buffers else b"[]"
    return struct.pack("<II", len(header), len(head)) + header + head + b"".join(buffers)


def fingerprint(value: Any, depth: int = 0) -> Any:
    """A summary of ``value`` that compares equal exactly when two values would be sent alike.

    Cheaper than encoding (no JSON, no copies beyond the tensors' bytes). The grader uses
    it to tell whether a check's call is the one it planned, and the worker whether a
    student's function changed its arguments.
    """
    if depth > MAX_ENCODED_DEPTH:  # as encode() does
        return ("deep",)
    kind = type(value)
    if value is None or kind in (bool, str, int):
        return (kind.__name__, value)
    if kind is float:
        return ("float", struct.pack("<d", value))
    if isinstance(value, torch.Tensor) and value.dtype in _DTYPE_NAMES:
        return ("tensor", kind.__name__, value.dtype, tuple(value.shape), value.requires_grad, _tensor_bytes(value))
    if isinstance(value, torch.dtype):
        return ("dtype", value)
    if isinstance(value, torch.Size):
        return ("size", tuple(value))
    if isinstance(value, torch.nn.Module):
        return ("module", modules.describe(value, lambda t: fingerprint(t, depth + 1), levels=MAX_DEPTH - depth))
    if kind in (list, tuple):
        return (kind.__name__, [fingerprint(x, depth + (1 if kind is list else 2)) for x in value])
    if kind is dict and all(type(k) is str for k in value):
        return ("dict", [(k, fingerprint(x, depth + 1)) for k, x in value.items()])
    return ("other", encode(value))


def _header(data: bytes) -> tuple[Any, int, int]:
    """The message's JSON tree and the lengths of its two JSON parts; raises WireError only."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise WireError("message too large")
    try:
        hlen, slen = struct.unpack_from("<II", data, 0)
        if hlen > MAX_HEADER_BYTES or slen > MAX_HEADER_BYTES or 8 + hlen + slen > len(data):
            raise WireError("message header too large or cut short")
        return json.loads(data[8 : 8 + hlen]), hlen, slen
    except WireError:
        raise
    except RecursionError:
        raise WireError("message nested too deeply") from None
    except (struct.error, ValueError, UnicodeDecodeError, MemoryError) as err:
        raise WireError(f"unreadable message: {type(err).__name__}") from None


def peek(data: bytes) -> Any:
    """A message's JSON tree, with no tensor or module built: a cheap look at its plain fields."""
    return _header(data)[0]


def decode(data: bytes) -> Any:
    """Decode a message, validating everything; raises WireError on anything malformed."""
    header, hlen, slen = _header(data)
    try:
        sizes = json.loads(data[8 + hlen : 8 + hlen + slen])
        if not isinstance(sizes, list) or len(sizes) > MAX_TENSORS \
                or not all(type(s) is int and s >= 0 for s in sizes):
            raise WireError("bad buffer table")
        offsets, pos = [], 8 + hlen + slen
        for size in sizes:
            offsets.append((pos, pos + size))
            pos += size
        if pos != len(data):
            raise WireError("buffer sizes do not add up")
    except WireError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError, MemoryError) as err:
        raise WireError(f"unreadable buffer table: {type(err).__name__}") from None
    budget = {"nodes": MAX_NODES, "modules": MAX_MODULES}

    def spend(kind: str) -> None:
        budget[kind] -= 1
        if budget[kind] < 0:
            raise WireError(f"message holds more than {MAX_NODES if kind == 'nodes' else MAX_MODULES} {kind}")

    def tensor(node: dict) -> torch.Tensor:
        dtype = DTYPES.get(node.get("dtype"))
        shape = node.get("shape")
        index = node.get("$tensor")
        if dtype is None or type(index) is not int or not 0 <= index < len(offsets):
            raise WireError("bad tensor")
        if not isinstance(shape, list) or len(shape) > 32 or not all(type(s) is int and s >= 0 for s in shape):
            raise WireError("bad tensor shape")
        start, end = offsets[index]
        count = 1
        for s in shape:
            count *= s
        if end - start != count * ITEMSIZE[node["dtype"]]:
            raise WireError("tensor size does not match its shape")
        if count == 0:
            return torch.empty(shape, dtype=dtype)
        # a fresh bytearray per tensor: the tensor owns its memory, nothing is shared
        result = torch.frombuffer(bytearray(data[start:end]), dtype=dtype).reshape(shape)
        if node.get("requires_grad") is True and (dtype.is_floating_point or dtype.is_complex):
            result.requires_grad_(True)
        return result

    def dec(node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise WireError("too deeply nested")
        spend("nodes")
        if node is None or isinstance(node, (bool, str, int)):
            return node
        if isinstance(node, float):
            return node
        if isinstance(node, list):
            return [dec(x, depth + 1) for x in node]
        if not isinstance(node, dict) or len(node) == 0:
            raise WireError("bad node")
        if "$float" in node:
            text = node["$float"]
            if type(text) is not str or len(text) > 40:
                raise WireError("bad float")
            return float(text)
        if "$bigint" in node:
            text = node["$bigint"]
            if type(text) is not str or len(text) > 4000:  # Python's own limit for int(str) is 4300 digits
                raise WireError("bad integer")
            return int(text)
        if "$tensor" in node:
            return tensor(node)
        if "$dtype" in node:
            if node["$dtype"] not in DTYPES:
                raise WireError("bad dtype")
            return DTYPES[node["$dtype"]]
        if "$size" in node:
            return torch.Size(dec(node["$size"], depth + 1))
        if "$tuple" in node:
            return tuple(dec(node["$tuple"], depth + 1))
        if "$dict" in node and isinstance(node["$dict"], dict):
            return {str(k): dec(v, depth + 1) for k, v in node["$dict"].items()}
        if "$module" in node:
            return modules.rebuild(node["$module"], lambda n: dec(n, depth + 1), lambda: spend("modules"),
                                   MAX_DEPTH - depth)
        if "$opaque" in node:
            return Opaque(safe_name(node["$opaque"]), safe_text(node.get("text", ""), 200))
        raise WireError("unknown node")

    try:
        return dec(header)
    except WireError:
        raise
    except RecursionError:
        raise WireError("message nested too deeply") from None
    except Exception as err:  # noqa: BLE001 - whatever a forged value makes torch or a constructor raise
        raise WireError(f"malformed value: {type(err).__name__}: {safe_text(err, 200)}") from None

"""Length-prefixed frames over a stream socket, with a deadline on reads."""
from __future__ import annotations

import select
import socket
import struct
import time

from autograder.sandbox.wire import MAX_MESSAGE_BYTES


class FrameTimeout(Exception):
    pass


class FrameClosed(Exception):
    pass


def frame(payload: bytes) -> bytes:
    """``payload`` with its length in front, as ``recv_frame`` and ``FrameReader`` read it."""
    return struct.pack("<Q", len(payload)) + payload


def send_frame(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(frame(payload))


def _recv_exact(sock: socket.socket, n: int, deadline: float | None) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FrameTimeout()
            ready, _, _ = select.select([sock], [], [], remaining)
            if not ready:
                raise FrameTimeout()
        chunk = sock.recv(min(n - got, 1 << 20))
        if not chunk:
            raise FrameClosed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket, deadline: float | None = None, limit: int = MAX_MESSAGE_BYTES) -> bytes:
    (size,) = struct.unpack("<Q", _recv_exact(sock, 8, deadline))
    if size > limit:
        raise FrameClosed(f"frame of {size} bytes is over the limit")
    return _recv_exact(sock, size, deadline)


class FrameReader:
    """Reads frames from one socket through a buffer: one system call brings in many frames."""

    def __init__(self, sock: socket.socket, limit: int = MAX_MESSAGE_BYTES):
        self.sock = sock
        self.limit = limit
        self.buffer = bytearray()
        self.pos = 0  #: where the next frame starts in ``buffer``
        self.chunk = bytearray(1 << 18)  # reused: recv(n) would allocate (and fault in) n bytes each time

    def read(self, deadline: float | None = None) -> bytes:
        while True:
            available = len(self.buffer) - self.pos
            if available >= 8:
                (size,) = struct.unpack_from("<Q", self.buffer, self.pos)
                if size > self.limit:
                    raise FrameClosed(f"frame of {size} bytes is over the limit")
                if available >= 8 + size:
                    start = self.pos + 8
                    self.pos = start + size
                    return bytes(self.buffer[start : self.pos])
            if self.pos:  # keep only what is not read yet
                del self.buffer[: self.pos]
                self.pos = 0
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FrameTimeout()
                ready, _, _ = select.select([self.sock], [], [], remaining)
                if not ready:
                    raise FrameTimeout()
            got = self.sock.recv_into(self.chunk)
            if not got:
                raise FrameClosed()
            self.buffer += memoryview(self.chunk)[:got]

"""Length-prefixed frames over a stream socket, with a deadline on reads: the one reader of frames."""
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


class FrameReader:
    """Reads frames from one socket through a buffer: one system call brings in many frames.
    ``chunk``: the most one system call reads."""

    def __init__(self, sock: socket.socket, limit: int = MAX_MESSAGE_BYTES, chunk: int = 1 << 18):
        self.sock = sock
        self.limit = limit
        self.buffer = bytearray()
        self.pos = 0  #: where the next frame starts in ``buffer``
        self.chunk = bytearray(chunk)  # reused: recv(n) would allocate (and fault in) n bytes each time

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

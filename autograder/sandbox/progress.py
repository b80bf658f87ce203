"""Which planned call a worker is making, and since when: a page of memory it shares with its shard.

A worker makes the planned calls on its own and may hold finished answers back for a few
milliseconds to send them together (``worker._run_plan``). When an answer is late or the
worker dies, the shard must know which call is to blame, and whether that call has had
its time: the answers it has read do not say, since the ones held back are still in the
worker. So before each planned call the worker writes the call's index and the
millisecond it started, and, if sending its answers fails, that it ended there rather
than in a call: all in one 8-byte word (one store, so a reader never sees half of it).
The shard reads the word only when a wait runs out or the worker is gone
(``sandbox.protocol``).

The page is made by the shard before it forks its fork server, so that the fork server
and every worker it forks share it; the shard resets it before each worker loads, so
no student's worker reads what another's wrote (workers run one at a time). What a
worker writes here is a claim about its own calls only: a worker that lies can only
move the blame among its own calls, as a worker that forges its answers can.
"""
from __future__ import annotations

import mmap
import time
from typing import NamedTuple

_INDEX_BITS = 20
_INDEX_MASK = (1 << _INDEX_BITS) - 1
_SEND_FAILED = 1 << _INDEX_BITS  #: the flag: the worker ended because its answers could not be sent
_TIME_SHIFT = _INDEX_BITS + 1
MAX_INDEX = _INDEX_MASK - 1  #: the largest planned call index the word can hold


class Running(NamedTuple):
    index: int  #: the planned call the worker last started
    started: float  #: when (``time.monotonic`` seconds, rounded up)
    send_failed: bool  #: the worker then ended because it could not send its answers, not in the call


class Progress:
    def __init__(self) -> None:
        self._page = mmap.mmap(-1, mmap.PAGESIZE)  # anonymous and shared: forked processes see one page
        self._words = memoryview(self._page).cast("q")  # an item is one aligned 8-byte store or load

    def reset(self) -> None:
        """Before a worker loads: no planned call has started."""
        self._words[0] = 0

    def starting(self, index: int) -> None:
        """In the worker: planned call ``index`` starts now."""
        if 0 <= index <= MAX_INDEX:
            self._words[0] = (time.monotonic_ns() // 1_000_000) << _TIME_SHIFT | (index + 1)

    def send_failed(self) -> None:
        """In the worker: sending its answers failed (the student's code closed its socket?); it ends."""
        self._words[0] |= _SEND_FAILED

    def running(self) -> Running | None:
        """In the shard: what the worker last wrote, or None if it started no planned call
        since the reset. Unchecked: the worker wrote it."""
        word = self._words[0]
        if word <= 0:
            return None
        return Running((word & _INDEX_MASK) - 1, ((word >> _TIME_SHIFT) + 1) / 1e3, bool(word & _SEND_FAILED))

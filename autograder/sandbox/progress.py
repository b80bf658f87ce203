"""Which planned call a worker is making, and since when: a page of memory it shares with its shard.

A worker makes the planned calls on its own and may hold finished answers back for a few
milliseconds to send them together (``worker._run_plan``). When an answer is late, the
shard must know which call is to blame and whether that call has had its time: the
answers it has read do not say, since the ones held back are still in the worker. So
before each planned call the worker writes the call's index and the millisecond it
started, together in one 8-byte word (one store, so a reader never sees half of it); the
shard reads the word only when a wait runs out (``sandbox.protocol``).

The page is made by the shard before it forks its fork server, so that the fork server
and every worker it forks share it; the shard resets it before each worker loads, so
no student's worker reads what another's wrote (workers run one at a time). What a
worker writes here is a claim about its own calls only: a worker that lies can only
move the blame among its own calls, as a worker that forges its answers can.
"""
from __future__ import annotations

import mmap
import time

_INDEX_BITS = 20
MAX_INDEX = (1 << _INDEX_BITS) - 2  #: the largest planned call index the word can hold


class Progress:
    def __init__(self) -> None:
        self._page = mmap.mmap(-1, mmap.PAGESIZE)  # anonymous and shared: forked processes see one page
        self._words = memoryview(self._page).cast("q")  # an item is one aligned 8-byte store or load

    def reset(self) -> None:
        """Before a worker loads: no planned call has started."""
        self._words[0] = 0

    def starting(self, index: int) -> None:
        """In the worker: planned call ``index`` starts now."""
        if index <= MAX_INDEX:
            self._words[0] = (time.monotonic_ns() // 1_000_000) << _INDEX_BITS | (index + 1)

    def running(self) -> tuple[int, float] | None:
        """In the shard: the planned call the worker last started and when (``time.monotonic``
        seconds, rounded up), or None if none has started since the reset. Unchecked: the
        worker wrote it."""
        word = self._words[0]
        if word <= 0:
            return None
        return (word & ((1 << _INDEX_BITS) - 1)) - 1, ((word >> _INDEX_BITS) + 1) / 1e3

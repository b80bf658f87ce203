"""Plan every student's calls once, so that a worker can make them all without waiting.

Checks call student functions one at a time, and a round trip to a worker per call
cost more than the call itself. But checks are deterministic: given the reference's
answers they make the same calls, with the same arguments, for every student. So each
shard rehearses the checks once with the reference standing in for the student and
records each call (function and encoded arguments, taken before the call). The fork
server decodes that list once; every worker inherits it, runs it straight through and
streams the answers back while the shard judges the earlier ones.

When a check's call is not the one planned (its arguments depend on what that student
returned), :class:`~autograder.sandbox.client.StudentWorker` falls back to a live call,
so the plan only ever saves time; it never changes a grade.

The rehearsal also keeps, for each planned call, the encoded reply that the reference's
answer gets (workers seed the random generators before each call, so even layers a
student creates come out the same), and each check's outcome. Checks are deterministic:
given the same replies they do the same thing. So a check whose replies from a student
are byte for byte ones it has already judged (the rehearsal's, or another student's
with the same mistake) has that outcome, and is not run again. Only replies that a
check's outcome depends on alone are remembered: not timeouts, crashes of the worker,
files that failed to import or checks that made live calls.
"""
from __future__ import annotations

import random
import sys
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import torch

from autograder.sandbox import wire
from autograder.sandbox.replies import call_request, interpret, ok_reply, read_reply, seed_generators


MAX_OUTCOMES_PER_CHECK = 256  #: distinct sets of replies remembered per check
MAX_REMEMBERED_BYTES = 1 << 20  #: replies larger than this are not remembered


@dataclass(frozen=True)
class PlannedCall:
    index: int  #: position in the plan, which is also the order workers make the calls
    module: str
    name: str
    key: Any  #: ``wire.fingerprint`` of (args, kwargs) before the call


@dataclass
class Plan:
    requests: list[bytes] = field(default_factory=list)  #: encoded calls, as the worker receives them
    names: list[str] = field(default_factory=list)  #: the function each request calls
    expected: list[bytes | None] = field(default_factory=list)  #: the reply a right answer gets, encoded
    by_check: dict[int, list[PlannedCall]] = field(default_factory=dict)
    #: check index -> {the replies it got, raw: its result}; starts with the rehearsal's
    outcomes: dict[int, dict[tuple[bytes, ...], Any]] = field(default_factory=dict)

    def learn(self, check: int, replies: tuple[bytes, ...], result: Any) -> None:
        known = self.outcomes.setdefault(check, {})
        if len(known) < MAX_OUTCOMES_PER_CHECK and sum(map(len, replies)) <= MAX_REMEMBERED_BYTES:
            known[replies] = result

    def known(self, check: int, replies: tuple[bytes, ...]) -> Any:
        return self.outcomes.get(check, {}).get(replies)

    def planned(self, check: int | None, ordinal: int) -> PlannedCall | None:
        calls = self.by_check.get(check, ()) if check is not None else ()
        return calls[ordinal] if ordinal < len(calls) else None


class Recorder:
    """A stand-in student, backed by the reference, that writes down every call made to it."""

    def __init__(self, reference: Any, functions: dict[str, str]):
        """``functions`` maps each exercise's function name to its module (assignment)."""
        self.reference = reference
        self.functions = functions
        self.plan = Plan()
        self.check: int | None = None

    def namespace(self) -> types.SimpleNamespace:
        """The stand-in student's functions: the reference's, each call written down."""
        return types.SimpleNamespace(**{name: self._proxy(module, name) for name, module in self.functions.items()})

    # -- the check runner's backend (``checking.runner.Backend``) ---------------------------

    def start_check(self, index: int) -> None:
        self.check = index

    def known_outcome(self, index: int) -> None:
        return None  # the rehearsal runs every check

    def learn_outcome(self, index: int, result: Any) -> None:
        pass  # kept by record_outcomes, under the replies a right answer gets

    def record_outcomes(self, results: dict[int, Any]) -> None:
        """Remember each check's rehearsal result under the replies a right answer gets."""
        for index, result in results.items():
            replies = tuple(self.plan.expected[call.index] for call in self.plan.by_check.get(index, ()))
            if result is not None and replies and None not in replies:
                self.plan.learn(index, replies, result)

    def _proxy(self, module: str, name: str) -> Callable:
        def proxy(*args: Any, **kwargs: Any) -> Any:
            function = getattr(self.reference, name)
            if self.check is None:
                return function(*args, **kwargs)
            index = len(self.plan.requests)
            self.plan.requests.append(call_request(module, name, args, kwargs))
            self.plan.names.append(name)
            self.plan.by_check.setdefault(self.check, []).append(
                PlannedCall(index, module, name, wire.fingerprint((list(args), dict(kwargs)))))
            self.plan.expected.append(None)
            before = wire.fingerprint(list(args))
            # the check's own generators go on as if the call had been made elsewhere, as a student's is
            numpy_random = sys.modules.get("numpy.random")
            states = (torch.default_generator.get_state(), random.getstate(),
                      numpy_random.get_state() if numpy_random else None)
            seed_generators()  # as the worker does before every call
            try:
                value = function(*args, **kwargs)
            finally:
                torch.default_generator.set_state(states[0])
                random.setstate(states[1])
                if numpy_random:
                    numpy_random.set_state(states[2])
            reply = ok_reply(value, list(args), before)
            reply["i"] = index
            self.plan.expected[index] = expected = wire.encode(reply)
            return interpret(read_reply(expected), name, args)  # read as a student's right answer is read

        proxy.__name__ = name
        return proxy

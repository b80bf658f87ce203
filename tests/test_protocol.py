"""The worker protocol as a pure state machine (``sandbox.protocol``), driven against a
simulated worker on a simulated clock: any mix of answers, slow calls, hangs, crashes,
calls that break the worker's socket, files whose import hangs or crashes, and live calls
blames the right call, costs one timeout per hang, never makes a call again after it
timed out, and ends."""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder.outcomes import Outcome, StudentCodeProblem
from autograder.sandbox import wire
from autograder.sandbox.progress import Running
from autograder.sandbox.protocol import (AwaitExit, Done, ProtocolError, Receive, Send, Spawn, State, Stop,
                                         WorkerProtocol)
from autograder.sandbox.replies import call_request

TIMEOUT = 1.0
DURATION = {"answer": 0.001, "slow": 0.6, "breaks": 0.001, "crash": 0.001}
FILES = {"m.py": "", "other.py": ""}  # the planned calls' file, and one whose import may go wrong


def answer(index: int) -> bytes:
    return wire.encode({"status": "ok", "value": index, "i": index})


@dataclass
class Worker:
    """A simulated worker: what it sends, and when, given its load and each call's behaviour."""

    frames: list[tuple[float, bytes]] = field(default_factory=list)  #: (arrival, frame), in order
    closed_at: float | None = None  #: when its socket closed (the shard reads end-of-file)
    exit_at: float | None = None
    page: list[tuple[float, Running]] = field(default_factory=list)  #: the progress page's writes
    busy_until: float | None = 0.0  #: when it is free for a live call (None: never)

    def running(self, t: float) -> Running | None:
        times = [when for when, _ in self.page]
        k = bisect.bisect_right(times, t)
        return self.page[k - 1][1] if k else None

    def die(self, t: float, socket_closed: bool = True) -> None:
        if socket_closed and self.closed_at is None:
            self.closed_at = t
        self.exit_at = t + 0.0005
        self.busy_until = None


class World:
    """The transport, simulated: carries out the machine's actions against simulated workers."""

    def __init__(self, names: list[str], behaviour: list[str], other_import: str):
        self.names, self.behaviour, self.other_import = names, behaviour, other_import
        self.now = 0.0
        self.worker: Worker | None = None
        self.starts: list[tuple[int, float]] = []  #: every planned call started, and when
        self.workers = 0

    def spawn(self, load: dict) -> Worker:
        self.workers += 1
        w, t = Worker(), self.now + 0.002
        w.frames.append((t, wire.encode({"status": "ready", "protections": ["sim"]})))
        errors = {}
        for relpath in sorted(load["files"]):
            t += 0.0001
            w.frames.append((t, wire.encode({"status": "loading", "file": relpath})))
            kind = self.other_import if relpath == "other.py" else "ok"
            if kind == "hang":
                w.busy_until = None
                return w
            if kind == "crash":
                w.die(t)
                return w
            if kind == "error":
                errors[relpath] = {"type": "ValueError", "message": "at import", "traceback": ""}
            t += 0.001
        w.frames.append((t, wire.encode({"status": "ok", "errors": errors})))
        if load.get("run_from") is not None:
            t = self.stream(w, t, load)
        w.busy_until = t if w.busy_until is not None else None
        return w

    def stream(self, w: Worker, t: float, load: dict) -> float:
        skip, answered, batch = load["skip"], set(load["answered"]), load["batch"]
        held: list[bytes] = []
        since, broken = 0.0, False
        for index in range(load["run_from"], len(self.names)):
            name = self.names[index]
            if index in answered or (name in skip and index > skip[name]):
                continue
            if not held:
                since = t
            w.page.append((t, Running(index, t, False)))
            self.starts.append((index, t))
            kind = self.behaviour[index]
            if kind == "hang":
                w.busy_until = None
                return t
            t += DURATION[kind]
            if kind == "crash":
                w.die(t)
                return t
            if kind == "breaks" and not broken:
                broken = True
                w.closed_at = t  # its only descriptor of the socket is closed: the shard reads end-of-file now
            held.append(answer(index))
            if batch <= 0 or t - since >= batch:
                if broken:
                    w.page.append((t, Running(index, w.page[-1][1].started, True)))
                    w.die(t, socket_closed=False)
                    return t
                w.frames += [(t, frame) for frame in held]
                held = []
        if held and broken:
            w.page.append((t, Running(w.page[-1][1].index, w.page[-1][1].started, True)))
            w.die(t, socket_closed=False)
        else:
            w.frames += [(t, frame) for frame in held]
        return t

    def live(self, w: Worker, kind: str) -> None:
        t = self.now
        if kind == "hang":
            w.busy_until = None
        elif kind == "crash":
            w.die(t + 0.001)
        else:
            w.frames.append((t + 0.001, wire.encode({"status": "ok", "value": "live"})))
            w.busy_until = t + 0.001

    def drive(self, machine: WorkerProtocol, live_kind: str = "answer") -> object:
        for _ in range(5_000):
            action = machine.next_action(self.now)
            w = self.worker
            if isinstance(action, Done):
                return action.answer
            if isinstance(action, Spawn):
                self.worker = self.spawn(action.load)
                machine.spawned(self.now)
            elif isinstance(action, Stop):
                self.worker = None
            elif isinstance(action, Receive):
                if w.frames and w.frames[0][0] <= action.deadline:
                    arrival, frame = w.frames.pop(0)
                    self.now = max(self.now, arrival)
                    machine.received(frame, self.now)
                elif w.closed_at is not None and w.closed_at <= action.deadline:
                    self.now = max(self.now, w.closed_at)
                    machine.closed(self.now)
                else:
                    self.now = max(self.now, action.deadline)
                    machine.deadline_passed(self.now, w.running(self.now))
            elif isinstance(action, AwaitExit):
                if w.exit_at is not None and w.exit_at <= action.deadline:
                    self.now = max(self.now, w.exit_at)
                    machine.exited(self.now, w.running(self.now))
                else:
                    self.now = max(self.now, action.deadline)
                    machine.deadline_passed(self.now, w.running(self.now))
            elif isinstance(action, Send):
                if w.closed_at is not None and w.closed_at <= self.now:
                    machine.closed(self.now)
                else:
                    assert w.busy_until is not None and w.busy_until <= self.now, "a live call sent to a busy worker"
                    machine.sent(self.now)
                    self.live(w, live_kind)
        raise AssertionError("the machine did not end")


def machine_for(names: list[str]) -> WorkerProtocol:
    return WorkerProtocol(names, [answer(i) for i in range(len(names))], dict(FILES), TIMEOUT, 2048, functions=4)


@st.composite
def scenarios(draw):
    n = draw(st.integers(1, 12))
    names = draw(st.lists(st.sampled_from(["f", "g", "h"]), min_size=n, max_size=n))
    kinds = st.sampled_from(["answer"] * 6 + ["hang", "crash", "breaks", "slow"])
    behaviour = draw(st.lists(kinds, min_size=n, max_size=n).filter(lambda b: b.count("slow") <= 2))
    other = draw(st.sampled_from(["ok", "ok", "error", "hang", "crash"]))
    lives = draw(st.lists(st.tuples(st.integers(0, n), st.sampled_from(["answer", "hang", "crash"])), max_size=3))
    return names, behaviour, other, sorted(lives)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_any_mix_of_answers_hangs_and_crashes_blames_the_right_call_once(scenario):
    names, behaviour, other, lives = scenario
    world, machine = World(names, behaviour, other), machine_for(names)
    first_hang: dict[str, int] = {}
    live_hung = False
    for index in range(len(names) + 1):
        for _ in [at for at, _ in lives if at == index]:
            kind = next(k for at, k in lives if at == index)
            lives.remove((index, kind))
            refused = machine.refusal("m", "live", None)
            if live_hung:
                assert refused is not None and "was not run" in refused.message
                continue
            assert refused is None
            machine.ask_live("m", "live", call_request("m", "live", [], {}))
            got = world.drive(machine, kind)
            if kind == "answer":
                assert got == {"status": "ok", "value": "live"}
            else:
                expected = Outcome.TIMED_OUT if kind == "hang" else Outcome.CRASHED
                assert isinstance(got, StudentCodeProblem) and got.outcome is expected
                live_hung = live_hung or kind == "hang"
        if index == len(names):
            break
        name, kind = names[index], behaviour[index]
        refused = machine.refusal("m", name, index)
        if name in first_hang:  # an earlier call of the function timed out: this one is not made
            assert refused is not None and "was not run" in refused.message
            continue
        assert refused is None
        machine.ask(index)
        got = world.drive(machine)
        if kind in ("answer", "slow"):
            assert got == answer(index), (index, got)
        elif kind == "hang":
            assert isinstance(got, StudentCodeProblem) and got.outcome is Outcome.TIMED_OUT
            assert "did not finish within 1 s" in got.message
            first_hang[name] = index
        else:
            assert isinstance(got, StudentCodeProblem) and got.outcome is Outcome.CRASHED, (index, kind, got)
            assert f"{name} ended the Python process running it" in got.message
    started = [index for index, _ in world.starts]
    for index, kind in enumerate(behaviour):
        if kind == "hang":
            assert started.count(index) <= 1, f"call {index} hung and was made again"
        if names[index] in first_hang and index > first_hang[names[index]]:
            assert index not in started, f"call {index} was made after its function timed out"
        if kind in ("crash", "breaks"):  # made again only while a later failure is being told from it
            assert started.count(index) <= 2 + sum(k in ("crash", "breaks", "hang") for k in behaviour[index + 1:])
    hangs = len(first_hang) + live_hung + (other == "hang")
    # a slow call runs again if its answer died with a worker whose socket a call closed
    slack = 0.6 * behaviour.count("slow") * (2 if "breaks" in behaviour else 1) + 0.2
    assert world.now <= hangs * TIMEOUT + slack, "a hang cost more than one timeout"
    assert machine.unloadable.get("other.py") == {"hang": "timeout", "crash": "crash"}.get(other)
    assert ("other.py" in machine.import_errors) == (other != "ok")


# -- single transitions ---------------------------------------------------------------------

def test_a_call_that_starts_after_the_wait_began_gets_its_whole_timeout():
    """The shard waits for call 0; the worker holds 0's answer back and makes call 1, which
    is slow: at the shard's deadline, call 1 has run less than a timeout, so the wait is
    extended to call 1's own deadline, and then call 1 is blamed."""
    machine = machine_for(["f", "g"])
    world = World(["f", "g"], ["answer", "hang"], "ok")
    machine.ask(1)
    got = world.drive(machine)
    assert isinstance(got, StudentCodeProblem) and got.outcome is Outcome.TIMED_OUT
    (start,) = [t for index, t in world.starts if index == 1]
    assert world.now >= start + TIMEOUT
    machine.ask(0)
    assert world.drive(machine) == answer(0)  # held back by the stopped worker, made again by the next


def test_a_file_whose_import_hangs_is_left_out_and_the_others_load_again():
    machine = machine_for(["f"])
    world = World(["f"], ["answer"], "hang")
    machine.ask(0)
    assert world.drive(machine) == answer(0)
    assert machine.unloadable == {"other.py": "timeout"} and world.workers == 2
    problem = machine.import_problem("other.py")
    assert problem.outcome is Outcome.TIMED_OUT and "importing exercises/other.py took longer" in problem.message


def test_once_the_budget_is_spent_nothing_more_runs():
    names = ["f", "g", "h", "i", "j", "k", "l", "m"]
    machine = WorkerProtocol(names, [answer(i) for i in range(8)], dict(FILES), TIMEOUT, 2048, functions=1)
    world = World(names, ["hang"] * 8, "ok")  # budget: 1 s x (2 files + 1 function + 2) = 5 s
    outcomes = []
    for index in range(8):
        refused = machine.refusal("m", names[index], index)
        if refused is None:
            machine.ask(index)
            refused = world.drive(machine)
        outcomes.append(refused.message)
    assert machine.exhausted and world.now <= machine.budget + 0.1
    assert sum("did not finish within" in m for m in outcomes) == 4
    assert "used up its total time of 5 s" in outcomes[-1]


def test_a_worker_that_sends_an_answer_out_of_order_is_taken_for_crashed():
    machine = machine_for(["f", "g"])
    world = World(["f", "g"], ["answer", "answer"], "ok")
    machine.ask(0)
    world.worker = None
    original = world.spawn

    def forging(load):
        w = original(load)
        w.frames = [(t, answer(1) if frame == answer(0) else frame) for t, frame in w.frames]
        return w

    world.spawn = forging
    got = world.drive(machine)
    assert isinstance(got, StudentCodeProblem) and "f ended the Python process running it" in got.message


def test_events_the_machine_did_not_ask_for_are_a_protocol_error():
    machine = machine_for(["f"])
    with pytest.raises(ProtocolError):
        machine.next_action(0.0)  # nothing asked
    with pytest.raises(ProtocolError):
        machine.received(b"", 0.0)  # no worker
    with pytest.raises(ProtocolError):
        machine.spawned(0.0)
    assert machine.state is State.NO_WORKER


def test_a_call_into_an_assignment_with_no_file_names_both_kinds_of_file():
    machine = WorkerProtocol(["f"], [None], {"other.py": "x = 1\n"}, TIMEOUT, 2048)
    problem = machine.refusal("layers", "make_linear_layer", 0)
    assert problem.outcome is Outcome.CRASHED
    assert "no file for the layers assignment (layers.py or layers.ipynb)" in problem.message
    assert "exercises/" not in problem.message  # a notebook student has no such folder
    assert machine.refusal("other", "f", 0) is None

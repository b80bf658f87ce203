"""Planned calls: a worker answers every student the same planned calls, in one go.

These tests drive the real fork server and jailed workers with small stand-in
exercises, so that each behaviour of the plan can be provoked on its own: a call whose
arguments depend on the student's answer, an argument the function changes, a call
that hangs while later ones must still be answered, outcomes remembered by reply.
"""
import os
import socket
import sys
import time
import types

import pytest
import torch

from autograder.outcomes import CheckResult, Outcome, StudentCodeProblem
from autograder.sandbox import forkserver
from autograder.sandbox.jail import Limits
from autograder.sandbox.plan import Recorder
from autograder.sandbox.client import ForkServerClient, StudentWorker

UID = 61090 if os.geteuid() == 0 else None


def _double(x):
    return 2 * x


def _bump(t):
    t.add_(1)
    return None


def _square(x):
    return x * x


REFERENCE = types.SimpleNamespace(double=_double, bump=_bump, square=_square)
FUNCTIONS = {"double": "tensors", "bump": "tensors", "square": "layers"}


@pytest.fixture(scope="module")
def client():
    client = ForkServerClient(*forkserver.start())
    yield client
    client.close()


def rehearse(client: ForkServerClient, checks: list) -> Recorder:
    recorder = Recorder(REFERENCE, FUNCTIONS)
    namespace = recorder.namespace()
    for index, check in enumerate(checks):
        recorder.start_check(index)
        check(namespace)
    client.send_plan(recorder.plan)
    return recorder


def student(client: ForkServerClient, recorder: Recorder, files: dict[str, str], timeout: float = 5.0):
    sub = StudentWorker(client, files, UID, Limits(timeout=timeout), recorder.plan)
    namespace = types.SimpleNamespace(**{name: sub.function(module, name) for name, module in FUNCTIONS.items()})
    return sub, namespace


def test_a_call_whose_arguments_come_from_the_students_answer_is_made_live(client):
    def check(s):
        return s.double(s.double(3))  # the second call's argument is the first call's answer

    recorder = rehearse(client, [check])
    sub, namespace = student(client, recorder, {"tensors.py": "def double(x):\n    return 3 * x\n"})
    try:
        sub.start_check(0)
        assert check(namespace) == 27  # the plan's answer for double(6) would have made it 18
    finally:
        sub.close()


def test_the_sandbox_says_which_arguments_a_function_changed_and_touches_none(client):
    """The check's own objects stay as they were; the change is reported, for the check
    runner to fail the check (see test_trusted_side's in-place attack)."""
    def check(s):
        t = torch.zeros(3)
        s.bump(t)
        return t

    recorder = rehearse(client, [check])
    changes = {"tensors.py": "def bump(t):\n    t.mul_(0).add_(5)\n"}
    keeps = {"tensors.py": "def bump(t):\n    return t + 1\n"}
    for files, changed in ((changes, [0]), (keeps, [])):
        sub, namespace = student(client, recorder, files)
        try:
            sub.start_check(0)
            assert check(namespace).tolist() == [0.0, 0.0, 0.0]
            assert namespace.bump.changed_arguments() == changed
        finally:
            sub.close()


def problem(check, namespace) -> StudentCodeProblem:
    with pytest.raises(StudentCodeProblem) as caught:
        check(namespace)
    return caught.value


@pytest.mark.parametrize("first", [0, 1], ids=["the first call", "a call after quick ones"])
def test_a_planned_call_that_hangs_costs_only_its_own_check_and_one_timeout(client, first):
    """The worker makes the quick calls before the hanging one and holds their answers
    back; the hanging call is known by the progress page, blamed after one timeout, and
    not made again: the quick calls' answers come from a fresh worker."""
    checks = [lambda s: s.square(3)] * first + [lambda s: s.double(1), lambda s: s.square(4), lambda s: s.double(2)]
    recorder = rehearse(client, checks)
    files = {"tensors.py": "import time\ndef double(x):\n    while True:\n        time.sleep(1)\n",
             "layers.py": "def square(x):\n    return x * x\n"}
    sub, namespace = student(client, recorder, files, timeout=1.0)
    try:
        start = time.monotonic()
        for index in range(first):
            sub.start_check(index)
            assert checks[index](namespace) == 9
        sub.start_check(first)
        timed_out = problem(checks[first], namespace)
        assert timed_out.outcome is Outcome.TIMED_OUT and "did not finish within 1 s" in timed_out.message
        sub.start_check(first + 1)
        assert checks[first + 1](namespace) == 16  # answered by a fresh worker that resumed the plan
        sub.start_check(first + 2)
        assert "already ran out of time" in problem(checks[first + 2], namespace).message
        assert time.monotonic() - start < 1.9  # one timeout was waited for, not two
    finally:
        sub.close()


def test_a_planned_call_that_crashes_its_worker_is_blamed_and_made_once(client, monkeypatch):
    """A call that ends the worker while the answer before it is held back: blamed by the
    progress page, not made again. Two workers: the one that died, and one that makes the
    calls whose answers died with it and those after, but not the crashing one (which
    would end it too)."""
    checks = [lambda s: s.square(2), lambda s: s.double(1), lambda s: s.square(5)]
    recorder = rehearse(client, checks)
    files = {"tensors.py": "import os\ndef double(x):\n    os._exit(3)\n",
             "layers.py": "def square(x):\n    return x * x\n"}
    spawned = []
    spawn = client.spawn
    monkeypatch.setattr(client, "spawn", lambda *args: spawned.append(spawn(*args)) or spawned[-1])
    sub, namespace = student(client, recorder, files)
    try:
        sub.start_check(0)
        assert checks[0](namespace) == 4
        sub.start_check(1)
        crashed = problem(checks[1], namespace)
        assert crashed.outcome is Outcome.CRASHED and "double ended the Python process running it" in crashed.message
        sub.start_check(2)
        assert checks[2](namespace) == 25
    finally:
        sub.close()
    assert len(spawned) == 2


def test_every_call_starts_from_the_same_random_state(client):
    """Python's generator is reseeded before each call when the student's files name ``random``,
    torch's always: the same answers on every run, whatever ran before."""
    import random

    checks = [lambda s: s.double(1), lambda s: s.double(2)]
    recorder = rehearse(client, checks)
    random.seed(0)
    torch.manual_seed(0)
    fresh = [random.random(), torch.rand(1).item()]
    students = {
        "import random\nimport torch\ndef double(x):\n    return [random.random(), torch.rand(1).item()]\n": fresh,
        "import torch\ndef double(x):\n    return [torch.rand(1).item()]\n": fresh[1:],
    }
    for source, want in students.items():
        sub, namespace = student(client, recorder, {"tensors.py": source})
        try:
            answers = []
            for index, check in enumerate(checks):
                sub.start_check(index)
                answers.append(check(namespace))
            assert answers == [want, want]
        finally:
            sub.close()


def test_workers_never_see_an_exercises_package_the_grading_process_had_imported(monkeypatch):
    """The fork server forgets inherited ``exercises`` modules once; workers import the student's."""
    package, inherited = types.ModuleType("exercises"), types.ModuleType("exercises.layers")
    package.__path__ = []
    inherited.square = lambda x: 100
    monkeypatch.setitem(sys.modules, "exercises", package)
    monkeypatch.setitem(sys.modules, "exercises.layers", inherited)
    client = ForkServerClient(*forkserver.start())
    try:
        recorder = rehearse(client, [lambda s: s.square(3)])
        sub, namespace = student(client, recorder, {"layers.py": "def square(x):\n    return x * x\n"})
        try:
            sub.start_check(0)
            assert namespace.square(3) == 9
        finally:
            sub.close()
    finally:
        client.close()


def test_outcomes_are_remembered_by_the_replies_they_judged(client):
    recorder = rehearse(client, [lambda s: s.square(3)])
    result = CheckResult("square", "check", True, 1.0, Outcome.FAILED, "wrong")

    def run(files):
        sub, _ = student(client, recorder, files)
        try:
            sub.start_check(0)
            known = sub.known_outcome(0)
            sub.learn_outcome(0, result)  # as the plugin does after running a check
            return known
        finally:
            sub.close()

    right = run({"layers.py": "def square(x):\n    return x ** 2\n"})
    assert right is None  # the rehearsal recorded no outcome here: nothing known yet
    wrong = {"layers.py": "def square(x):\n    return x + x\n"}
    assert run(wrong) is None  # first time these replies are seen: the check must run
    assert run(wrong) is result  # the same replies again: the outcome is known
    other = {"layers.py": "def square(x):\n    return 2 * x + 1\n"}
    assert run(other) is None  # different replies: run again


def test_a_remembered_outcome_is_the_one_a_fresh_run_gives(tmp_path):
    """Graded together, students whose replies repeat an earlier student's take remembered
    outcomes; graded alone, each runs every check. The results must be the same."""
    from tests.helpers import run_cli, solution_copy, write_student
    import json

    right = "    return torch.tensor(data)\n"
    mistakes = {
        "a_capital_t": "    return torch.Tensor(data)\n",
        "b_float64": "    return torch.tensor(data, dtype=torch.float64)\n",
        "c_float_tensor": "    return torch.FloatTensor(data)  # same replies as a_capital_t\n",
    }
    together, alone = tmp_path / "together", tmp_path / "alone"
    for student, line in mistakes.items():
        files = solution_copy({"tensors.py": [(right, line)]})
        write_student(together / student, files)
        write_student(alone / student / student, files)  # one class per student
    result = run_cli("grade", str(together), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    for student in mistakes:
        result = run_cli("grade", str(alone / student), "--out", str(tmp_path / f"out-{student}"), "--quiet")
        assert result.returncode == 0, result.stderr
        shared = json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text())
        fresh = json.loads((tmp_path / f"out-{student}" / "results" / f"{student}.json").read_text())
        assert shared["tests"] == fresh["tests"] and shared["score"] == fresh["score"]
    messages = {s: json.loads((tmp_path / "out" / "results" / f"{s}.json").read_text())["extra_data"]["exercises"]
                for s in mistakes}
    assert all(m["create_tensor"]["score"] == 0 for m in messages.values())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become an unprivileged user for the test")
def test_without_root_a_student_can_leave_no_process_running():
    """Not root there is no uid to kill by and no memory cgroup: a worker may start no
    process at all (the second system call filter), and none is left behind."""
    from tests.helpers import as_nobody

    forkserver.preload()  # as root: the unprivileged user may not be able to read the interpreter's modules

    def job(_fd: int) -> dict:
        pid, control, progress = forkserver.start()
        client = ForkServerClient(pid, control, progress)
        recorder = rehearse(client, [lambda s: s.square(2)])
        leaves = ("import os, time\ndef square(x):\n    r, w = os.pipe()\n    if os.fork() == 0:\n"
                  "        os.setsid()\n        os.write(w, b'1')\n        while True:\n            time.sleep(1)\n"
                  "    os.read(r, 1)  # the child has left the worker's process group\n    return x * x\n")
        sub = StudentWorker(client, {"layers.py": leaves}, None, Limits(timeout=5), recorder.plan)
        sub.start_check(0)
        try:
            answer = sub.function("layers", "square")(2)
        except StudentCodeProblem as crash:
            answer = crash.message
        sub.close()
        time.sleep(0.2)
        mine = {os.getpid(), pid}
        left = []
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) not in mine:
                try:
                    with open(f"/proc/{entry}/status") as f:
                        status = f.read()
                except OSError:
                    continue
                if int(status.split("Uid:")[1].split()[0]) == os.getuid() and "State:\tZ" not in status:
                    left.append(int(entry))
        client.close()
        return {"answer": answer, "left": left}

    report = as_nobody(job)
    assert "square raised PermissionError" in report["answer"]  # os.fork() refused
    assert report["left"] == []


def test_the_fork_server_forks_no_worker_before_it_knows_the_workers_uid_and_limits():
    pid, control, progress = forkserver.start()
    client = ForkServerClient(pid, control, progress)
    try:
        ours, theirs = socket.socketpair()
        socket.send_fds(control, [forkserver.SPAWN], [theirs.fileno()])  # a SPAWN with no SETUP before it
        theirs.close()
        with ours:
            assert forkserver.INT.unpack(control.recv(16))[0] == -1
            assert ours.recv(1) == b""  # no worker holds the other end
        worker, conn = client.spawn(UID, Limits())  # the client sets up first
        with conn:
            assert worker > 0 and conn.recv(1 << 16)  # the worker's "ready"
        client.kill(worker)
    finally:
        client.close()

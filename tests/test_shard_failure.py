"""A shard that dies costs only the students it held; a killed command takes every shard
with it."""

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.helpers import ROOT, processes, run_cli, solution_copy, write_student


def _shard_pids(parent: int) -> list[int]:
    """The grading shards of the run whose process is ``parent``: its child, and those the child forked."""
    first = processes(lambda status: status["PPid"] == parent and status["Name"] == "grader-shard")
    return first + processes(lambda status: status["PPid"] in first and status["Name"] == "grader-shard")

@pytest.mark.parametrize("victim", [0, 1], ids=["the first shard", "a shard it forked"])
def test_a_shard_that_dies_costs_only_the_students_it_held(tmp_path, victim):
    """Students are handed to the shards one at a time, so when a shard is killed the other
    grades the rest of the class; only the two students the dead shard held are missing.
    The first shard forks the others: either may be the one that dies."""
    subs = tmp_path / "subs"
    for i in range(60):
        write_student(subs / f"s{i:02d}", solution_copy())
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", "2",
                             "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, shards = time.monotonic() + 120, []
        while time.monotonic() < deadline:  # both shards at work (a busy machine may start one late)
            shards = _shard_pids(proc.pid)
            if len(shards) == 2 and len(list((out / "results").glob("*.json"))) >= 4:
                break
            time.sleep(0.01)
        assert len(shards) == 2
        os.kill(shards[victim], signal.SIGKILL)
    finally:
        _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "Re-run the same command" in stderr and "Traceback" not in stderr.split("stopped")[0]
    graded = {p.stem for p in (out / "results").glob("*.json")}
    assert 58 <= len(graded) < 60  # a fixed half per shard would have lost about 28
    resumed = run_cli("grade", str(subs), "--out", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert f"({60 - len(graded)} now, {len(graded)} unchanged" in resumed.stdout

def test_a_killed_grading_command_takes_every_shard_with_it(tmp_path):
    """The first shard dies with the grading command (the kernel signals it); a shard it
    forked is not the command's child, and follows at once through a pipe the command held.
    Nothing is left behind in the temporary folder either: no process lived to clean it."""
    slow = solution_copy({"tensors.py": [("import torch\n", "import time\nimport torch\n"),
                                         ("    return torch.tensor(data)\n",
                                          "    time.sleep(60)\n    return torch.tensor(data)\n")]})
    for i in range(4):
        write_student(tmp_path / "subs" / f"s{i}", slow)
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out",
                             str(tmp_path / "out"), "--jobs", "2", "--timeout", "60", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline, shards, fork_servers = time.monotonic() + 120, [], []
        while time.monotonic() < deadline:  # both shards grading, their workers asleep
            shards = _shard_pids(proc.pid)
            fork_servers = processes(lambda status: status["PPid"] in shards and status["Name"] == "grader-forksrv")
            workers = processes(lambda status: status["PPid"] in fork_servers and status["Name"] == "grader-worker")
            if len(shards) == 2 and len(workers) == 2:
                break
            time.sleep(0.05)
        assert len(shards) == 2 and len(fork_servers) == 2
        proc.kill()
    finally:
        proc.wait(timeout=60)
    def alive() -> set[int]:  # a zombie has ended: whether anything has reaped it yet is up to the machine's init
        return set(processes(lambda status: status["Name"].startswith("grader-") and status["State"] != "Z"))

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(shards + fork_servers) & alive():
        time.sleep(0.05)
    assert not set(shards + fork_servers) & alive(), "a shard outlived the run"
    assert not processes(lambda status: status["Uid"] in (61000, 61001) and status["State"] != "Z"), \
        "a worker outlived the run"
    assert not list(temp.iterdir()), "the run left files in the temporary folder"

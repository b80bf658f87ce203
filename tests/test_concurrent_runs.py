"""Two `autograder grade` runs on one host at once (two TAs at a deadline) must not harm each other.

Each run is a real `python -m autograder grade` process; the runs overlap in time.
Their classes live outside the system temporary folder, which workers cover with a tmpfs.
"""
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, solution_copy, write_student

pytestmark = pytest.mark.slow

TARGET = "    return t.dtype\n"
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="worker uids are only used as root")

#: the worker uids a run may claim (see autograder.sandbox.uids)
WORKER_UIDS = range(61000, 61184)


@pytest.fixture
def scratch():
    folder = Path(tempfile.mkdtemp(prefix="concurrent-", dir="/var/tmp"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def start_grading(subs: Path, out: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--quiet",
                             *options], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(run: subprocess.Popen, timeout: float = 300) -> tuple[int, str]:
    stdout, stderr = run.communicate(timeout=timeout)
    return run.returncode, stdout + stderr


def live_workers() -> set[int]:
    """Pids of the live (not zombie) processes of worker uids on this host: jailed student code."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = dict(line.split(":\t", 1) for line in (entry / "status").read_text().splitlines()
                              if ":\t" in line)
                if int(fields["Uid"].split()[0]) in WORKER_UIDS and not fields["State"].startswith("Z"):
                    found.add(int(entry.name))
            except (OSError, ValueError, KeyError):
                continue
    return found


def sleeping(pids: set[int]) -> set[int]:
    """Those of ``pids`` that are in ``time.sleep``."""
    found = set()
    for pid in pids:
        try:
            if "nanosleep" in Path(f"/proc/{pid}/wchan").read_text():
                found.add(pid)
        except OSError:
            pass
    return found


def wait_for_a_worker(run: subprocess.Popen, seconds: float = 60, asleep: bool = False) -> set[int]:
    """The pids of the first jailed student code seen (with ``asleep``: in ``time.sleep``)."""
    deadline = time.monotonic() + seconds
    while not (workers := sleeping(live_workers()) if asleep else live_workers()):
        assert run.poll() is None, "the first run ended before any worker started"
        assert time.monotonic() < deadline, "no worker started"
        time.sleep(0.02)
    return workers


def rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "grades.csv").open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


@needs_root
def test_a_student_killing_everything_it_can_does_not_touch_another_run(scratch):
    """kill(-1) kills every process the caller may signal: with the same worker uids in
    both runs, the other run's workers (and with them its honest students' grades)."""
    killer_class, honest_class = scratch / "killer_class", scratch / "honest_class"
    write_student(killer_class / "a_killer", solution_copy({"tensors.py": [(
        TARGET, "    import os, signal\n    while True:\n        try:\n            os.kill(-1, signal.SIGKILL)\n"
                "        except OSError:  # nothing it may signal\n            pass\n")]}))
    for i in range(2):
        write_student(killer_class / f"honest{i}", solution_copy())
    for i in range(12):
        write_student(honest_class / f"student{i:02d}", solution_copy())
    first = start_grading(killer_class, scratch / "out_killer", "--jobs", "2", "--timeout", "8")
    try:
        wait_for_a_worker(first)  # the killer is graded first (its name sorts first) and loops for 8 s a call
        second = start_grading(honest_class, scratch / "out_honest", "--jobs", "2", "--timeout", "8")
        code, output = finish(second)
        assert first.poll() is None, "the runs did not overlap: make the killer's calls longer"
    finally:
        first_code, first_output = finish(first)
    assert code == 0, output
    graded = rows(scratch / "out_honest")
    assert len(graded) == 12
    for student, row in graded.items():
        assert row["total"] == row["max_total"], (student, row)
    assert first_code == 0, first_output
    killer_rows = rows(scratch / "out_killer")
    assert killer_rows["a_killer"]["tensor_dtype"] == "0"
    for student in ("honest0", "honest1"):
        assert killer_rows[student]["total"] == killer_rows[student]["max_total"], killer_rows[student]


@needs_root
def test_starting_a_run_does_not_kill_the_workers_of_another_live_run(scratch):
    """A run kills the leftovers of an interrupted run as it starts; it must take only
    processes of uids no live run holds."""
    slow_class, other_class = scratch / "slow_class", scratch / "other_class"
    # the first call of a worker sleeps 15 s in the first run, while the second run starts and ends
    write_student(slow_class / "slow", solution_copy({"tensors.py": [(
        TARGET, "    import time\n    global _slept\n    if '_slept' not in globals():\n"
                "        _slept = True\n        time.sleep(15)\n    return t.dtype\n")]}))
    for i in range(3):
        write_student(other_class / f"student{i}", solution_copy())
    first = start_grading(slow_class, scratch / "out_slow", "--jobs", "1", "--timeout", "30")
    try:
        asleep = wait_for_a_worker(first, asleep=True)
        code, output = finish(start_grading(other_class, scratch / "out_other", "--jobs", "2"))
        assert first.poll() is None, "the runs did not overlap: make the slow call longer"
        # (a killed worker would be started again, and its grade come out right all the same)
        assert asleep <= live_workers(), "the second run's start killed the first run's worker"
    finally:
        first_code, first_output = finish(first)
    assert code == 0, output
    assert first_code == 0, first_output
    slow = rows(scratch / "out_slow")["slow"]
    assert slow["total"] == slow["max_total"], slow
    for student, row in rows(scratch / "out_other").items():
        assert row["total"] == row["max_total"], (student, row)

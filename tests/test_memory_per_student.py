"""`--memory-mb` bounds a student's whole process tree, not each of its processes."""
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.helpers import ROOT, solution_copy, write_student

pytestmark = pytest.mark.slow

TARGET = "    return t.dtype\n"
CAP_MB = 1024
#: what each process of the tree writes: under the cap's room for one process (torch takes
#: about 650 MB of its address space), several times the cap for the whole tree
BUFFER_MB = 256
WORKER_UIDS = range(61000, 61184)

#: the first call in a worker starts every process it may, and each of them (and the worker
#: itself) fills a buffer of its own; it returns the right answer only if all held theirs at once
FILLS_ITS_CHILDREN = f"""    import os, time
    global _filled
    if '_filled' not in globals():
        size = {BUFFER_MB} << 20
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        children = []
        while len(children) < 16:
            try:
                pid = os.fork()
            except OSError:
                break
            if pid == 0:
                os.close(go_w)
                buffer = bytearray(size)
                buffer[::4096] = b'x' * (size // 4096)  # every page written
                os.write(ready_w, b'1')
                os.close(ready_w)  # the parent sees the end of the pipe once no child can write
                os.read(go_r, 1)  # until the parent is done
                os._exit(0)
            children.append(pid)
        os.close(ready_w)
        buffer = bytearray(size)
        buffer[::4096] = b'x' * (size // 4096)
        ready = 0
        while ready < len(children) and os.read(ready_r, 1):
            ready += 1
        time.sleep(1)  # all hold their buffers
        os.close(go_w)
        for pid in children:
            os.waitpid(pid, 0)
        if not children or ready < len(children):
            raise RuntimeError(f'{{ready}} of {{len(children)}} processes filled their buffers')
        _filled = True
    return t.dtype
"""

def private_memory_kb(pid: int) -> int:
    """The memory only this process uses (written pages it shares with no one)."""
    total = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(("Private_Clean:", "Private_Dirty:")):
                total += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return total


def worker_processes() -> list[int]:
    """Processes of the worker uids: student code (the waiting parent of a worker's process namespace is root's
    and uses next to nothing of its own)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("Uid:"):
                        if int(line.split()[1]) in WORKER_UIDS:
                            found.append(int(entry.name))
                        break
            except (OSError, ValueError):
                continue
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="worker uids are only used as root")
def test_a_student_whose_processes_each_fill_their_cap_stays_under_the_cap_in_all():
    scratch = Path(tempfile.mkdtemp(prefix="memory-", dir="/var/tmp"))  # not under the workers' tmpfs
    try:
        write_student(scratch / "subs" / "forks_and_fills", solution_copy({"tensors.py": [(TARGET, FILLS_ITS_CHILDREN)]}))
        write_student(scratch / "subs" / "honest", solution_copy())
        largest = [0]
        stop = threading.Event()

        def watch() -> None:  # the largest total private memory of student processes at any one time
            while not stop.is_set():
                largest[0] = max(largest[0], sum(private_memory_kb(pid) for pid in worker_processes()))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        try:
            result = subprocess.run([sys.executable, "-m", "autograder", "grade", str(scratch / "subs"), "--out",
                                     str(scratch / "out"), "--jobs", "1", "--timeout", "30",
                                     "--memory-mb", str(CAP_MB)],
                                    cwd=ROOT, capture_output=True, text=True, timeout=600)
        finally:
            stop.set()
            watcher.join()
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        largest_mb = largest[0] / 1024
        assert largest_mb < 1.5 * CAP_MB, f"the student's processes held {largest_mb:.0f} MB with a {CAP_MB} MB cap"
        assert largest_mb > BUFFER_MB / 2, "the watcher saw none of the student's memory"
        with (scratch / "out" / "grades.csv").open() as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
        assert rows["honest"]["total"] == rows["honest"]["max_total"]
        forks = rows["forks_and_fills"]
        assert forks["tensor_dtype"] == "0" and int(forks["total"]) == int(forks["max_total"]) - 5, forks
        doc = json.loads((scratch / "out" / "results" / "forks_and_fills.json").read_text())
        messages = " ".join(t["output"] for t in doc["tests"] if t["name"].startswith("tensor_dtype"))
        assert f"more than the {CAP_MB} MB memory limit" in messages or "processes filled" in messages, messages
        assert "memory cgroup (whole process tree)" in result.stdout or "no child processes" in result.stdout
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

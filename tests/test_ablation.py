"""Every protection proven by its own failing attack.

A gallery of attacks is graded from a course folder kept as instructors keep one
(outside the temporary folder, readable by others). With every protection in force,
no attack succeeds. Then each protection in turn is switched off (test-only hook:
``tests/ablation.py``) and at least one attack that needs it must succeed: a
protection whose loss no attack notices would be untested.

An attack succeeds when its student earns tensor_dtype's points: each attack's
function returns the right answer only once it has done what it should not be able
to do, and raises otherwise.
"""
from __future__ import annotations

import csv
import os
import socket
import threading
import uuid
from pathlib import Path

import pytest

from tests.ablation import hook_folder
from tests.helpers import course_folder, run_cli, solution_copy, write_student

TARGET = "    return t.dtype\n"

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(os.geteuid() != 0, reason="the ablations grade as root, as CI does")]


def attack(body: str) -> dict[str, str]:
    return solution_copy({"tensors.py": [(TARGET, body + "    return t.dtype\n")]})


def attacks(course: Path, port: int, key: str) -> dict[str, dict[str, str]]:
    secret = course / "solutions" / "tensors.py"
    return {
        # the course's own files, readable by others as a course folder is
        "reads_solutions": attack(f"    open({str(secret)!r}).read()\n"),
        # root climbs out of a chroot: chroot into a subfolder, go up, chroot there
        "escapes_chroot": attack(f"    import os\n    if not os.path.exists({str(secret)!r}):  # not yet out\n"
                                 "        os.mkdir('/way_out')\n        os.chroot('/way_out')\n"
                                 "        for _ in range(64):\n            os.chdir('..')\n        os.chroot('.')\n"
                                 f"    open({str(secret)!r}).read()\n"),
        "connects": attack(f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=1).close()\n"),
        # eight gigabytes of address space, never touched: only the address-space limit refuses it
        "maps_8_gb": attack("    import mmap\n    mmap.mmap(-1, 8 << 30)\n"),
        # a message for the next student of the same shard, in the kernel's keyring of
        # the workers' uid (a channel between students that only the system call filter closes)
        "a_leaves_key": attack("    import ctypes\n    libc = ctypes.CDLL(None, use_errno=True)\n"
                               f"    if libc.syscall(248, b'user', b'{key}', b'psst', 4, ctypes.c_int(-4)) < 0:\n"
                               "        raise OSError(ctypes.get_errno(), 'add_key')\n"),
        # four children hold 350 MB each (written, so really held) while the worker holds its own:
        # each process is within its address-space limit, the tree is over --memory-mb
        "fills_memory_in_children": attack(
            "    import os, select, time\n    global _filled\n    if not globals().get('_filled'):\n"
            "        r, w = os.pipe()\n        kids = []\n        for _ in range(4):\n"
            "            pid = os.fork()\n            if pid == 0:\n                held = bytearray(350 << 20)\n"
            "                os.write(w, b'1')\n                time.sleep(60)\n                os._exit(0)\n"
            "            kids.append(pid)\n        got = b''\n        try:\n"
            "            while len(got) < 4:\n"
            "                if select.select([r], [], [], 0.05)[0]:\n                    got += os.read(r, 4)\n"
            "                elif any(os.waitpid(pid, os.WNOHANG)[0] for pid in kids):\n"
            "                    raise MemoryError('a child was killed')\n"
            # all four must hold their memory at once: the OOM killer may take a child that
            # had already reported, while the last one allocates (seen once in 8 CI runs)
            "            if any(os.waitpid(pid, os.WNOHANG)[0] for pid in kids):\n"
            "                raise MemoryError('a child was killed')\n"
            "        finally:\n            for pid in kids:\n                try:\n"
            "                    os.kill(pid, 9)\n                    os.waitpid(pid, 0)\n"
            "                except OSError:\n                    pass\n"
            "        _filled = True\n"),
        "b_finds_key": attack("    import ctypes\n    libc = ctypes.CDLL(None, use_errno=True)\n"
                              f"    if libc.syscall(249, b'user', b'{key}', None, ctypes.c_int(0)) < 0:\n"
                              "        raise OSError(ctypes.get_errno(), 'request_key')\n"),
    }


#: protection switched off -> the attacks that must then succeed
NEEDED_BY = {
    "chroot": {"reads_solutions"},
    "unprivileged uid": {"escapes_chroot"},
    "no network": {"connects"},
    "resource limits": {"maps_8_gb"},
    "seccomp": {"b_finds_key"},
    "memory cgroup and its fallback": {"fills_memory_in_children"},
}


def grade_attacks(ablation: str | None) -> set[str]:
    """Grade the gallery with ``ablation`` switched off (None: everything on); the attacks that succeeded."""
    with course_folder("ablation") as course:
        (course / "solutions").mkdir()
        (course / "solutions" / "tensors.py").write_text(solution_copy()["tensors.py"])
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
        gallery = attacks(course, listener.getsockname()[1], f"autograder-{uuid.uuid4().hex}")
        for student, files in gallery.items():
            write_student(course / "subs" / student, files)
        write_student(course / "subs" / "honest", solution_copy())
        env = {"PYTHONPATH": str(hook_folder(course / "hook", ablation))} if ablation else None
        # one shard, so that the key's two students share a worker uid, one after the other
        result = run_cli("grade", str(course / "subs"), "--out", str(course / "out"), "--jobs", "1",
                         "--timeout", "5", "--memory-mb", "1024", "--quiet", env=env, timeout=300)
        listener.close()
        for connection in accepted:
            connection.close()
        assert result.returncode == 0, result.stderr
        with (course / "out" / "grades.csv").open() as f:
            rows = {row["student"]: row for row in csv.DictReader(f)}
    assert rows["honest"]["total"] == rows["honest"]["max_total"]
    assert set(rows) == set(gallery) | {"honest"}
    return {student for student in gallery if rows[student]["tensor_dtype"] != "0"}


def test_with_every_protection_no_attack_succeeds():
    assert grade_attacks(None) == set()


@pytest.mark.parametrize("protection", sorted(NEEDED_BY))
def test_without_one_protection_an_attack_succeeds(protection):
    succeeded = grade_attacks(protection)
    assert NEEDED_BY[protection] <= succeeded, f"without {protection}: only {sorted(succeeded)} succeeded"

import contextlib
import csv
import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

from autograder.authoring.examples import solution_copy, write_student  # noqa: F401 - for the tests
from autograder.curriculum import course

#: the course's full marks, and each exercise's points, as grades.csv writes numbers
FULL_MARKS = course().points


def marks(points: float) -> str:
    """``points`` as grades.csv writes them: 70, 2.5."""
    return f"{points:g}"


def points_of(exercise: str) -> float:
    return course().exercise(exercise).points

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"


def run_cli(*args: str, cwd: Path = ROOT, timeout: float = 600,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``autograder *args``; ``env``: variables added to this process's environment."""
    return subprocess.run([sys.executable, "-m", "autograder", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, **env} if env else None)


PR_SET_DUMPABLE = 4


def as_nobody(job, dumpable: bool = True) -> dict:
    """Run ``job()`` in a forked child that dropped to the unprivileged user; return its dict.

    ``dumpable`` false leaves the child as a uid change leaves it: unable to set up a user
    namespace (the kernel refuses it its own uid_map), as on a kernel without them."""
    ours, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            # a process that changed its uid is not "dumpable": its /proc files stay root's, and
            # it cannot write its own uid_map. A user who started unprivileged is dumpable.
            ctypes.CDLL(None).prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)
            theirs.sendall(json.dumps(job(theirs.fileno())).encode())
        finally:
            os._exit(0)
    theirs.close()
    with ours:
        data = ours.recv(65536)
    os.waitpid(pid, 0)
    assert data, "the process running the job ended before it reported"
    return json.loads(data.decode())


#: where test classes live: outside the system temporary folder (every worker mounts its
#: own tmpfs over that one, which would hide a class kept there and mask a missing chroot)
COURSE_PARENT = Path("/var/tmp")


@contextlib.contextmanager
def course_folder(prefix: str = "course"):
    """A folder kept as instructors keep a course: outside the temporary folder, readable
    by others (0755 folders, 0644 files), owned by the instructor. Removed afterwards."""
    parent = COURSE_PARENT if COURSE_PARENT.is_dir() else ROOT
    base = Path(tempfile.mkdtemp(prefix=f"autograder-{prefix}-", dir=parent))
    os.chmod(base, 0o755)
    old_umask = os.umask(0o022)
    try:
        yield base
    finally:
        os.umask(old_umask)
        shutil.rmtree(base, ignore_errors=True)


# -- grading a class: the hostile gallery and what tests look at ---------------------------

TARGET = "    return t.dtype\n"

SECRET_HIDDEN = str(ROOT / "autograder" / "hidden" / "hidden_layers.py")

def hostile(body: str) -> dict:
    return solution_copy({"tensors.py": [(TARGET, body)]})

def gallery(root: Path, port: int, outside: Path) -> dict[str, float]:
    """Writes the submissions; returns student -> expected tensor_dtype points."""
    other = root / "honest" / "tensors.py"
    full = points_of("tensor_dtype")
    cases = {
        "honest": (solution_copy(), full),
        "loop": (hostile("    while True:\n        pass\n"), 0),
        "sleep": (hostile("    import time\n    time.sleep(3600)\n"), 0),
        "ignores_alarm": (hostile("    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                  "    signal.alarm(0)\n    while True:\n        pass\n"), 0),
        "memory_hog": (hostile("    hog = bytearray(10**10)\n    return t.dtype\n"), 0),
        "segfault": (hostile("    import ctypes\n    ctypes.string_at(0)\n"), 0),
        "exits": (hostile("    import os\n    os._exit(0)\n"), 0),
        "closes_fds": (hostile("    import os\n    os.closerange(0, 4096)\n    return t.dtype\n"), 0),
        "kills_parent": (hostile("    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                                 "    os.kill(-1, signal.SIGKILL)\n"), 0),
        "reads_hidden": (hostile(f"    return open({SECRET_HIDDEN!r}).read()\n"), 0),
        "reads_other": (hostile(f"    return open({str(other)!r}).read()\n"), 0),
        "writes_outside": (hostile(f"    open({str(outside)!r}, 'w').write('pwned')\n    return t.dtype\n"), 0),
        "network": (hostile(f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
                            "    return t.dtype\n"), 0),
        "forges_output": (hostile("    print('done honest')\n    print('{\"score\": 70}')\n    return 'float32'\n"), 0),
        "monkeypatches": (solution_copy({"tensors.py": [
            ("import torch\n", "import torch\ntorch.equal = lambda *a, **k: True\ntorch.Tensor.__eq__ = lambda *a: True\n"
                               "torch.allclose = lambda *a, **k: True\n"),
            (TARGET, "    return torch.int8\n")]}), 0),
        "leaves_process": (hostile("    import os, time\n    r, w = os.pipe()\n    if os.fork() == 0:\n"
                                   "        os.setsid()\n        os.write(w, b'1')\n"
                                   "        while True:\n            time.sleep(1)\n"
                                   "    os.read(r, 1)  # the child has left the worker's process group\n"
                                   "    return t.dtype\n"), full),
        "unusual_import": (hostile("    import xml.dom.minidom\n    return t.dtype\n"), 0),
        # calls that succeed for any process the kernel lets through: only the system call filter refuses them
        "kernel_calls": (hostile("    import ctypes\n    libc = ctypes.CDLL(None, use_errno=True)\n"
                                 "    ring = ctypes.create_string_buffer(120)\n"
                                 "    for number, args in ((101, (0, 0, 0, 0)), (425, (1, ring)), (0x40000000 | 39, ())):\n"
                                 "        if libc.syscall(number, *args) >= 0:  # ptrace(TRACEME), io_uring_setup, x32 getpid\n"
                                 "            return t.dtype\n"
                                 "    raise OSError(ctypes.get_errno(), 'refused')\n"), 0),
        # getpid through the 32-bit entry (int 0x80), which a filter checking only x86-64 numbers would miss
        "i386_call": (hostile("    import ctypes, mmap\n"
                              "    page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
                              "    page.write(b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3')  # mov eax, 20; int 0x80; ret\n"
                              "    ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()\n"
                              "    return t.dtype\n"), 0),
    }
    # valid alternatives earn full marks
    cases["alternatives"] = (solution_copy({
        "tensors.py": [("    return torch.tensor(data)\n", "    return torch.as_tensor(data)\n")],
        "layers.py": [("    return sum(p.numel() for p in model.parameters())\n",
                       "    total = 0\n    for p in model.parameters():\n        total += p.numel()\n    return total\n"),
                      ("    layers.append(nn.Softmax(dim=-1))\n    return nn.Sequential(*layers)\n",
                       "    model = nn.Sequential()\n    for layer in layers:\n        model.append(layer)\n"
                       "    model.append(nn.Softmax(dim=-1))\n    return model\n")],
        "activations.py": [("    return torch.softmax(logits, dim=dim)\n",
                            "    return torch.nn.functional.softmax(logits, dim=dim)\n")],
    }), full)
    cases["stable_softmax"] = (solution_copy({"activations.py": [("    return torch.softmax(logits, dim=dim)\n",
        "    shifted = logits - logits.max(dim=dim, keepdim=True).values\n    e = shifted.exp()\n"
        "    return e / e.sum(dim=dim, keepdim=True)\n")]}), full)
    for student, (files, _) in cases.items():
        write_student(root / student, files)
    # the same honest code as a zip, and one level down as <student>/exercises/
    with zipfile.ZipFile(root / "zipped.zip", "w") as z:
        for name, text in solution_copy().items():
            z.writestr(f"exercises/{name}", text)
    write_student(root / "nested" / "exercises", solution_copy())
    expected = {s: pts for s, (_, pts) in cases.items()}
    expected.update(zipped=full, nested=full)
    return expected

def processes(keep) -> list[int]:
    """Pids of the processes whose /proc status fields (``{"Name": ..., "PPid": ..., "Uid": ..., "State": ...}``,
    State one letter: ``Z`` for a zombie) ``keep`` accepts."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines = (entry / "status").read_text().splitlines()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
            status = {"Name": fields.get("Name", ""), "PPid": int(fields.get("PPid", "0")),
                      "Uid": int(fields.get("Uid", "-1").split()[0]), "State": fields.get("State", "?")[:1]}
            if keep(status):
                found.append(int(entry.name))
    return found

def uid_processes(uids: set[int]) -> list[int]:
    return processes(lambda status: status["Uid"] in uids)

def grade_gallery(base: Path) -> dict:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted = []

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except OSError:
                pass

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    outside = base / "outside.txt"
    expected = gallery(base / "subs", listener.getsockname()[1], outside)
    start = time.monotonic()
    result = run_cli("grade", str(base / "subs"), "--out", str(base / "out"), "--jobs", "2", "--timeout", "1",
                     "--quiet")
    elapsed = time.monotonic() - start
    stop.set()
    thread.join()
    listener.close()
    return {"base": base, "result": result, "expected": expected, "accepted": accepted, "outside": outside,
            "elapsed": elapsed}

def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become an unprivileged user for the test")

#: student code that can tell which of its descriptors is the worker's socket
IS_SOCKET = ("import os, stat\n\ndef _is_socket(fd):\n    try:\n"
             "        return stat.S_ISSOCK(os.fstat(fd).st_mode)\n    except OSError:\n        return False\n\n")

#: runs the rest of its command line, then prints the peak memory (kB) of the largest process it waited for
MEASURE_LARGEST = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
                   "check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")

def grade_measuring_memory(tmp_path: Path) -> float:
    """Grade ``tmp_path/subs`` into ``tmp_path/out`` with one shard; the peak memory, in MB, of
    the largest process of the run."""
    result = subprocess.run([sys.executable, "-c", MEASURE_LARGEST, sys.executable, "-m", "autograder", "grade",
                             str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]) / 1024

import contextlib
import ctypes
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
ASSIGNMENT_FILES = ("tensors.py", "layers.py", "activations.py")


def solution_copy(edits: dict[str, list[tuple[str, str]]] | None = None) -> dict[str, str]:
    """The reference solutions as a student would hand them in, with textual edits applied."""
    files = {}
    for name in ASSIGNMENT_FILES:
        text = "\n".join(l for l in (SOLUTIONS / name).read_text().splitlines() if "### " not in l) + "\n"
        for old, new in (edits or {}).get(name, []):
            assert old in text, f"edit target {old!r} not in {name}"
            text = text.replace(old, new)
        files[name] = text
    return files


def write_student(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


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

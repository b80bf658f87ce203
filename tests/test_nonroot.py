"""Without root (an instructor's laptop): a user namespace and the same protections, or a
clear refusal; the same grades as under root."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path


from tests.helpers import FULL_MARKS, ROOT, as_nobody, marks, needs_root, points_of, read_csv, uid_processes


@needs_root
def test_without_root_the_jail_uses_a_user_namespace_or_says_it_could_not(tmp_path):
    """The non-root path, as an instructor's laptop would take it: the protections reported are true."""
    from autograder.sandbox import jail

    secret = ROOT / "solutions" / "tensors.py"

    def job(fd: int) -> dict:
        same_user = os.getpid()  # a process of the same user outside the jail, as the fork server is
        protections = jail.enter(jail.scratch_folder(), None, jail.Limits(), fd)  # as the fork server does
        try:
            os.kill(same_user, 0)  # may it be signalled (0: only asks)?
            signalled = True
        except OSError:
            signalled = False
        os.kill(0, signal.SIGKILL)  # its own process group: nothing the worker needs may be in it
        time.sleep(0.3)
        try:
            secret.read_text()
            readable = True
        except OSError:
            readable = False
        # root of its user namespace, student code may try the old way out of a chroot:
        # chroot into a subfolder, climb above it, chroot there
        try:
            os.mkdir("/way_out")
            os.chroot("/way_out")
            for _ in range(64):
                os.chdir("..")
            os.chroot(".")
            escaped = os.path.exists(secret)
        except OSError:
            escaped = False
        return {"protections": protections, "readable": readable, "escaped": escaped, "signalled": signalled}

    report = as_nobody(job)
    if "user namespace" in report["protections"]:
        assert not report["readable"] and "no network" in report["protections"]
        assert not report["escaped"], "student code climbed out of its chroot"
        assert "no capabilities" in report["protections"]
        assert not report["signalled"], "student code could signal the instructor's other processes"
        assert "own process namespace" in report["protections"]
        assert not jail.unsandboxed(report["protections"])
    else:  # this kernel refuses unprivileged user namespaces: the run must say so
        assert any(p.startswith("WARNING: no namespaces") for p in report["protections"])
        assert report["readable"], "the warning is only given when the files really are visible"

@needs_root
def test_without_isolation_grading_refuses_unless_allowed(tmp_path):
    """A user who cannot have a user namespace (here: a process the kernel refuses its
    uid_map) is told what that means and how to go on, and nothing is graded."""
    from autograder.errors import UsageError
    from autograder.grading.run import GradeOptions, grade
    from autograder.sandbox.jail import probe, unsandboxed

    os.chmod(tmp_path, 0o777)

    def job(_fd: int) -> dict:
        isolated = not unsandboxed(probe())
        try:
            grade(GradeOptions(submissions=tmp_path / "none", out=tmp_path / "out"))
            return {"isolated": isolated, "message": "graded"}
        except UsageError as err:
            return {"isolated": isolated, "message": str(err)}

    report = as_nobody(job, dumpable=False)
    assert not report["isolated"]
    assert "could read the hidden checks" in report["message"] and "--allow-unsandboxed" in report["message"]

#: run the rest of the command line as nobody, in a mount namespace of its own where
#: /root (0700 on this kind of machine, and where Python is installed) is a replica that
#: nobody may pass through: the same files, bound one by one into a 0711 tmpfs
AS_NOBODY_WITH_PYTHON = r"""
set -e
real=$(mktemp -d)
mount --bind /root "$real"
mount -t tmpfs -o mode=0711 tmpfs /root
for entry in "$real"/* "$real"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=/root/$(basename "$entry")
    if [ -d "$entry" ]; then mkdir "$name"; else touch "$name"; fi
    mount --bind "$entry" "$name"
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "$@"
"""

@needs_root
def test_the_whole_command_without_root_gives_the_same_grades(graded):
    """The whole gallery, graded by an unprivileged user as on an instructor's laptop:
    user, process and network namespaces stand in for root's uids, and every attack
    (killing the parent, kill(-1), leaving processes, ...) costs only its own exercise,
    exactly as under root. One difference: without root there is no memory cgroup to
    bound a worker's process tree, so workers may start no process at all, and the
    student who leaves a process running loses that exercise (as under root, nothing else)."""
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="nonroot-"))  # pytest's folders are root's alone
    try:
        shutil.copytree(graded["base"] / "subs", shared / "subs")
        for path in [shared, *shared.rglob("*")]:
            os.chmod(path, 0o777 if path.is_dir() else 0o644)
        result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                 AS_NOBODY_WITH_PYTHON, "sh", sys.executable, "-m", "autograder", "grade",
                                 str(shared / "subs"), "--out", str(shared / "out"), "--jobs", "2", "--timeout", "1"],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        summary = result.stdout
        for protection in ("user namespace", "own process namespace", "no capabilities", "no network",
                           "system call filter (seccomp)", "empty 32 MB file system (chroot)", "no child processes"):
            assert protection in summary, protection
        assert "WARNING" not in summary
        as_root, as_nobody = (read_csv(folder / "out" / "grades.csv") for folder in (graded["base"], shared))
        starts_a_process = as_nobody.pop("leaves_process")
        assert starts_a_process == {**as_root.pop("leaves_process"), "tensor_dtype": "0",
                                   "total": marks(FULL_MARKS - points_of("tensor_dtype"))}
        assert as_nobody == as_root
        assert not uid_processes({65534}), "a student process outlived the run"
    finally:
        shutil.rmtree(shared, ignore_errors=True)

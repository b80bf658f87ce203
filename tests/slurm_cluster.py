"""A one-node Slurm cluster of its own, for a test: munged, slurmctld and slurmd from Debian's
packages, every file (key, sockets, state, spool, logs) in one folder and the daemons on
free ports, so that it shares nothing with another cluster on the machine. Needs root.

``.ci/install-debian`` installs the packages; :func:`absent` says why the cluster cannot
run here, and whether that is a failure (in CI, or as root where the packages can be
installed, a test that needs it must not skip).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DAEMONS = ("munged", "slurmctld", "slurmd")
CLIENTS = ("sbatch", "scontrol", "sinfo", "scancel")
SBIN = "/usr/sbin:/sbin"


def _which(name: str) -> str | None:
    return shutil.which(name, path=os.environ.get("PATH", "") + os.pathsep + SBIN)


def absent() -> tuple[str, bool] | None:
    """None if a cluster can be started here; else why not, and whether not running is a
    failure rather than a skip."""
    missing = [name for name in DAEMONS + CLIENTS if _which(name) is None]
    if os.geteuid() != 0:
        return ("the one-node Slurm cluster needs root (its daemons run as root)", bool(os.environ.get("CI")))
    if missing:
        installable = shutil.which("apt-get") is not None
        return (f"Slurm is not installed ({', '.join(missing)} missing): run .ci/install-debian",
                bool(os.environ.get("CI")) or installable)
    return None


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


CONF = """\
ClusterName=autograder{port}
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={port}
SlurmdPort={slurmd_port}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={home}/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SlurmUser=root
SlurmdUser=root
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
StateSaveLocation={home}/state
SlurmdSpoolDir={home}/spool
SlurmctldPidFile={home}/slurmctld.pid
SlurmdPidFile={home}/slurmd.pid
SlurmctldLogFile={home}/slurmctld.log
SlurmdLogFile={home}/slurmd.log
JobCompType=jobcomp/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
MinJobAge=600
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""


class Cluster:
    def __init__(self, home: Path):
        self.home = home
        self.env = {**os.environ, "SLURM_CONF": str(home / "slurm.conf")}
        self.daemons: list[subprocess.Popen] = []

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: float = 60) -> str:
        """A Slurm client command's output; fails the test, with the daemons' logs, if it fails."""
        result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env or self.env)
        assert result.returncode == 0, f"{' '.join(args)}: {result.stdout}{result.stderr}\n{self.logs()}"
        return result.stdout

    def job_state(self, job: str) -> dict[str, str]:
        """``scontrol show job``'s fields of ``job`` (an array's first task, for an array)."""
        fields = {}
        for word in self.run("scontrol", "show", "job", "-o", job).split("\n")[0].split():
            key, _, value = word.partition("=")
            fields[key] = value
        return fields

    def wait(self, job: str, timeout: float) -> dict[str, str]:
        """Wait until ``job`` has ended; its fields. Fails the test on a job that can never start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.job_state(job)
            if state.get("JobState") not in ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING"):
                return state
            assert state.get("Reason") != "DependencyNeverSatisfied", f"a job it waits for failed:\n{self.logs()}"
            time.sleep(1)
        raise AssertionError(f"job {job} did not end within {timeout:.0f} s:\n{self.logs()}")

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.home.glob("*.log")))

    def stop(self) -> None:
        """Cancel every job, then end the daemons, by their pids."""
        if self.daemons:
            subprocess.run(["scancel", "--full", "--user=root"], env=self.env, capture_output=True, timeout=30)
        for proc in reversed(self.daemons):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()


@contextlib.contextmanager
def one_node_cluster():
    """A running one-node cluster, its files in a folder of its own; stopped and removed
    afterwards (on failure, its logs are in the assertion's message)."""
    # munged wants every folder above its socket open to all, and a socket path is short
    home = Path(tempfile.mkdtemp(prefix="slurm-"))
    home.chmod(0o755)
    try:
        with _started(home) as cluster:
            yield cluster
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextlib.contextmanager
def _started(home: Path):
    for sub in ("state", "spool"):
        (home / sub).mkdir()
    key = home / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    host = socket.gethostname().split(".")[0]
    port, slurmd_port = _free_ports(2)
    (home / "slurm.conf").write_text(CONF.format(port=port, slurmd_port=slurmd_port, host=host, home=home,
                                                 cpus=os.cpu_count() or 1))
    cluster = Cluster(home)
    conf = str(home / "slurm.conf")
    try:
        for args in ([_which("munged"), "-F", f"--key-file={key}", f"--socket={home}/munge.socket",
                      f"--pid-file={home}/munged.pid", f"--log-file={home}/munged-own.log",
                      f"--seed-file={home}/munged.seed"],
                     [_which("slurmctld"), "-D", "-c", "-f", conf],
                     [_which("slurmd"), "-D", "-f", conf]):
            with open(home / f"{Path(args[0]).name}.log", "a") as log:  # what it says before its own log opens
                cluster.daemons.append(subprocess.Popen(args, cwd=home, env=cluster.env, stdout=log,
                                                        stderr=subprocess.STDOUT))
            if args[0].endswith("munged"):
                _wait_for(lambda: (home / "munge.socket").exists(), 20, cluster)
        _wait_for(lambda: "idle" in subprocess.run([_which("sinfo"), "-h", "-o", "%t"], env=cluster.env,
                                                   capture_output=True, text=True, timeout=30).stdout, 60, cluster)
        yield cluster
    finally:
        cluster.stop()


def _wait_for(ready, timeout: float, cluster: Cluster) -> None:  # noqa: ANN001 - a predicate
    deadline = time.monotonic() + timeout
    while not ready():
        dead = [p.args[0] for p in cluster.daemons if p.poll() is not None]
        assert not dead and time.monotonic() < deadline, f"the cluster did not start ({dead}):\n{cluster.logs()}"
        time.sleep(0.3)

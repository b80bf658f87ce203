"""What `--gradebook` adds to `autograder grade` on nbgrader submissions, side by side.

For each class size, builds a course from the one source, runs `nbgrader
generate_assignment tensors` once, places that many submitted notebooks (right, partly
right, not attempted, each with a timestamp.txt), then times, alternately and in the same
run, `autograder grade submitted --assignment tensors --force` without and with
`--gradebook COURSE` (which also writes every student's autograded notebook). Prints the
median wall clock of each, the median of the rounds' ratios (each round runs both, one
after the other, so a busy spell of the machine weighs on both) and the CPU time (user
and system, of the command and all its processes) each takes, which the machine's other
work does not change much.

Usage: python benchmarks/gradebook_overhead.py [--rounds R] [SIZE ...]   (default: 5 rounds, sizes 3 100)
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.curriculum import load_manifest  # noqa: E402
from autograder.nbgrader.course import write_course  # noqa: E402

BIN = Path(sys.executable).parent
ASSIGNMENT = "tensors"
ENV = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "PYTHONPATH": str(ROOT)}


def place_class(course: Path, size: int) -> None:
    source = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    released = (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    answers = {c["metadata"]["nbgrader"]["grade_id"]: "\n".join(l for l in c["source"].splitlines() if "### " not in l)
               for c in source["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}
    for i in range(size):
        nb = json.loads(released)
        for cell in nb["cells"]:
            gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
            if gid in answers and i % 3 != 2:
                cell["source"] = answers[gid].replace("torch.tensor(data)", "torch.Tensor(data)") if i % 3 else answers[gid]
        folder = course / "submitted" / f"student{i:03d}" / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
        (folder / "timestamp.txt").write_text(f"2026-11-25 10:{i // 60 % 60:02d}:{i % 60:02d}.000000 UTC")


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall clock and CPU seconds of ``cmd`` and every process it started."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, env=ENV, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("sizes", type=int, nargs="*", default=[3, 100])
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="gradebook-bench-", dir="/var/tmp" if os.path.isdir("/var/tmp") else None))
    os.chmod(work, 0o755)
    try:
        print(f"`autograder grade submitted --assignment {ASSIGNMENT} --force`, {args.rounds} rounds; "
              "wall: median; ratio: median of the rounds' ratios; CPU: median, all processes")
        print(f"{'notebooks':>9}  {'without':>9}  {'--gradebook':>11}  {'ratio':>6}  {'(min, max)':>12}"
              f"  {'CPU without':>11}  {'CPU with':>9}")
        for size in args.sizes:
            course = write_course(work / f"course-{size}", load_manifest())
            subprocess.run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT], cwd=course, env=ENV, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            place_class(course, size)
            grade = [sys.executable, "-m", "autograder", "grade", str(course / "submitted"), "--assignment",
                     ASSIGNMENT, "--force", "--quiet"]
            without, with_gradebook = [], []
            for _ in range(args.rounds):  # alternately, so that a busy spell of the machine hits both
                without.append(timed([*grade, "--out", str(work / f"out-{size}")]))
                with_gradebook.append(timed([*grade, "--out", str(work / f"out-gb-{size}"), "--gradebook", str(course)]))
            ratios = [b[0] / a[0] for a, b in zip(without, with_gradebook)]
            wall_a, wall_b = (statistics.median(r[0] for r in runs) for runs in (without, with_gradebook))
            cpu_a, cpu_b = (statistics.median(r[1] for r in runs) for runs in (without, with_gradebook))
            print(f"{size:>9}  {wall_a:>8.2f}s  {wall_b:>10.2f}s  {statistics.median(ratios):>5.2f}x"
                  f"  ({min(ratios):.2f}, {max(ratios):.2f})  {cpu_a:>10.2f}s  {cpu_b:>8.2f}s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""`nbgrader autograde` versus `autograder grade` on the same N nbgrader submissions, side by side.

Builds a course from the one source, generates the `tensors` assignment, places N
submitted notebooks (right, partly right, not attempted), then times both graders on
them in this run and prints seconds per notebook and the ratio.

Usage: python benchmarks/nbgrader_speed.py [N]
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.nbgrader.course import write_course  # noqa: E402
from autograder.curriculum import load_manifest  # noqa: E402
from benchmarks.gradebook_overhead import place_class  # noqa: E402

BIN = Path(sys.executable).parent
ASSIGNMENT = "tensors"


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}  # nbgrader runs `alembic` from PATH
    subprocess.run(cmd, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    work = Path(tempfile.mkdtemp(prefix="nbbench-"))
    try:
        course = write_course(work / "course", load_manifest())
        run([str(BIN / "nbgrader"), "generate_assignment", ASSIGNMENT], course)
        place_class(course, n)
        theirs = run([str(BIN / "nbgrader"), "autograde", ASSIGNMENT], course)
        ours = run([str(BIN / "autograder"), "grade", str(course / "submitted"), "--assignment", ASSIGNMENT,
                    "--out", str(work / "out"), "--gradebook", str(course), "--quiet"], ROOT)
        # our marginal cost per notebook: the same class ten times over (start-up paid once in both runs)
        big = work / "big"
        for k in range(10):
            for folder in (course / "submitted").iterdir():
                shutil.copytree(folder, big / f"{folder.name}-{k}")
        ours_big = run([str(BIN / "autograder"), "grade", str(big), "--assignment", ASSIGNMENT,
                        "--out", str(work / "out-big"), "--quiet"], ROOT)
        ours_small = run([str(BIN / "autograder"), "grade", str(course / "submitted"), "--assignment", ASSIGNMENT,
                          "--out", str(work / "out-small"), "--quiet"], ROOT)
        marginal = (ours_big - ours_small) / (9 * n)
        exercises = sum(e.assignment == ASSIGNMENT for e in load_manifest())
        print(f"{n} notebooks of '{ASSIGNMENT}' ({exercises} exercises each)")
        print(f"nbgrader autograde:  {theirs:7.2f} s  = {theirs / n:6.3f} s per notebook")
        print(f"autograder grade:    {ours:7.2f} s  = {ours / n:6.3f} s per notebook (start-up included)")
        print(f"autograder grade, {10 * n} notebooks: {ours_big:7.2f} s  -> marginal {marginal:6.3f} s per notebook")
        print(f"ratio end to end ({n} notebooks, gradebook written): {theirs / ours:6.1f} x faster")
        print(f"ratio per notebook (nbgrader's per notebook / our marginal): {theirs / n / marginal:6.1f} x faster")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""What does a looping function cost? One student whose ``tensor_dtype`` loops forever,
graded at two ``--timeout`` values, beside an honest student graded the same way: the
difference is what the loop cost, in timeouts. It should be one (the call is blamed after
its timeout and never made again); the grader before issue 22 made it again, for two.

With REV, the same runs with that revision too (a temporary worktree), side by side.

Usage: python benchmarks/timeout_cost.py [REV] [--timeouts 3 6] [--rounds R]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.authoring.examples import solution_copy, write_student  # noqa: E402

LOOP = ("    return t.dtype\n", "    while True:\n        pass\n")


def grade(tree: Path, subs: Path, out: Path, timeout: float) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--quiet", "--force",
                    "--jobs", "1", "--timeout", str(timeout)], cwd=tree, check=True, stdout=subprocess.DEVNULL,
                   env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(tree)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rev", nargs="?")
    parser.add_argument("--timeouts", type=float, nargs="+", default=[3.0, 6.0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="timeout-cost-", dir="/var/tmp") as work:
        base = Path(work)
        write_student(base / "honest" / "ada", solution_copy())
        write_student(base / "looper" / "ada", solution_copy({"tensors.py": [LOOP]}))
        trees = {"this tree": ROOT}
        if args.rev:
            subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base / "old"), args.rev], cwd=ROOT,
                           check=True)
            trees[args.rev] = base / "old"
        try:
            costs: dict[tuple[str, float], list[float]] = {}
            for round_ in range(args.rounds):
                for name, tree in trees.items():
                    for timeout in args.timeouts:
                        honest = grade(tree, base / "honest", base / "out", timeout)
                        looper = grade(tree, base / "looper", base / "out", timeout)
                        costs.setdefault((name, timeout), []).append(looper - honest)
                        print(f"round {round_ + 1}, {name:>10}, --timeout {timeout:g}: honest {honest:5.2f} s, "
                              f"looper {looper:5.2f} s: the loop cost {looper - honest:5.2f} s "
                              f"= {(looper - honest) / timeout:.2f} timeouts", flush=True)
            for (name, timeout), rows in costs.items():
                median = statistics.median(rows)
                print(f"{name:>10}, --timeout {timeout:g}: the loop cost {median:5.2f} s (median of {len(rows)}) "
                      f"= {median / timeout:.2f} timeouts")
        finally:
            if args.rev:
                subprocess.run(["git", "worktree", "remove", "--force", str(base / "old")], cwd=ROOT,
                               capture_output=True)


if __name__ == "__main__":
    main()

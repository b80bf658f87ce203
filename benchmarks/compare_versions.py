"""Is this version faster than an earlier one? Grades the same classes with both, alternately.

This machine's speed drifts by tens of percent within an hour, so two versions are only
comparable when measured side by side. For each round, each version grades a small and
a large class of synthetic students (as `grade_speed.py` makes them); the difference
gives the marginal wall clock and CPU (all processes) per student, start-up excluded;
the classes' own times show the start-up and the end-to-end rate. The large class's run
also gives its steady rate on its own (see `grade_speed.steady_rate`), free of the change
of speed between two runs.

Usage: python benchmarks/compare_versions.py REV [--rounds R] [--small N] [--large N]
(REV: any git revision, e.g. HEAD~3; it is checked out in a temporary worktree.)
"""
from __future__ import annotations

import argparse
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
from benchmarks.grade_speed import make_class, steady_rate  # noqa: E402


def grade(tree: Path, subs: Path, out: Path) -> tuple[float, float]:
    """Wall clock and CPU seconds (every process the run started) of one `autograder grade`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--quiet"],
                   cwd=tree, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rev")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--small", type=int, default=40)
    parser.add_argument("--large", type=int, default=400)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="compare-"))
    old = work / "old"
    try:
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), args.rev], cwd=ROOT, check=True)
        for n in (args.small, args.large):
            make_class(work / f"subs{n}", n)
        trees = {f"{args.rev}": old, "this tree": ROOT}
        figures: dict[str, list[tuple[float, ...]]] = {name: [] for name in trees}
        for round_ in range(args.rounds):
            # alternately, so that both see the same machine, and each first in every other
            # round, so that neither always pays for what the other's run left (disk writeback)
            for name, tree in (list(trees.items()) if round_ % 2 == 0 else list(trees.items())[::-1]):
                # a new output folder each time: regrading into the last one replaces every file, and
                # on a file system without a journal (as here) ext4 then scans past each recently
                # deleted inode for every file it creates, up to a millisecond a student
                large_out = work / f"out-{tree.name}-large-{round_}"
                small = grade(tree, work / f"subs{args.small}", work / f"out-{tree.name}-small-{round_}")
                large = grade(tree, work / f"subs{args.large}", large_out)
                n = args.large - args.small
                steady = 1000 / steady_rate(large_out)
                figures[name].append(((large[0] - small[0]) / n * 1000, (large[1] - small[1]) / n * 1000,
                                      small[0], large[0], steady))
        for name, rows in figures.items():
            walls = " ".join(f"{row[0]:5.1f}" for row in rows)
            cpus = " ".join(f"{row[1]:5.1f}" for row in rows)
            steadies = " ".join(f"{row[4]:5.1f}" for row in rows)
            print(f"{name:>12}: wall per student {walls} ms | CPU per student {cpus} ms")
            print(f"{'':>12}  steady wall per student (one run) {steadies} ms")
            smalls = " ".join(f"{row[2]:5.2f}" for row in rows)
            larges = " ".join(f"{row[3]:5.2f}" for row in rows)
            print(f"{'':>12}  {args.small} students {smalls} s | {args.large} students {larges} s")
        for column, what in ((0, "wall per student"), (4, "steady wall per student"), (2, f"{args.small} students"),
                             (3, f"{args.large} students")):
            mean = {name: sum(row[column] for row in rows) / len(rows) for name, rows in figures.items()}
            # each round's two runs are minutes closer in time than the rounds are to each other
            ratios = sorted(a[column] / b[column] for a, b in zip(figures[args.rev], figures["this tree"]))
            print(f"this tree is {mean[args.rev] / mean['this tree']:.2f}x as fast as {args.rev} ({what}, mean); "
                  f"median of the rounds' ratios {statistics.median(ratios):.2f}x (range {ratios[0]:.2f} to {ratios[-1]:.2f})")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

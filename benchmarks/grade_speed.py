"""How fast does `autograder grade` go? Prints students per second next to a plain `import torch`.

Generates N synthetic submissions (right, wrong and broken, no timeouts; no two files
alike, as in a real class) and grades them
with the full hidden suite, twice (a small and a large class) so that the marginal rate
(start-up excluded) can be told apart from the end-to-end rate; and, from the large run
alone, the steady rate (by when each result was written). Baseline measured in the
same run: one fresh `python -c "import torch"` process, which is what a
process-per-student grader pays before doing anything.

Usage: python benchmarks/grade_speed.py [N] [--jobs J] [--repeat R]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.authoring.examples import solution_copy, write_student  # noqa: E402

VARIANTS = [
    {},
    {"tensors.py": [("    return torch.tensor(data)\n", "    return torch.Tensor(data)\n")]},
    {"activations.py": [("    return torch.softmax(logits, dim=dim)\n", "    return torch.softmax(logits, dim=0)\n")]},
    {"layers.py": [("    return nn.Linear(n_features, n_classes)\n", "    return nn.Linear(\n")]},
]


def make_class(folder: Path, n: int) -> None:
    for i in range(n):
        files = solution_copy(VARIANTS[i % len(VARIANTS)])
        # every file different, as in a real class: nothing may be saved by spotting identical files
        write_student(folder / f"student{i:04d}", {name: f"{text}# student {i}\n" for name, text in files.items()})


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def steady_rate(out: Path) -> float:
    """Students per second while the class was being graded, start-up and the last stragglers
    excluded: the middle 80% of the results, by the time each was written (results are
    written one by one as students finish). One run, so a change of the machine's speed
    between two runs, which the marginal rate is exposed to, does not enter it."""
    times = sorted(p.stat().st_mtime_ns for p in (out / "results").glob("*.json"))
    low, high = len(times) // 10, len(times) - 1 - len(times) // 10
    return (high - low) / ((times[high] - times[low]) / 1e9)


def measure(work: Path, n: int, small: int, jobs: int, round_: int) -> tuple[float, float, float, float]:
    """One round: (import torch seconds, end-to-end rate, marginal rate, steady rate), printed as it goes."""
    torch_import = min(timed([sys.executable, "-c", "import torch"]) for _ in range(3))
    times = {}
    for size in (small, n):
        subs, out = work / f"subs{size}", work / f"out{size}-{round_}"
        if not subs.exists():
            make_class(subs, size)
        times[size] = timed([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
                             "--jobs", str(jobs), "--quiet"])
    end_to_end = n / times[n]
    marginal = (n - small) / (times[n] - times[small])
    steady = steady_rate(work / f"out{n}-{round_}")
    print(f"baseline: one `python -c 'import torch'` process      {torch_import:6.2f} s "
          f"(a process per student: at most {1 / torch_import:.2f} students/s per core)")
    print(f"autograder grade, {small:4d} students, --jobs {jobs}          {times[small]:6.2f} s")
    print(f"autograder grade, {n:4d} students, --jobs {jobs}          {times[n]:6.2f} s")
    print(f"end to end:          {end_to_end:6.1f} students/s  "
          f"= {end_to_end * torch_import:5.1f} x the rate of one fresh import torch per student")
    print(f"marginal (no start-up): {marginal:6.1f} students/s  "
          f"= {marginal * torch_import:5.1f} x the rate of one fresh import torch per student")
    print(f"steady (one run, middle 80% of results): {steady:6.1f} students/s  "
          f"= {steady * torch_import:5.1f} x the rate of one fresh import torch per student", flush=True)
    return torch_import, end_to_end, marginal, steady


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="rounds; with more than one, the median and range too")
    args = parser.parse_args()
    small = max(2, args.n // 10)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        rounds = [measure(work, args.n, small, args.jobs, k) for k in range(args.repeat)]
        if args.repeat > 1:
            for column, what in ((1, "end to end"), (2, "marginal"), (3, "steady")):
                rates = sorted(r[column] for r in rounds)
                ratios = sorted(r[column] * r[0] for r in rounds)
                print(f"{args.repeat} rounds, {what}: median {statistics.median(rates):5.1f} students/s "
                      f"(range {rates[0]:.1f} to {rates[-1]:.1f}); "
                      f"median {statistics.median(ratios):5.1f} x a fresh import torch per student")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

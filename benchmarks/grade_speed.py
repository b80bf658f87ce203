"""How fast does `autograder grade` go? Prints students per second next to a plain `import torch`.

Generates N synthetic submissions (right, wrong and broken, no timeouts; no two files
alike, as in a real class) and grades them
with the full hidden suite, twice (a small and a large class) so that the marginal rate
(start-up excluded) can be told apart from the end-to-end rate. Baseline measured in the
same run: one fresh `python -c "import torch"` process, which is what a
process-per-student grader pays before doing anything.

Usage: python benchmarks/grade_speed.py [N] [--jobs J]
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import solution_copy, write_student  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    small = max(2, args.n // 10)
    work = Path(tempfile.mkdtemp(prefix="bench-"))
    try:
        torch_import = min(timed([sys.executable, "-c", "import torch"]) for _ in range(3))
        times = {}
        for n in (small, args.n):
            make_class(work / f"subs{n}", n)
            times[n] = timed([sys.executable, "-m", "autograder", "grade", str(work / f"subs{n}"), "--out",
                              str(work / f"out{n}"), "--jobs", str(args.jobs), "--quiet"])
        end_to_end = args.n / times[args.n]
        marginal = (args.n - small) / (times[args.n] - times[small])
        print(f"baseline: one `python -c 'import torch'` process      {torch_import:6.2f} s "
              f"(a process per student: at most {1 / torch_import:.2f} students/s per core)")
        print(f"autograder grade, {small:4d} students, --jobs {args.jobs}          {times[small]:6.2f} s")
        print(f"autograder grade, {args.n:4d} students, --jobs {args.jobs}          {times[args.n]:6.2f} s")
        print(f"end to end:          {end_to_end:6.1f} students/s  "
              f"= {end_to_end * torch_import:5.1f} x the rate of one fresh import torch per student")
        print(f"marginal (no start-up): {marginal:6.1f} students/s  "
              f"= {marginal * torch_import:5.1f} x the rate of one fresh import torch per student")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

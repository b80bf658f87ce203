"""How long does `autograder audit` take, next to grading the same number of students?

Runs, side by side in one run of this script:

1. `autograder audit` of the whole course (mutants made, the reference run twice, the class
   graded, the report), keeping its class;
2. `autograder grade` of that same class again (the grading part alone);
3. `autograder grade` of a class of as many students, each handing in the reference
   solutions of every assignment (what a real class of that size costs).

The audit's own work beyond grading is (1) minus (2). The issue's bound is 30 s for (1).

Usage: python benchmarks/audit_speed.py [--jobs J] [--repeat R]
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


def timed(cmd: list[str], ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in ok:
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    cli = [sys.executable, "-m", "autograder"]
    work = Path(tempfile.mkdtemp(prefix="audit-speed-"))
    try:
        audits, regrades, classes = [], [], []
        for round_ in range(args.repeat):
            kept = work / f"kept{round_}"
            audits.append(timed([*cli, "audit", "--keep", str(kept), "--summary", "--quiet", "--jobs", str(args.jobs)]))
            students = sorted(p.name for p in (kept / "class").iterdir())
            regrades.append(timed([*cli, "grade", str(kept / "class"), "--out", str(work / f"regrade{round_}"),
                                   "--quiet", "--jobs", str(args.jobs)]))
            full = work / f"full{round_}"
            for i in range(len(students)):
                files = solution_copy()
                write_student(full / f"student{i:04d}", {n: f"{t}# student {i}\n" for n, t in files.items()})
            classes.append(timed([*cli, "grade", str(full), "--out", str(work / f"out{round_}"), "--quiet",
                                  "--jobs", str(args.jobs)]))
        n = len(students)
        audit, regrade, class_ = (statistics.median(x) for x in (audits, regrades, classes))
        print(f"autograder audit, whole course ({n} students: mutants, reference x2, stub)  {audit:6.2f} s")
        print(f"autograder grade of the audit's class, {n} students                         {regrade:6.2f} s")
        print(f"autograder grade of {n} students handing in every assignment                 {class_:6.2f} s")
        print(f"the audit's own work beyond grading: {audit - regrade:5.2f} s; "
              f"audit / grading a class of as many students: {audit / class_:4.2f}x; "
              f"{n / audit:5.1f} mutants/s end to end; bound: 30 s ({'met' if audit < 30 else 'NOT met'})")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

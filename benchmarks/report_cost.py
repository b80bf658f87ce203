"""What the class's outputs cost beside grading: report.html (and grades.csv) for a class of 2,000.

Grades a real class of N synthetic students (grade_speed's class: right, wrong and broken
answers) twice, N/10 and N students, to measure the marginal grading time per student
(start-up excluded), in this run. Then takes the N real results, copies them under new
names up to 2,000 students (real messages, real checks), and times, side by side:

- ``write_class_outputs``: grades.csv and report.html, as ``autograder grade`` writes them
  once the class is done, against grades.csv alone (all that was written before);
- keeping the previous run's results (``grading.previous``, hard links) for 2,000 students;
- one feedback page, rendered from its template.

The ratio printed is the report's cost over the grading time of 2,000 students at the
marginal rate (start-up left out of the grading time: the ratio errs high).

Usage: python benchmarks/report_cost.py [N] [--students S] [--repeat R]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from grade_speed import make_class  # noqa: E402

from autograder.curriculum import load_manifest  # noqa: E402
from autograder.grading import previous  # noqa: E402
from autograder.grading.outputs import read_out, write_class_outputs  # noqa: E402
from autograder.grading.results import atomic_write, feedback_html, grades_csv, results_json  # noqa: E402


def graded(work: Path, n: int) -> tuple[Path, float]:
    subs, out = work / f"subs{n}", work / f"out{n}"
    make_class(subs, n)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--quiet"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return out, time.perf_counter() - start


def best_of(repeat: int, job) -> float:  # noqa: ANN001 - a function of no arguments
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        job()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", type=int, nargs="?", default=200, help="students graded for real (default 200)")
    parser.add_argument("--students", type=int, default=2000, help="the class the outputs are written for")
    parser.add_argument("--repeat", type=int, default=3, help="timings of the outputs (median)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        small_out, small_time = graded(work, max(2, args.n // 10))
        out, large_time = graded(work, args.n)
        per_student = (large_time - small_time) / (args.n - max(2, args.n // 10))
        real = list(read_out(out)[0].values())
        results = [replace(real[k % len(real)], student=f"student{k:05d}") for k in range(args.students)]
        exercises = load_manifest()
        target = work / "class"
        (target / "results").mkdir(parents=True)
        for result in results:
            atomic_write(target / "results" / f"{result.student}.json", results_json(result))
        write_class_outputs(target, results, exercises)  # templates compiled, files there: as a regrade finds them
        outputs = best_of(args.repeat, lambda: write_class_outputs(target, results, exercises))
        csv_only = best_of(args.repeat, lambda: atomic_write(target / "grades.csv", grades_csv(results, exercises)))

        def snapshot() -> None:
            shutil.rmtree(target / "previous", ignore_errors=True)
            previous.keep_previous(target)
            previous.finished(target)
        kept = best_of(args.repeat, snapshot)
        page = best_of(args.repeat, lambda: [feedback_html(r) for r in real]) / len(real)
        grading = per_student * args.students
        report = outputs - csv_only
        print(f"grading, marginal (--jobs 2, {small_time:.1f} s for {max(2, args.n // 10)} and {large_time:.1f} s for "
              f"{args.n} students): {per_student * 1000:.1f} ms a student")
        print(f"grading {args.students} students at that rate (start-up left out):  {grading:7.2f} s")
        print(f"grades.csv alone, {args.students} students:                  {csv_only:7.3f} s")
        print(f"grades.csv and report.html, {args.students} students:         {outputs:7.3f} s "
              f"(report.html {(target / 'report.html').stat().st_size / 1024:.0f} KB)")
        print(f"the report's cost: {report:.3f} s = {100 * report / grading:.1f}% of grading "
              f"(both outputs: {100 * outputs / grading:.1f}%)")
        print(f"keeping the previous results (OUT/previous), {args.students} students: {kept:.3f} s "
              f"= {100 * kept / grading:.1f}% of grading")
        print(f"one feedback page from its template: {page * 1000:.2f} ms "
              f"= {100 * page / per_student:.1f}% of a student's grading")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

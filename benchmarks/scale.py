"""The figures behind docs/scale.md: what a class graded in parts on N machines costs.

Measures, on this machine, side by side in one run:

1. grading: classes of N/5 and N synthetic students (right, wrong and broken, every file
   different), each graded whole with ``--jobs 2``: the marginal rate (students per second
   once started, and per core) and the start-up (what the small class cost beyond its
   students at that rate);
2. the intake's listing of a class of L students, reading none of them (what every part
   pays for the students of the other parts), per entry; and reading them all;
3. the merge's cost per student: ``autograder merge`` of a class of M students in 4 parts
   (results made from graded ones, so that no grading is needed), with ``--jobs 1`` and
   ``--jobs 2``, beside reading the results alone;

then the arithmetic for S submissions in T seconds: each of N machines grades S/N
students after its fixed cost, then one machine merges the S students.

Usage: python benchmarks/scale.py [--students N] [--listing L] [--merge M] [--jobs J]
"""
from __future__ import annotations

import argparse
import dataclasses
import math
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.authoring.examples import solution_copy, write_student  # noqa: E402
from autograder.curriculum import load_manifest  # noqa: E402
from autograder.grading import parts as parts_module  # noqa: E402
from autograder.grading.outputs import GradedClass, prepare, write_class  # noqa: E402
from autograder.grading.parts import Part, PartRecord, counts, part_of  # noqa: E402
from autograder.grading.results import read_results_text, summarise_class  # noqa: E402
from autograder.intake import read_class  # noqa: E402
from benchmarks.grade_speed import make_class  # noqa: E402


def timed(cmd: list[str], cpu: list[float] | None = None) -> float:
    """Wall seconds of ``cmd``; its processes' CPU seconds are appended to ``cpu``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed:\n{result.stderr}")
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if cpu is not None:
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall


def grade(subs: Path, out: Path, jobs: int, *extra: str) -> float:
    return timed([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", str(jobs),
                  "--quiet", *extra])


def listing_cost(work: Path, size: int) -> tuple[float, float]:
    """Seconds per entry of the intake listing a class of ``size`` and reading none of it,
    and per student of reading all of it."""
    subs = work / "listing"
    files = solution_copy()
    for i in range(size):
        write_student(subs / f"s{i:06d}", files)
    exercises = load_manifest()
    start = time.perf_counter()
    read_class(subs, exercises, layout="folders", keep=lambda _: False)
    listed = time.perf_counter() - start
    start = time.perf_counter()
    read_class(subs, exercises, layout="folders")
    read = time.perf_counter() - start
    return listed / size, read / size


def merge_cost(work: Path, graded: Path, size: int, count: int = 4) -> dict[str, float]:
    """Seconds per student of ``autograder merge`` of a class of ``size`` made from the
    results in ``graded``: with one process (``jobs1``) and two (``jobs2``); and, in this
    process, of reading the results alone (``reading``) and of the merge's serial part
    with more processes (``serial``: taking each student's model from a process, then the
    class's own files and the summary)."""
    models = [read_results_text(p.read_text()) for p in sorted((graded / "results").glob("*.json"))]
    students = [f"m{i:06d}" for i in range(size)]
    entry = {s: i for i, s in enumerate(students)}
    exercises = load_manifest()
    assignments = list(dict.fromkeys(e.assignment for e in exercises))
    grader = parts_module.this_grader(3.0, 2048, assignments, "folders")
    folders, everyone = [], []
    for k in range(1, count + 1):
        mine = [s for s in students if part_of(s, count) == k]
        results = [dataclasses.replace(models[i % len(models)], student=s) for i, s in enumerate(mine)]
        everyone += results
        folder = work / f"merge-part-{k}"
        prepare(folder)
        record = [(entry[s], f"{s}/tensors.py -> {s}, tensors") for s in mine]
        write_class(folder, GradedClass(results, exercises, [line for _, line in record]))
        part = PartRecord(Part(k, count), grader, "synthetic", counts(students, count), mine, record, None)
        (folder / parts_module.PART_FILE).write_text(part.to_json())
        folders.append(folder)
    cost = {}
    start = time.perf_counter()
    for folder in folders:
        for path in (folder / "results").glob("*.json"):
            read_results_text(path.read_text())
    cost["reading"] = (time.perf_counter() - start) / size
    pickled = [pickle.dumps(r) for r in sorted(everyone, key=lambda r: r.student)]
    prepare(work / "serial")
    start = time.perf_counter()
    taken = [pickle.loads(b) for b in pickled]
    write_class(work / "serial", GradedClass(taken, exercises, []), current={r.student for r in taken})
    summarise_class(taken, exercises, graded_now=0)
    cost["serial"] = (time.perf_counter() - start) / size
    for jobs in (1, 2):
        cpu: list[float] = []
        cost[f"jobs{jobs}"] = timed([sys.executable, "-m", "autograder", "merge", *map(str, folders), "--out",
                                     str(work / f"merged{jobs}"), "--jobs", str(jobs)], cpu) / size
        cost[f"cpu{jobs}"] = cpu[0] / size
    return cost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200, help="the class graded whole (default 200)")
    parser.add_argument("--listing", type=int, default=5000, help="the class listed by the intake (default 5000)")
    parser.add_argument("--merge", type=int, default=4000, help="the class merged from 4 parts (default 4000)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--submissions", type=int, default=200_000, help="S, for the arithmetic")
    parser.add_argument("--minutes", type=float, default=10, help="T, for the arithmetic")
    parser.add_argument("--merge-cores", type=int, default=16, help="cores of the machine that merges (default 16)")
    args = parser.parse_args()
    cores = args.jobs
    print(f"load average at the start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(dir="/var/tmp" if os.path.isdir("/var/tmp") else None) as tmp:
        work = Path(tmp)
        small = max(1, args.students // 5)
        seconds = {}
        for size in (small, args.students):
            make_class(work / f"subs{size}", size)
            seconds[size] = grade(work / f"subs{size}", work / f"out{size}", args.jobs)
        per_entry, per_read = listing_cost(work, args.listing)
        merge = merge_cost(work, work / f"out{args.students}", args.merge)
    rate = (args.students - small) / (seconds[args.students] - seconds[small])
    start_up = max(0.0, seconds[small] - small / rate)
    print(f"grading {small} students whole, --jobs {args.jobs}:     {seconds[small]:6.2f} s")
    print(f"grading {args.students} students whole, --jobs {args.jobs}:    {seconds[args.students]:6.2f} s "
          f"= {args.students / seconds[args.students]:5.1f} students/s end to end")
    print(f"marginal grading rate:                       {rate:6.1f} students/s "
          f"= {rate / cores:5.1f} students per core per second; start-up {start_up:.1f} s")
    print(f"intake listing, {args.listing} students:             {1e6 * per_entry:6.1f} us an entry "
          f"(reading them all: {1e3 * per_read:.2f} ms a student)")
    print(f"merge of {args.merge} students in 4 parts:         {1e3 * merge['jobs1']:6.2f} ms a student with "
          f"--jobs 1, {1e3 * merge['jobs2']:.2f} ms with --jobs 2 (CPU: {1e3 * merge['cpu1']:.2f} ms and "
          f"{1e3 * merge['cpu2']:.2f} ms)")
    print(f"  of which reading the results: {1e3 * merge['reading']:.2f} ms; the serial part with more "
          f"processes: {1e3 * merge['serial']:.2f} ms")
    print(f"load average at the end:   {os.getloadavg()[0]:.1f}")
    s, t = args.submissions, 60 * args.minutes
    fixed = start_up + s * per_entry  # every part lists the whole class
    # the merge's students' files spread over its cores (the CPU they took with two
    # processes, which counts handing each model to the first); what is left is its serial part
    merging = s * max(merge["cpu2"] / args.merge_cores, merge["serial"])
    budget = t - fixed - merging
    print(f"\n{s:,} submissions in {args.minutes:g} minutes, machines of {cores} cores:")
    print(f"  every part's fixed cost: {start_up:.1f} s + {s:,} x {1e6 * per_entry:.1f} us = {fixed:.0f} s")
    print(f"  the merge, on a machine of {args.merge_cores} cores: {s:,} x max({1e3 * merge['cpu2']:.2f} ms / "
          f"{args.merge_cores}, {1e3 * merge['serial']:.2f} ms) = {merging:.0f} s")
    if budget <= 0:
        print("  no number of machines is enough: the fixed costs and the merge exceed the time")
        return
    machines = math.ceil(s / (rate * budget))
    print(f"  grading: {s:,} / ({rate:.1f} students/s x N) <= {t:.0f} - {fixed:.0f} - {merging:.0f} = "
          f"{budget:.0f} s  =>  N >= {machines} machines ({machines * cores} cores)")


if __name__ == "__main__":
    main()

"""How long the intake takes to read a class, per student, beside the pathological uploads
that used to stall it (issue 20): a Canvas file name of 28 digits, a notebook cell of
100 kB of spaces, a 1 MB file declaring ``# coding: punycode``.

Usage: python benchmarks/intake_speed.py [--students N]
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.authoring.examples import solution_copy, write_student  # noqa: E402
from autograder.curriculum import load_manifest  # noqa: E402
from autograder.intake import read_class  # noqa: E402


def timed(job) -> float:  # noqa: ANN001
    start = time.perf_counter()
    job()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    exercises, files = load_manifest(), solution_copy()
    with tempfile.TemporaryDirectory() as tmp:
        folders, canvas = Path(tmp) / "folders", Path(tmp) / "canvas"
        canvas.mkdir()
        for i in range(args.students):
            write_student(folders / f"s{i:05d}" / "exercises", files)
            for name, text in files.items():
                (canvas / f"student{i}_{1000 + i}_{5000 + i}_{name}").write_text(text)
        for label, source, layout in (("folders", folders, "folders"), ("canvas", canvas, "canvas")):
            seconds = timed(lambda: read_class(source, exercises, layout=layout))
            print(f"{label:>8}: {args.students} students in {seconds:.2f} s, "
                  f"{1000 * seconds / args.students:.2f} ms a student")
        hostile = Path(tmp) / "hostile"
        (hostile / "canvas").mkdir(parents=True)
        (hostile / "canvas" / f"ann_1_1_{'1' * 28}x.py").write_text("x = 1\n")
        (hostile / "canvas" / "bob_2_1_tensors.py").write_text("# coding: punycode\n" + "a" * 900_000)
        cell = {"cell_type": "code", "metadata": {}, "source": " " * 100_000, "outputs": [], "execution_count": None}
        (hostile / "canvas" / "cy_3_1_tensors.ipynb").write_text(json.dumps({"cells": [cell]}))
        seconds = timed(lambda: read_class(hostile / "canvas", exercises, layout="canvas"))
        print(f"hostile: the three uploads that cost 40 s, 150 s and 81 s before: {seconds:.3f} s together")


if __name__ == "__main__":
    main()

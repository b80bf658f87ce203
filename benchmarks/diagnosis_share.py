"""How many wrong solutions get a diagnosis rather than a bare comparison, per exercise,
with this tree and with an earlier version, side by side.

Both versions grade the same class: the realistic wrong solutions of
``tests/student_mistakes/``, a few students each holding one of every exercise. For each
wrong solution the first message of its exercise (what the feedback shows first) counts as

- *rejected* when the exercise lost points at all;
- *diagnosed* when that message names a mistake: a failed check whose message is not a
  bare comparison by the audit's rule (``autograder.audit.fates.message_kind``: "It
  returned 0; expected 20", "Wrong values at index ...", NaN values, with nothing after
  the expected value, or "could not be checked"), or an error with a sentence before PyTorch's own line (not a bare
  "create_tensor raised TypeError: ...", not a crash of the process, not a timeout);
- *as written* (this tree only) when it is the diagnosis the gallery expects, word for word.

The first two rules read only the message, so they judge both versions alike. A message
that names the wrong mistake still counts as diagnosed by them: "as written" is the
stricter figure.

Usage: python benchmarks/diagnosis_share.py [--baseline REV] (default: c743f05, the version
before the catalogue of mistake models; any git revision, exported with ``git archive``).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.audit.fates import GENERIC, CheckOutcome, message_kind  # noqa: E402
from tests.student_mistakes import WRONG, bodies_as_files, students  # noqa: E402

BASELINE = "c743f05"


def generic(output: str, exercise: str) -> bool:
    """A check's ``output`` ("<outcome>: <message>") is a fallback: a comparison with nothing
    after it (the audit's rule, ``autograder.audit.fates.message_kind``), or an error repeated
    without a sentence before it, or a crash of the process."""
    outcome, _, message = output.partition(": ")
    first = message.split("\n")[0]
    if outcome == "failed":
        return first.startswith("What your function returned could not be checked") \
            or message_kind(CheckOutcome("", True, "failed", first)) == GENERIC
    return (outcome != "crashed" or first.startswith(("Your code raised ", f"{exercise} raised "))
            or "ended the grading process" in first or "ended the Python process" in first)


def first_problem(doc: dict, exercise: str) -> str | None:
    """The output ("<outcome>: <message>") of the exercise's first check that did not pass."""
    for test in doc["tests"]:
        if test["name"].startswith(exercise + ": ") and test["status"] != "passed":
            return test["output"]
    return None


def grade(tree: Path, subs: Path, out: Path) -> float:
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--quiet"],
                   cwd=tree, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def judge(out: Path, wrong: dict[str, dict[str, str]]) -> dict[str, dict[str, int]]:
    """exercise -> {"wrong", "rejected", "diagnosed", "as written"}: counts over its wrong solutions."""
    counts = {name: {"wrong": 0, "rejected": 0, "diagnosed": 0, "as written": 0} for name in WRONG}
    for sid, bodies in wrong.items():
        doc = json.loads((out / "results" / f"{sid}.json").read_text())
        for name in bodies:
            diagnosis = WRONG[name][int(sid[1:])][2]
            count = counts[name]
            count["wrong"] += 1
            problem = first_problem(doc, name)
            if doc["extra_data"]["exercises"][name]["score"] >= doc["extra_data"]["exercises"][name]["max_score"]:
                continue
            count["rejected"] += 1
            if problem is not None and not generic(problem, name):
                count["diagnosed"] += 1
            said = problem.partition(": ")[2].split("\n")[0] if problem else ""
            if said == diagnosis or said.startswith((diagnosis + " [", diagnosis + " (")):
                count["as written"] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default=BASELINE)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="diagnosis-"))
    old = work / "baseline"
    old.mkdir()
    archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
    wrong = students(WRONG)
    for sid, bodies in wrong.items():
        for name, text in bodies_as_files(bodies).items():
            (work / "class" / sid).mkdir(parents=True, exist_ok=True)
            (work / "class" / sid / name).write_text(text)
    results = {}
    for label, tree in ((args.baseline, old), ("this tree", ROOT)):
        seconds = grade(tree, work / "class", work / f"out-{tree.name}")
        results[label] = judge(work / f"out-{tree.name}", wrong)
        print(f"{label}: graded {len(wrong)} students in {seconds:.1f} s")
    before, after = results[args.baseline], results["this tree"]
    print(f"\n{'exercise':<25}{'wrong':>6}  {'rejected (before, now)':>22}  {'diagnosed (before, now)':>24}  "
          f"{'as written':>10}")
    totals = {key: [0, 0] for key in ("rejected", "diagnosed")}
    written = wrong_total = 0
    for name in WRONG:
        b, a = before[name], after[name]
        wrong_total += a["wrong"]
        written += a["as written"]
        for key in totals:
            totals[key][0] += b[key]
            totals[key][1] += a[key]
        print(f"{name:<25}{a['wrong']:>6}  {b['rejected']:>10} {a['rejected']:>11}  {b['diagnosed']:>11} "
              f"{a['diagnosed']:>12}  {a['as written']:>10}")
    share = {key: (v[0] / wrong_total, v[1] / wrong_total) for key, v in totals.items()}
    print(f"{'all':<25}{wrong_total:>6}  {totals['rejected'][0]:>10} {totals['rejected'][1]:>11}  "
          f"{totals['diagnosed'][0]:>11} {totals['diagnosed'][1]:>12}  {written:>10}")
    print(f"\nrejected: {share['rejected'][0]:.0%} before, {share['rejected'][1]:.0%} now; diagnosed: "
          f"{share['diagnosed'][0]:.0%} before, {share['diagnosed'][1]:.0%} now; as written now: "
          f"{written / wrong_total:.0%}")


if __name__ == "__main__":
    main()

"""Are two versions' outputs identical? Grades the same classes with this tree and revision
REV (a temporary worktree) and compares every file written: grades.csv, each results.json
(without its ``fingerprint``, a hash of the grader's own code, and without the fields that
issue 22's format added: ``extra_data.format`` and each test's ``tags`` and ``extra_data``,
which hold what its ``name`` and ``output`` say) and each feedback page.

The classes: the bundled examples, 60 synthetic students (right, wrong and broken, as
``grade_speed.py`` makes them) and a hostile class (a lone surrogate, forged megabyte
errors, inputs changed in place).

Usage: python benchmarks/compare_outputs.py REV [--show]  (--show: the lines that differ)
"""
from __future__ import annotations

import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from autograder.authoring.examples import solution_copy, write_student  # noqa: E402
from benchmarks.grade_speed import make_class  # noqa: E402

TARGET = "    return t.dtype\n"
#: the worker's error report, forged (its name in versions before and after issue 22)
FORGES_ERRORS = ('import sys\n_worker = sys.modules["autograder.sandbox.worker"]\n'
                 '_worker._error = lambda status, exc: '
                 '{"status": status, "type": "T" * 100_000, "message": "m" * 1_000_000, "traceback": "t" * 500_000}\n'
                 '_worker._exception = lambda exc: '
                 '{"type": "T" * 100_000, "message": "m" * 1_000_000, "traceback": "t" * 500_000}\n')
ZEROES_INPUTS = ("def linear_transform(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:\n",
                 "def linear_transform(x, weight, bias):\n    with torch.no_grad():\n        x.zero_()\n"
                 "    return torch.zeros(x.shape[0], weight.shape[0])\n\n\ndef _unused(x, weight, bias):\n")


def classes(base: Path) -> dict[str, Path]:
    make_class(base / "synthetic", 60)
    hostile = base / "hostile"
    write_student(hostile / "honest", solution_copy())
    write_student(hostile / "surrogate", solution_copy({"tensors.py": [(TARGET, "    raise ValueError('\\ud800')\n")]}))
    forged = solution_copy()
    forged["tensors.py"] = FORGES_ERRORS + forged["tensors.py"].replace(TARGET, "    raise ValueError('no')\n")
    write_student(hostile / "forged_errors", forged)
    write_student(hostile / "zeroes_inputs", solution_copy({"tensors.py": [ZEROES_INPUTS]}))
    return {"examples": ROOT / "examples" / "submissions", "synthetic": base / "synthetic", "hostile": hostile}


def outputs(folder: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if path.suffix == ".json":
            doc = json.loads(data)
            doc["extra_data"].pop("fingerprint", None)
            doc["extra_data"].pop("format", None)
            for test in doc["tests"]:
                test.pop("tags", None)
                test.pop("extra_data", None)
            data = json.dumps(doc, sort_keys=True).encode()
        found[str(path.relative_to(folder))] = data
    return found


def print_difference(key: str, old: bytes, new: bytes) -> None:
    """The lines of ``key`` that differ (results.json and feedback pages cut into lines first)."""
    def lines(data: bytes) -> list[str]:
        text = data.decode("utf-8", "replace")
        return text.replace("<tr>", "\n<tr>").replace('{"max_score"', '\n{"max_score"').splitlines()

    for line in difflib.unified_diff(lines(old), lines(new), f"{key} (old)", f"{key} (new)", n=0, lineterm=""):
        print("    " + line[:400])


def main() -> int:
    rev = sys.argv[1]
    show = "--show" in sys.argv[2:]
    with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
        base = Path(work)
        old = base / "old"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(old), rev], cwd=ROOT, check=True)
        try:
            same = True
            for name, subs in classes(base).items():
                got = {}
                for label, tree in (("old", old), ("new", ROOT)):
                    out = base / f"out-{name}-{label}"
                    subprocess.run([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out),
                                    "--quiet", "--timeout", "2"], cwd=tree, env={"PATH": "/usr/bin:/bin",
                                                                                  "PYTHONPATH": str(tree)},
                                   capture_output=True)
                    got[label] = outputs(out)
                differ = sorted(k for k in got["old"].keys() | got["new"].keys()
                                if got["old"].get(k) != got["new"].get(k))
                same &= not differ
                print(f"{name}: {len(got['new'])} files, " + ("all identical" if not differ else "DIFFER: " + ", ".join(differ)))
                if show:
                    for key in differ:
                        print_difference(key, got["old"].get(key, b""), got["new"].get(key, b""))
            print("identical" if same else "NOT identical")
            return 0 if same else 1
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(old)], cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main())

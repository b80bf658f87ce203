"""One Gradescope submission's ``run_autograder`` against a bare ``python -c "import torch"``,
side by side (alternating, the median of each), as root (the zip runs at the real
``/autograder``, bound in a private mount namespace as in ``tests/test_gradescope.py``).

Usage: python benchmarks/gradescope_speed.py [--rounds R]
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
from autograder.authoring.examples import solution_copy  # noqa: E402
from autograder.gradescope.package import unpack  # noqa: E402


def timed(cmd: list[str], **kwargs) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir="/var/tmp") as work:
        base = Path(work)
        subprocess.run([sys.executable, "-m", "autograder", "build", "--gradescope", str(base / "autograder.zip"),
                        "--course", str(base / "course")], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        root = base / "autograder"
        unpack(base / "autograder.zip", root / "source")
        shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(base / "site"),
                        str(next((root / "source" / "wheels").glob("*.whl")))], check=True)
        (root / "submission").mkdir()
        (root / "results").mkdir()
        for name, text in solution_copy().items():
            (root / "submission" / name).write_text(text)
        Path("/autograder").mkdir(exist_ok=True)
        env = {"PATH": "/usr/bin:/bin", "AUTOGRADER_PYTHON": sys.executable, "PYTHONPATH": str(base / "site")}
        grade = ["unshare", "--mount", "sh", "-c",
                 f"mount --bind '{root}' /autograder && cd /autograder && exec /autograder/run_autograder"]
        bare = [sys.executable, "-c", "import torch"]
        torch_times, grade_times = [], []
        for _ in range(args.rounds):
            torch_times.append(timed(bare))
            grade_times.append(timed(grade, env=env))
    t, g = statistics.median(torch_times), statistics.median(grade_times)
    print(f"python -c 'import torch': {' '.join(f'{x:.2f}' for x in torch_times)} s (median {t:.2f})")
    print(f"run_autograder, one right submission (73 checks): {' '.join(f'{x:.2f}' for x in grade_times)} s "
          f"(median {g:.2f})")
    print(f"run_autograder takes {g / t:.2f}x a bare import torch (the target: at most 3x)")


if __name__ == "__main__":
    main()

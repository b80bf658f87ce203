"""``autograder build --gradescope PATH.zip``: the autograder zip Gradescope runs.

Gradescope unpacks the zip into ``/autograder/source``, runs ``setup.sh`` once to build
its image, then ``run_autograder`` for every submission, which must leave
``/autograder/results/results.json``. The zip holds:

- ``setup.sh``: a virtual environment with the CPU-only torch wheel pinned to the
  grading machine's version (never the multi-GB CUDA build), then this package from
  the wheel in ``wheels/`` and what grading needs (numpy, pytest);
- ``run_autograder``: grades ``/autograder/submission`` (``gradescope.run``);
- ``solutions/``: the reference solutions, outside the package, read by the trusted
  side only;
- ``gradescope.json``: the assignment graded and the hidden checks' visibility.

Student code runs in the sandbox, which shows it an empty file system: nothing under
``/autograder/source`` exists for it.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from autograder.curriculum import PROJECT_DIR, SOLUTIONS_DIR, course
from autograder.errors import UsageError

#: Gradescope's names for when a student sees a check
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")
TORCH_PIN = "torch==2.13.0"  #: the grading machine's torch (constraints.txt), as a CPU-only wheel
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"

SETUP_SH = f"""#!/usr/bin/env bash
# Runs once, as root, when Gradescope builds the autograder's image.
set -euo pipefail
cd /autograder/source
if ! python3 -m venv --help >/dev/null 2>&1; then
  apt-get install -y python3 python3-venv python3-pip
fi
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
# CPU only: the default torch wheel pulls several GB of CUDA libraries no grading needs
/autograder/venv/bin/pip install --quiet --index-url {TORCH_CPU_INDEX} "{TORCH_PIN}"
/autograder/venv/bin/pip install --quiet --no-deps wheels/*.whl
/autograder/venv/bin/pip install --quiet numpy "pytest>=8" "jinja2>=3" "{TORCH_PIN}"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Runs for every submission: grades /autograder/submission into /autograder/results/results.json.
export AUTOGRADER_SOLUTIONS=/autograder/source/solutions
exec "${AUTOGRADER_PYTHON:-/autograder/venv/bin/python}" -m autograder.gradescope.run \\
  --config /autograder/source/gradescope.json
"""


def build_wheel(destination: Path, root: Path = PROJECT_DIR) -> Path:
    """This project's wheel, built into ``destination`` without the network."""
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "--wheel-dir", str(destination), str(root)], capture_output=True, text=True)
    wheels = sorted(destination.glob("pytorch_autograder-*.whl"))
    if result.returncode != 0 or not wheels:
        raise UsageError("Could not build this package's wheel for the Gradescope autograder:\n"
                         + result.stderr[-1500:].strip(), hint="pip and setuptools must be installed")
    return wheels[-1]


def write_zip(path: Path, assignment: str | None = None, hidden_visibility: str = "after_published") -> Path:
    """Write the autograder zip to ``path``; ``assignment`` (None: all of them) is what a
    submission is graded on."""
    if path.suffix != ".zip":
        raise UsageError(f"{path} should end in .zip: Gradescope takes the autograder as a zip file.")
    if assignment is not None:
        course().assignment(assignment)  # a UsageError, with "did you mean", for a name the course lacks
    if hidden_visibility not in VISIBILITIES:
        raise UsageError(f"{hidden_visibility!r} is not a Gradescope visibility.", hint="one of: " + ", ".join(VISIBILITIES))
    if not SOLUTIONS_DIR.is_dir():
        raise UsageError(f"There is no {SOLUTIONS_DIR}: the Gradescope autograder is built from a checkout with solutions.")
    with tempfile.TemporaryDirectory() as work:
        wheel = build_wheel(Path(work))
        path.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "setup.sh", SETUP_SH, executable=True)
            _add(archive, "run_autograder", RUN_AUTOGRADER, executable=True)
            _add(archive, "gradescope.json", json.dumps({"assignment": assignment,
                                                         "hidden_visibility": hidden_visibility}, indent=1) + "\n")
            archive.write(wheel, f"wheels/{wheel.name}")
            for name in ["__init__.py", *(a.relpath for a in course().assignments)]:  # the course's, no others
                archive.write(SOLUTIONS_DIR / name, f"solutions/{name}")
    return path


def _add(archive: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text)


def unpack(zip_path: Path, destination: Path) -> None:
    """Unpack as Gradescope does (keeping the executable bits zipfile drops)."""
    with zipfile.ZipFile(zip_path) as archive:
        for info in archive.infolist():
            target = destination / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                target.chmod(mode)

"""``autograder build``: generate exercises/, the manifest and the student kit from solutions/.

Generation is pure (:func:`generate`); writing and checking are thin layers over it.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.authoring.source import read_solution
from autograder.curriculum import ASSIGNMENTS, MANIFEST_NAME, PACKAGE_DIR, PROJECT_DIR, SOLUTIONS_DIR
from autograder.errors import StaleError, UsageError
from autograder.authoring.stubs import stub_of



def generate(solutions_dir: Path = SOLUTIONS_DIR) -> dict[str, str]:
    """Relative path -> content of every generated file (``exercises/...`` and the manifest)."""
    files: dict[str, str] = {}
    entries = []
    init = solutions_dir / "__init__.py"
    files["exercises/__init__.py"] = '"""Your exercises: fill in the functions, then run `autograder check`."""\n'
    if not init.exists():
        raise UsageError(f"{init} is missing; the solutions folder must be a package.")
    for assignment in ASSIGNMENTS:
        path = solutions_dir / f"{assignment}.py"
        if not path.exists():
            raise UsageError(f"{path} is missing: every assignment needs a solution file.")
        solution = read_solution(solutions_dir, assignment)  # parsed once: the stub and the manifest
        files[f"exercises/{assignment}.py"] = stub_of(solution)
        entries += [vars(e) for e in solution.exercises]
    files[f"autograder/{MANIFEST_NAME}"] = json.dumps({"exercises": entries}, indent=1) + "\n"
    return files


def stale_files(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    return [rel for rel, text in generate(solutions_dir).items()
            if not (root / rel).exists() or (root / rel).read_text(encoding="utf-8") != text]


def write(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    written = []
    for rel, text in generate(solutions_dir).items():
        target = root / rel
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(rel)
    return written


def check(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> None:
    stale = stale_files(root, solutions_dir)
    if stale:
        raise StaleError("These generated files are out of date with solutions/: " + ", ".join(stale) + ".",
                         hint="run `autograder build` and commit the result; never edit exercises/ by hand")


KIT_README = """# {title}: student kit

You fill in the functions in `exercises/`; each has a docstring that explains the idea,
gives an example and states exactly what to return.

## Set up once

    python -m venv .venv
    .venv/bin/pip install -c constraints.txt -e .

## Work

1. Open `exercises/tensors.py`, read a docstring, replace `raise NotImplementedError(...)`.
2. Run `.venv/bin/autograder check` (all exercises) or `.venv/bin/autograder check create_tensor`.
3. Each exercise shows PASS, FAIL (with what is wrong), TODO (not attempted) or ERROR
   (your code raised; the traceback shows your lines).

The public checks are a sample. Your instructor grades with hidden checks as well, so
test your functions on other inputs too.
"""

#: what goes into the kit, relative to the project; nothing of solutions/ or the hidden checks
KIT_EXCLUDE = {"hidden", "__pycache__", "authoring", "gradescope"}


def _copy_package(target: Path) -> None:
    def ignore(directory: str, names: list[str]) -> set[str]:
        return {n for n in names if n in KIT_EXCLUDE or n.endswith(".pyc")}

    shutil.copytree(PACKAGE_DIR, target / "autograder", ignore=ignore)


def student_kit(destination: Path, root: Path = PROJECT_DIR) -> Path:
    """Write the starter kit a class receives; refuses a non-empty destination."""
    if destination.exists() and any(destination.iterdir()):
        raise UsageError(f"{destination} is not empty; choose a new folder for the student kit.")
    check(root)
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(root / "exercises", destination / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _copy_package(destination)
    shutil.copy(root / "constraints.txt", destination / "constraints.txt")
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    pyproject = pyproject.replace('"nbgrader>=0.9",\n', "").replace('"jupyter",\n', "")
    (destination / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (destination / "README.md").write_text(KIT_README.format(title="PyTorch basics"), encoding="utf-8")
    return destination

"""``autograder build``: generate exercises/, the manifest and the student kit from the course.

The course (``course.toml``, the solutions, hints and checks) is read and checked whole
first (``authoring.validate``): nothing is written while anything is wrong. Generation is
pure (:func:`generate`); writing and checking are thin layers over it.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from autograder.authoring.classroom import WORKFLOW_RELPATH, classroom_workflow
from autograder.authoring.stubs import stub_of
from autograder.authoring.validate import read_course
from autograder.checking.local import TIME_LIMIT
from autograder.curriculum import MANIFEST, PACKAGE_DIR, PROJECT_DIR, SOLUTIONS_DIR, course
from autograder.errors import StaleError, UsageError

STUBS_DIR = "exercises"
STUBS_INIT = f"{STUBS_DIR}/__init__.py"
MANIFEST_RELPATH = MANIFEST.relative_to(PROJECT_DIR).as_posix()


def generate(solutions_dir: Path = SOLUTIONS_DIR, course_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Relative path -> content of every generated file (``exercises/...`` and the manifest);
    a CourseError listing every problem of the course, if it has any."""
    init = solutions_dir / "__init__.py"
    if not init.exists():
        raise UsageError(f"{init} is missing; the solutions folder must be a package.")
    built, solutions = read_course(course_dir, solutions_dir)  # each solution parsed once: stub and manifest
    files = {STUBS_INIT: '"""Your exercises: fill in the functions, then run `autograder check`."""\n'}
    for assignment in built.assignments:
        files[assignment.stub_relpath] = stub_of(solutions[assignment.name])
    files[MANIFEST_RELPATH] = json.dumps(built.to_manifest(), indent=1) + "\n"
    return files


def _leftovers(root: Path, generated: dict[str, str]) -> list[str]:
    """Stubs of assignments the course no longer has (everything in exercises/ is generated)."""
    return sorted(p.relative_to(root).as_posix() for p in (root / STUBS_DIR).glob("*.py")
                  if p.relative_to(root).as_posix() not in generated)


def stale_files(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    generated = generate(solutions_dir)
    return [rel for rel, text in generated.items()
            if not (root / rel).exists() or (root / rel).read_text(encoding="utf-8") != text] + _leftovers(root, generated)


def write(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> list[str]:
    """Write what changed, remove stubs of assignments the course no longer has; the
    relative paths written or removed."""
    generated = generate(solutions_dir)
    written = []
    for rel, text in generated.items():
        target = root / rel
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(rel)
    for rel in _leftovers(root, generated):
        (root / rel).unlink()
        written.append(rel)
    course.cache_clear()  # the manifest may have changed: read it again when next asked
    return written


def check(root: Path = PROJECT_DIR, solutions_dir: Path = SOLUTIONS_DIR) -> None:
    stale = stale_files(root, solutions_dir)
    if stale:
        raise StaleError("These generated files are out of date with the course: " + ", ".join(stale) + ".",
                         hint="run `autograder build` and commit the result; never edit exercises/ by hand")


KIT_README = """# {title}: student kit

You fill in the functions in `exercises/`; each has a docstring that explains the idea,
gives an example and states exactly what to return.

## Set up once

You need Python 3.10 or newer (on an Intel Mac, 3.10 to 3.12: PyTorch has no newer
build there). In this folder:

| your computer | commands, one after the other |
| --- | --- |
| Windows (PowerShell or cmd) | `py -m venv .venv`, then `.venv\\Scripts\\python -m pip install torch --index-url {cpu_index}`, then `.venv\\Scripts\\python -m pip install -e .` |
| macOS (Intel or Apple silicon) | `python3 -m venv .venv`, then `.venv/bin/python -m pip install -e .` |
| Linux | `python3 -m venv .venv`, then `.venv/bin/python -m pip install torch --index-url {cpu_index}`, then `.venv/bin/python -m pip install -e .` |

On Windows and Linux the first install takes PyTorch's CPU-only build from PyTorch's own
index: a few hundred MB, where the default build on Linux brings several GB of libraries
for NVIDIA graphics cards that the exercises never use. (Already have a PyTorch? Skip
that line.) On a Mac the default build is the right one. The checks work with any
PyTorch of `{torch_range}` (the newest for Intel Macs is 2.2.2); your instructor grades
with {grading_torch}.

## Work

1. Open `{first_file}`, read a docstring, replace `raise NotImplementedError(...)`.
2. Check your work, from this folder:
   - Windows: `.venv\\Scripts\\autograder check` (or `check {first_exercise}` for one exercise)
   - macOS and Linux: `.venv/bin/autograder check` (or `check {first_exercise}`)
   Name an exercise or a whole assignment (`check {first_assignment}`) to check only those.
3. Each exercise shows PASS, FAIL (with what is wrong), TODO (not done yet), ERROR
   (your code raised an exception; the traceback shows your lines) or TIME (your code
   took longer than {time_limit} s: an endless loop?; `--time-limit 30` allows more). Ctrl-C stops
   the checks.

An exercise earns points only if it passes its public checks; the points then come from
hidden checks on other inputs, run by your instructor. So test your functions on other
inputs too.

## GitHub Classroom

When the kit comes to you through GitHub Classroom, each push runs the public checks
(`.github/workflows/classroom.yml`), and Classroom shows an exercise's points once it
passes them. That score is the public part only: your grade comes from the hidden checks,
which your instructor runs on your work and which Classroom never sees.
"""

#: what goes into the kit, relative to the project; nothing of solutions/ or the hidden checks
#: what the kit asks of torch: every version the checks work with, so that pip finds one on
#: every laptop (the newest wheel for Intel Macs is 2.2.2). The grading machine and CI are
#: pinned (constraints.txt); a student's laptop is not, so the kit has no constraints file
KIT_TORCH = "torch>=2.2,<3"
GRADING_TORCH = "torch 2.13.0"
#: PyTorch's own index of CPU-only wheels (Linux and Windows; not needed on a Mac)
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: torch 2.2 was built against numpy 1: where it is the newest wheel, numpy 2 would not load
KIT_NUMPY = 'numpy<2; platform_system == "Darwin" and platform_machine == "x86_64"'


def kit_pyproject(root: Path = PROJECT_DIR) -> str:
    """The kit's pyproject.toml: the project's, without nbgrader, jupyter and jinja2 (instructors'
    tools and reports), with the torch range that installs on every laptop."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('"nbgrader>=0.9",\n', "").replace('"jupyter",\n', "").replace('"jinja2>=3",\n', "")
    text = re.sub(r'"torch[^"]*",\n', f'"{KIT_TORCH}",\n', text, count=1)
    return text.replace('"numpy",\n', f'"numpy",\n\'{KIT_NUMPY}\',\n', 1)


KIT_EXCLUDE = {"hidden", "__pycache__", "authoring", "gradescope", "scale"}


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
    (destination / "pyproject.toml").write_text(kit_pyproject(root), encoding="utf-8")
    first = course().assignments[0]
    (destination / "README.md").write_text(KIT_README.format(title=course().title, torch_range=KIT_TORCH,
                                                             grading_torch=GRADING_TORCH,
                                                             first_file=first.stub_relpath, cpu_index=CPU_INDEX,
                                                             first_assignment=first.name,
                                                             time_limit=f"{TIME_LIMIT:g}",
                                                             first_exercise=first.exercises[0].name), encoding="utf-8")
    workflow = destination / WORKFLOW_RELPATH  # the kit as a GitHub Classroom template, as it is
    workflow.parent.mkdir(parents=True)
    workflow.write_text(classroom_workflow(course()), encoding="utf-8")
    return destination

"""The student kit as a GitHub Classroom template: ``.github/workflows/classroom.yml``.

GitHub Classroom scores a push with a workflow in its autograding format: one step a test,
each running ``classroom-resources/autograding-command-grader@v1`` (a command, a timeout in
minutes, and the points it earns when the command exits 0), then
``classroom-resources/autograding-grading-reporter@v1``, which reads each step's result
from the variable ``<STEP ID>_RESULTS`` and reports the sum. Here a step is an exercise:
``autograder check <exercise>`` earns the exercise's points when its public checks pass.
That is all Classroom can see: the hidden checks, which decide the grade, stay with the
instructor (the kit's README says so).

The workflow is rendered from the course by :func:`classroom_workflow`, a pure function,
as YAML written out by hand: exercise names are lowercase words (``curriculum.NAME``), so
nothing needs quoting but what is quoted below.
"""
from __future__ import annotations

import math

from autograder.curriculum import Course, Exercise

WORKFLOW_RELPATH = ".github/workflows/classroom.yml"
COMMAND_GRADER = "classroom-resources/autograding-command-grader@v1"
REPORTER = "classroom-resources/autograding-grading-reporter@v1"
#: minutes a step may take (the grader's unit): installing is a step of its own, before
STEP_MINUTES = 5
#: torch for the CPU: the runner has no GPU, and the default wheel brings gigabytes of CUDA
INSTALL = ("python -m pip install --quiet torch --index-url https://download.pytorch.org/whl/cpu"
           " && python -m pip install --quiet -e .")


def classroom_points(exercise: Exercise) -> int:
    """What the command grader awards for ``exercise``: it reads ``max-score`` as a whole
    number, so fractional points are rounded down (:func:`fractional` names them)."""
    return math.floor(exercise.points)


def fractional(course: Course) -> list[Exercise]:
    """Exercises whose points GitHub Classroom cannot award exactly."""
    return [e for e in course.exercises if e.points != classroom_points(e)]


def classroom_workflow(course: Course) -> str:
    """The workflow's text for ``course``."""
    lines = [
        f"# GitHub Classroom's autograding for {_comment(course.title)}, written by `autograder build --student-kit`.",
        "# Each exercise earns its points when it passes its public checks; the hidden checks,",
        "# which decide the grade, are run by the instructor, not here.",
        "name: Autograding Tests",
        "'on':",
        "- push",
        "- repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "    - name: Checkout code",
        "      uses: actions/checkout@v4",
        "    - name: Set up Python",
        "      uses: actions/setup-python@v5",
        "      with:",
        "        python-version: '3.12'",
        "    - name: Install the kit",
        f"      run: {INSTALL}",
    ]
    for exercise in course.exercises:
        lines += [
            f"    - name: {exercise.name}",
            f"      id: {exercise.name}",
            f"      uses: {COMMAND_GRADER}",
            "      with:",
            f"        test-name: {exercise.name}",
            "        setup-command: ''",
            f"        command: autograder check {exercise.name}",
            f"        timeout: {STEP_MINUTES}",
            f"        max-score: {classroom_points(exercise)}",
        ]
    lines += [
        "    - name: Autograding Reporter",
        f"      uses: {REPORTER}",
        "      env:",
        *(f'        {e.name.upper()}_RESULTS: "${{{{steps.{e.name}.outputs.result}}}}"' for e in course.exercises),
        "      with:",
        f"        runners: {','.join(e.name for e in course.exercises)}",
    ]
    return "\n".join(lines) + "\n"


def _comment(text: str) -> str:
    """``text`` on one line, for a YAML comment."""
    return " ".join(text.split())

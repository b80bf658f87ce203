"""Grading an nbgrader ``submitted/`` tree and handing the grades to the course.

The intake reads the tree (``intake.layouts.nbgrader``: each student's
``<assignment>/`` folder, by the same rule as every other layout); this module hands the
grades to the nbgrader course once the class is graded: its gradebook and its
``autograded/`` folder, as ``nbgrader autograde`` leaves them (``nbgrader.handover``).
"""
from __future__ import annotations

from autograder.errors import UsageError
from autograder.grading.results import Summary
from autograder.grading.run import GradeOptions, grade
from autograder.outcomes import StudentResult


def grade_notebooks(options: GradeOptions) -> Summary:
    """Grade ``options.submissions`` for ``options.assignment`` and hand the grades to the
    nbgrader course at ``options.gradebook``."""
    from autograder.curriculum import course
    from autograder.nbgrader.handover import Handover

    if options.assignment is None:
        raise UsageError("--gradebook needs --assignment NAME: a gradebook holds one assignment's scores per run.")
    if options.layout not in ("auto", "nbgrader"):
        raise UsageError("--gradebook only applies to an nbgrader submitted/ folder (--layout nbgrader).")
    course().assignment(options.assignment)  # an unknown name: a usage error now, not after grading
    if not options.gradebook.is_dir():
        raise UsageError(f"The nbgrader course folder {options.gradebook} does not exist.",
                         hint="run `autograder build` (it writes course/), or pass the folder of your course")
    # the course is opened, and the students' folders read, while the class is graded
    handover = Handover(options.gradebook, options.assignment, options.submissions, options.out)
    notes: list[str] = []

    def after(results: list[StudentResult]) -> None:
        notes.extend(handover.write(results))

    summary = grade(GradeOptions(**{**vars(options), "layout": "nbgrader"}), after)
    summary.notes += notes
    return summary

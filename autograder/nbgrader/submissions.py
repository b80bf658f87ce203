"""Grading an nbgrader ``submitted/`` tree into the course's gradebook.

The intake reads the tree (``intake.layouts.nbgrader``: each student's
``<assignment>/`` folder, by the same rule as every other layout); this module only
hands the scores to nbgrader's gradebook once the class is graded.
"""
from __future__ import annotations

from autograder.errors import UsageError
from autograder.grading.results import Summary
from autograder.grading.run import GradeOptions, grade


def grade_notebooks(options: GradeOptions) -> Summary:
    """Grade ``options.submissions`` for ``options.assignment`` and write the scores into
    the gradebook of the course at ``options.gradebook``."""
    from autograder.nbgrader.gradebook import write_gradebook

    if options.assignment is None:
        raise UsageError("--gradebook needs --assignment NAME: a gradebook holds one assignment's scores per run.")
    if options.layout not in ("auto", "nbgrader"):
        raise UsageError("--gradebook only applies to an nbgrader submitted/ folder (--layout nbgrader).")

    def after(docs: list[dict]) -> None:
        write_gradebook(options.gradebook, options.assignment, docs)

    return grade(GradeOptions(**{**vars(options), "layout": "nbgrader"}), after)

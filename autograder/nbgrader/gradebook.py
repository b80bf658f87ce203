"""Scores into nbgrader's gradebook, as ``nbgrader autograde`` would leave them."""
from __future__ import annotations

from pathlib import Path

from autograder import curriculum
from autograder.errors import UsageError


def write_gradebook(course: Path, assignment: str, docs: list[dict]) -> None:
    """Scores into nbgrader's gradebook, as autograde would leave them (no kernel is run)."""
    from nbgrader.api import Gradebook, MissingEntry

    db = course / "gradebook.db"
    if not db.exists():
        raise UsageError(f"{db} does not exist; run `nbgrader generate_assignment {assignment}` in {course} first.")
    with Gradebook(f"sqlite:///{db}", course_id=curriculum.course().id) as gb:
        for doc in docs:
            student = doc["extra_data"]["student"]
            gb.update_or_create_student(student)
            try:
                submission = gb.find_submission(assignment, student)
            except MissingEntry:
                submission = gb.add_submission(assignment, student)
            notebook = gb.find_submission_notebook(curriculum.course().assignment(assignment).notebook_id, assignment,
                                                   student)
            for grade in notebook.grades:
                exercise = grade.name.removeprefix("test_")
                score = doc["extra_data"]["exercises"].get(exercise, {}).get("score", 0.0)
                grade.auto_score = float(score)
            del submission
        gb.db.commit()

"""Scores, submission times and late penalties into nbgrader's gradebook, as ``nbgrader autograde`` leaves them.

Written through nbgrader's own database model (``nbgrader.api``), in one session and one
transaction for the whole class: a submission is created the way
``Gradebook.add_submission`` creates one (a grade for every graded cell, a comment for
every answer cell), with autoflush off while it is assembled, so SQLAlchemy never flushes
a half-made submission (that flush is what printed "SAWarning: Object of type
<SubmittedAssignment> not in session" for every student).

What each row gets is what autograde's preprocessors give it: ``SaveAutoGrades`` (the
check cell's points as ``auto_score``, ``needs_manual_grade`` unless a grader's manual
score overrides it; "No response." on an answer left as released), the submission's
timestamp, then ``AssignLatePenalties`` (the course's late-submission plugin, the
penalty kept between 0 and the notebook's score).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Callable

from autograder.errors import UsageError

#: nbgrader's comment on an answer cell left as it was released
NO_RESPONSE = "No response."

#: (student, the notebook's score, seconds late) -> the penalty, or None for none:
#: ``LateSubmissionPlugin.late_submission_penalty``
LatePenalty = Callable[[str, float, float], "float | None"]


@dataclass
class Entry:
    """One student's submission, as the gradebook takes it."""

    student: str
    #: check cell grade id -> points
    scores: dict[str, float]
    #: when it was submitted (naive UTC, as nbgrader keeps it); None: not known
    timestamp: datetime.datetime | None = None
    #: grade ids of answer cells left as released
    unanswered: set[str] = field(default_factory=set)


@dataclass
class Late:
    """A late submission and the penalty the course's plugin gave it."""

    student: str
    seconds: float
    penalty: float


class ClassGradebook:
    """nbgrader's gradebook, opened for the submissions of one assignment: what is there
    is read at once (:meth:`__init__`, which may run while the class is graded), then the
    class is written in one transaction (:meth:`write`). Use it from one thread."""

    def __init__(self, db_url: str, course_id: str, assignment: str):
        from nbgrader.api import Gradebook, MissingEntry, Student, SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import selectinload

        self._gradebook = Gradebook(db_url, course_id=course_id)
        try:
            self._row = self._gradebook.find_assignment(assignment)
        except MissingEntry:
            self.close()
            raise UsageError(f"The gradebook {db_url} has no assignment {assignment!r}.",
                             hint=f"run `nbgrader generate_assignment {assignment}` in the course folder") from None
        self._session = session = self._gradebook.db
        self._students = {s.id: s for s in session.query(Student)}
        notebooks = selectinload(SubmittedAssignment.notebooks)  # the class's rows in four queries, not four a student
        self._submissions = {s.student_id: s for s in session.query(SubmittedAssignment)
                             .filter(SubmittedAssignment.assignment_id == self._row.id)
                             .options(notebooks.selectinload(SubmittedNotebook.grades),
                                      notebooks.selectinload(SubmittedNotebook.comments))}
        self._cells = _Cells(self._row)

    def __enter__(self) -> "ClassGradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._gradebook.close()

    def write(self, entries: list[Entry], late_penalty: LatePenalty) -> list[Late]:
        """Write ``entries``; returns the late submissions. Nothing is written unless all of it is."""
        from nbgrader.api import Student

        session = self._session
        with session.no_autoflush:  # a submission is flushed once it is whole, not while it is assembled
            for entry in entries:
                student = self._students.get(entry.student)
                if student is None:
                    student = self._students[entry.student] = Student(id=entry.student)
                    session.add(student)
                submission = self._submissions.get(entry.student)
                if submission is None:
                    submission = self._submissions[entry.student] = self._cells.new_submission(self._row, student)
                    session.add(submission)
                submission.timestamp = entry.timestamp
                for notebook in submission.notebooks:
                    _save_grades(notebook, entry, self._cells)
        session.flush()
        late = []
        for entry in entries:
            submission = self._submissions[entry.student]
            seconds = submission.total_seconds_late
            for notebook in submission.notebooks:
                notebook.late_submission_penalty = None
                if seconds > 0:
                    session.expire(notebook, ["score"])  # the sum of the grades as just written
                    penalty = late_penalty(entry.student, notebook.score, seconds)
                    if penalty is not None:
                        notebook.late_submission_penalty = min(max(penalty, 0.0), notebook.score)
                        late.append(Late(entry.student, seconds, notebook.late_submission_penalty))
        session.commit()
        return late


def write_gradebook(db_url: str, course_id: str, assignment: str, entries: list[Entry],
                    late_penalty: LatePenalty) -> list[Late]:
    """Write ``entries`` for ``assignment`` into the gradebook at ``db_url``; returns the
    late submissions. Nothing is written unless all of it is."""
    with ClassGradebook(db_url, course_id, assignment) as gradebook:
        return gradebook.write(entries, late_penalty)


class _Cells:
    """The graded cells of an assignment's notebooks, read once for the whole class."""

    def __init__(self, assignment) -> None:  # noqa: ANN001 - nbgrader.api.Assignment
        self.notebooks = list(assignment.notebooks)
        self.grade_cells = {nb.id: list(nb.grade_cells) for nb in self.notebooks}
        self.solution_cells = {nb.id: list(nb.solution_cells) for nb in self.notebooks}
        self.task_cells = {nb.id: list(nb.task_cells) for nb in self.notebooks}
        self.names = {c.id: c.name for nb in self.notebooks
                      for c in [*self.grade_cells[nb.id], *self.solution_cells[nb.id], *self.task_cells[nb.id]]}

    def new_submission(self, assignment, student):  # noqa: ANN001, ANN201 - nbgrader.api rows
        """A submission with its notebooks, grades and comments, as ``Gradebook.add_submission`` makes one."""
        from nbgrader.api import Comment, Grade, SubmittedAssignment, SubmittedNotebook

        submission = SubmittedAssignment(assignment=assignment, student=student)
        for notebook in self.notebooks:
            submitted = SubmittedNotebook(notebook=notebook, assignment=submission)
            for cell in self.grade_cells[notebook.id]:
                Grade(cell_id=cell.id, notebook=submitted)
            for cell in self.solution_cells[notebook.id]:
                Comment(cell_id=cell.id, notebook=submitted)
            for cell in self.task_cells[notebook.id]:
                Comment(cell_id=cell.id, notebook=submitted)
                Grade(cell_id=cell.id, notebook=submitted)
        return submission


def _save_grades(notebook, entry: Entry, cells: _Cells) -> None:  # noqa: ANN001 - nbgrader.api.SubmittedNotebook
    for grade in notebook.grades:
        grade.auto_score = entry.scores.get(cells.names.get(grade.cell_id))
        grade.needs_manual_grade = grade.manual_score is not None or grade.auto_score is None
    for comment in notebook.comments:
        comment.auto_comment = NO_RESPONSE if cells.names.get(comment.cell_id) in entry.unanswered else None

"""``autograder grade --gradebook COURSE``: our grades handed to nbgrader's later steps.

``nbgrader autograde`` leaves two things that ``generate_feedback``, ``release_feedback``,
the formgrader and ``export`` read: the gradebook (scores, submission times, late
penalties) and ``autograded/<student>/<assignment>/`` (the notebook as graded, its
``timestamp.txt`` and ``submission_secret.txt``). This module writes both from our
sandboxed grading, so nbgrader's later steps work unchanged and no student code runs
outside the sandbox: the autograded notebook is built, not executed
(:mod:`autograder.nbgrader.autograded`).

The course is read as nbgrader reads it: its ``nbgrader_config.py`` (and the user's and
system's, as an nbgrader command run in the course folder would), so the course's
folders, database and late-penalty plugin are the ones nbgrader uses. :class:`Handover`
does that, and reads the students' folders, while the sandbox grades (see
``nbgrader.submissions.grade_notebooks``), so that what is left once the grades are known
is one gradebook transaction and a file per student.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
import queue
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder import curriculum
from autograder.errors import AutograderError, UsageError
from autograder.grading.results import atomic_write
from autograder.intake.bounds import MAX_NOTEBOOK_BYTES
from autograder.intake.members import describe, entry_kind, read_file
from autograder.intake.notebooks import parse_notebook
from autograder.nbgrader import exchange_files
from autograder.nbgrader.course import PIPELINES_FILE
from autograder.nbgrader.autograded import Autograded, Released, autograded_notebook, check_report, dumps
from autograder.nbgrader.gradebook import ClassGradebook, Entry, Late, LatePenalty
from autograder.outcomes import StudentResult
from autograder.untrusted import StudentInputError


@dataclass
class Course:
    """An nbgrader course as its own commands see it, opened for one assignment."""

    root: Path
    assignment: str
    notebook_file: str  #: the assignment's notebook, ``tensors.ipynb``
    coursedir: Any  #: nbgrader.coursedir.CourseDirectory
    released: Released
    late_penalty: LatePenalty

    def folder(self, step: str, student: str) -> Path:
        """``<root>/<step>/<student>/<assignment>``, by the course's directory structure."""
        return Path(self.coursedir.format_path(step, student, self.assignment))


def _import_nbgrader() -> None:
    """Prepare this process to import nbgrader's database and course modules cheaply.

    nbgrader's package ``__init__`` loads its Jupyter server extensions, and with them
    nbconvert, tornado's web stack and the exchange (about 0.6 s of CPU of the 1.4 s the
    imports cost), none of which the hand-over uses: the package is entered without it,
    as a plain namespace for its submodules (``nbgrader.api``, ``coursedir``, ``plugins``,
    ``utils``, which import what they need). Only in this process, and only if nothing
    imported nbgrader before; a later import of another submodule still works."""
    exchange_files.skip_iri_grammar()
    if "nbgrader" not in sys.modules:
        spec = importlib.util.find_spec("nbgrader")
        if spec is not None and spec.submodule_search_locations:
            sys.modules["nbgrader"] = importlib.util.module_from_spec(spec)


def _load_config(root: Path) -> Any:
    """The configuration an nbgrader command run in ``root`` reads: the system's and the
    user's ``nbgrader_config.py``/``.json``, then the course's, later ones winning. The
    course's converter pipelines (:data:`~autograder.nbgrader.course.PIPELINES_FILE`) are
    left out: they configure nbgrader's own commands and import nbconvert."""
    from jupyter_core.paths import jupyter_config_path
    from traitlets.config import Config
    from traitlets.config.loader import ConfigFileNotFound, JSONFileConfigLoader, PyFileConfigLoader

    class SettingsLoader(PyFileConfigLoader):
        def load_subconfig(self, fname: str, path: str | None = None) -> None:
            if fname != PIPELINES_FILE:
                super().load_subconfig(fname, path)

    config = Config()
    for folder in [*reversed(jupyter_config_path()), str(root)]:
        for loader in (SettingsLoader("nbgrader_config.py", path=folder),
                       JSONFileConfigLoader("nbgrader_config.json", path=folder)):
            try:
                config.merge(loader.load_config())
            except ConfigFileNotFound:
                pass
            except Exception as err:  # noqa: BLE001 - the instructor's file, whatever it raises
                raise UsageError(f"{Path(folder) / loader.filename} could not be read: "
                                 f"{type(err).__name__}: {err}") from None
    return config


def _late_penalty(config: Any) -> LatePenalty:
    """The course's late-penalty plugin, as ``AssignLatePenalties`` makes it: the class its
    ``plugin_class`` names (nbgrader's ``LateSubmissionPlugin`` unless set), with the config."""
    from nbgrader.plugins import BasePlugin, LateSubmissionPlugin
    from traitlets.utils.importstring import import_item

    plugin_class = config.AssignLatePenalties.get("plugin_class", LateSubmissionPlugin)
    try:
        plugin_class = import_item(plugin_class) if isinstance(plugin_class, str) else plugin_class
    except (ImportError, AttributeError, ValueError) as err:
        raise UsageError(f"AssignLatePenalties.plugin_class {plugin_class!r} cannot be imported: {err}") from None
    if not (isinstance(plugin_class, type) and issubclass(plugin_class, BasePlugin)):
        raise UsageError(f"AssignLatePenalties.plugin_class {plugin_class!r} is not an nbgrader plugin class.")
    return plugin_class(config=config).late_submission_penalty


def open_course(root: Path, assignment: str) -> Course:
    """The course at ``root``, checked for what the hand-over needs: its own folder
    (not another course's), a gradebook, and the released notebook of ``assignment``."""
    _import_nbgrader()
    from nbgrader.coursedir import CourseDirectory

    root = root.resolve()
    if not root.is_dir():
        raise UsageError(f"The nbgrader course folder {root} does not exist.",
                         hint="run `autograder build` (it writes course/), or pass the folder of your course")
    config = _load_config(root)
    said = config.CourseDirectory.get("root")
    if said and Path(said).resolve() != root:
        raise UsageError(f"{root}'s nbgrader_config.py says the course is at {said}.",
                         hint="pass that folder to --gradebook, or run `autograder build --course` for this one")
    config.CourseDirectory.root = str(root)
    coursedir = CourseDirectory(config=config)
    db = coursedir.db_url.removeprefix("sqlite:///")
    if coursedir.db_url.startswith("sqlite:///") and not os.path.exists(db):
        raise UsageError(f"{db} does not exist.",
                         hint=f"run `nbgrader generate_assignment {assignment}` in {root} first")
    notebook_file = curriculum.course().assignment(assignment).notebook_file
    released = Path(coursedir.format_path(coursedir.release_directory, ".", assignment)) / notebook_file
    try:
        notebook = Released.from_json(released.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{released} does not exist.",
                         hint=f"run `nbgrader generate_assignment {assignment}` in {root} first") from None
    return Course(root, assignment, notebook_file, coursedir, notebook, _late_penalty(config))


@dataclass
class _Submission:
    """What one student's submission folder gives the hand-over, read while the class is graded."""

    student: str
    made: Autograded
    timestamp: datetime.datetime | None
    secret: str | None
    #: grade ids of answer cells left as released
    unanswered: set[str]
    #: what could not be used, named by student, for the instructor
    notes: list[str]


def read_submission(course: Course, submissions: Path, student: str) -> _Submission:
    """``student``'s submitted folder (notebook, timestamp, secret), read within bounds,
    with its autograded notebook built (the findings go in once graded)."""
    from nbformat import from_dict
    from nbgrader.utils import compute_checksum

    assignment = course.assignment
    folder = submissions / student / assignment
    cells = timestamp = secret = None
    notes: list[str] = []
    where = course.notebook_file
    try:
        if "link" in (entry_kind(submissions / student, student), entry_kind(folder, f"{assignment}/")):
            raise StudentInputError("its folder is a link, so nothing in it was read")
        try:
            raw = read_file(folder / where, where, MAX_NOTEBOOK_BYTES)
            cells = parse_notebook(raw, where) if raw is not None else None
        except StudentInputError:
            pass  # the grading says why, in the notes of the notebook
        try:
            timestamp = exchange_files.read_timestamp(folder)
        except StudentInputError as err:
            notes.append(f"{student}: {err.message}: no submission time recorded, so no late penalty")
        try:
            secret = exchange_files.read_secret(folder)
        except StudentInputError as err:
            notes.append(f"{student}: {err.message}: nbgrader fetch_feedback will not find its feedback")
    except StudentInputError as err:
        notes.append(f"{student}: {err.message}")
    except Exception as err:  # noqa: BLE001 - one student's folder must not stop the hand-over of the class
        notes.append(f"{student}: its folder could not be read ({describe(err)}): a fault of the grader")
    made = autograded_notebook(course.released, cells, where)
    notes += [f"{student}: {problem}" for problem in made.problems]
    unanswered = {gid for gid, cell in made.answers.items()
                  if compute_checksum(from_dict(cell)) == cell["metadata"]["nbgrader"].get("checksum")}
    return _Submission(student, made, timestamp, secret, unanswered, notes)


class Handover:
    """The hand-over of one grading run, prepared in a thread of its own while the sandbox
    grades: the course and its gradebook are opened (the imports alone take about a second)
    and the students' folders read as soon as the run starts. :meth:`write` then only adds
    the grades: the thread writes the gradebook (it owns the database session), the caller's
    thread the autograded folders."""

    def __init__(self, root: Path, assignment: str, submissions: Path, out: Path | None = None):
        self._submissions = submissions
        self._entries: queue.Queue[list[Entry]] = queue.Queue()
        self._read_done = threading.Event()
        self._course: Course | None = None
        self._read: dict[str, _Submission] = {}
        self._late: list[Late] = []
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._work, args=(root, assignment, out), daemon=True)
        self._thread.start()

    def _work(self, root: Path, assignment: str, out: Path | None) -> None:
        try:
            course = self._course = open_course(root, assignment)
            with ClassGradebook(course.coursedir.db_url, course.coursedir.course_id, assignment) as gradebook:
                try:
                    for student in _students_named(self._submissions, out):
                        self._read[student] = read_submission(course, self._submissions, student)
                finally:
                    self._read_done.set()
                self._late = gradebook.write(self._entries.get(), course.late_penalty)
        except BaseException as err:  # noqa: BLE001 - handed over in write()
            self._error = err
        finally:
            self._read_done.set()

    def _failed(self) -> None:
        if self._error is None:
            return
        if isinstance(self._error, AutograderError):
            raise self._error
        raise UsageError(f"The grades could not be handed to the nbgrader course: "
                         f"{type(self._error).__name__}: {self._error}")

    def write(self, results: list[StudentResult]) -> list[str]:
        """Write ``results`` (the graded students') into the course: the gradebook in one
        transaction, then each student's autograded folder. Returns notes for the instructor."""
        self._read_done.wait()
        if self._error is not None or self._course is None:
            self._thread.join()
            self._failed()
        course = self._course
        checks = course.released.check_cells()
        notes: list[str] = []
        ready = []
        for result in sorted(results, key=lambda r: r.student):
            student = result.student
            read = self._read.get(student) or read_submission(course, self._submissions, student)
            notes += read.notes
            notebook = read.made.with_findings({gid: check_report(result, e) for gid, e in checks.items()},
                                               list(result.problems))
            scores = {gid: score.score if (score := result.exercise(e)) else 0.0 for gid, e in checks.items()}
            ready.append((Entry(student, scores, read.timestamp, read.unanswered), dumps(notebook), read.secret))
        self._entries.put([entry for entry, _, _ in ready])
        self._thread.join()
        self._failed()
        for entry, notebook, secret in ready:
            _write_autograded(course, entry, notebook, secret)
        for x in self._late:
            notes.append(f"{x.student}: submitted {_duration(x.seconds)} late; late penalty {x.penalty:g} points")
        notes.append(f"nbgrader: {len(ready)} submission(s) of {course.assignment} written to "
                     f"{course.coursedir.db_url.removeprefix('sqlite:///')} and "
                     f"{course.root / course.coursedir.autograded_directory}/; "
                     f"next: nbgrader generate_feedback {course.assignment}")
        return notes


def _students_named(submissions: Path, out: Path | None) -> list[str]:
    """The entries of the class folder named as students are, for reading ahead: the
    intake decides who is graded (an entry it leaves out is read for nothing)."""
    from autograder.intake.layouts import class_entries
    from autograder.intake.names import student_id

    try:
        entries = class_entries(submissions, out)
    except UsageError:
        return []  # the intake says so, before anyone is graded
    named = []
    for entry in entries:
        try:
            named.append(student_id(entry.name))
        except StudentInputError:
            pass
    return named


def _write_autograded(course: Course, entry: Entry, notebook: str, secret: str | None) -> None:
    """``autograded/<student>/<assignment>/``: the notebook, and the submission's time and
    secret as nbgrader's exchange wrote them (``generate_feedback`` copies every other file
    of this folder into the feedback folder, so nothing else is left in it)."""
    folder = course.folder(course.coursedir.autograded_directory, entry.student)
    files = {course.notebook_file: notebook}
    if entry.timestamp is not None:
        files[exchange_files.TIMESTAMP_FILE] = exchange_files.format_timestamp(entry.timestamp)
    if secret is not None:
        files[exchange_files.SECRET_FILE] = secret
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.name not in files:
            if old.is_dir() and not old.is_symlink():
                shutil.rmtree(old)
            else:
                old.unlink()
    mode = 0o664 if course.coursedir.groupshared else 0o644
    for name, text in files.items():
        atomic_write(folder / name, text)
        os.chmod(folder / name, mode)


def _duration(seconds: float) -> str:
    minutes, hours = seconds / 60, seconds / 3600
    return f"{hours:.1f} h" if hours >= 1 else f"{minutes:.0f} min" if minutes >= 1 else f"{seconds:.0f} s"

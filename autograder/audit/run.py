"""One audit: mutants made, graded as one class by the real engine, each given its fate."""
from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from autograder.audit.audit_file import AuditFile, read_audit_file
from autograder.audit.fates import EQUIVALENT, SURVIVED, fate, student_outcomes
from autograder.audit.mutants import Mutant, catalogue_mistakes, exercise_mutants, student_file
from autograder.audit.report import AuditReport, ExerciseAudit, MutantFate
from autograder.authoring.source import SolutionFile, read_solution
from autograder.curriculum import PROJECT_DIR, SOLUTIONS_DIR, Course, course, resolve_names
from autograder.errors import UsageError
from autograder.grading.run import GradeOptions, grade

#: the students of the audit's class that are not mutants
REFERENCE_COPIES = ("reference-1", "reference-2")
STUB = "stub"


@dataclass
class AuditOptions:
    exercises: list[str] = field(default_factory=list)  #: exercise names; empty: every exercise
    jobs: int = 2
    timeout: float | None = None  #: seconds per call of a mutant's function; None: the course's
    keep: Path | None = None  #: where to keep the class and its grading (an empty or new folder)
    progress: bool = False


@dataclass
class _Class:
    """The class an audit grades, and what making it found."""

    mutants: dict[str, list[Mutant]]  #: exercise -> its mutants
    students: list[str]
    notes: list[str]  #: what could not be made into a mutant
    reference: list[str]  #: the reference failing a check, or a check not deterministic


def audit(options: AuditOptions) -> AuditReport:
    """Audit the checks of ``options.exercises`` (all when empty)."""
    if options.keep is not None and options.keep.exists() and (not options.keep.is_dir() or any(options.keep.iterdir())):
        raise UsageError(f"--keep {options.keep}: the folder is not empty; name a new or empty folder.")
    if options.jobs < 1:
        raise UsageError("--jobs must be at least 1.")
    the_course = course()
    known = [e.name for e in the_course.exercises]
    names = resolve_names(options.exercises, known) if options.exercises else known
    exercises = [e for e in the_course.exercises if e.name in names]
    settings = read_audit_file(known)
    solutions = {a.name: read_solution(SOLUTIONS_DIR, a.name) for a in the_course.assignments}
    made: list[_Class] = []

    def prepare(folder: Path) -> None:
        """Run the reference and write the class while the grading processes start (both import torch)."""
        from autograder.audit.reference import run_reference  # torch and pytest: here, not at import

        first = run_reference(names)
        mutants, notes = _mutants(the_course, solutions, exercises, settings, first.public_answers)
        made.append(_Class(mutants, _write_class(folder, the_course, solutions, mutants), notes, first.problems))

    with _folder(options.keep) as work:
        # the class is the instructor's own code (the reference, mutated): where no sandbox can
        # be made (no user namespaces), it is graded anyway
        graded: list = []
        grade(GradeOptions(submissions=work / "class", out=work / "out", jobs=options.jobs, force=True,
                           progress=options.progress, layout="folders", allow_unsandboxed=True,
                           **({"timeout": options.timeout} if options.timeout else {})),
              after=graded.extend, prepare=lambda: prepare(work / "class"))
        class_ = made[0]
        outcomes = {result.student: student_outcomes(result) for result in graded}
    listing: list[str] = []
    audits = [ExerciseAudit(e.name, e.assignment, tuple(_fates(class_.mutants[e.name], outcomes, settings, listing)))
              for e in exercises]
    ids = {m.id for found in class_.mutants.values() for m in found}
    for entry in settings.equivalents:
        if entry.exercise in names and entry.mutant not in ids:
            listing.append(f"audit.toml:{entry.line}: {entry.mutant} is no mutant of {entry.exercise} any more "
                           "(its solution or the operators changed): remove the entry.")
    reference = class_.reference + _reference_in_class(outcomes, names)
    stub = [f"the stub scores {outcomes[STUB].scores.get(n, 0):g} in {n}: a check passes without any work"
            for n in names if outcomes[STUB].scores.get(n, 0) > 0]
    return AuditReport(audits, settings.split, len(class_.students), reference, stub, listing, class_.notes)


def _fates(mutants: list[Mutant], outcomes: dict, settings: AuditFile, listing: list[str]) -> list[MutantFate]:
    """Each mutant's fate; an equivalent listed in audit.toml that the checks kill goes to ``listing``."""
    listed = {e.mutant: e for e in settings.equivalents}
    fates = []
    for mutant in mutants:
        verdict, check, kind = fate(outcomes[mutant.id].checks.get(mutant.exercise, []))
        entry = listed.get(mutant.id)
        if entry and verdict == SURVIVED:
            fates.append(MutantFate(mutant, EQUIVALENT, reason=entry.reason))
            continue
        if entry and check:
            listing.append(f"audit.toml:{entry.line}: {mutant.id} is listed as equivalent, but the "
                           f"{'hidden' if check.hidden else 'public'} check {check.name} kills it "
                           f"({check.message[:120]}): if it is right, that check fails a right answer; if not, "
                           "remove the entry.")
        fates.append(MutantFate(mutant, verdict, check.name if check else "", check.message if check else "", kind))
    return fates


def _mutants(the_course: Course, solutions: dict[str, SolutionFile], exercises: list, settings: AuditFile,
             answers: dict[str, str]) -> tuple[dict[str, list[Mutant]], list[str]]:
    mutants: dict[str, list[Mutant]] = {}
    notes: list[str] = []
    catalogues = {}
    for exercise in exercises:
        if exercise.assignment not in catalogues:
            catalogues[exercise.assignment] = catalogue_mistakes(the_course.assignment(exercise.assignment))
        found, said = exercise_mutants(solutions[exercise.assignment], exercise.name,
                                       catalogues[exercise.assignment].get(exercise.name),
                                       [m for m in settings.mistakes if m.exercise == exercise.name],
                                       answers.get(exercise.name, ""))
        mutants[exercise.name] = found
        notes += said
    return mutants, notes


@contextlib.contextmanager
def _folder(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="autograder-audit-") as work:
            yield Path(work)
        return
    keep.mkdir(parents=True, exist_ok=True)
    yield keep


def _write_class(folder: Path, the_course: Course, solutions: dict[str, SolutionFile],
                 mutants: dict[str, list[Mutant]]) -> list[str]:
    """One folder per student: the reference twice, the stub, then each mutant with its
    assignment's file alone (its other assignments' exercises are not graded)."""
    students = []
    for name in REFERENCE_COPIES:
        _write(folder / name, {a.relpath: student_file(solutions[a.name]) for a in the_course.assignments})
        students.append(name)
    stubs = {}
    for a in the_course.assignments:
        try:
            stubs[a.relpath] = (PROJECT_DIR / a.stub_relpath).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UsageError(f"There is no stub {a.stub_relpath}: run `autograder build` first.") from None
    _write(folder / STUB, stubs)
    students.append(STUB)
    for exercise, found in mutants.items():
        for mutant in found:
            solution = solutions[mutant.assignment]
            _write(folder / mutant.id, {f"{mutant.assignment}.py": student_file(solution, exercise, mutant.code)})
            students.append(mutant.id)
    return students


def _write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")


def _reference_in_class(outcomes: dict, names: list[str]) -> list[str]:
    """The sandboxed engine must pass the reference on every check, the same way for both copies."""
    problems = []
    first, second = (outcomes[s] for s in REFERENCE_COPIES)
    for name in names:
        for check in first.checks.get(name, []):
            if check.outcome != "passed":
                problems.append(f"{name}: graded as a student, the reference fails the "
                                f"{'hidden' if check.hidden else 'public'} check {check.name} "
                                f"({check.outcome}: {check.message[:160]})")
        if first.checks.get(name) != second.checks.get(name):
            problems.append(f"{name}: graded twice in one class, the reference got different outcomes")
    return problems

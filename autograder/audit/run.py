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


def audit(options: AuditOptions) -> AuditReport:
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
    made: dict = {}

    def prepare(work: Path) -> None:
        """Run the reference and write the class, while the grading processes start (both import torch)."""
        from autograder.audit.reference import run_reference  # torch and pytest: here, not at import

        first = run_reference([e.name for e in exercises])
        made["mutants"], made["notes"] = _mutants(the_course, solutions, exercises, settings, first.public_answers)
        made["reference"] = list(first.problems)
        made["students"] = _write_class(work / "class", the_course, solutions, made["mutants"])

    with _folder(options.keep) as work:
        grade(GradeOptions(submissions=work / "class", out=work / "out", jobs=options.jobs, force=True,
                           progress=options.progress, layout="folders",
                           **({"timeout": options.timeout} if options.timeout else {})),
              prepare=lambda: prepare(work))
        students = made["students"]
        outcomes = {s: student_outcomes(work / "out" / "results" / f"{s}.json") for s in students}
    mutants, notes, reference = made["mutants"], made["notes"], made["reference"]
    listed = {e.mutant: e for e in settings.equivalents}
    listing = []
    audits = []
    for exercise in exercises:
        fates = []
        for mutant in mutants[exercise.name]:
            verdict, check, kind = fate(outcomes[mutant.id].checks.get(exercise.name, []))
            entry = listed.get(mutant.id)
            if entry and verdict == SURVIVED:
                fates.append(MutantFate(mutant, EQUIVALENT, reason=entry.reason))
                continue
            if entry:
                listing.append(f"audit.toml:{entry.line}: {mutant.id} is listed as equivalent, but the "
                               f"{'hidden' if check.hidden else 'public'} check {check.name} kills it ({check.message[:120]}): "
                               "if it is right, that check fails a right answer; if not, remove the entry.")
            fates.append(MutantFate(mutant, verdict, check.name if check else "", check.message if check else "", kind))
        audits.append(ExerciseAudit(exercise.name, exercise.assignment, tuple(fates)))
    ids = {m.id for found in mutants.values() for m in found}
    for entry in settings.equivalents:
        if entry.exercise in names and entry.mutant not in ids:
            listing.append(f"audit.toml:{entry.line}: {entry.mutant} is no mutant of {entry.exercise} any more "
                           "(its solution or the operators changed): remove the entry.")
    reference += _reference_in_class(outcomes, names)
    stub = [f"the stub scores {outcomes[STUB].scores.get(n, 0):g} in {n}: a check passes without any work"
            for n in names if outcomes[STUB].scores.get(n, 0) > 0]
    return AuditReport(audits, settings.split, len(students), reference, stub, listing, notes)


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

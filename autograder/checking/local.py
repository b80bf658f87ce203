"""``autograder check``: a student runs the public checks on their own exercises/."""
from __future__ import annotations

from pathlib import Path

from autograder.curriculum import load_manifest, resolve_names
from autograder.errors import AutograderError, UsageError
from autograder.checking.namespaces import load_namespace, source_files
from autograder.checking.runner import PUBLIC_DIR, CheckRunner, Student, run_checks
from autograder.outcomes import CheckResult, Outcome, StudentResult, student_result


def run_public_checks(exercises_dir: Path, names: list[str] | None = None) -> StudentResult:
    """Run the public checks of ``names`` (all when None) against ``exercises_dir``."""
    exercises = load_manifest()
    known = [e.name for e in exercises]
    wanted = resolve_names(names, known) if names else known
    if not exercises_dir.is_dir():
        raise UsageError(f"There is no exercises folder at {exercises_dir}.",
                         hint="run the command from your kit's top folder, or pass --exercises-dir")
    directory = exercises_dir.resolve()
    namespace = load_namespace(directory, exercises, "exercises")
    found: list[CheckResult] = []

    def done(_student: str, results: list[CheckResult]) -> None:
        found.extend(results)

    student = Student(namespace, is_student_file=source_files(directory, exercises).__contains__)
    plugin = CheckRunner(["yours"], lambda _: student, lambda *_: None, done, exercises=wanted)
    run_checks([PUBLIC_DIR], plugin)
    unchecked = [name for name in wanted if not any(c.exercise == name for c in found)]
    if unchecked:
        raise AutograderError("No public check ran for: " + ", ".join(unchecked) + ". The checks are incomplete.")
    return student_result("yours", "", found, wanted, {})


SYMBOLS = {Outcome.PASSED: "PASS", Outcome.FAILED: "FAIL", Outcome.NOT_ATTEMPTED: "TODO", Outcome.CRASHED: "ERROR",
           Outcome.TIMED_OUT: "TIME"}
#: what follows an exercise's name; the messages under it say the rest
LABELS = {Outcome.NOT_ATTEMPTED: " is not done yet", Outcome.TIMED_OUT: ": took too long"}


def render(result: StudentResult) -> str:
    lines = []
    for score in result.exercises:
        lines.append(f"[{SYMBOLS[score.outcome]:>5}] {score.exercise}{LABELS.get(score.outcome, '')}")
        if score.outcome in (Outcome.PASSED, Outcome.NOT_ATTEMPTED):
            continue
        shown = set()
        for check in result.checks_of(score.exercise):
            if not check.passed and check.message not in shown:
                shown.add(check.message)
                lines.append(f"        {check.message}")
                if check.detail:
                    lines.extend("          " + line for line in check.detail.rstrip().splitlines())
    passed = sum(s.outcome is Outcome.PASSED for s in result.exercises)
    lines.append("")
    lines.append(f"{passed} of {len(result.exercises)} exercises pass the public checks.")
    lines.append("An exercise earns points only if it passes its public checks; the points then come from")
    lines.append("hidden checks on other inputs, run by your instructor.")
    return "\n".join(lines)

"""``autograder check``: a student runs the public checks on their own exercises/."""
from __future__ import annotations

from pathlib import Path

from autograder.curriculum import load_manifest, resolve_names
from autograder.errors import AutograderError, UsageError
from autograder.checking.namespaces import load_namespace
from autograder.checking.outcomes import CheckRecord, ExerciseResult, summarise
from autograder.checking.runner import PUBLIC_DIR, CheckRunner, Student, run_checks

def run_public_checks(exercises_dir: Path, names: list[str] | None = None) -> list[ExerciseResult]:
    """Run the public checks of ``names`` (all when None) against ``exercises_dir``."""
    exercises = load_manifest()
    known = [e.name for e in exercises]
    wanted = resolve_names(names, known) if names else known
    if not exercises_dir.is_dir():
        raise UsageError(f"There is no exercises folder at {exercises_dir}.",
                         hint="run the command from your kit's top folder, or pass --exercises-dir")
    namespace = load_namespace(exercises_dir.resolve(), exercises, "exercises")
    found: dict[str, list[CheckRecord]] = {}

    def done(_student: str, records: list[CheckRecord]) -> None:
        for record in records:
            found.setdefault(record.exercise, []).append(record)

    plugin = CheckRunner(["yours"], lambda _: Student(namespace), lambda *_: None, done, exercises=wanted)
    run_checks([PUBLIC_DIR], plugin)
    unchecked = [name for name in wanted if name not in found]
    if unchecked:
        raise AutograderError("No public check ran for: " + ", ".join(unchecked) + ". The checks are incomplete.")
    return [summarise(name, found.get(name, [])) for name in wanted]


SYMBOLS = {"passed": "PASS", "failed": "FAIL", "not attempted": "TODO", "crashed": "ERROR", "timed out": "TIME"}
#: what follows an exercise's name; the messages under it say the rest
LABELS = {"not attempted": ": not done yet", "timed out": ": took too long"}


def render(results: list[ExerciseResult]) -> str:
    lines = []
    for result in results:
        lines.append(f"[{SYMBOLS[result.outcome]:>5}] {result.exercise}{LABELS.get(result.outcome, '')}")
        if result.outcome in ("passed", "not attempted"):
            continue
        shown = set()
        for record in result.records:
            if record.outcome != "passed" and record.message not in shown:
                shown.add(record.message)
                lines.append(f"        {record.message}")
                if record.detail:
                    lines.extend("          " + line for line in record.detail.rstrip().splitlines())
    passed = sum(r.outcome == "passed" for r in results)
    lines.append("")
    lines.append(f"{passed} of {len(results)} exercises pass the public checks.")
    lines.append("An exercise earns points only if it passes its public checks; the points then come from")
    lines.append("hidden checks on other inputs, run by your instructor.")
    return "\n".join(lines)

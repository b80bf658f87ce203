"""``autograder diff OLD_OUT NEW_OUT``: what a regrade changed, student by student.

Both folders are read through the one reader of results (``outputs.read_out``): every
student's results.json, each within the size a grading run writes. A student's change is
their total, the exercises whose score moved, and the checks whose outcome changed. A check
that one run had and the other did not for the whole class (one deleted from the grader, or
added) is said once, for the class, and in a student's change only when their total moved
(from or to "absent"). A student whose total and every shared check's outcome are the same
is unchanged, whatever their messages say.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError
from autograder.grading.outputs import read_out
from autograder.grading.previous import PREVIOUS
from autograder.outcomes import Outcome, StudentResult
from autograder.untrusted import safe_name, spreadsheet_safe

ABSENT = "absent"  #: the outcome of a check (or the score of an exercise) a run did not have


@dataclass(frozen=True)
class ScoreChange:
    exercise: str
    old: float | None  #: None: the old run did not grade the exercise
    new: float | None


@dataclass(frozen=True)
class CheckChange:
    exercise: str
    check: str
    old: Outcome | None  #: None: the old run did not have the check
    new: Outcome | None


@dataclass(frozen=True)
class StudentChange:
    student: str
    old_total: float
    new_total: float
    exercises: tuple[ScoreChange, ...]  #: those whose score changed, in the new run's order
    checks: tuple[CheckChange, ...]  #: those whose outcome changed, in the new run's order

    @property
    def change(self) -> float:
        return self.new_total - self.old_total


@dataclass(frozen=True)
class ClassDiff:
    changed: tuple[StudentChange, ...]  #: total changed, by student
    same_total: tuple[StudentChange, ...]  #: same total, some check's outcome changed
    unchanged: int
    only_old: tuple[str, ...]  #: students graded in the old run only
    only_new: tuple[str, ...]
    unreadable: tuple[str, ...]  #: results files that could not be read, with the reason
    checks_only_old: tuple[tuple[str, str], ...] = ()  #: (exercise, check) no new result has: deleted?
    checks_only_new: tuple[tuple[str, str], ...] = ()  #: (exercise, check) no old result has: added?

    @property
    def differs(self) -> bool:
        return bool(self.changed or self.same_total or self.only_old or self.only_new or self.checks_only_old
                    or self.checks_only_new)


def diff_results(old: dict[str, StudentResult], new: dict[str, StudentResult],
                 unreadable: list[str] | tuple[str, ...] = ()) -> ClassDiff:
    old_checks = {(c.exercise, c.check) for r in old.values() for c in r.checks}
    new_checks = {(c.exercise, c.check) for r in new.values() for c in r.checks}
    one_side = old_checks ^ new_checks
    changed, same_total, unchanged = [], [], 0
    for student in sorted(old.keys() & new.keys()):
        change = student_change(old[student], new[student], one_side)
        if change.old_total != change.new_total:
            changed.append(change)
        elif change.checks or change.exercises:
            same_total.append(change)
        else:
            unchanged += 1
    return ClassDiff(tuple(changed), tuple(same_total), unchanged, tuple(sorted(old.keys() - new.keys())),
                     tuple(sorted(new.keys() - old.keys())), tuple(unreadable), tuple(sorted(old_checks - new_checks)),
                     tuple(sorted(new_checks - old_checks)))


def student_change(old: StudentResult, new: StudentResult, one_side: set[tuple[str, str]] = frozenset()) \
        -> StudentChange:
    """What changed for one student; checks in ``one_side`` (one run's only, for the whole class)
    are among the changes only if the student's total moved."""
    old_scores = {e.exercise: e.score for e in old.exercises}
    new_scores = {e.exercise: e.score for e in new.exercises}
    exercises = [ScoreChange(name, old_scores.get(name), new_scores.get(name))
                 for name in [*new_scores, *(n for n in old_scores if n not in new_scores)]
                 if old_scores.get(name) != new_scores.get(name)]
    moved = old.score != new.score
    old_checks = {(c.exercise, c.check): c.outcome for c in old.checks}
    new_checks = {(c.exercise, c.check): c.outcome for c in new.checks}
    checks = [CheckChange(exercise, check, old_checks.get((exercise, check)), new_checks.get((exercise, check)))
              for exercise, check in [*new_checks, *(k for k in old_checks if k not in new_checks)]
              if old_checks.get((exercise, check)) != new_checks.get((exercise, check))
              and (moved or (exercise, check) not in one_side)]
    return StudentChange(old.student, old.score, new.score, tuple(exercises), tuple(checks))


def diff_folders(old: Path, new: Path) -> ClassDiff:
    for folder in (old, new):
        if not folder.exists():
            raise _no_folder(folder, new)
    old_results, old_bad = read_out(old)
    new_results, new_bad = read_out(new)
    return diff_results(old_results, new_results, [*old_bad, *new_bad])


def _no_folder(folder: Path, new: Path) -> UsageError:
    """Why ``folder``, one of the two compared, is not there: most often NEW/previous, which
    only a run that regraded someone leaves."""
    if folder != new and folder.resolve() == (new / PREVIOUS).resolve() and (new / "results").is_dir():
        return UsageError(
            f"{folder} does not exist: a run of `autograder grade` into {new} keeps there the results it replaces, "
            "and no run has replaced any (a run that regrades nobody, its summary saying '0 now', changed nothing "
            "and keeps none).",
            hint=f"after the grader changes (edit a check, `autograder build`), or with --force, `autograder grade` "
                 f"into {new} again keeps the results it replaces in {folder}; then compare")
    return UsageError(f"{folder} does not exist.", hint="give the output folders of two runs of `autograder grade`")


# -- renderings -----------------------------------------------------------------------------

def _score(x: float | None) -> str:
    return ABSENT if x is None else f"{x:g}"


def _outcome(o: Outcome | None) -> str:
    return ABSENT if o is None else o.value


def _signed(x: float) -> str:
    return f"{x:+g}"


def render(diff: ClassDiff, old: Path, new: Path) -> str:
    """The diff for a terminal: changed students first, with their exercises and checks."""
    lines = [f"Comparing {old} (old) with {new} (new)."]
    if diff.changed:
        lines += ["", f"Total changed for {len(diff.changed)} student(s):"]
        for change in sorted(diff.changed, key=lambda c: (c.change, c.student)):
            lines.append(f"  {change.student}: {change.old_total:g} -> {change.new_total:g} ({_signed(change.change)})")
            lines += _details(change)
    if diff.same_total:
        lines += ["", f"Same total, some check's outcome changed, for {len(diff.same_total)} student(s):"]
        for change in diff.same_total:
            lines.append(f"  {change.student}: {change.new_total:g}")
            lines += _details(change)
    lines += ["", f"Unchanged: {diff.unchanged} student(s)."]
    for checks, where in ((diff.checks_only_old, "old"), (diff.checks_only_new, "new")):
        if checks:
            lines.append(f"Checks only in the {where} results ({len(checks)}): "
                         + ", ".join(f"{exercise}: {check}" for exercise, check in checks))
    if diff.only_old:
        lines.append(f"Only in the old results ({len(diff.only_old)}): " + ", ".join(diff.only_old))
    if diff.only_new:
        lines.append(f"Only in the new results ({len(diff.only_new)}): " + ", ".join(diff.only_new))
    if diff.unreadable:
        lines += ["", f"Not compared: {len(diff.unreadable)} results file(s) could not be read:"]
        lines += [f"  {reason}" for reason in diff.unreadable]
    return "\n".join(lines)


def _details(change: StudentChange) -> list[str]:
    lines = [f"    {e.exercise}: {_score(e.old)} -> {_score(e.new)}" for e in change.exercises]
    lines += [f"      {c.exercise}: {c.check}: {_outcome(c.old)} -> {_outcome(c.new)}" for c in change.checks]
    return lines


CSV_HEADER = ["student", "old_total", "new_total", "change", "exercise", "old_score", "new_score", "check",
              "old_outcome", "new_outcome"]


def diff_csv(diff: ClassDiff) -> str:
    """The changes, one row per changed check (and per changed exercise score without one):
    every student whose total or any check's outcome changed. Text cells are safe from
    spreadsheet formulas; numbers are numbers."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for change in sorted([*diff.changed, *diff.same_total], key=lambda c: c.student):
        head = [_text(change.student), f"{change.old_total:g}", f"{change.new_total:g}", _signed(change.change)]
        scores = {e.exercise: e for e in change.exercises}
        rows = []
        for check in change.checks:
            score = scores.get(check.exercise)
            rows.append([_text(check.exercise), *_scores(score), _text(check.check), _outcome(check.old),
                         _outcome(check.new)])
        with_checks = {c.exercise for c in change.checks}
        rows += [[_text(e.exercise), *_scores(e), "", "", ""] for e in change.exercises if e.exercise not in with_checks]
        for row in rows or [["", "", "", "", "", ""]]:
            writer.writerow(head + row)
    return out.getvalue()


def _scores(score: ScoreChange | None) -> list[str]:
    return ["", ""] if score is None else [_score(score.old), _score(score.new)]


def _text(text: str) -> str:
    return spreadsheet_safe(safe_name(text))

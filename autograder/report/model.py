"""What the class report shows, computed from the class's results (:mod:`autograder.outcomes`).

Pure functions of the results and the course's exercises, in the class's order: the same
results give the same :class:`ClassReport`, whatever order students finished in. Work is
linear in the number of checks graded; each distinct message is keyed once
(:func:`~autograder.report.diagnosis.diagnosis`), since a class repeats the same few.
"""
from __future__ import annotations

import math
import statistics
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from autograder.curriculum import Exercise
from autograder.report.problems import split_call
from autograder.outcomes import Outcome, StudentResult
from autograder.report.diagnosis import diagnosis, first_line

#: the outcomes an exercise's bar shows, in this order (best first, as a person reads them)
BAR_OUTCOMES = (Outcome.PASSED, Outcome.FAILED, Outcome.CRASHED, Outcome.TIMED_OUT, Outcome.NOT_ATTEMPTED,
                Outcome.NOT_GRADED)
#: the most bins a histogram of totals has: readable on a page, whatever the class's size
MAX_BINS = 36
#: bin widths a histogram may use, times a power of ten
_NICE_STEPS = (1, 2, 2.5, 5)
#: the students a mistake names on the page (the rest are counted, and listed folded)
SHOWN_STUDENTS = 12
#: the mistakes shown per exercise; the others are counted
SHOWN_MISTAKES = 8


@dataclass(frozen=True)
class Bin:
    low: float  #: the smallest total it holds
    high: float  #: the totals it holds are below this
    count: int


@dataclass(frozen=True)
class ExerciseStats:
    name: str
    assignment: str
    max_score: float
    mean: float  #: mean points
    full_marks: float  #: the share of students with full marks
    discrimination: float | None  #: Pearson correlation of its score with the rest of the total; None if undefined
    outcomes: tuple[tuple[Outcome, int], ...]  #: students by the exercise's outcome, in :data:`BAR_OUTCOMES` order


@dataclass(frozen=True)
class Mistake:
    exercise: str
    outcome: Outcome
    key: str  #: the diagnosis (:func:`~autograder.report.diagnosis.diagnosis`)
    example: str  #: the most common message with this key, as students read it (without the check's call)
    students: tuple[str, ...]  #: who made it, in order
    checks: int  #: the checks it failed, over all these students


@dataclass(frozen=True)
class ExerciseMistakes:
    exercise: str
    shown: tuple[Mistake, ...]  #: the most common, most common first
    others: int  #: mistakes not shown
    others_students: int  #: students who made only mistakes not shown (of this exercise)


@dataclass(frozen=True)
class ZeroStudent:
    """A student who scored 0 with nothing but crashes, time-outs and unanswered functions:
    most likely a broken or missing file, a student to contact."""

    student: str
    reasons: tuple[str, ...]  #: the submission's problems, then the distinct crash and time-out messages


@dataclass(frozen=True)
class ClassReport:
    students: int
    max_total: float
    mean: float
    median: float
    histogram: tuple[Bin, ...]
    exercises: tuple[ExerciseStats, ...]
    mistakes: tuple[ExerciseMistakes, ...]  #: exercises with at least one mistake, in the course's order
    zero: tuple[ZeroStudent, ...]


def class_report(results: Sequence[StudentResult], exercises: Sequence[Exercise]) -> ClassReport:
    totals = [r.score for r in results]
    max_total = max((r.max_score for r in results), default=0.0)
    return ClassReport(
        students=len(results), max_total=max_total,
        mean=statistics.fmean(totals) if totals else 0.0, median=statistics.median(totals) if totals else 0.0,
        histogram=histogram(totals, max_total),
        exercises=tuple(_exercise_stats(results, totals, e) for e in exercises),
        mistakes=_mistakes(results, exercises), zero=_zero_students(results))


def bin_width(max_total: float) -> float:
    """The smallest of 1, 2, 2.5, 5 times a power of ten that puts 0 to ``max_total`` in at most :data:`MAX_BINS` bins."""
    if max_total <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(max_total / MAX_BINS)) if max_total > MAX_BINS else 1.0
    while True:
        for step in _NICE_STEPS:
            width = step * power
            if math.floor(max_total / width) + 1 <= MAX_BINS:
                return width
        power *= 10


def histogram(totals: Sequence[float], max_total: float) -> tuple[Bin, ...]:
    """Bins of equal width from 0, the last one starting at or below ``max_total`` (full
    marks then have a bin of their own whenever the width divides them)."""
    width = bin_width(max_total)
    count = int(math.floor(max_total / width)) + 1
    counts = [0] * count
    for total in totals:
        counts[min(max(int(math.floor(total / width + 1e-9)), 0), count - 1)] += 1
    return tuple(Bin(k * width, (k + 1) * width, c) for k, c in enumerate(counts))


def _exercise_stats(results: Sequence[StudentResult], totals: Sequence[float], exercise: Exercise) -> ExerciseStats:
    scores, rests, outcomes, full = [], [], Counter(), 0
    max_score = 0.0
    for result, total in zip(results, totals):
        score = result.exercise(exercise.name)
        points = score.score if score else 0.0
        scores.append(points)
        rests.append(total - points)
        outcomes[score.outcome if score else Outcome.NOT_GRADED] += 1
        if score and score.max_score:
            max_score = max(max_score, score.max_score)
            full += score.score >= score.max_score
    n = len(results)
    return ExerciseStats(exercise.name, exercise.assignment, max_score, statistics.fmean(scores) if n else 0.0,
                         full / n if n else 0.0, correlation(scores, rests),
                         tuple((o, outcomes[o]) for o in BAR_OUTCOMES))


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's correlation of ``xs`` and ``ys``; None when either does not vary (or fewer than 3 pairs)."""
    n = len(xs)
    if n < 3:
        return None
    mx, my = math.fsum(xs) / n, math.fsum(ys) / n
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


#: outcomes that are no mistake: the exercise's bar counts the functions not attempted
_NOT_MISTAKES = (Outcome.PASSED, Outcome.NOT_ATTEMPTED)


def _mistakes(results: Sequence[StudentResult], exercises: Sequence[Exercise]) -> tuple[ExerciseMistakes, ...]:
    keys: dict[str, str] = {}  # message -> diagnosis: a class repeats its messages
    skip = {id(o) for o in _NOT_MISTAKES}
    # (exercise, the outcome's id, diagnosis) -> [students, checks, messages -> count]: keys of
    # strings and ints, which hash fast (an Outcome hashes in Python), for the class's every check
    found: dict[tuple[str, int, str], list] = {}
    for result in results:
        student = result.student
        for check in result.checks:
            outcome = id(check.outcome)
            if outcome in skip:
                continue
            message = check.message
            key = keys.get(message)
            if key is None:
                key = keys[message] = diagnosis(message)
            entry = found.get((check.exercise, outcome, key))
            if entry is None:
                entry = found[(check.exercise, outcome, key)] = [[], 0, {}]
            if not entry[0] or entry[0][-1] != student:
                entry[0].append(student)
            entry[1] += 1
            entry[2][message] = entry[2].get(message, 0) + 1
    outcomes = {id(o): o for o in Outcome}
    by_exercise: dict[str, list[Mistake]] = {}
    for (exercise, outcome, key), (students, checks, messages) in found.items():
        example = min(messages.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        by_exercise.setdefault(exercise, []).append(
            Mistake(exercise, outcomes[outcome], key, split_call(first_line(example))[0], tuple(students), checks))
    grouped = []
    for exercise in exercises:
        mistakes = sorted(by_exercise.get(exercise.name, []),
                          key=lambda m: (-len(m.students), m.outcome.value, m.key))
        if not mistakes:
            continue
        shown, rest = mistakes[:SHOWN_MISTAKES], mistakes[SHOWN_MISTAKES:]
        seen = {s for m in shown for s in m.students}
        grouped.append(ExerciseMistakes(exercise.name, tuple(shown), len(rest),
                                        len({s for m in rest for s in m.students} - seen)))
    return tuple(grouped)


_BROKEN = (Outcome.CRASHED, Outcome.TIMED_OUT)


def _zero_students(results: Sequence[StudentResult]) -> tuple[ZeroStudent, ...]:
    """Students with 0 points whose checks all crashed, timed out or found the function not
    attempted, with at least one crash or time-out (or a problem with the submission itself):
    a student whose answers were all wrong is not among them."""
    zero = []
    for result in results:
        if result.score > 0 or result.max_score <= 0:
            continue
        outcomes = {c.outcome for c in result.checks}
        if Outcome.PASSED in outcomes or Outcome.FAILED in outcomes:
            continue
        if not (outcomes & set(_BROKEN) or result.problems):
            continue
        lines = dict.fromkeys(first_line(c.message) for c in result.checks if c.outcome in _BROKEN)
        zero.append(ZeroStudent(result.student, (*result.problems, *list(lines)[:3])))
    return tuple(zero)

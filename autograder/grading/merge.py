"""``autograder merge OUT_1 ... OUT_N --out OUT``: the parts of a class, graded apart, made one.

Before anything is written the parts are checked to make one class: each a finished part
(``grading.parts``), all graded by equal graders (and by this checkout's, whose renderers
write the merged files), all cut from the same class into the same number of parts, each
part given once, each student in one part only and in the part their id puts them in.
The first difference found stops the merge with a message that names it. Then the
students' results are read back into the model and written as ``autograder grade`` writes
them: each student's files by :func:`grading.outputs.write_student` (in ``jobs`` processes,
since that is most of a merge's work), then :func:`grading.outputs.write_class`, the
function ``grade`` ends with. The merged folder is the one a single run would have
written, byte for byte.
"""
from __future__ import annotations

import math
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from autograder.curriculum import load_manifest
from autograder.errors import AutograderError, UsageError
from autograder.grading import previous
from autograder.grading.outputs import RESULTS_DIR, GradedClass, prepare, results_path, write_class, write_student
from autograder.grading.parts import PART_FILE, PartError, PartRecord, part_of, read_part, this_grader
from autograder.grading.results import ResultsError, Summary, read_results_file, summarise_class
from autograder.outcomes import StudentResult
from autograder.untrusted import safe_line


def _same(path: Path, other: Path) -> bool:
    try:
        return path.resolve() == other.resolve()
    except (OSError, RuntimeError):
        return False


def check_parts(parts: list[tuple[Path, PartRecord]]) -> None:
    """Refuse parts that do not make one class (see the module's docstring), naming why."""
    first_folder, first = parts[0]
    for folder, part in parts[1:]:
        if part.part.count != first.part.count:
            raise PartError(f"{folder} is part {part.part} but {first_folder} is part {first.part}: "
                            "the parts of one merge are cut into the same number.")
        differences = first.grader.differences(part.grader)
        if differences:
            raise PartError(f"{folder} and {first_folder} were graded differently, so their grades cannot be "
                            "merged: " + "; ".join(differences) + ".", hint="grade every part with the same "
                            "checkout and options")
        if part.class_digest != first.class_digest or part.counts != first.counts:
            raise PartError(f"{folder} and {first_folder} were cut from different classes (the submissions "
                            "folders they read hold different entries).",
                            hint="grade every part from the same copy of the submissions")
    mine = this_grader(first.grader.timeout, first.grader.memory_mb, list(first.grader.assignments),
                       first.grader.layout)
    differences = first.grader.differences(mine, ("course", "code", "checks"))
    if differences:
        raise PartError("The parts were graded by another grader than this one, whose files would differ from a "
                        "single run's: " + "; ".join(differences) + ".",
                        hint="merge with the checkout that graded the parts")
    given: dict[int, list[Path]] = {}
    for folder, part in parts:
        given.setdefault(part.part.number, []).append(folder)
    count = first.part.count
    doubled = [f"part {number}/{count} is given twice ({', '.join(map(str, folders))})"
               for number, folders in sorted(given.items()) if len(folders) > 1]
    missing = [number for number in range(1, count + 1) if number not in given]
    problems = doubled + ([f"part{'s' if len(missing) > 1 else ''} " + ", ".join(f"{n}/{count}" for n in missing)
                           + f" {'are' if len(missing) > 1 else 'is'} missing"] if missing else [])
    if problems:
        raise PartError("The parts do not make the whole class: " + "; ".join(problems) + ".")
    owner: dict[str, Path] = {}
    for folder, part in parts:
        if len(part.students) != first.counts[part.part.number - 1]:
            raise PartError(f"{folder} holds {len(part.students)} students, but part {part.part} of the class has "
                            f"{first.counts[part.part.number - 1]}.")
        for student in part.students:
            if student in owner:
                raise PartError(f"The student {student} is in two parts: {owner[student]} and {folder}.")
            if part_of(student, count) != part.part.number:
                raise PartError(f"The student {student} is in {folder} (part {part.part}) but belongs to part "
                                f"{part_of(student, count)}/{count}.")
            owner[student] = folder


def _result(folder: Path, student: str) -> StudentResult:
    path = results_path(folder, student)
    try:
        result = read_results_file(path)
    except (OSError, ResultsError) as err:
        raise PartError(f"{path} cannot be read ({getattr(err, 'strerror', None) or safe_line(str(err))[:200]}).",
                        hint="grade that part again") from None
    if result.student != student:
        raise PartError(f"{path} holds the result of another student ({safe_line(result.student)[:80]!r}).",
                        hint="grade that part again")
    return result


#: students a process of the merge is handed at a time
_CHUNK = 250


def _write_students(out: Path, students: list[tuple[str, Path]]) -> list[StudentResult] | tuple[str, str | None]:
    """Read each ``(student, part folder)``'s result and write their files into ``out``;
    their results, or the first error's message and hint (an exception's own fields do
    not all cross a process boundary)."""
    try:
        results = []
        for student, folder in students:
            result = _result(folder, student)
            write_student(out, result)
            results.append(result)
        return results
    except AutograderError as err:
        return err.message, err.hint


def merge(folders: list[Path], out: Path, jobs: int = 2) -> Summary:
    """Merge the parts in ``folders`` into the output folder ``out``, in ``jobs``
    processes; its summary."""
    if jobs < 1:
        raise UsageError("--jobs must be at least 1.")
    if not folders:
        raise PartError("Name the output folders of the parts to merge.")
    for folder in folders:
        if _same(folder, out):
            raise PartError(f"--out {out} is one of the parts; merge into another folder.")
    if (out / PART_FILE).exists():
        raise PartError(f"--out {out} is the output folder of a part; merge into another folder.")
    parts = [(folder, read_part(folder)) for folder in folders]
    check_parts(parts)
    first = parts[0][1]
    prepare(out)
    students = sorted((student, folder) for folder, part in parts for student in part.students)  # the class's order
    # as a regrade does, a merge that changes the results in ``out`` keeps them in out/previous
    replaced = previous.keep_previous(out) if _changes(out, students) else None
    results = _write_students_in(out, students, jobs)
    exercises = [e for e in load_manifest() if e.assignment in first.grader.assignments]
    graded = GradedClass(results, exercises, _record(parts), _columns(parts))
    write_class(out, graded, current={r.student for r in results})  # each student's files: written above
    previous.finished(out)
    summary = summarise_class(results, exercises, graded_now=sum(part.graded_now for _, part in parts))
    summary.out = out
    summary.previous = replaced
    summary.not_graded = list(first.not_graded)
    summary.notes = [f"Merged {len(parts)} parts of the class."]
    return summary


def _write_students_in(out: Path, students: list[tuple[str, Path]], jobs: int) -> list[StudentResult]:
    """Each student's files written into ``out`` by ``jobs`` processes; their results, in order."""
    size = max(1, min(_CHUNK, math.ceil(len(students) / jobs)))
    chunks = [students[i:i + size] for i in range(0, len(students), size)]
    if jobs == 1 or len(chunks) == 1:
        written = [_write_students(out, chunk) for chunk in chunks]
    else:
        # forked: the workers have what this process imported (no torch, no student code)
        with ProcessPoolExecutor(min(jobs, len(chunks)), mp_context=multiprocessing.get_context("fork")) as pool:
            written = list(pool.map(partial(_write_students, out), chunks))
    results = []
    for chunk in written:
        if isinstance(chunk, tuple):
            raise PartError(*chunk)
        results += chunk
    return results


def _changes(out: Path, students: list[tuple[str, Path]]) -> bool:
    """Whether merging ``students`` into ``out`` replaces results it holds: another set of
    students, or a student's results.json that differs from their part's (which is what the
    merge writes: the same grader rendered it from the same result)."""
    try:
        held = {p.name for p in (out / RESULTS_DIR).glob("*.json")}
        if not held:
            return False
        if held != {f"{student}.json" for student, _ in students}:
            return True
        return any(results_path(out, student).read_bytes() != results_path(folder, student).read_bytes()
                   for student, folder in students)
    except OSError:
        return True


def _record(parts: list[tuple[Path, PartRecord]]) -> list[str]:
    """The class's intake record: each entry's lines, a student's from their part, an
    entry that is no student's (which every part records) from the first part."""
    lines: dict[int, list[str]] = {}
    for _, part in sorted(parts, key=lambda fp: fp[1].part.number):
        mine: dict[int, list[str]] = {}
        for entry, line in part.record:
            mine.setdefault(entry, []).append(line)
        for entry, entry_lines in mine.items():
            lines.setdefault(entry, entry_lines)
    return [line for entry in sorted(lines) for line in lines[entry]]


def _columns(parts: list[tuple[Path, PartRecord]]) -> dict[str, dict[str, str]] | None:
    """grades.csv's extra columns (an LMS's late marker), each part's students' together."""
    if all(part.columns is None for _, part in parts):
        return None
    columns: dict[str, dict[str, str]] = {}
    for _, part in parts:
        for name, values in (part.columns or {}).items():
            columns.setdefault(name, {}).update(values)
    return columns

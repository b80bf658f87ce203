"""The command line: parse arguments, call the library, render. ``main(argv) -> int``."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from autograder.errors import AutograderError, UsageError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description="Auto-graded PyTorch exercises.")
    sub = parser.add_subparsers(dest="command", required=True)

    new = sub.add_parser("new", help="instructors: add an exercise (and its assignment, if new) to the course")
    new.add_argument("exercise", metavar="EXERCISE", help="the exercise's name: its function's name")
    new.add_argument("--assignment", required=True, help="the assignment it belongs to (created when new)")
    new.add_argument("--title", help="a new assignment's title (default: its name)")

    build = sub.add_parser("build", help="instructors: check the course, generate exercises/ (and more) from it")
    build.add_argument("--check", action="store_true", help="fail, naming the files, if generated files are stale")
    build.add_argument("--student-kit", type=Path, metavar="DIR", help="also write the kit students receive")
    build.add_argument("--course", type=Path, metavar="DIR", default=None,
                       help="where to write the nbgrader course directory (default: course/)")
    build.add_argument("--gradescope", type=Path, metavar="PATH.zip",
                       help="also write a Gradescope autograder zip (see docs/gradescope.md)")
    build.add_argument("--assignment", help="with --gradescope: the assignment a submission holds (default: all)")
    build.add_argument("--hidden-visibility", default="after_published",
                       help="with --gradescope: when students see hidden checks (hidden, after_due_date, "
                            "after_published, visible; default after_published)")

    check = sub.add_parser("check", help="run the public checks on your exercises")
    check.add_argument("exercises", nargs="*", metavar="EXERCISE",
                       help="exercise or assignment names (default: all)")
    check.add_argument("--exercises-dir", type=Path, default=Path("exercises"))
    check.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                       help="seconds each exercise's checks may take before it is reported as TIME (default 10)")

    grade = sub.add_parser("grade", help="instructors: grade a whole class with the hidden checks")
    grade.add_argument("submissions", type=Path, help="folder with one entry per student")
    grade.add_argument("--out", type=Path, required=True, help="folder for grades.csv, results/, feedback/")
    grade.add_argument("--jobs", type=int, default=2, help="shards: students graded at once (default 2)")
    grade.add_argument("--timeout", type=float, help="seconds each call of a student function may take "
                                                     "(default: the course's, course.toml)")
    grade.add_argument("--memory-mb", type=int, help="memory cap per worker, MB (default: the course's, course.toml)")
    grade.add_argument("--force", action="store_true", help="regrade students whose results are up to date")
    grade.add_argument("--assignment", help="grade this assignment only (default: every assignment; an nbgrader "
                                          "submitted/ tree holding one assignment: that one)")
    grade.add_argument("--gradebook", type=Path, help="nbgrader course directory whose gradebook gets the scores")
    grade.add_argument("--layout", choices=["auto", "folders", "nbgrader", "canvas", "moodle"], default="auto",
                       help="how SUBMISSIONS is laid out: a folder or zip per student, an nbgrader submitted/ tree, "
                            "or an LMS's bulk download (a folder or its zip); default: detected from the whole class")
    grade.add_argument("--quiet", action="store_true", help="no progress bar")
    grade.add_argument("--allow-unsandboxed", action="store_true",
                       help="grade even where student code cannot be isolated (not root, no user namespaces)")
    grade.add_argument("--part", "--shard", dest="part", metavar="K/N",
                       help="grade part K of N of the class (a student's part follows from their id), to merge "
                            "with `autograder merge`; --shard is the same option; see docs/scale.md")
    merge = sub.add_parser("merge", help="instructors: merge the output folders of a class graded in parts")
    merge.add_argument("parts", nargs="+", type=Path, metavar="OUT_K", help="each part's output folder")
    merge.add_argument("--out", type=Path, required=True, help="folder for the class's grades.csv, results/, feedback/")
    merge.add_argument("--jobs", type=int, default=2, help="processes writing students' files (default 2)")
    merge.add_argument("--quiet", action="store_true",
                       help="no progress bar, as for grade (a merge draws none: a script may pass grade's options)")

    export = sub.add_parser("export", help="instructors: put the totals of a graded class into a Canvas gradebook "
                                           "export or a Moodle grading worksheet, for the LMS to import")
    export.add_argument("out", type=Path, metavar="OUT", help="the output folder of `autograder grade`")
    lms = export.add_mutually_exclusive_group(required=True)
    lms.add_argument("--canvas", type=Path, metavar="GRADEBOOK.csv", help="a Canvas gradebook export (CSV)")
    lms.add_argument("--moodle", type=Path, metavar="WORKSHEET.csv", help="a Moodle offline grading worksheet (CSV)")
    export.add_argument("--column", help="the column to fill: Canvas's assignment column ('Title (id)', its title or "
                                         "id; required); Moodle's grade column if the site is not in English")
    export.add_argument("--to", type=Path, required=True, metavar="FILE", help="the file to write, for the LMS")
    export.add_argument("--missing-as-zero", action="store_true",
                        help="give 0 to students of the file without a result (default: their cell is left empty)")

    diff = sub.add_parser("diff", help="instructors: what changed between two gradings of a class (a regrade keeps "
                                       "the one before in OUT/previous); exit 1 when something did")
    diff.add_argument("old", type=Path, metavar="OLD_OUT", help="the output folder of the earlier grading")
    diff.add_argument("new", type=Path, metavar="NEW_OUT", help="the output folder of the later grading")
    diff.add_argument("--csv", type=Path, metavar="FILE", help="also write the changes as CSV to FILE")

    audit = sub.add_parser("audit", help="instructors: mutation analysis: do the checks tell wrong solutions "
                                         "from right ones? (exit 1 when a mutant survives)")
    audit.add_argument("exercises", nargs="*", metavar="EXERCISE", help="exercise names (default: all)")
    audit.add_argument("--json", type=Path, metavar="PATH", help="also write the report as JSON to PATH")
    audit.add_argument("--jobs", type=int, default=2, help="parallel grading processes (default 2)")
    audit.add_argument("--timeout", type=float, help="seconds each call of a mutant's function may take "
                                                     "(default: the course's, course.toml)")
    audit.add_argument("--keep", type=Path, metavar="DIR",
                       help="keep the class of mutants and its grading (results, feedback) in DIR, new or empty")
    audit.add_argument("--summary", action="store_true", help="the survivors and the table, not every mutant's fate")
    audit.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _instructors_only(command: str) -> None:
    from autograder.curriculum import SOLUTIONS_DIR

    if not SOLUTIONS_DIR.is_dir():
        raise UsageError(f"`autograder {command}` is for instructors; it is not part of the student kit "
                         f"(there is no {SOLUTIONS_DIR}).")


def _new(args: argparse.Namespace) -> int:
    _instructors_only("new")
    from autograder.authoring.new import new_exercise, next_steps

    print(next_steps(new_exercise(args.exercise, args.assignment, args.title)))
    return 0


def _build(args: argparse.Namespace) -> int:
    _instructors_only("build")
    from autograder.authoring import build
    from autograder.curriculum import course
    if args.check:
        build.check()
        print("The course is consistent; exercises/ and the manifest are up to date with it.")
        return 0
    written = build.write()
    print(f"Generated {len(written)} changed file(s)" + (": " + ", ".join(written) if written else "."))
    if args.student_kit:
        print(f"Student kit written to {build.student_kit(args.student_kit)}")
        from autograder.authoring.classroom import classroom_points, fractional

        for exercise in fractional(course()):  # Classroom's command grader counts whole points
            print(f"Note: GitHub Classroom awards {exercise.name} {classroom_points(exercise)} points, "
                  f"not {exercise.points:g}: it counts whole points only.")
    if args.gradescope:
        from autograder.gradescope.package import write_zip

        print(f"Gradescope autograder written to {write_zip(args.gradescope, args.assignment, args.hidden_visibility)}")
    if args.course is None and (args.student_kit or args.gradescope):
        return 0  # asked for a kit or a zip: no course/ in the checkout unless --course says where
    from autograder.curriculum import PROJECT_DIR, load_manifest
    from autograder.nbgrader.course import write_course

    course = write_course(args.course or PROJECT_DIR / "course", load_manifest())
    print(f"nbgrader course written to {course} (run nbgrader commands from there)")
    return 0


def _check(args: argparse.Namespace) -> int:
    from autograder.checking.local import TIME_LIMIT, render, run_public_checks
    from autograder.outcomes import Outcome

    limit = TIME_LIMIT if args.time_limit is None else args.time_limit
    if not limit > 0:
        raise UsageError(f"--time-limit must be a positive number of seconds, not {args.time_limit:g}.")
    try:
        result = run_public_checks(args.exercises_dir, args.exercises or None, time_limit=limit)
    except KeyboardInterrupt:
        print("autograder check: stopped (Ctrl-C) before the checks finished; nothing was checked.", file=sys.stderr)
        return 130
    print(render(result))
    return 0 if all(score.outcome is Outcome.PASSED for score in result.exercises) else 1


def _grade(args: argparse.Namespace) -> int:
    _instructors_only("grade")
    from autograder.grading.run import GradeOptions, grade

    from autograder.grading.parts import parse_part

    limits = {"timeout": args.timeout, "memory_mb": args.memory_mb}  # not given: the course's defaults
    part = parse_part(args.part) if args.part is not None else None
    if part and args.gradebook:
        raise UsageError("--gradebook takes a whole class: merge the parts first, or grade without --part.")
    options = GradeOptions(submissions=args.submissions, out=args.out, jobs=args.jobs, force=args.force,
                           assignment=args.assignment, gradebook=args.gradebook, progress=not args.quiet,
                           allow_unsandboxed=args.allow_unsandboxed, layout=args.layout, part=part,
                           **{k: v for k, v in limits.items() if v is not None})
    if args.gradebook:
        from autograder.nbgrader.submissions import grade_notebooks

        summary = grade_notebooks(options)
    else:
        summary = grade(options)
    print(summary.render())
    return 1 if summary.not_graded else 0  # not every submission has a grade


def _export(args: argparse.Namespace) -> int:
    from autograder.export import ExportOptions, export

    done = export(ExportOptions(out=args.out, to=args.to, canvas=args.canvas, moodle=args.moodle, column=args.column,
                                missing_as_zero=args.missing_as_zero))
    print(done.render())
    for line in done.problems():
        print(line, file=sys.stderr)
    return 0 if done.complete else 1


def _diff(args: argparse.Namespace) -> int:
    from autograder.grading.diff import diff_csv, diff_folders, render
    from autograder.grading.results import atomic_write

    if args.csv and not args.csv.resolve().parent.is_dir():
        raise UsageError(f"--csv {args.csv}: there is no folder {args.csv.parent} to write it in.")
    changes = diff_folders(args.old, args.new)
    if args.csv:
        atomic_write(args.csv, diff_csv(changes))
    print(render(changes, args.old, args.new))
    return 1 if changes.differs or changes.unreadable else 0


def _merge(args: argparse.Namespace) -> int:
    _instructors_only("merge")
    from autograder.grading.merge import merge

    summary = merge(args.parts, args.out, args.jobs)
    print(summary.render())
    return 1 if summary.not_graded else 0  # as a single run: an entry of the class has no grade


def _audit(args: argparse.Namespace) -> int:
    _instructors_only("audit")
    from autograder.audit import AuditOptions, audit, render
    from autograder.grading.results import atomic_write

    if args.json and not args.json.resolve().parent.is_dir():
        raise UsageError(f"--json {args.json}: there is no folder {args.json.parent} to write it in.")
    report = audit(AuditOptions(exercises=args.exercises, jobs=args.jobs, timeout=args.timeout, keep=args.keep,
                                progress=not args.quiet))
    if args.json:
        try:
            atomic_write(args.json, report.to_json())
        except OSError as err:
            raise UsageError(f"Cannot write {args.json}: {err.strerror}.") from None
    print(render(report, every_mutant=not args.summary))
    return 0 if report.ok else 1


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return {"new": _new, "build": _build, "check": _check, "grade": _grade, "merge": _merge, "export": _export,
                "diff": _diff, "audit": _audit}[args.command](args)
    except AutograderError as err:
        print(f"autograder {args.command}: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("Interrupted; results written so far are kept.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `autograder grade ... | head`: the reader left, the work is done
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 141


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

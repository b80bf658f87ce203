"""The course checked as a whole, before ``autograder build`` writes anything.

:func:`read_course` reads ``course.toml``, every assignment's solution, hints and checks,
and returns the course model with its exercises and their points, or raises a
:class:`~autograder.errors.CourseError` listing every problem with its file and line:

- an assignment without a solution file, public checks or hidden checks;
- a solution without markers, or with an exercise name that is not a valid name, is
  used twice across assignments, or is a name the checks need for themselves;
- a check that names no exercise, an exercise that does not exist or one of another
  assignment, asks for what it cannot have, or gives points it cannot;
- an exercise that no public check or no hidden check covers;
- a hint for an unknown exercise, a shipped file that imports what a notebook lacks;
- a torch.nn class the grader cannot rebuild (named in ``course.toml``, or returned by
  an exercise's reference solution without being allowed);
- a check that fails against the reference solution (it would fail every student).
"""
from __future__ import annotations

import ast
import builtins
import difflib
import re
import types
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from autograder.authoring.collect import CollectedCheck, collect_checks
from autograder.authoring.course_file import CourseFile, Problem, read_course_file
from autograder.authoring.source import SolutionFile, read_solution
from autograder.curriculum import (COURSE_FILE, PACKAGE_DIR, PROJECT_DIR, SOLUTIONS_DIR, Assignment, Course,
                                   name_problem)
from autograder.checking import hints
from autograder.checking.namespaces import load_namespace
from autograder.checking.runner import HIDDEN_DIR, PUBLIC_DIR, CheckRunner, Student, run_checks
from autograder.errors import CourseError, MarkerError
from autograder.nbgrader import check_cell
from autograder.sandbox import modules

#: what public checks and hints may import of the autograder: they are copied into a
#: notebook's ``public_checks.py``, where the autograder is not installed
HINTS_TOOLKIT = "autograder.checking.hints"
_WHERE = re.compile(r"^(.+?):(\d+): (.*)$", re.S)


class _Problems(list):
    def __init__(self, root: Path):
        super().__init__()
        self.root = root

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.append(Problem(self.name(path), line, message))

    def name(self, path: Path | str) -> str:
        path = Path(path)
        for base in (self.root, PACKAGE_DIR.parent):
            if path.is_absolute() and path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        return path.as_posix()


def reserved_names() -> dict[str, str]:
    """Names an exercise cannot have -> what uses them: a public check receives each
    exercise's function under the exercise's name, in a file that also holds the hints'
    toolkit and the check-cell runner (``nbgrader.checks_file``)."""
    found = {name: "a Python built-in" for name in dir(builtins)}
    for module in (hints, check_cell):
        found.update({name: f"{module.__name__}" for name in vars(module) if not name.startswith("__")})
    found.update(student="hidden checks (the student's functions)", reference="hidden checks (the solutions)",
                 torch="the checks' import of torch", nn="the checks' import of torch.nn",
                 pytest="the checks' import of pytest")
    return found


def read_course(course_dir: Path = PROJECT_DIR,
                solutions_dir: Path = SOLUTIONS_DIR) -> tuple[Course, dict[str, SolutionFile]]:
    """The course of ``course_dir/course.toml``, checked (every check is also run against the
    reference solutions), with its exercises and points, and each assignment's parsed
    solution. Raises CourseError listing every problem."""
    declared = read_course_file(course_dir)
    problems = _Problems(course_dir)
    solutions = _solutions(declared, solutions_dir, problems)
    _exercise_names(solutions, problems)
    _files(declared, problems)
    checks = _checks(declared, solutions, problems)
    course = declared.course
    if not problems:
        course = _with_exercises(course, solutions, checks)
        _run_against_reference(course, solutions, solutions_dir, checks, problems)
    if problems:
        raise CourseError(sorted(problems, key=lambda p: (p.path != COURSE_FILE, p.path, p.line)),
                          hint="fix these, then run `autograder build` again (nothing was written)")
    return course, solutions


def _solutions(declared: CourseFile, solutions_dir: Path, problems: _Problems) -> dict[str, SolutionFile]:
    solutions: dict[str, SolutionFile] = {}
    for assignment in declared.course.assignments:
        if not (solutions_dir / assignment.relpath).is_file():
            problems.add(COURSE_FILE, declared.line_of(assignment.name),
                         f"the assignment {assignment.name!r} has no solution file, {assignment.solution_relpath}: "
                         f"write it (`autograder new EXERCISE --assignment {assignment.name}` starts one) or "
                         "remove the assignment here.")
            continue
        try:
            solution = read_solution(solutions_dir, assignment.name)
        except MarkerError as err:
            where = _WHERE.match(err.message)
            problems.add(where.group(1), int(where.group(2)), where.group(3)) if where else \
                problems.add(assignment.solution_relpath, 1, err.message)
            continue
        except (OSError, UnicodeDecodeError) as err:
            problems.add(assignment.solution_relpath, 1, f"cannot be read: {err}.")
            continue
        if not solution.exercises:
            problems.add(assignment.solution_relpath, 1,
                         "no exercise: an exercise is a top-level function whose body holds its solution between "
                         "'### BEGIN SOLUTION' and '### END SOLUTION' lines.")
        solutions[assignment.name] = solution
    return solutions


def _exercise_names(solutions: dict[str, SolutionFile], problems: _Problems) -> None:
    reserved = reserved_names()
    owner: dict[str, tuple[str, int]] = {}
    for solution in solutions.values():
        for exercise in solution.exercises:
            line = solution.starts[exercise.name]
            problem = name_problem(exercise.name, "exercise")
            if problem:
                problems.add(solution.filename, line, problem)
            elif exercise.name in reserved:
                problems.add(solution.filename, line, f"{exercise.name!r} cannot name an exercise: checks need "
                                                      f"that name for {reserved[exercise.name]}.")
            elif exercise.name in owner:
                where, first = owner[exercise.name]
                problems.add(solution.filename, line, f"the exercise {exercise.name!r} is defined in {where} "
                                                      f"(line {first}) too: an exercise's name is unique in the course.")
            else:
                owner[exercise.name] = (solution.filename, line)


def _files(declared: CourseFile, problems: _Problems) -> None:
    """Each assignment has its check files; no check or hints file belongs to no assignment."""
    names = set(declared.course.names)
    for assignment in declared.course.assignments:
        for relpath, what in ((assignment.public_relpath, "public checks"), (assignment.hidden_relpath, "hidden checks")):
            if not (PACKAGE_DIR.parent / relpath).is_file():
                problems.add(COURSE_FILE, declared.line_of(assignment.name),
                             f"the assignment {assignment.name!r} has no {what} ({relpath}); `autograder new` "
                             "writes a first one.")
        for name in assignment.modules:
            problem = modules.extra_layer_problem(name)
            if problem:
                problems.add(COURSE_FILE, declared.line_of(assignment.name, "modules"), f"{assignment.name}: {problem}")
    for folder, prefixes in ((PACKAGE_DIR / "checks", ("public_", "hints_")), (PACKAGE_DIR / "hidden", ("hidden_",))):
        for path in sorted(folder.glob("*.py")):
            prefix = next((p for p in prefixes if path.name.startswith(p)), None)
            if prefix and path.stem.removeprefix(prefix) not in names:
                problems.add(path, 1, f"belongs to no assignment: {path.stem.removeprefix(prefix)!r} is not in "
                                      f"{COURSE_FILE}; declare the assignment there or delete this file.")


def _checks(declared: CourseFile, solutions: dict[str, SolutionFile],
            problems: _Problems) -> list[CollectedCheck]:
    course = declared.course
    exercise_of = {e.name: name for name, s in solutions.items() for e in s.exercises}
    paths: list[Path] = []
    for assignment in course.assignments:
        for relpath, shipped in ((assignment.public_relpath, True), (assignment.hints_relpath, True),
                                 (assignment.hidden_relpath, False)):
            path = PACKAGE_DIR.parent / relpath
            if path.is_file() and _parses(path, problems) and shipped:
                _shipped_imports(path, assignment, problems)
        _hints(assignment, exercise_of, problems)
        paths += [p for p in (PACKAGE_DIR.parent / assignment.public_relpath, PACKAGE_DIR.parent / assignment.hidden_relpath)
                  if p.is_file()]
    if problems:
        return []
    checks, errors = collect_checks(paths)
    for error in errors:
        problems.add(error.path, _error_line(error.path, error.text),
                     "the checks cannot be loaded: " + error.text.strip().splitlines()[-1][:300])
    assignment_of_file = {(PACKAGE_DIR.parent / a.public_relpath).resolve(): a.name for a in course.assignments}
    assignment_of_file.update({(PACKAGE_DIR.parent / a.hidden_relpath).resolve(): a.name for a in course.assignments})
    for check in checks:
        _check(check, assignment_of_file[check.path.resolve()], exercise_of, problems)
    _coverage(solutions, checks, exercise_of, problems)
    return checks


def _parses(path: Path, problems: _Problems) -> bool:
    try:
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except SyntaxError as err:
        problems.add(path, err.lineno or 1, f"does not parse: {err.msg}.")
        return False
    return True


def _shipped_imports(path: Path, assignment: Assignment, problems: _Problems) -> None:
    """Public checks and hints go into a notebook's ``public_checks.py`` with their imports of
    the autograder left out (the file defines those names itself): only the toolkit and the
    assignment's own hints can be imported so."""
    allowed = {HINTS_TOOLKIT, assignment.hints_module}
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] == "autograder"]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] if module.split(".")[0] == "autograder" and module not in allowed else []
            if module == "autograder.checks" or any(a.name == "*" for a in node.names):
                names = [module]
        else:
            continue
        for name in names:
            problems.add(path, node.lineno, f"imports {name}: shipped checks and hints may import from the "
                                            f"autograder only {HINTS_TOOLKIT} and {assignment.hints_module} "
                                            "(by name), as a notebook's public_checks.py holds just those.")


def _hints(assignment: Assignment, exercise_of: dict[str, str], problems: _Problems) -> None:
    path = PACKAGE_DIR.parent / assignment.hints_relpath
    if not path.is_file():
        return
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        return  # already said
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.endswith("_mistake"):
            exercise = node.name.removesuffix("_mistake")
            if exercise_of.get(exercise) != assignment.name:
                where = (f"an exercise of {exercise_of[exercise]!r}, not of {assignment.name!r}"
                         if exercise in exercise_of else "not an exercise of the course")
                problems.add(path, node.lineno, f"the hint {node.name} is for {exercise!r}, which is {where}: "
                                                "a hint is named <exercise>_mistake, beside its assignment's checks.")


def _error_line(path: Path, text: str) -> int:
    lines = [int(m) for m in re.findall(re.escape(str(path)) + r'", line (\d+)', text)]
    lines += [int(m) for m in re.findall(re.escape(str(path)) + r":(\d+)", text)]
    return lines[-1] if lines else 1


def _check(check: CollectedCheck, assignment: str, exercise_of: dict[str, str], problems: _Problems) -> None:
    def say(message: str) -> None:
        problems.add(check.path, check.line, f"the check {check.function} {message}")

    exercise = check.exercise
    if exercise is None:
        return say("has no @pytest.mark.exercise(NAME): say which exercise it grades.")
    if not isinstance(exercise, str) or exercise not in exercise_of:
        close = difflib.get_close_matches(str(exercise), list(exercise_of), n=1)
        return say(f"names the exercise {exercise!r}, which does not exist"
                   + (f" (did you mean {close[0]!r}?)." if close else "."))
    if exercise_of[exercise] != assignment:
        return say(f"grades {exercise!r} of the assignment {exercise_of[exercise]!r}: a check belongs in its "
                   "assignment's check file.")
    if check.hidden:
        if check.points is not None and (type(check.points) not in (int, float) or not 0 < check.points <= 1000):
            say(f"gives {check.points!r} points: @pytest.mark.points takes a number more than 0.")
        unknown = [n for n in check.asks_for if n not in ("student", "reference") and n not in exercise_of]
        if unknown:
            say(f"asks for {', '.join(unknown)}: a hidden check may ask for student, reference, exercise names "
                "and its parametrize arguments.")
        return
    if check.points is not None:
        say("is public and has @pytest.mark.points: only hidden checks give points (public ones only gate them).")
    unknown = [n for n in check.arguments if exercise_of.get(n) != assignment]
    if unknown:
        say(f"asks for {', '.join(unknown)}: a public check may ask only for exercise functions of its "
            "assignment, by name (a notebook's check cell runs it as it is: no fixtures, no parametrize).")


def _coverage(solutions: dict[str, SolutionFile], checks: list[CollectedCheck], exercise_of: dict[str, str],
              problems: _Problems) -> None:
    public = {c.exercise for c in checks if not c.hidden}
    hidden = {c.exercise for c in checks if c.hidden}
    for name, solution in solutions.items():
        assignment = Assignment(name=name, title=name)
        for exercise in solution.exercises:
            for covered, kind, relpath in ((public, "public", assignment.public_relpath),
                                           (hidden, "hidden", assignment.hidden_relpath)):
                if exercise.name not in covered:
                    problems.add(solution.filename, solution.starts[exercise.name],
                                 f"no {kind} check covers the exercise {exercise.name!r}: add one to {relpath}, "
                                 f"marked @pytest.mark.exercise({exercise.name!r}).")


def _with_exercises(course: Course, solutions: dict[str, SolutionFile], checks: list[CollectedCheck]) -> Course:
    """``course`` with each assignment's exercises, each with the points of its hidden checks."""
    points: dict[str, float] = {}
    for check in checks:
        if check.hidden:
            each = course.grading.points if check.points is None else float(check.points)
            points[check.exercise] = points.get(check.exercise, 0.0) + each * check.items
    assignments = tuple(replace(a, exercises=tuple(replace(e, points=points.get(e.name, 0.0))
                                                   for e in solutions[a.name].exercises))
                        for a in course.assignments)
    return replace(course, assignments=assignments)


def _run_against_reference(course: Course, solutions: dict[str, SolutionFile], solutions_dir: Path,
                           checks: list[CollectedCheck], problems: _Problems) -> None:
    """Run every check with the reference solutions in the student's place: each must pass
    (a check that fails them fails every student), and every module they return must be
    one the grader can rebuild."""
    reference = load_namespace(solutions_dir.resolve(), course.exercises, "solutions")
    returned: dict[str, set[str]] = {}

    def recording(name: str, function: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            value = function(*args, **kwargs)
            for module in _modules_in(value):
                returned.setdefault(name, set()).add(_class_name(module))
            return value

        return call

    functions = types.SimpleNamespace(**{e.name: recording(e.name, getattr(reference, e.name)) for e in course.exercises})
    records: list = []
    plugin = CheckRunner(["reference"], lambda _: Student(functions), lambda *_: None,
                         lambda _s, found: records.extend(found), reference=reference,
                         exercises=[e.name for e in course.exercises])
    run_checks([PUBLIC_DIR, HIDDEN_DIR], plugin)
    where = {(c.hidden, c.function): c for c in checks}
    for result in records:
        if not result.passed:
            check = where.get((result.hidden, result.check.split("[")[0]))
            problems.add(check.path if check else COURSE_FILE, check.line if check else 1,
                         f"the check {result.check} fails against the reference solution ({result.outcome.value}: "
                         f"{result.message[:300]}): it would fail every student.")
    for assignment in course.assignments:
        allowed = modules.allowed_layers(assignment.modules)
        for exercise in assignment.exercises:
            for name in sorted(returned.get(exercise.name, ())):
                if name not in allowed and name not in modules.CONTAINERS:
                    solution = solutions[assignment.name]
                    problems.add(solution.filename, solution.starts[exercise.name],
                                 f"{exercise.name} returns a module with {name}, which the grader cannot rebuild from "
                                 f"a student's answer: add \"{name}\" to modules of the assignment "
                                 f"{assignment.name!r} in {COURSE_FILE}.")


def _modules_in(value: Any, depth: int = 0) -> list:
    if isinstance(value, torch.nn.Module):
        return list(value.modules())
    if depth < 3 and isinstance(value, (list, tuple)):
        return [m for v in value for m in _modules_in(v, depth + 1)]
    if depth < 3 and isinstance(value, dict):
        return [m for v in value.values() for m in _modules_in(v, depth + 1)]
    return []


def _class_name(module: Any) -> str:
    """The torch.nn class name the grader would look up for ``module``; a class not of
    torch.nn gets its full name, which no allow-list holds."""
    cls = type(module)
    if getattr(torch.nn, cls.__name__, None) is cls:
        return cls.__name__
    return f"{cls.__module__}.{cls.__qualname__}"

"""The one rule: which of a student's files is which assignment's, on every path a class takes.

A file names an assignment by its own name (``names.file_name``: ``tensors.py``,
``Tensors (1).py``, ``tensors_final.ipynb`` ...) at any depth of the upload, inside a
zip the student uploaded as well; a notebook whose name names none is opened (a few,
shallowest first) and names the assignment whose answer cells it holds. When several
files name one assignment, the one graded is the first of them in this order:

1. a file that is not the unchanged stub (the released ``exercises/<assignment>.py``);
2. the latest submission (an LMS's submission number; 0 elsewhere);
3. a file in a folder named ``exercises``;
4. the shallowest;
5. the highest copy number a tool added (``tensors (2).py``, Canvas's ``tensors-2.py``);
6. the exact name (``tensors.py``);
7. ``.py`` before ``.ipynb``;
8. by path.

The student's feedback then says which file was graded and which were not.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from autograder.curriculum import Exercise
from autograder.intake.bounds import MAX_FILE_BYTES, MAX_NOTEBOOK_BYTES, MAX_STUDENT_FILES, MAX_UNNAMED_NOTEBOOKS
from autograder.intake.members import Budget, Member, expand_zip
from autograder.intake.names import KINDS, FileName, file_name
from autograder.intake.notebooks import ADVICE, answered_assignments, notebook_to_module, parse_notebook
from autograder.intake.submission import Submission
from autograder.intake.text import decode_source
from autograder.untrusted import StudentInputError, safe_name

MAX_LISTED = 5  #: files named in one line of feedback; the rest are counted


@dataclass
class Upload:
    """What one student handed in, as the adapters find it: members not yet read."""

    student: str
    label: str  #: how the instructor knows the entry (a folder, a zip, LMS file names)
    members: list[Member]
    problems: list[str]
    display: str = ""  #: the student's name in an LMS


@dataclass(frozen=True)
class Choice:
    """Which file was graded as an assignment's, and which others named it."""

    assignment: str
    graded: Member
    others: tuple[Member, ...]


def _listed(labels: list[str]) -> str:
    shown = ", ".join(safe_name(label) for label in labels[:MAX_LISTED])
    return shown + (f" and {len(labels) - MAX_LISTED} more" if len(labels) > MAX_LISTED else "")


def _expanded(members: list[Member], budget: Budget, problems: list[str]) -> list[Member]:
    """The members with each zip among them replaced by its files (one level: a zip in a
    zip is not opened), at most :data:`MAX_STUDENT_FILES` in all."""
    out: list[Member] = []
    for member in members:
        if file_name(member.name, ()).kind == "zip":
            try:
                out.extend(expand_zip(member, budget, problems))
            except StudentInputError as err:
                problems.append(err.message)
        else:
            out.append(member)
    if len(out) > MAX_STUDENT_FILES:
        problems.append(f"the submission holds more than {MAX_STUDENT_FILES:,} files; only the first "
                        f"{MAX_STUDENT_FILES:,}, shallowest first, were looked at")
        out.sort(key=lambda m: (m.path.count("/"), m.path))
        out = out[:MAX_STUDENT_FILES]
    return out


def _rank(member: Member, name: FileName, stub: bool) -> tuple:
    folders = member.folders
    return (stub, -member.order, not (folders and folders[-1].lower() == "exercises"), len(folders),
            -name.copy, not name.exact, KINDS.index(name.kind), member.path)


def _is_stub(member: Member, name: FileName, stubs: dict[str, bytes], budget: Budget) -> bool:
    stub = stubs.get(name.assignment or "")
    if name.kind != "py" or stub is None or member.size != len(stub):
        return False
    try:
        return member.read(MAX_FILE_BYTES, budget) == stub
    except StudentInputError:
        return False


def choose(upload: Upload, assignments: list[str], exercises: list[Exercise], stubs: dict[str, bytes],
           budget: Budget, parsed: dict[str, list[Any]], problems: list[str]) -> list[Choice]:
    """For each of ``assignments``, the file graded (by the rule above), if any names it.
    ``parsed`` gets the cells of notebooks opened to see whose answers they hold."""
    members = _expanded(upload.members, budget, problems)
    named: dict[str, list[tuple[Member, FileName]]] = {a: [] for a in assignments}
    unnamed: list[Member] = []
    for member in members:
        name = file_name(member.name, assignments)
        if name.assignment is not None:
            named[name.assignment].append((member, name))
        elif name.kind == "ipynb":
            unnamed.append(member)
    lacking = {a for a, found in named.items() if not found}
    for member in sorted(unnamed, key=lambda m: (m.path.count("/"), m.path))[:MAX_UNNAMED_NOTEBOOKS] if lacking else ():
        try:
            cells = parse_notebook(member.read(MAX_NOTEBOOK_BYTES, budget, ADVICE), safe_name(member.label))
        except StudentInputError:
            continue  # a notebook that names no assignment and cannot be read is not one of its files
        owners = answered_assignments(cells, exercises) & lacking
        if len(owners) == 1:
            (assignment,) = owners
            named[assignment].append((member, FileName("ipynb", assignment, 0, False)))
            parsed[member.path] = cells
    choices = []
    for assignment in assignments:
        found = named[assignment]
        if not found:
            continue
        ranked = sorted(found, key=lambda pair: _rank(pair[0], pair[1], len(found) > 1 and
                                                       _is_stub(pair[0], pair[1], stubs, budget)))
        choices.append(Choice(assignment, ranked[0][0], tuple(m for m, _ in ranked[1:])))
    return choices


def submission_of(upload: Upload, assignments: list[str], exercises: list[Exercise],
                  stubs: dict[str, bytes]) -> tuple[Submission, list[Choice]]:
    """The student's :class:`Submission`: each assignment's chosen file read (a ``.py``
    file decoded, a notebook made into its module), every reason in its problems."""
    budget = Budget()
    problems = list(upload.problems)
    parsed: dict[str, list[Any]] = {}
    sub = Submission(upload.student)
    choices = choose(upload, assignments, exercises, stubs, budget, parsed, problems)
    for choice in choices:
        member, relpath = choice.graded, f"{choice.assignment}.py"
        where = safe_name(member.label)
        if choice.others:
            problems.append(f"{choice.assignment}: {where} was graded; not graded: "
                            f"{_listed([m.label for m in choice.others])} (see the rule in the course's docs)")
        try:
            if file_name(member.name, ()).kind == "py":
                sub.files[relpath] = decode_source(member.read(MAX_FILE_BYTES, budget), where)
            else:
                cells = parsed.get(member.path)
                if cells is None:
                    cells = parse_notebook(member.read(MAX_NOTEBOOK_BYTES, budget, ADVICE), where)
                made = notebook_to_module(cells, where, choice.assignment, exercises, problems)
                if made is not None:
                    sub.files[relpath], sub.import_seconds[relpath] = made
        except StudentInputError as err:
            problems.append(err.message)
    if not choices and not problems:
        wanted = ", ".join(f"{a}.py" for a in assignments)
        problems.append(f"no assignment file was found in this submission ({wanted}, or their notebooks)")
    sub.problems = problems
    return sub, choices

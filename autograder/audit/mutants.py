"""Mutants: the reference solution with one mistake in one exercise's solution block.

Three sources: the mistake an assignment's catalogue holds for the exercise (``MISTAKES``
at the bottom of its hidden checks, an edit of the solution), the course's own mistakes
(``[[mistake]]`` in ``audit.toml``), and the operators (``audit.operators``); a mutant two
of them make is labelled by the first. A mutant is named by its exercise and a digest of its code, so that the
name stays the same while the reference and the mutant do, whatever else changes.
"""
from __future__ import annotations

import ast
import difflib
import hashlib
import importlib
import textwrap
from dataclasses import dataclass

from autograder.audit.audit_file import Mistake
from autograder.audit.operators import Context, Edit, mutations
from autograder.authoring.source import SolutionBlock, SolutionFile
from autograder.curriculum import BEGIN_SOLUTION, END_SOLUTION, Assignment

CATALOGUE = "catalogue"  #: the operator name of a mistake from an assignment's catalogue
COURSE_MISTAKE = "course mistake"  #: ... and of one from audit.toml


@dataclass(frozen=True)
class Mutant:
    id: str  #: ``<exercise>.<8 hex digits>``: a student id, and the key audit.toml lists it by
    exercise: str
    assignment: str
    operator: str
    change: str  #: what the student wrote instead, in a few words
    line: int  #: the line of the solution file the change is on
    code: str  #: the solution block as the mutant has it (dedented)
    diff: str  #: the block's unified diff against the reference's


def mutant_id(exercise: str, code: str) -> str:
    digest = hashlib.sha256(exercise.encode() + b"\0" + code.encode()).hexdigest()
    return f"{exercise}.{digest[:8]}"


def _block(solution: SolutionFile, exercise: str) -> SolutionBlock:
    return next(b for b in solution.blocks if b.exercise == exercise)


def block_source(solution: SolutionFile, exercise: str) -> str:
    """The exercise's solution block as written, with the file's indentation."""
    block = _block(solution, exercise)
    return "\n".join(solution.lines[block.begin + 1:block.end]) + "\n"


def _normal(code: str) -> str:
    """Code as the report shows and compares it: parsed and written back (one spelling per meaning of layout)."""
    return ast.unparse(ast.parse(textwrap.dedent(code)))


def _context(solution: SolutionFile, exercise: str, public_answer: str) -> Context:
    node = next(n for n in solution.tree.body if isinstance(n, ast.FunctionDef) and n.name == exercise)
    parameters = tuple(a.arg for a in node.args.posonlyargs + node.args.args)
    return Context(parameters, ast.unparse(node.returns) if node.returns else "", public_answer)


def catalogue_mistakes(assignment: Assignment) -> dict[str, tuple[str, str]]:
    """The assignment's catalogue: exercise -> (right text, wrong text) in its solution file."""
    return dict(getattr(importlib.import_module(assignment.hidden_module), "MISTAKES", {}))


def exercise_mutants(solution: SolutionFile, exercise: str, catalogue: tuple[str, str] | None,
                     mistakes: list[Mistake], public_answer: str = "") -> tuple[list[Mutant], list[str]]:
    """The exercise's mutants, and notes on what could not be made into one. ``public_answer``:
    what the reference returns in the first public check, as code (see ``reference.literal``)."""
    raw = block_source(solution, exercise)
    reference = _normal(raw)
    first_line = _block(solution, exercise).begin + 1  # 0-based index of the block's first line
    edits: list[Edit] = []  # the named mistakes first: a mutant an operator also makes is labelled by them
    notes: list[str] = []
    if catalogue is not None:
        right, wrong = catalogue
        if right in raw:
            edit = _edit_of(CATALOGUE, f"`{' '.join(wrong.split())[:60] or 'nothing'}` for `{' '.join(right.split())[:60]}`",
                            raw.replace(right, wrong, 1), notes, f"the catalogue's mistake for {exercise}",
                            raw[:raw.index(right)].count("\n") + 1)
            if edit:
                edits.append(edit)
        else:
            notes.append(f"the catalogue's mistake for {exercise} edits text its solution block no longer has.")
    for mistake in mistakes:
        edit = _edit_of(COURSE_MISTAKE, mistake.why, mistake.code, notes, f"audit.toml:{mistake.line}", 1)
        if edit:
            edits.append(edit)
    edits += mutations(textwrap.dedent(raw), _context(solution, exercise, public_answer))
    found: dict[str, Mutant] = {}
    for edit in edits:
        code = edit.code
        if code == reference or any(m.code == code for m in found.values()):
            continue
        text = student_file(solution, exercise, code)
        try:
            compile(text, solution.filename, "exec")
        except SyntaxError as err:
            notes.append(f"{edit.operator} ({edit.change}) gives code that does not compile ({err.msg}): left out.")
            continue
        diff = "\n".join(difflib.unified_diff(reference.splitlines(), code.splitlines(), "reference", "mutant",
                                              lineterm="", n=1))
        mutant = Mutant(mutant_id(exercise, code), exercise, solution.assignment, edit.operator, edit.change,
                        first_line + edit.line, code, diff)
        found[mutant.id] = mutant
    return list(found.values()), notes


def _edit_of(operator: str, change: str, code: str, notes: list[str], where: str, line: int) -> Edit | None:
    try:
        return Edit(operator, change, line, _normal(code))
    except SyntaxError as err:
        notes.append(f"{where} does not parse ({err.msg}): left out.")
        return None


def student_file(solution: SolutionFile, exercise: str | None = None, code: str = "") -> str:
    """The assignment's file as a student hands it in: markers taken out, and ``exercise``'s
    block replaced by ``code`` (None: the reference as it is)."""
    lines = list(solution.lines)
    if exercise is not None:
        block = _block(solution, exercise)
        body = textwrap.indent(code.rstrip("\n") + "\n", block.indent).splitlines()
        lines[block.begin + 1:block.end] = body
    return "\n".join(line for line in lines if line.strip() not in (BEGIN_SOLUTION, END_SOLUTION)) + "\n"

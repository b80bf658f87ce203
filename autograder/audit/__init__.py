"""``autograder audit``: mutation analysis of the course's checks.

Each exercise's reference solution is mutated the ways students get it wrong (a table of
operators, the assignment's catalogue of mistakes, the course's own in ``audit.toml``);
every mutant is one more student in one class, graded by the real sandboxed engine; the
report says which checks killed each mutant, whether the message named the mistake, and
which survived. See docs/audit.md.
"""
from autograder.audit.report import AuditReport, ExerciseAudit, MutantFate, render
from autograder.audit.run import AuditOptions, audit

__all__ = ["AuditOptions", "AuditReport", "ExerciseAudit", "MutantFate", "audit", "render"]

"""Auto-graded PyTorch exercises: stubs generated from reference solutions, public checks
for students, hidden checks run in a sandbox for instructors, and nbgrader packaging.

The package root imports nothing heavy: the grader forks sandboxed workers from a
process that must never have loaded hidden checks or solutions.
"""

__all__ = ["AutograderError", "main"]

from autograder.cli import main
from autograder.errors import AutograderError

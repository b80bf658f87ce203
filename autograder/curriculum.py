"""The exercises, discovered from the reference solutions (the one source of truth).

An exercise is a top-level function in ``solutions/<assignment>.py`` whose body holds
a ``### BEGIN SOLUTION`` block. The assignment is the file; its order is the order of
``ASSIGNMENTS``; the exercises keep the order in which the file defines them.
"""
from __future__ import annotations

import difflib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import UsageError

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
#: the reference solutions: next to the package in a checkout; where the package is installed
#: (a Gradescope autograder), wherever ``AUTOGRADER_SOLUTIONS`` says
SOLUTIONS_DIR = Path(os.environ.get("AUTOGRADER_SOLUTIONS") or PROJECT_DIR / "solutions")
MANIFEST_NAME = "manifest.json"
MANIFEST = PACKAGE_DIR / MANIFEST_NAME

#: assignment name -> human title, in teaching order
ASSIGNMENTS = {
    "tensors": "Tensors",
    "layers": "Layers and parameters",
    "activations": "Activations and the forward pass",
}

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"


@dataclass(frozen=True)
class Exercise:
    name: str  #: the function's name, also the exercise's name everywhere
    assignment: str  #: the file stem: tensors, layers, activations
    docstring: str
    signature: str  #: e.g. ``create_tensor(data: Any) -> torch.Tensor``

    @property
    def relpath(self) -> str:
        return f"{self.assignment}.py"

    @property
    def module(self) -> str:
        return f"exercises.{self.assignment}"


def resolve_names(requested: list[str], known: list[str]) -> list[str]:
    """Validate exercise (or assignment) names typed by a user, suggesting fixes for typos."""
    for name in requested:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else "known exercises: " + ", ".join(known)
            raise UsageError(f"There is no exercise called {name!r}.", hint=hint)
    return requested


def load_manifest() -> list[Exercise]:
    """The exercises, as ``autograder build`` recorded them (works without solutions/)."""
    data = json.loads(MANIFEST.read_text(encoding="utf-8"))
    return [Exercise(**entry) for entry in data["exercises"]]

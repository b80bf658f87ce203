"""What the nbgrader tests share: running the real nbgrader command, and students' notebooks."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
ASSIGNMENT = "tensors"


def nbgrader(*args: str, cwd: Path, home: Path | None = None) -> subprocess.CompletedProcess:
    """``nbgrader *args`` in ``cwd``, which must succeed (with the venv's programs on PATH:
    nbgrader runs ``alembic`` from there)."""
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}"}
    if home:
        env["HOME"] = str(home)
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def solutions_of(course: Path) -> dict[str, str]:
    """answer cell grade id -> the reference solution, from the course's source notebook."""
    nb = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    return {c["metadata"]["nbgrader"]["grade_id"]: "\n".join(l for l in c["source"].splitlines() if "### " not in l)
            for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("solution")}


def fill(notebook: Path, answers: dict[str, str]) -> None:
    """Put ``answers`` (grade id -> source) into the cells of ``notebook`` with those ids."""
    nb = json.loads(notebook.read_text())
    for cell in nb["cells"]:
        grade_id = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell["source"] = answers[grade_id]
    notebook.write_text(json.dumps(nb))


def read_export(course: Path) -> dict[str, dict[str, str]]:
    """student -> row of the grades.csv ``nbgrader export`` wrote in ``course``."""
    with (course / "grades.csv").open() as f:
        return {row["student_id"]: row for row in csv.DictReader(f)}

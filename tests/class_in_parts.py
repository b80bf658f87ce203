"""A small class whose students fall in each of three parts, and how tests grade it in parts."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT, hostile, solution_copy, write_student

#: students spread over three parts (``part_of``: hana, ivo in 1; cleo, dan, jo in 2; ada, ben, eve in 3)
STUDENTS = {
    "ada": solution_copy(),
    "ben": solution_copy({"activations.py": [("    return torch.softmax(logits, dim=dim)\n",
                                              "    return torch.softmax(logits, dim=0)\n")]}),
    "cleo": hostile("    raise ValueError('no idea')\n"),
    "dan": solution_copy({"tensors.py": [("    return torch.tensor(data)\n", "    return torch.Tensor(data)\n")]}),
    "eve": hostile("    return 'float32'\n"),
    "hana": solution_copy(),
    "ivo": hostile("    import os\n    os._exit(3)\n"),
    "jo": {"tensors.py": "def create_tensor(data):\n    return data\n"},  # one file only, and wrong
}


def write_class(subs: Path, strays: bool = True) -> None:
    """The class in ``subs``; ``strays``: with an entry that is nobody's and one that gets no grade."""
    for student, files in STUDENTS.items():
        write_student(subs / student, files)
    if strays:
        (subs / "roster.txt").write_text("not a submission\n")  # nobody's: recorded, not graded
        write_student(subs / "no name!", solution_copy())  # perhaps a student's, with no valid id: not graded


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder``, by relative path, with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def grade_parts(subs: Path, base: Path, count: int, *extra: str, cwd: Path = ROOT,
                numbers: list[int] | None = None) -> list[Path]:
    """Parts of ``subs`` graded at the same time, each by its own process, into
    ``base/part-K``; their folders. ``cwd``: the checkout that grades them."""
    folders, procs = [], []
    for k in numbers or range(1, count + 1):
        folders.append(base / f"part-{k}")
        procs.append(subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out",
                                       str(folders[-1]), "--part", f"{k}/{count}", "--jobs", "1", "--quiet", *extra],
                                      cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      env={**os.environ, "PYTHONPATH": str(cwd)}))
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=600)
        assert proc.returncode == 0, stdout + stderr  # an entry with no grade is the merge's to report
    return folders

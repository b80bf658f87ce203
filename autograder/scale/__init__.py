"""Grading beyond one machine, on the engines universities already run: the job scripts
for Slurm (``slurm/``) and the Kubernetes manifest (``kubernetes.yaml``) that grade a
class in parts (``autograder grade --part K/N``) and merge them (``autograder merge``).
They are files for instructors to copy and adapt (docs/scale.md); nothing here is
imported by the grader, and none of it is in the student kit."""
from __future__ import annotations

from pathlib import Path

SCALE_DIR = Path(__file__).resolve().parent
SLURM_SUBMIT = SCALE_DIR / "slurm" / "submit.sh"
SLURM_PART = SCALE_DIR / "slurm" / "grade-part.sbatch"
SLURM_MERGE = SCALE_DIR / "slurm" / "merge.sbatch"
KUBERNETES = SCALE_DIR / "kubernetes.yaml"

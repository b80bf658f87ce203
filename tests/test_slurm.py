"""The Slurm scripts the package ships (autograder/scale/slurm/), on a real one-node cluster
started for the test: a job array grades the class in three parts, a dependent job merges
them, and the merged folder is a single run's, byte for byte.

Where the cluster cannot run (no Slurm, not root) the test says so and does not pass: it
is skipped with the reason on a laptop, and fails in CI (``CI`` set) or as root where
.ci/install-debian could install Slurm."""
from __future__ import annotations

import os
import sys

import pytest

from autograder.scale import SLURM_SUBMIT
from tests.class_in_parts import STUDENTS, tree, write_class
from tests.helpers import ROOT, run_cli
from tests.slurm_cluster import absent, one_node_cluster


def _require_slurm() -> None:
    why = absent()
    if why is None:
        return
    reason, must_run = why
    if must_run:
        pytest.fail(f"The Slurm test did not run: {reason}.")
    pytest.skip(f"The Slurm test did not run: {reason} (CI runs it).")


@pytest.mark.slow
def test_a_job_array_and_a_dependent_merge_give_a_single_runs_files(tmp_path):
    _require_slurm()
    subs, parts, out = tmp_path / "subs", tmp_path / "parts", tmp_path / "out"
    write_class(subs, strays=False)
    # the jobs inherit the submitter's environment: `autograder` on PATH, this checkout's package
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "autograder").write_text(f"#!/bin/sh\nexec {sys.executable} -m autograder \"$@\"\n")
    (bin_dir / "autograder").chmod(0o755)
    with one_node_cluster() as cluster:
        env = {**cluster.env, "PATH": f"{bin_dir}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT)}
        array, merge = cluster.run(str(SLURM_SUBMIT), str(subs), str(parts), str(out), "3", "--cpus-per-task=1",
                                   env=env).split()
        state = cluster.wait(merge, timeout=900)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in sorted((parts / "logs").glob("*.txt")))
        assert state["JobState"] == "COMPLETED" and state["ExitCode"] == "0:0", f"{state}\n{logs}"
        tasks = cluster.run("scontrol", "show", "job", "-o", array).strip().splitlines()
        assert len(tasks) == 3 and all("JobState=COMPLETED" in t for t in tasks), tasks
    for k, students in ((1, ["hana", "ivo"]), (2, ["cleo", "dan", "jo"]), (3, ["ada", "ben", "eve"])):
        assert sorted(p.stem for p in (parts / f"part-{k}" / "results").glob("*.json")) == students
    assert "Merged 3 parts" in (parts / "logs" / "merge.txt").read_text()
    single = run_cli("grade", str(subs), "--out", str(tmp_path / "single"), "--quiet")
    assert single.returncode == 0, single.stderr
    expected = tree(tmp_path / "single")
    assert len(expected) == 3 + 2 * len(STUDENTS) and tree(out) == expected

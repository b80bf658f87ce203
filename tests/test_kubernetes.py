"""The Kubernetes manifest the package ships (autograder/scale/kubernetes.yaml): an Indexed
Job of parts and a merge Job. The test reads it as Kubernetes would, runs each pod's
command here with the variables Kubernetes sets (``JOB_COMPLETION_INDEX``), the volume at a
local folder, then the merge's, and compares with a single run byte for byte."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from autograder.scale import KUBERNETES
from tests.class_in_parts import STUDENTS, tree, write_class
from tests.helpers import ROOT, run_cli


def jobs() -> dict[str, dict]:
    """The manifest's objects, by their ``autograder-step`` label."""
    documents = list(yaml.safe_load_all(KUBERNETES.read_text()))
    assert all(d["apiVersion"] == "batch/v1" and d["kind"] == "Job" for d in documents)
    return {d["metadata"]["labels"]["autograder-step"]: d for d in documents}


def test_docs_scale_shows_the_manifest_as_shipped():
    doc = (ROOT / "docs" / "scale.md").read_text()
    block = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    assert block == KUBERNETES.read_text()


def container(job: dict) -> dict:
    [only] = job["spec"]["template"]["spec"]["containers"]
    return only


def test_the_parts_are_an_indexed_job_whose_part_count_is_its_completions():
    parts, merge = jobs()["parts"], jobs()["merge"]
    spec = parts["spec"]
    assert spec["completionMode"] == "Indexed" and spec["template"]["spec"]["restartPolicy"] == "Never"
    for job in (parts, merge):
        env = {v["name"]: v["value"] for v in container(job)["env"]}
        assert env["PARTS"] == str(spec["completions"])  # Kubernetes tells a pod its index, not the count
        mounts = {m["name"]: m["mountPath"] for m in container(job)["volumeMounts"]}
        pod = job["spec"]["template"]["spec"]
        volumes = {v["name"]: v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"]}
        assert mounts == {"data": "/data"} and volumes == {"data": "autograder-data"}
    assert "JOB_COMPLETION_INDEX" in " ".join(container(parts)["command"])


def _run(job: dict, data: Path, bin_dir: Path, extra: dict[str, str]) -> subprocess.CompletedProcess:
    """``job``'s container command, here: its variables, the volume's path made local."""
    spec = container(job)
    env = {v["name"]: v["value"].replace("/data", str(data)) for v in spec["env"]}
    return subprocess.run(spec["command"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env, **extra, "PATH": f"{bin_dir}:{os.environ['PATH']}",
                               "PYTHONPATH": str(ROOT)})


@pytest.mark.slow
def test_each_pods_command_then_the_merges_give_a_single_runs_files(tmp_path):
    data = tmp_path / "data"
    write_class(data / "submissions", strays=False)
    bin_dir = tmp_path / "bin"  # the image's `autograder`: this checkout's
    bin_dir.mkdir()
    (bin_dir / "autograder").write_text(f"#!/bin/sh\nexec {sys.executable} -m autograder \"$@\"\n")
    (bin_dir / "autograder").chmod(0o755)
    parts, merge = jobs()["parts"], jobs()["merge"]
    count = parts["spec"]["completions"]
    for index in range(count):
        done = _run(parts, data, bin_dir, {"JOB_COMPLETION_INDEX": str(index)})
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"Part {index + 1}/{count} of the class" in done.stdout
    merged = _run(merge, data, bin_dir, {})
    assert merged.returncode == 0 and f"Merged {count} parts" in merged.stdout, merged.stdout + merged.stderr
    single = run_cli("grade", str(data / "submissions"), "--out", str(tmp_path / "single"), "--quiet")
    assert single.returncode == 0, single.stderr
    expected = tree(tmp_path / "single")
    assert len(expected) == 3 + 2 * len(STUDENTS) and tree(data / "class") == expected

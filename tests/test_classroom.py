"""The kit as a GitHub Classroom template: its .github/workflows/classroom.yml, read as
GitHub reads it, has the autograding format (a command-grader step per exercise, the
reporter reading each step's result), and each step's command, run in the kit as the
command grader runs it, fails on the stubs and passes with the reference answers."""
from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from autograder.authoring import build
from autograder.authoring.classroom import COMMAND_GRADER, REPORTER, WORKFLOW_RELPATH, classroom_workflow, fractional
from autograder.curriculum import Assignment, Course, Exercise, course
from tests.helpers import solution_copy

GRADER_INPUTS = {"test-name", "setup-command", "command", "timeout", "max-score"}


@pytest.fixture(scope="module")
def kit(tmp_path_factory) -> Path:
    return build.student_kit(tmp_path_factory.mktemp("classroom") / "kit")


def steps(kit: Path) -> list[dict]:
    workflow = yaml.safe_load((kit / WORKFLOW_RELPATH).read_text())
    # YAML 1.1 reads a bare `on` as true: GitHub's own templates quote it, as this one does
    assert workflow["on"] == ["push", "repository_dispatch"] and True not in workflow
    assert workflow["permissions"] == {"checks": "write", "actions": "read", "contents": "read"}
    [job] = workflow["jobs"].values()
    assert job["runs-on"] == "ubuntu-latest" and "github-classroom[bot]" in job["if"]
    return job["steps"]


def test_the_workflow_has_a_command_grader_step_per_exercise_and_the_reporter(kit):
    found = steps(kit)
    graders = [s for s in found if s.get("uses") == COMMAND_GRADER]
    exercises = course().exercises
    assert [s["id"] for s in graders] == [e.name for e in exercises]
    for step, exercise in zip(graders, exercises):
        assert set(step["with"]) == GRADER_INPUTS
        assert step["with"]["command"] == f"autograder check {exercise.name}"
        assert step["with"]["max-score"] == exercise.points and isinstance(step["with"]["max-score"], int)
        assert step["with"]["test-name"] == exercise.name and 0 < step["with"]["timeout"] <= 360
    assert sum(s["with"]["max-score"] for s in graders) == course().points
    # installed once, before the graders, with torch for the CPU
    install = found.index(next(s for s in found if "pip install" in s.get("run", "")))
    assert install < found.index(graders[0]) and "download.pytorch.org/whl/cpu" in found[install]["run"]
    assert found[0]["uses"].startswith("actions/checkout@")
    reporter = found[-1]
    assert reporter["uses"] == REPORTER
    ids = [s["id"] for s in graders]
    assert reporter["with"]["runners"].split(",") == ids
    # the reporter reads each runner's result from <ID upper-cased>_RESULTS
    assert reporter["env"] == {f"{i.upper()}_RESULTS": f"${{{{steps.{i}.outputs.result}}}}" for i in ids}


def test_the_kit_readme_says_the_classroom_score_is_the_public_part_only(kit):
    readme = (kit / "README.md").read_text()
    assert "GitHub Classroom" in readme and "public part only" in readme and "hidden checks" in readme


def test_fractional_points_are_rounded_down_as_classroom_counts_them_and_named():
    halves = Exercise("halves", "a", "", "halves()", points=2.5)
    whole = Course("c", "C", (Assignment("a", "A", exercises=(halves,)),))
    assert "max-score: 2\n" in classroom_workflow(whole)
    assert fractional(whole) == [halves] and fractional(course()) == []


def _run_step(command: str, kit: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    """``command`` as the command grader runs it: through a shell, in the repository, with
    only PATH and HOME of the runner's environment (the kit is installed: `autograder` is on PATH)."""
    return subprocess.run(command, shell=True, cwd=kit, capture_output=True, text=True, timeout=300,
                          env={"PATH": f"{bin_dir}:/usr/bin:/bin", "HOME": str(kit)})


@pytest.mark.slow
def test_every_step_fails_on_the_stubs_and_passes_with_the_reference_answers(kit, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "autograder").write_text(f"#!/bin/sh\nPYTHONPATH={kit} exec {sys.executable} -m autograder \"$@\"\n")
    (bin_dir / "autograder").chmod(0o755)
    commands = [s["with"]["command"] for s in steps(kit) if s.get("uses") == COMMAND_GRADER]
    with ThreadPoolExecutor(2) as pool:
        on_stubs = list(pool.map(lambda c: _run_step(c, kit, bin_dir), commands))
    for command, result in zip(commands, on_stubs):
        assert result.returncode == 1 and "TODO" in result.stdout, (command, result.stdout, result.stderr)
    for name, text in solution_copy().items():  # the reference answers, as a student hands them in
        (kit / "exercises" / name).write_text(text)
    with ThreadPoolExecutor(2) as pool:
        answered = list(pool.map(lambda c: _run_step(c, kit, bin_dir), commands))
    for command, result in zip(commands, answered):
        assert result.returncode == 0 and "[ PASS]" in result.stdout, (command, result.stdout, result.stderr)
        assert "1 of 1 exercises pass" in result.stdout

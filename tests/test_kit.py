import subprocess
import sys
import zipfile

from autograder.authoring import build
from autograder.authoring.stubs import solution_bodies
from autograder.curriculum import course

from tests.helpers import SOLUTIONS


def _all_text(folder):
    texts = {}
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".zip":
                with zipfile.ZipFile(path) as z:
                    data += b"".join(z.read(n) for n in z.namelist())
            texts[path] = data.decode("utf-8", errors="replace")
    return texts


def test_student_kit_has_no_solution_or_hidden_check_and_check_runs(tmp_path):
    kit = build.student_kit(tmp_path / "kit")
    names = {p.relative_to(kit).as_posix() for p in kit.rglob("*")}
    assert "exercises/tensors.py" in names and "autograder/checks/public_tensors.py" in names
    assert not any(n.startswith("solutions") or "/hidden" in n or n.endswith((".pyc", ".pyo")) for n in names), names
    texts = _all_text(kit)
    bodies = {}
    for path in SOLUTIONS.glob("*.py"):
        bodies.update(solution_bodies(path.read_text(), path.name))
    normalised = {p: "\n".join(line.strip() for line in t.splitlines() if line.strip()) for p, t in texts.items()}
    for exercise, body in bodies.items():
        leaks = [str(p) for p, t in normalised.items() if body in t]
        assert not leaks, f"the solution of {exercise} ({body!r}) is in {leaks}"
    hidden_markers = ["def test_count_parameters_models", "wrong_dim = torch.softmax",
                      "Linear with BatchNorm1d (buffers are not parameters)"]
    for marker in hidden_markers:
        assert not [p for p, t in texts.items() if marker in t], marker
    # the kit's own check command runs from the kit, not from this repository
    env_python = sys.executable
    where = subprocess.run([env_python, "-c", "import autograder; print(autograder.__file__)"], cwd=kit,
                           capture_output=True, text=True, env={"PYTHONPATH": str(kit), "PATH": "/usr/bin:/bin"})
    assert where.stdout.startswith(str(kit)), where
    run = subprocess.run([env_python, "-m", "autograder", "check"], cwd=kit, capture_output=True, text=True,
                         env={"PYTHONPATH": str(kit), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1 and run.stdout.count("TODO") == len(course().exercises), run.stdout + run.stderr
    refused = subprocess.run([env_python, "-m", "autograder", "build"], cwd=kit, capture_output=True, text=True,
                             env={"PYTHONPATH": str(kit), "PATH": "/usr/bin:/bin"})
    assert refused.returncode == 2 and "not part of the student kit" in refused.stderr
    for command in (["grade", str(kit / "exercises"), "--out", str(tmp_path / "out")], ["merge", str(kit), "--out",
                                                                                         str(tmp_path / "m")]):
        refused = subprocess.run([env_python, "-m", "autograder", *command], cwd=kit, capture_output=True, text=True,
                                 env={"PYTHONPATH": str(kit), "PATH": "/usr/bin:/bin"})
        assert refused.returncode == 2 and "not part of the student kit" in refused.stderr, refused.stderr
        assert "Traceback" not in refused.stderr and not (tmp_path / "out").exists()


def test_kit_refuses_non_empty_destination(tmp_path):
    (tmp_path / "x").write_text("keep me")
    from tests.helpers import run_cli

    result = run_cli("build", "--student-kit", str(tmp_path))
    assert result.returncode == 2 and "not empty" in result.stderr and (tmp_path / "x").read_text() == "keep me"


def test_the_kits_requirements_admit_the_newest_torch_of_every_laptop(tmp_path):
    """No network: the kit's torch range against a recorded table of the newest wheel per
    platform (tests/data/torch_wheels.json); the grading pin (2.13.0) is not the kit's."""
    import json
    import tomllib

    from packaging.requirements import Requirement

    from tests.helpers import ROOT

    kit = build.student_kit(tmp_path / "kit")
    assert not (kit / "constraints.txt").exists()
    requirements = [Requirement(r) for r in tomllib.loads((kit / "pyproject.toml").read_text())["project"]["dependencies"]]
    table = json.loads((ROOT / "tests" / "data" / "torch_wheels.json").read_text())
    for platform, wheel in table["platforms"].items():
        environment = {"platform_system": wheel["system"], "platform_machine": wheel["machine"], "python_version": "3.11"}
        applying = [r for r in requirements if r.marker is None or r.marker.evaluate(environment)]
        torch = next(r for r in applying if r.name == "torch")
        assert torch.specifier.contains(wheel["newest"]), (platform, str(torch))
        numpy = [r for r in applying if r.name == "numpy"]
        if wheel["newest"].startswith("2.2."):  # built against numpy 1
            assert any(not r.specifier.contains("2.0.0") for r in numpy), platform
            assert any(r.specifier.contains(table["numpy on Intel Mac with numpy<2"]) for r in numpy)
    readme = (kit / "README.md").read_text()
    assert "py -m venv .venv" in readme and ".venv\\Scripts\\autograder check" in readme  # Windows
    assert "python3 -m venv .venv" in readme and ".venv/bin/autograder check" in readme  # macOS, Linux
    assert "-c constraints.txt" not in readme and "torch 2.13.0" in readme


def test_making_a_kit_writes_no_course_into_the_checkout(tmp_path):
    """`build --student-kit DIR` writes the kit, not also an nbgrader course/ beside the
    solutions (the solutions are a copy here, so the course would land in tmp_path)."""
    import shutil

    from tests.helpers import ROOT, run_cli

    shutil.copytree(ROOT / "solutions", tmp_path / "solutions")
    env = {"AUTOGRADER_SOLUTIONS": str(tmp_path / "solutions")}
    result = run_cli("build", "--student-kit", str(tmp_path / "kit"), env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kit" / "exercises").is_dir() and not (tmp_path / "course").exists()
    result = run_cli("build", "--student-kit", str(tmp_path / "kit2"), "--course", str(tmp_path / "c"), env=env)
    assert result.returncode == 0 and (tmp_path / "c" / "nbgrader_config.py").is_file(), result.stderr

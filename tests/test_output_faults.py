"""Faults of the instructor's machine named as such: a full disk, an output folder that
vanishes during the run, a file that cannot be written. Each is one line naming the path
and the cause, exit status 2, the outputs whole as they were; the same command finishes
the run once the cause is gone."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from autograder.grading.results import read_results_text
from tests.helpers import ROOT, needs_root, run_cli, solution_copy, write_student

EXAMPLES = ROOT / "examples" / "submissions"


def one_line(result: subprocess.CompletedProcess, *parts: str) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert all(part in lines[0] for part in parts), lines[0]
    return lines[0]


def assert_whole(out: Path) -> None:
    """Every output the failed run left is whole: results read back, no temporary file."""
    for path in (p for p in (out / "results").glob("*.json") if p.is_file()):
        read_results_text(path.read_text(encoding="utf-8"))
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]


@needs_root
@pytest.mark.slow
def test_a_full_disk_is_named_and_the_same_command_finishes_once_space_is_freed(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk)], check=True)
    try:
        stat = os.statvfs(disk)
        filler = disk / "filler"
        filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 64 * 1024))  # room for two or three students
        out = disk / "out"
        full = run_cli("grade", str(EXAMPLES), "--out", str(out), "--quiet")
        line = one_line(full, f"Cannot write {out}/", "No space left on device")
        assert "Traceback" not in full.stderr and "grader itself failed" not in line
        assert_whole(out)
        assert not (out / "grades.csv").exists()
        written = len(list((out / "results").glob("*.json")))
        assert written < 5
        filler.unlink()
        again = run_cli("grade", str(EXAMPLES), "--out", str(out), "--quiet")
        assert again.returncode == 0, again.stderr
        assert f"({5 - written} now, {written} unchanged" in again.stdout
        elsewhere = run_cli("grade", str(EXAMPLES), "--out", str(tmp_path / "elsewhere"), "--quiet")
        assert elsewhere.returncode == 0, elsewhere.stderr
        assert (out / "grades.csv").read_bytes() == (tmp_path / "elsewhere" / "grades.csv").read_bytes()
        for kind in ("results", "feedback"):
            for path in (tmp_path / "elsewhere" / kind).iterdir():
                assert (out / kind / path.name).read_bytes() == path.read_bytes(), path.name
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_file_that_cannot_be_written_is_named(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_student(subs / "ada", solution_copy())
    (out / "results" / "ada.json").mkdir(parents=True)  # what os.replace cannot replace
    result = run_cli("grade", str(subs), "--out", str(out), "--quiet")
    one_line(result, f"Cannot write {out / 'results' / 'ada.json'}: Is a directory.")
    assert_whole(out)
    assert not (out / "grades.csv").exists()


def test_an_output_folder_that_vanishes_during_the_run_is_named(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_student(subs / "a_quick", solution_copy())
    write_student(subs / "b_slow", solution_copy({"tensors.py": [(
        "    return torch.tensor(data)\n", "    import time\n    time.sleep(0.3)\n    return torch.tensor(data)\n")]}))
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", "1",
                             "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (out / "results" / "a_quick.json").exists():
        time.sleep(0.02)
    shutil.rmtree(out)  # the slow student is being graded: its reports have nowhere to go
    stdout, stderr = proc.communicate(timeout=300)
    one_line(subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr),
             f"Cannot write {out}/", "No such file or directory")
    assert not out.exists()

"""``autograder check`` on a student's own machine: a wall-clock limit per exercise (TIME), a
crash of the process (ERROR), Ctrl-C, and assignment names; run as students run it."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from tests.helpers import ROOT, run_cli, solution_copy, write_student

LOOP = "    while True:\n        pass\n"


def _student(tmp_path, edits):
    return write_student(tmp_path / "exercises", solution_copy({"tensors.py": edits}))


def test_an_exercise_that_runs_too_long_is_time_and_the_others_are_checked(tmp_path):
    folder = _student(tmp_path, [("    return t.dtype\n", LOOP),
                                 ("    return tuple(t.shape)\n", "    import time\n    time.sleep(3600)\n"),
                                 ("    return t.numel()\n", "    import os\n    os._exit(3)\n")])
    start = time.monotonic()
    result = run_cli("check", "tensors", "--exercises-dir", str(folder), "--time-limit", "2", timeout=300)
    lines = result.stdout.splitlines()
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[ PASS] create_tensor" in lines and "[ PASS] linear_transform" in lines
    assert "[ TIME] tensor_dtype: took too long" in lines and "[ TIME] tensor_shape: took too long" in lines
    assert "        tensor_dtype did not finish within 2 s (an endless loop, sleep, or far too much work?)" in lines
    assert "[ERROR] count_elements" in lines
    assert any("count_elements ended the Python process running it" in line for line in lines)
    assert "2 of 5 exercises pass the public checks." in lines
    assert time.monotonic() - start < 200
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_the_checks_with_one_line_and_leaves_no_process(tmp_path):
    started = tmp_path / "started"
    folder = _student(tmp_path, [("    return t.dtype\n",
                                  f"    import os\n    open({str(started)!r}, 'w').write(str(os.getpid()))\n{LOOP}")])
    check = subprocess.Popen([sys.executable, "-m", "autograder", "check", "--exercises-dir", str(folder),
                              "--time-limit", "600"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    try:
        deadline = time.monotonic() + 300
        while not (started.exists() and started.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        child = int(started.read_text())
        check.send_signal(signal.SIGINT)  # what Ctrl-C in a terminal sends the command
        out, err = check.communicate(timeout=60)
    finally:
        if check.poll() is None:
            check.kill()
    assert check.returncode == 130, out + err
    assert err.strip().splitlines() == [
        "autograder check: stopped (Ctrl-C) before the checks finished; nothing was checked."], err
    time.sleep(0.5)
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError("the process running the student's code is still there")


def test_the_students_code_ends_with_the_command(tmp_path):
    """A closed terminal or a killed command leaves no student loop running: the process
    running the checks ends when the command's end closes its input."""
    started = tmp_path / "started"
    folder = _student(tmp_path, [("    return t.dtype\n",
                                  f"    import os\n    open({str(started)!r}, 'w').write(str(os.getpid()))\n{LOOP}")])
    check = subprocess.Popen([sys.executable, "-m", "autograder", "check", "--exercises-dir", str(folder),
                              "--time-limit", "600"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 300
        while not (started.exists() and started.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        child = int(started.read_text())
    finally:
        check.kill()
        check.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.kill(child, signal.SIGKILL)
    raise AssertionError("the process running the student's code outlived the command")


def test_an_assignment_name_checks_its_exercises(tmp_path):
    result = run_cli("check", "layers", "--exercises-dir", str(ROOT / "solutions"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert [line.split()[-1] for line in result.stdout.splitlines() if line.startswith("[ PASS]")] == [
        "make_linear_layer", "linear_parameter_count", "count_parameters", "build_classifier", "added_parameters"]
    typo = run_cli("check", "layer", "--exercises-dir", str(ROOT / "solutions"))
    assert typo.returncode == 2 and "did you mean 'layers'" in typo.stderr and "Traceback" not in typo.stderr
    zero = run_cli("check", "--time-limit", "0")
    assert zero.returncode == 2 and "--time-limit must be a positive number" in zero.stderr


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:  # a zombie waits for its parent: it is gone
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_processes_the_students_code_starts_end_with_its_checks(tmp_path):
    """A process forked by a student's function holds the child's report stream: the checks
    after it still pass, the command does not wait for it, and none outlives the command
    (one that sleeps after a passing check, one that loops beside an exercise that times out)."""
    pids = [tmp_path / "sleeper", tmp_path / "looper"]

    def fork(marker, then):
        return (f"    import os, time\n    if os.fork() == 0:\n        open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
                f"        {then}\n        os._exit(0)\n")
    folder = _student(tmp_path, [("    return t.dtype\n", fork(pids[0], "time.sleep(120)") + "    return t.dtype\n"),
                                 ("    return tuple(t.shape)\n", fork(pids[1], "while True: pass") + LOOP)])
    start = time.monotonic()
    result = run_cli("check", "tensors", "--exercises-dir", str(folder), "--time-limit", "4", timeout=300)
    took = time.monotonic() - start
    lines = result.stdout.splitlines()
    try:
        assert "[ PASS] tensor_dtype" in lines and "[ PASS] linear_transform" in lines, result.stdout
        assert "[ TIME] tensor_shape: took too long" in lines, result.stdout
        assert "Fatal Python error" not in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert took < 100, took
        time.sleep(0.5)
        assert [p.name for p in pids if _alive(int(p.read_text()))] == []
    finally:
        for p in pids:
            if p.exists() and _alive(int(p.read_text())):
                os.kill(int(p.read_text()), signal.SIGKILL)

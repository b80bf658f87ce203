"""What a user can get wrong on the command line gets one clear sentence and a non-zero
exit, never a traceback; student text reaches the terminal escaped."""

import subprocess
import sys

import pytest

from tests.helpers import ROOT, hostile, run_cli, solution_copy, write_student


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path):
    write_student(tmp_path / "subs" / "a", solution_copy())
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out",
                             str(tmp_path / "out"), "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()  # as `autograder grade ... | head -1` does once it has its line
    with proc.stderr:
        stderr = proc.stderr.read()
    proc.wait(timeout=120)
    assert (tmp_path / "out" / "grades.csv").exists()
    assert "Traceback" not in stderr and proc.returncode == 141

def test_student_text_reaches_the_terminal_without_escape_sequences(tmp_path):
    """A message from student code shown in the summary could carry terminal escape
    sequences (clear the screen, retitle the window, write the clipboard): shown escaped."""
    write_student(tmp_path / "subs" / "escapes", hostile("    raise ValueError('\\x1b[2J\\x1b]52;c;cm0gLXJmIH4=\\x07')\n"))
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout
    assert "raised ValueError: \\x1b[2J\\x1b]52" in result.stdout

@pytest.mark.parametrize("make, complaint", [
    (lambda p: p / "missing", "does not exist"),
    (lambda p: (p / "empty").mkdir() or p / "empty", "holds no submissions"),
    (lambda p: (p / "f.txt").write_text("x") and p / "f.txt", "is not a folder"),
])
def test_bad_submissions_argument_is_one_clear_sentence(tmp_path, make, complaint):
    result = run_cli("grade", str(make(tmp_path)), "--out", str(tmp_path / "out"))
    assert result.returncode == 2 and complaint in result.stderr and "Traceback" not in result.stderr

def test_unwritable_out_is_one_clear_sentence(tmp_path):
    write_student(tmp_path / "subs" / "a", solution_copy())
    (tmp_path / "blocker").write_text("a file where the output folder should go")
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "blocker" / "out"))
    assert result.returncode == 2 and "Cannot write to the output folder" in result.stderr
    assert "Traceback" not in result.stderr

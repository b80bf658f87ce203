import subprocess
import sys

import pytest

from autograder.checking.local import render, run_public_checks
from autograder.errors import UsageError
from autograder.curriculum import load_manifest
from autograder.outcomes import Outcome

from tests.helpers import FULL_MARKS, ROOT, marks, run_cli, solution_copy, write_student

NAMES = [e.name for e in load_manifest()]


def test_reference_solutions_pass_every_public_check():
    result = run_public_checks(ROOT / "solutions")
    assert [e.exercise for e in result.exercises] == NAMES
    assert {e.outcome for e in result.exercises} == {Outcome.PASSED}
    assert all(result.checks_of(name) for name in NAMES), "every exercise has at least one public check"


def test_generated_stubs_import_and_report_not_attempted(stub_dir):
    result = run_public_checks(stub_dir)
    assert {e.outcome for e in result.exercises} == {Outcome.NOT_ATTEMPTED}
    message = result.checks_of("create_tensor")[0].message
    assert message == "create_tensor is not done yet: it still raises NotImplementedError"


def test_four_outcomes_with_messages(tmp_path):
    files = solution_copy({
        "tensors.py": [("    return torch.tensor(data)\n", "    return torch.Tensor(data)\n"),
                       ("    return t.dtype\n", "    raise NotImplementedError\n"),
                       ("    return tuple(t.shape)\n", "    return t.shapes\n")],
    })
    folder = write_student(tmp_path / "exercises", files)
    result = run_public_checks(folder, ["create_tensor", "tensor_dtype", "tensor_shape", "count_elements"])
    assert result.exercise("count_elements").outcome is Outcome.PASSED
    assert result.exercise("create_tensor").outcome is Outcome.FAILED
    assert "Integers became floats (torch.Tensor(data)" in result.checks_of("create_tensor")[0].message
    assert result.exercise("tensor_dtype").outcome is Outcome.NOT_ATTEMPTED
    assert result.exercise("tensor_shape").outcome is Outcome.CRASHED
    crashed = result.checks_of("tensor_shape")[0]
    assert "AttributeError" in crashed.message
    assert "exercises/tensors.py" in crashed.detail and "return t.shapes" in crashed.detail
    assert "autograder" not in crashed.detail and "_pytest" not in crashed.detail, "traceback is cut to the student's file"
    text = render(result)
    assert "hidden checks" in text and "1 of 4 exercises pass" in text
    assert "tensor_dtype is not done yet" in text


def test_syntax_error_costs_only_that_file(tmp_path):
    files = solution_copy({"layers.py": [("    return nn.Linear(n_features, n_classes)\n", "    return nn.Linear(\n")]})
    folder = write_student(tmp_path / "exercises", files)
    result = run_public_checks(folder)
    assert result.exercise("make_linear_layer").outcome is Outcome.CRASHED
    assert "SyntaxError" in result.checks_of("make_linear_layer")[0].message
    assert result.exercise("create_tensor").outcome is Outcome.PASSED
    assert result.exercise("apply_softmax").outcome is Outcome.PASSED


def test_typo_gets_a_suggestion():
    with pytest.raises(UsageError) as err:
        run_public_checks(ROOT / "solutions", ["create_tensr"])
    assert "did you mean 'create_tensor'" in str(err.value)


def test_cli_exit_codes_and_no_traceback(tmp_path, stub_dir):
    ok = run_cli("check", "--exercises-dir", str(ROOT / "solutions"), "create_tensor")
    assert ok.returncode == 0 and "PASS" in ok.stdout
    todo = run_cli("check", "--exercises-dir", str(stub_dir))
    assert todo.returncode == 1 and "TODO" in todo.stdout
    typo = run_cli("check", "create_tensr", cwd=tmp_path)
    assert typo.returncode == 2 and "did you mean" in typo.stderr and "Traceback" not in typo.stderr
    (tmp_path / "elsewhere").mkdir()
    missing = run_cli("check", cwd=tmp_path / "elsewhere")
    assert missing.returncode == 2 and "no exercises folder" in missing.stderr and "Traceback" not in missing.stderr


def test_a_wrong_value_is_located_without_importing_sympy():
    # torch.unravel_index imports sympy on first use: most of a second for the first student with a wrong value
    code = ("import sys, torch\n"
            "from autograder.checking import expect\n"
            "from autograder.checking.expect import CheckFailure\n"
            "want = torch.zeros(2, 3, 4)\n"
            "got = want.clone(); got[1, 2, 0] = 5.0\n"
            "try:\n"
            "    expect.tensor(got, want, 'f(x)')\n"
            "except CheckFailure as failure:\n"
            "    print(failure)\n"
            "print('sympy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert "at index (1, 2, 0) it is 5; expected 0" in out
    assert out.strip().endswith("False"), "locating the wrong value imported sympy"


def test_a_function_that_changes_its_argument_is_told_so_and_the_check_sees_the_original(tmp_path):
    """Locally the student's function gets the check's own tensor: the runner copies it
    before the call, restores it after, and fails the check saying what changed."""
    files = solution_copy({"activations.py": [("    return nn.Sigmoid()(x)\n", "    return x.sigmoid_()\n")]})
    folder = write_student(tmp_path / "exercises", files)
    result = run_public_checks(folder, ["apply_sigmoid"])
    assert result.exercise("apply_sigmoid").outcome is Outcome.FAILED
    assert "apply_sigmoid changed its argument `x` in place" in result.checks_of("apply_sigmoid")[0].message


def test_a_file_saved_on_windows_grades_as_check_runs_it(tmp_path):
    """Notepad writes a byte-order mark and CRLF line endings: `autograder check` imports
    such a file, so the grader must read it too (it once gave 0 of all its points: "invalid
    non-printable character U+FEFF"). A coding line is honoured as Python honours it."""
    from autograder.intake.text import decode_source as decode_text
    from tests.helpers import read_csv

    folder = write_student(tmp_path / "subs" / "winnie", solution_copy({}))
    for path in folder.glob("*.py"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_text().replace("\n", "\r\n").encode())
    assert all(e.outcome is Outcome.PASSED for e in run_public_checks(folder).exercises)
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    assert read_csv(tmp_path / "out" / "grades.csv")["winnie"]["total"] == marks(FULL_MARKS)
    assert decode_text("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"), "f.py").endswith("x = 'é'\n")

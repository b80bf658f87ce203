"""``autograder build`` checks the whole course before writing anything, and names each
problem with its file and line. Each test breaks a copy of the project in several ways at
once and expects every one of them in a single build's message."""
from __future__ import annotations

import pytest

from tests.course_copy import autograder, changed_files, copy_project, edit


def broken_build(copy) -> list[str]:
    """The problems ``autograder build`` lists; it must write nothing and show no traceback."""
    before = changed_files(copy)
    result = autograder(copy, "build", ok=False)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "nothing was written" in result.stderr, result.stderr
    assert changed_files(copy) == before  # no stub, no manifest, no course/
    assert not (copy / "course").exists()
    return [line.strip() for line in result.stderr.splitlines() if line.startswith("  ")]


def at(copy, relpath: str, text: str) -> str:
    """``relpath:line``, the line being the first of ``relpath`` that holds ``text``."""
    line = next(n for n, line in enumerate((copy / relpath).read_text().splitlines(), 1) if text in line)
    return f"{relpath}:{line}"


def has(problems: list[str], where: str, *words: str) -> bool:
    return any(p.startswith(where + ": ") and all(w in p for w in words) for p in problems)


def test_problems_in_the_course_file_the_solutions_and_the_hints(tmp_path):
    copy = copy_project(tmp_path / "project")
    toml = copy / "course.toml"
    toml.write_text(toml.read_text() + '\n[[assignments]]\nname = "ghost"\ntitle = "Nothing yet"\n'
                    + '\n[[assignments]]\nname = "unmarked"\n')
    toml.write_text(toml.read_text().replace('title = "Activations and the forward pass"\n',
                                             'title = "Activations and the forward pass"\nmodules = ["Conv9d"]\n'))
    (copy / "solutions" / "unmarked.py").write_text("import torch\n\n\ndef f(x):\n    return x\n")
    edit(copy, "solutions/activations.py", "import torch\n",
         "import torch\n\n\ndef create_tensor(data):\n    ### BEGIN SOLUTION\n    return torch.tensor(data)\n"
         "    ### END SOLUTION\n\n\ndef message(text):\n    ### BEGIN SOLUTION\n    return text\n    ### END SOLUTION\n")
    edit(copy, "autograder/checks/hints_activations.py", "\n\ndef apply_sigmoid_mistake(",
         "\n\ndef softmax_twice_mistake(got):\n    return None\n\n\ndef apply_sigmoid_mistake(")
    edit(copy, "autograder/checks/public_tensors.py", "import torch\n",
         "import torch\nfrom autograder.checking.expect import tensor\n")
    (copy / "autograder" / "hidden" / "hidden_retired.py").write_text("")
    problems = broken_build(copy)

    assert has(problems, at(copy, 'course.toml', 'name = "ghost"'), "no solution file",
               "solutions/ghost.py")
    assert has(problems, at(copy, 'course.toml', 'name = "ghost"'), "no public checks")
    assert has(problems, at(copy, 'course.toml', 'Conv9d'), "'Conv9d' is not a torch.nn")
    assert has(problems, "solutions/unmarked.py:1", "no exercise", "### BEGIN SOLUTION")
    assert has(problems, at(copy, 'solutions/activations.py', 'def create_tensor'),
               "'create_tensor' is defined in solutions/tensors.py", "unique")
    assert has(problems, at(copy, 'solutions/activations.py', 'def message'),
               "'message' cannot name an exercise")
    assert has(problems, at(copy, "autograder/checks/hints_activations.py", "def softmax_twice_mistake"),
               "softmax_twice", "not an exercise")
    assert has(problems, at(copy, 'autograder/checks/public_tensors.py', 'expect'),
               "imports autograder.checking.expect")
    assert has(problems, "autograder/hidden/hidden_retired.py:1", "belongs to no assignment")
    assert problems == sorted(problems, key=lambda p: (not p.startswith("course.toml"), p.split(":")[0],
                                                       int(p.split(":")[1])))


def test_problems_in_the_checks(tmp_path):
    copy = copy_project(tmp_path / "project")
    edit(copy, "solutions/tensors.py", "\n\ndef tensor_dtype(",
         '\n\ndef tensor_rank(t: torch.Tensor) -> int:\n    """How many dimensions."""\n    ### BEGIN SOLUTION\n'
         "    return t.dim()\n    ### END SOLUTION\n\n\ndef tensor_dtype(")
    hidden = "autograder/hidden/hidden_tensors.py"
    edit(copy, hidden, "\n\n@pytest.mark.exercise(\"tensor_dtype\")",
         "\n\n@pytest.mark.exercise(\"create_tensr\")\ndef test_misnamed(student):\n    pass\n\n\n"
         "@pytest.mark.exercise(\"tensor_shape\")\ndef test_wants_a_fixture(student, tmp_path):\n    pass\n\n\n"
         "@pytest.mark.exercise(\"tensor_dtype\")\n@pytest.mark.points(-1)\ndef test_negative(student):\n    pass\n\n\n"
         "def test_unmarked(student):\n    pass\n\n\n@pytest.mark.exercise(\"tensor_dtype\")")
    public = "autograder/checks/public_tensors.py"
    edit(copy, public, "\n\n@pytest.mark.exercise(\"tensor_dtype\")",
         "\n\n@pytest.mark.exercise(\"apply_sigmoid\")\ndef test_elsewhere(apply_sigmoid):\n    pass\n\n\n"
         "@pytest.mark.exercise(\"tensor_dtype\")\n@pytest.mark.points(2)\ndef test_public_points(tensor_dtype):\n"
         "    pass\n\n\n@pytest.mark.exercise(\"tensor_dtype\")")
    problems = broken_build(copy)

    rank = at(copy, "solutions/tensors.py", "def tensor_rank")
    assert has(problems, rank, "no public check covers the exercise 'tensor_rank'",
               "autograder/checks/public_tensors.py")
    assert has(problems, rank, "no hidden check covers the exercise 'tensor_rank'")
    assert has(problems, at(copy, hidden, 'def test_misnamed'), "'create_tensr', which does not "
               "exist", "did you mean 'create_tensor'")
    assert has(problems, at(copy, hidden, 'def test_wants_a_fixture'), "asks for tmp_path")
    assert has(problems, at(copy, hidden, 'def test_negative'), "gives -1 points")
    assert has(problems, at(copy, hidden, 'def test_unmarked'), "no @pytest.mark.exercise")
    assert has(problems, at(copy, public, 'def test_elsewhere'), "of the assignment 'activations'")
    assert has(problems, at(copy, public, 'def test_public_points'), "only hidden checks give points")


def test_problems_found_by_running_the_checks_on_the_reference(tmp_path):
    """A check that fails the reference would fail every student; a module class the
    reference returns that the sandbox cannot rebuild would fail every right answer."""
    copy = copy_project(tmp_path / "project")
    hidden = "autograder/hidden/hidden_tensors.py"
    edit(copy, hidden, 'fail(f"It returned {tuple(got)}; expected {want}. [{call}]")',
         'fail(f"It returned {tuple(got)}; expected {want}. [{call}]")\n    fail("this check fails everyone")')
    edit(copy, "solutions/activations.py", "import torch\n",
         'import torch\n\n\ndef make_loss() -> torch.nn.MSELoss:\n    """The squared error."""\n'
         "    ### BEGIN SOLUTION\n    return torch.nn.MSELoss()\n    ### END SOLUTION\n")
    for relpath, check in (("autograder/checks/public_activations.py", "def test_make_loss(make_loss):\n"
                                                                       "    make_loss()\n"),
                           ("autograder/hidden/hidden_activations.py", "@pytest.mark.points(1)\n"
                                                                       "def test_make_loss(student):\n"
                                                                       "    student.make_loss()\n")):
        edit(copy, relpath, "\n\n@pytest.mark.exercise(\"apply_sigmoid\")",
             f"\n\n@pytest.mark.exercise(\"make_loss\")\n{check}\n\n@pytest.mark.exercise(\"apply_sigmoid\")")
    problems = broken_build(copy)

    assert has(problems, at(copy, hidden, 'def test_tensor_shape_any_shape'),
               "test_tensor_shape_any_shape[1d] fails against the reference solution", "this check fails everyone")
    assert has(problems, at(copy, 'solutions/activations.py', 'def make_loss'),
               "make_loss returns a module with MSELoss", 'add "MSELoss" to modules of the assignment \'activations\'')
    edit(copy, "course.toml", 'title = "Activations and the forward pass"\n',
         'title = "Activations and the forward pass"\nmodules = ["MSELoss"]\n')
    problems = broken_build(copy)
    assert not any("MSELoss" in p for p in problems) and len(problems) == 4  # the four cases of the failing check


@pytest.mark.parametrize("args, words", [
    (("new", "Bad-Name", "--assignment", "tensors"), "cannot name an exercise"),
    (("new", "create_tensor", "--assignment", "layers"), "already defines 'create_tensor'"),
    (("new", "x2", "--assignment", "tensors", "--title", "T"), "leave out --title"),
])
def test_new_refuses_clearly(tmp_path, args, words):
    copy = copy_project(tmp_path / "project")
    result = autograder(copy, *args, ok=False)
    assert result.returncode == 2 and words in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert changed_files(copy) == set()

"""The hostile gallery graded by the real command: every student gets a row, each hostile
student loses only its own points, and nothing reaches outside the jail.

Every hostile student breaks exactly one exercise (tensor_dtype) and leaves the rest
correct: each must lose exactly its points, and everyone else keeps theirs.
"""

import importlib
import json
import os

from autograder.curriculum import course
from autograder.outcomes import Outcome
from tests.helpers import (FULL_MARKS, ROOT, hostile, marks, points_of, read_csv, run_cli, solution_copy,
                           uid_processes, write_student)


def test_every_student_gets_a_row_and_only_the_broken_exercise_is_lost(graded):
    assert graded["result"].returncode == 0, graded["result"].stderr
    rows = read_csv(graded["base"] / "out" / "grades.csv")
    assert set(rows) == set(graded["expected"])
    for student, points in graded["expected"].items():
        row = rows[student]
        assert row["tensor_dtype"] == marks(points), (student, row)
        assert row["total"] == marks(FULL_MARKS - points_of("tensor_dtype") + points), (student, row)
        assert row["max_total"] == marks(FULL_MARKS)


def mistakes() -> dict[str, tuple[str, str]]:
    """One typical mistake per exercise, (right line, wrong line) in the reference solution:
    each assignment's catalogue, beside its hidden checks."""
    found: dict[str, tuple[str, str]] = {}
    for assignment in course().assignments:
        found.update(importlib.import_module(assignment.hidden_module).MISTAKES)
    return found


def test_a_mistake_gets_the_same_hint_from_public_and_hidden_checks(tmp_path):
    """Each typical mistake is named by the public checks (what a student runs) and, in the
    same words, by the hidden checks (the grade): one hint, from one place."""
    from autograder.checking.hints import capitalised
    from autograder.checking.local import run_public_checks

    exercises = course().exercises
    typical = mistakes()
    assert set(typical) == {e.name for e in exercises}, "every exercise needs a typical mistake in its catalogue"
    where = {e.name: e.relpath for e in exercises}
    public = {}
    for name, (old, new) in typical.items():
        folder = write_student(tmp_path / "subs" / name, solution_copy({where[name]: [(old, new)]}))
        failed = [c for c in run_public_checks(folder, [name]).checks if c.outcome is Outcome.FAILED]
        assert failed, f"the public checks do not catch the {name} mistake"
        public[name] = failed[0].message
        # the hint (capitalised unless it starts with code, such as len(t)), then where
        assert " [" in public[name] and capitalised(public[name]) == public[name], public[name]
    write_student(tmp_path / "subs" / "overflow", solution_copy({"activations.py": [(
        "    return torch.softmax(logits, dim=dim)\n", "    e = logits.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n")]}))
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    for name in list(typical) + ["overflow"]:
        doc = json.loads((tmp_path / "out" / "results" / f"{name}.json").read_text())
        hidden = " ".join(t["output"] for t in doc["tests"])
        hint = public[name].split(" [")[0] if name in public else "It returned NaN: exp overflows"
        assert hint.lower() in hidden.lower(), (name, hint, hidden[:600])
        assert float(rows[name]["total"]) < FULL_MARKS, name


def test_hostile_reasons_are_clear(graded):
    out = graded["base"] / "out" / "results"

    def messages(student):
        doc = json.loads((out / f"{student}.json").read_text())
        return " ".join(t["output"] for t in doc["tests"] if t["tags"] == ["tensor_dtype"])

    assert "did not finish within 1 s" in messages("loop")
    assert "did not finish within 1 s" in messages("sleep")
    assert "did not finish within 1 s" in messages("ignores_alarm")
    assert "MemoryError" in messages("memory_hog")
    assert "ended the Python process running it" in messages("segfault")
    assert "ended the Python process running it" in messages("exits")
    assert "No such file or directory" in messages("reads_hidden")
    assert "No such file or directory" in messages("reads_other")
    assert "Network is unreachable" in messages("network")
    assert "No module named 'xml" in messages("unusual_import")
    assert "PermissionError: [Errno 1] refused" in messages("kernel_calls")  # EPERM
    assert "ended the Python process running it" in messages("i386_call")  # SIGSYS

def test_student_code_cannot_read_write_or_connect_outside(graded):
    out = graded["base"] / "out"
    everything = "".join(p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert "def test_count_parameters_models" not in everything, "hidden checks leaked"
    assert "def create_tensor" not in (out / "results" / "reads_other.json").read_text()
    assert not graded["outside"].exists()
    assert graded["accepted"] == []

def test_no_student_process_survives_the_run(graded):
    assert uid_processes({61000 + k for k in range(8)}) == []

def test_results_follow_the_gradescope_schema_and_feedback_hides_check_code(graded):
    out = graded["base"] / "out"
    doc = json.loads((out / "results" / "honest.json").read_text())
    assert doc["score"] == FULL_MARKS
    for test in doc["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility", "tags", "extra_data"}
        assert test["tags"] == [test["extra_data"]["exercise"]]
        assert test["extra_data"]["exercise"] in read_csv(out / "grades.csv")["honest"]
    html = (out / "feedback" / "loop.html").read_text()
    assert "tensor_dtype" in html and "did not finish" in html
    for code in ("wrong_dim", "torch.zeros(3, dtype=dtype)", "reference."):
        assert code not in html

def test_summary_reports_class_and_protections(graded):
    text = graded["result"].stdout
    assert f"Graded {len(graded['expected'])} students" in text
    assert "Protections in force" in text and ("unprivileged uid" in text or os.geteuid() != 0)
    assert "system call filter (seccomp)" in text
    assert "tensor_dtype" in text and "full marks" in text

def test_no_student_can_find_another_students_code_in_memory(tmp_path):
    """Workers are forked from a process that never held the class's submissions."""
    right = "    return torch.tensor(data)\n"
    thief = right.replace("    return", """    import gc, sys
    def strings(o):
        if isinstance(o, str):
            yield o
        elif isinstance(o, dict):
            for k, v in o.items():
                yield from strings(k)
                yield from strings(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                yield from strings(v)
    gc.collect()  # what it scans must not grow with its earlier calls' garbage (its frames hold their own)
    seen = [s for o in gc.get_objects() for s in strings(o)]
    frame = sys._getframe()
    while frame is not None:
        seen += list(strings(frame.f_locals))
        frame = frame.f_back
    own, secret = "-".join(["THIEF", "OWN", "MARK"]), "-".join(["VICTIM", "SECRET", "42"])  # not constants
    if not any(own in s for s in seen):
        raise RuntimeError("the scan cannot even find this file")
    if any(secret in s for s in seen):
        return torch.Tensor(data)
    return""", 1)
    victim = solution_copy({"tensors.py": [(right, right + "# VICTIM-SECRET-42\n")]})
    write_student(tmp_path / "subs" / "a_victim", victim)
    write_student(tmp_path / "subs" / "b_thief", solution_copy({"tensors.py": [(right, thief + "# THIEF-OWN-MARK\n")]}))
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    create = json.loads((tmp_path / "out" / "results" / "b_thief.json").read_text())["extra_data"]["exercises"]
    assert create["create_tensor"]["outcome"] == "passed", create["create_tensor"]
    assert rows["b_thief"]["create_tensor"] == rows["a_victim"]["create_tensor"] != "0"

def test_a_module_the_sandbox_lacks_is_named_with_what_to_use_instead(tmp_path):
    """numpy.random is not loaded in advance (about 50 more memory mappings for every worker
    to fork), and numpy imports it lazily: a student who uses it, which works on their own
    machine, is told why it fails here and what to use instead."""
    files = solution_copy({"tensors.py": [("import torch\n", "import numpy\nimport torch\n"),
                                          ("    return torch.tensor(data)\n",
                                           "    numpy.random.seed(0)\n    return torch.tensor(data)\n")]})
    write_student(tmp_path / "subs" / "nina", files)
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "results" / "nina.json").read_text())
    outputs = [t["output"] for t in doc["tests"] if "create_tensor" in t["name"] and t["score"] == 0]
    assert outputs and all("No module named 'numpy.random'" in o and "use torch.rand or torch.randn" in o
                           for o in outputs), outputs
    assert doc["extra_data"]["exercises"]["tensor_dtype"]["score"] > 0  # the rest of the file is graded

def test_a_submission_that_links_to_the_solutions_is_not_graded_as_them(tmp_path):
    """Unpacking a student's archive (unzip, tar) keeps its links, which could point at the
    solutions; the grader runs as root and would read them as the student's own work."""
    subs = tmp_path / "subs"
    (subs / "folder_link").mkdir(parents=True)
    (subs / "folder_link" / "exercises").symlink_to(ROOT / "solutions")
    (subs / "file_link").mkdir()
    (subs / "file_link" / "tensors.py").symlink_to(ROOT / "solutions" / "tensors.py")
    result = run_cli("grade", str(subs), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows["folder_link"]["total"] == "0" and rows["file_link"]["total"] == "0"

    def output(student):
        return json.loads((tmp_path / "out" / "results" / f"{student}.json").read_text())["output"]

    assert "links are not followed, so these were not graded: exercises" in output("folder_link")
    assert "links are not followed, so these were not graded: tensors.py" in output("file_link")

def test_student_code_cannot_read_the_instructors_environment(tmp_path):
    """Variables the instructor's shell (or a CI job) holds, such as tokens, never reach a
    worker: not through os.environ, nor C's getenv."""
    write_student(tmp_path / "subs" / "spy", hostile(
        "    import ctypes, os\n    libc = ctypes.CDLL(None)\n    libc.getenv.restype = ctypes.c_char_p\n"
        "    raise ValueError(f\"env={os.environ.get('INSTRUCTOR_TOKEN')} getenv={libc.getenv(b'INSTRUCTOR_TOKEN')}\")\n"))
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet",
                     env={"INSTRUCTOR_TOKEN": "hunter2"})
    assert result.returncode == 0, result.stderr
    output = (tmp_path / "out" / "results" / "spy.json").read_text()
    assert "env=None getenv=None" in output and "hunter2" not in output

def test_a_file_that_hangs_or_exits_while_importing_costs_only_its_own_exercises(tmp_path):
    loops = solution_copy()
    loops["layers.py"] = "while True:\n    pass\n" + loops["layers.py"]
    exits = solution_copy()
    exits["activations.py"] = "import os\nos._exit(3)\n" + exits["activations.py"]
    for student, files in (("loops_at_import", loops), ("exits_at_import", exits), ("honest", solution_copy())):
        write_student(tmp_path / "subs" / student, files)
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--timeout", "1", "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows["honest"]["total"] == rows["honest"]["max_total"]
    file_of = {e.name: e.relpath for e in course().exercises}
    for student, broken in (("loops_at_import", "layers.py"), ("exits_at_import", "activations.py")):
        honest = rows["honest"]
        for name, relpath in file_of.items():
            assert rows[student][name] == ("0" if relpath == broken else honest[name]), (student, name)
    doc = json.loads((tmp_path / "out" / "results" / "loops_at_import.json").read_text())
    assert any("importing exercises/layers.py took longer than 1 s" in t["output"] for t in doc["tests"])
    doc = json.loads((tmp_path / "out" / "results" / "exits_at_import.json").read_text())
    assert any("importing exercises/activations.py ended the Python process running it" in t["output"]
               for t in doc["tests"])


def test_a_class_of_the_students_own_gets_the_same_hint_from_check_and_grade(tmp_path):
    """The grader rebuilds returned modules from torch.nn's classes only; a subclass of
    nn.Sequential once passed `autograder check` and then got "returned an
    UnsupportedModule module" from grading. Both now name the class and say why."""
    from autograder.checking.local import run_public_checks

    files = solution_copy({"layers.py": [("    return nn.Sequential(*layers)\n",
                                          "    class Net(nn.Sequential):\n        pass\n    return Net(*layers)\n")]})
    folder = write_student(tmp_path / "subs" / "own_class", files)
    result = [c for c in run_public_checks(folder, ["build_classifier"]).checks if not c.passed]
    hint = "The model is of a class of your own (Net): the grader rebuilds only torch.nn's own classes"
    assert result and result[0].message.startswith(hint), result
    graded = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert graded.returncode == 0, graded.stderr
    doc = json.loads((tmp_path / "out" / "results" / "own_class.json").read_text())
    assert hint in " ".join(t["output"] for t in doc["tests"] if t["tags"] == ["build_classifier"])

"""The same submissions give byte-identical files: on a rerun, for any --jobs, after a
kill, whatever the string hashing, the random generators or uninitialised memory;
unchanged results are not rewritten."""

import json
import os
import signal
import subprocess
import sys
import time


from tests.helpers import FULL_MARKS, ROOT, hostile, marks, read_csv, run_cli, solution_copy, write_student


def test_rerun_skips_everything_and_changes_nothing(graded):
    out = graded["base"] / "out"
    before = (out / "grades.csv").read_bytes()
    # what a run killed between writing a result and renaming it into place leaves behind
    leftover = out / "results" / ".honest.json.99999.tmp"
    leftover.write_text("{")
    again = run_cli("grade", str(graded["base"] / "subs"), "--out", str(out), "--timeout", "1", "--quiet")
    assert again.returncode == 0 and "0 now" in again.stdout
    assert (out / "grades.csv").read_bytes() == before
    assert not leftover.exists(), "a complete run keeps a killed run's half-written file"

def test_a_forced_regrade_replaces_only_the_files_whose_content_changed(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    write_student(subs / "same", solution_copy())
    write_student(subs / "fixed", solution_copy({"tensors.py": [("    return torch.tensor(data)\n",
                                                                 "    return torch.Tensor(data)\n")]}))
    assert run_cli("grade", str(subs), "--out", str(out), "--quiet").returncode == 0
    files = [out / "grades.csv", *(out / "results").glob("*.json"), *(out / "feedback").glob("*.html")]
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    write_student(subs / "fixed", solution_copy())  # the student hands in a fix
    again = run_cli("grade", str(subs), "--out", str(out), "--force", "--quiet")
    assert again.returncode == 0 and "2 now" in again.stdout
    after = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in files}
    changed = {p.relative_to(out).as_posix() for p in files if after[p] != before[p]}
    assert changed == {"grades.csv", "results/fixed.json", "feedback/fixed.html"}
    assert json.loads((out / "results" / "fixed.json").read_text())["score"] == FULL_MARKS

def test_same_grades_for_any_jobs_and_after_a_kill(graded, tmp_path):
    subs = tmp_path / "subs"
    write_student(subs / "a", solution_copy())
    write_student(subs / "b", solution_copy({"activations.py": [("    return torch.softmax(logits, dim=dim)\n",
                                                                  "    return torch.softmax(logits, dim=0)\n")]}))
    for i in range(6):
        write_student(subs / f"c{i}", hostile("    while True:\n        pass\n") if i % 2 else solution_copy())
    one = run_cli("grade", str(subs), "--out", str(tmp_path / "one"), "--jobs", "1", "--timeout", "1", "--quiet")
    assert one.returncode == 0, one.stderr
    # start again with two jobs, kill the whole run as soon as one result exists, then resume
    out = tmp_path / "two"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", "2",
                             "--timeout", "1", "--quiet"], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list((out / "results").glob("*.json")):
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out / "grades.csv").exists()
    resumed = run_cli("grade", str(subs), "--out", str(out), "--jobs", "2", "--timeout", "1", "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "grades.csv").read_bytes() == (tmp_path / "one" / "grades.csv").read_bytes()
    rows = read_csv(out / "grades.csv")
    assert rows["b"]["apply_softmax"] == "0" and rows["a"]["total"] == marks(FULL_MARKS)

def test_grades_and_feedback_do_not_depend_on_string_hashing_or_addresses(tmp_path):
    """Python seeds its string hashing at random in every process; a student's answer that
    depends on it (here openly, usually through the order of a set of strings) must still
    get the same result, message and all, on every run."""
    write_student(tmp_path / "subs" / "hashes", solution_copy({"tensors.py": [(
        "    return torch.tensor(data)\n", "    return torch.tensor(data) + hash('salt') % 1000003\n")]}))
    # and one whose wrong answer is shown by a repr with its memory address (which address
    # space layout randomisation changes from run to run)
    write_student(tmp_path / "subs" / "generator", solution_copy({"tensors.py": [(
        "    return torch.tensor(data)\n", "    return object()\n")]}))
    outputs = []
    for run in ("one", "two"):
        result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / run), "--quiet")
        assert result.returncode == 0, result.stderr
        outputs.append([(tmp_path / run / "results" / f"{s}.json").read_bytes() for s in ("hashes", "generator")])
    assert outputs[0] == outputs[1]
    assert b"object object at 0x..." in outputs[0][1]

def test_an_output_folder_kept_among_the_submissions_is_not_a_student(tmp_path):
    subs = tmp_path / "subs"
    write_student(subs / "ada", solution_copy())
    for _ in range(2):  # the second run finds the first one's output among the submissions
        result = run_cli("grade", str(subs), "--out", str(subs / "graded"), "--quiet")
        assert result.returncode == 0, result.stderr
        assert "Graded 1 student (" in result.stdout
    assert set(read_csv(subs / "graded" / "grades.csv")) == {"ada"}
    # the second run regraded nobody: no previous/ kept, none advertised, and diff says why
    assert "(0 now, 1 unchanged" in result.stdout and "autograder diff" not in result.stdout
    shown = run_cli("diff", str(subs / "graded" / "previous"), str(subs / "graded"))
    assert shown.returncode == 2 and "no run has replaced any" in shown.stderr and "'0 now'" in shown.stderr
    assert "--force" in shown.stderr and "Traceback" not in shown.stderr


def test_top_level_randomness_and_uninitialised_memory_give_the_same_outputs_on_every_run(tmp_path):
    """Python's and torch's generators are seeded before each file loads as well as before
    each call, and torch fills uninitialised memory: four runs, every output byte for byte.
    (Once, a file with ``_COIN = random.random()`` at its top got 70, 70 and 65 in three
    runs, and a student returning ``torch.empty(...)`` saw different garbage in each.)"""
    subs = tmp_path / "subs"
    write_student(subs / "coin", solution_copy({"tensors.py": [
        ("import torch\n", "import random\nimport torch\n\n_COIN = random.random()\n_SHIFT = torch.rand(1).item()\n"),
        ("    return torch.tensor(data)\n", "    return torch.tensor(data) + _SHIFT\n"),
        ("    return t.numel()\n", "    return t.numel() + int(_COIN * 1000)\n")]}))
    write_student(subs / "empty", solution_copy({"tensors.py": [(
        "    return x @ weight.T + bias\n", "    return torch.empty(x.shape[0], weight.shape[0])\n")]}))
    write_student(subs / "draws", solution_copy({"activations.py": [(
        "    return torch.softmax(logits, dim=dim)\n", "    import random\n    return torch.softmax(logits, dim=dim) "
        "* random.random()\n")]}))
    runs = []
    for run in range(4):
        out = tmp_path / f"out{run}"
        result = run_cli("grade", str(subs), "--out", str(out), "--quiet")
        assert result.returncode == 0, result.stderr
        runs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert all(files == runs[0] for files in runs[1:])
    assert set(runs[0]) == {"grades.csv", "intake.txt", "report.html", *(f"{kind}/{s}.{ext}" for s in ("coin", "draws", "empty")
                                             for kind, ext in (("results", "json"), ("feedback", "html")))}
    empty = json.loads(runs[0]["results/empty.json"])
    assert any("It returned NaN" in t["output"] for t in empty["tests"] if t["tags"] == ["linear_transform"])

"""Grading a class, proven on a gallery of honest, broken and hostile submissions.

Every hostile student breaks exactly one exercise (tensor_dtype, 5 points) and leaves
the rest correct: each must lose exactly those points, and everyone else keeps theirs.
"""
import csv
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import ROOT, as_nobody, course_folder, run_cli, solution_copy, write_student

TARGET = "    return t.dtype\n"
SECRET_HIDDEN = str(ROOT / "autograder" / "hidden" / "hidden_layers.py")


def hostile(body: str) -> dict:
    return solution_copy({"tensors.py": [(TARGET, body)]})


def gallery(root: Path, port: int, outside: Path) -> dict[str, int]:
    """Writes the submissions; returns student -> expected tensor_dtype points."""
    other = root / "honest" / "tensors.py"
    cases = {
        "honest": (solution_copy(), 5),
        "loop": (hostile("    while True:\n        pass\n"), 0),
        "sleep": (hostile("    import time\n    time.sleep(3600)\n"), 0),
        "ignores_alarm": (hostile("    import signal\n    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
                                  "    signal.alarm(0)\n    while True:\n        pass\n"), 0),
        "memory_hog": (hostile("    hog = bytearray(10**10)\n    return t.dtype\n"), 0),
        "segfault": (hostile("    import ctypes\n    ctypes.string_at(0)\n"), 0),
        "exits": (hostile("    import os\n    os._exit(0)\n"), 0),
        "closes_fds": (hostile("    import os\n    os.closerange(0, 4096)\n    return t.dtype\n"), 0),
        "kills_parent": (hostile("    import os, signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                                 "    os.kill(-1, signal.SIGKILL)\n"), 0),
        "reads_hidden": (hostile(f"    return open({SECRET_HIDDEN!r}).read()\n"), 0),
        "reads_other": (hostile(f"    return open({str(other)!r}).read()\n"), 0),
        "writes_outside": (hostile(f"    open({str(outside)!r}, 'w').write('pwned')\n    return t.dtype\n"), 0),
        "network": (hostile(f"    import socket\n    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
                            "    return t.dtype\n"), 0),
        "forges_output": (hostile("    print('done honest')\n    print('{\"score\": 70}')\n    return 'float32'\n"), 0),
        "monkeypatches": (solution_copy({"tensors.py": [
            ("import torch\n", "import torch\ntorch.equal = lambda *a, **k: True\ntorch.Tensor.__eq__ = lambda *a: True\n"
                               "torch.allclose = lambda *a, **k: True\n"),
            (TARGET, "    return torch.int8\n")]}), 0),
        "leaves_process": (hostile("    import os, time\n    r, w = os.pipe()\n    if os.fork() == 0:\n"
                                   "        os.setsid()\n        os.write(w, b'1')\n"
                                   "        while True:\n            time.sleep(1)\n"
                                   "    os.read(r, 1)  # the child has left the worker's process group\n"
                                   "    return t.dtype\n"), 5),
        "unusual_import": (hostile("    import xml.dom.minidom\n    return t.dtype\n"), 0),
        # calls that succeed for any process the kernel lets through: only the system call filter refuses them
        "kernel_calls": (hostile("    import ctypes\n    libc = ctypes.CDLL(None, use_errno=True)\n"
                                 "    ring = ctypes.create_string_buffer(120)\n"
                                 "    for number, args in ((101, (0, 0, 0, 0)), (425, (1, ring)), (0x40000000 | 39, ())):\n"
                                 "        if libc.syscall(number, *args) >= 0:  # ptrace(TRACEME), io_uring_setup, x32 getpid\n"
                                 "            return t.dtype\n"
                                 "    raise OSError(ctypes.get_errno(), 'refused')\n"), 0),
        # getpid through the 32-bit entry (int 0x80), which a filter checking only x86-64 numbers would miss
        "i386_call": (hostile("    import ctypes, mmap\n"
                              "    page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)\n"
                              "    page.write(b'\\xb8\\x14\\x00\\x00\\x00\\xcd\\x80\\xc3')  # mov eax, 20; int 0x80; ret\n"
                              "    ctypes.CFUNCTYPE(ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))()\n"
                              "    return t.dtype\n"), 0),
    }
    # valid alternatives earn full marks
    cases["alternatives"] = (solution_copy({
        "tensors.py": [("    return torch.tensor(data)\n", "    return torch.as_tensor(data)\n")],
        "layers.py": [("    return sum(p.numel() for p in model.parameters())\n",
                       "    total = 0\n    for p in model.parameters():\n        total += p.numel()\n    return total\n"),
                      ("    layers.append(nn.Softmax(dim=-1))\n    return nn.Sequential(*layers)\n",
                       "    model = nn.Sequential()\n    for layer in layers:\n        model.append(layer)\n"
                       "    model.append(nn.Softmax(dim=-1))\n    return model\n")],
        "activations.py": [("    return torch.softmax(logits, dim=dim)\n",
                            "    return torch.nn.functional.softmax(logits, dim=dim)\n")],
    }), 5)
    cases["stable_softmax"] = (solution_copy({"activations.py": [("    return torch.softmax(logits, dim=dim)\n",
        "    shifted = logits - logits.max(dim=dim, keepdim=True).values\n    e = shifted.exp()\n"
        "    return e / e.sum(dim=dim, keepdim=True)\n")]}), 5)
    for student, (files, _) in cases.items():
        write_student(root / student, files)
    # the same honest code as a zip, and one level down as <student>/exercises/
    with zipfile.ZipFile(root / "zipped.zip", "w") as z:
        for name, text in solution_copy().items():
            z.writestr(f"exercises/{name}", text)
    write_student(root / "nested" / "exercises", solution_copy())
    expected = {s: pts for s, (_, pts) in cases.items()}
    expected.update(zipped=5, nested=5)
    return expected


def processes(keep) -> list[int]:
    """Pids of the processes whose /proc status fields (``{"Name": ..., "PPid": ..., "Uid": ..., "State": ...}``,
    State one letter: ``Z`` for a zombie) ``keep`` accepts."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                lines = (entry / "status").read_text().splitlines()
            except OSError:
                continue
            fields = dict(line.split(":\t", 1) for line in lines if ":\t" in line)
            status = {"Name": fields.get("Name", ""), "PPid": int(fields.get("PPid", "0")),
                      "Uid": int(fields.get("Uid", "-1").split()[0]), "State": fields.get("State", "?")[:1]}
            if keep(status):
                found.append(int(entry.name))
    return found


def uid_processes(uids: set[int]) -> list[int]:
    return processes(lambda status: status["Uid"] in uids)


@pytest.fixture(scope="module")
def graded():
    """The gallery graded from a course folder kept as instructors keep one: outside the
    temporary folder (which workers cover with their own tmpfs) and readable by others,
    so that only the jail, not the test's placement, keeps student code out of it."""
    with course_folder("gallery") as base:
        yield grade_gallery(base)


def grade_gallery(base: Path) -> dict:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.2)
    accepted = []

    def accept():
        while not stop.is_set():
            try:
                accepted.append(listener.accept())
            except OSError:
                pass

    stop = threading.Event()
    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    outside = base / "outside.txt"
    expected = gallery(base / "subs", listener.getsockname()[1], outside)
    start = time.monotonic()
    result = run_cli("grade", str(base / "subs"), "--out", str(base / "out"), "--jobs", "2", "--timeout", "1",
                     "--quiet")
    elapsed = time.monotonic() - start
    stop.set()
    thread.join()
    listener.close()
    return {"base": base, "result": result, "expected": expected, "accepted": accepted, "outside": outside,
            "elapsed": elapsed}


def read_csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open() as f:
        return {row["student"]: row for row in csv.DictReader(f)}


def test_every_student_gets_a_row_and_only_the_broken_exercise_is_lost(graded):
    assert graded["result"].returncode == 0, graded["result"].stderr
    rows = read_csv(graded["base"] / "out" / "grades.csv")
    assert set(rows) == set(graded["expected"])
    for student, points in graded["expected"].items():
        row = rows[student]
        assert row["tensor_dtype"] == str(points), (student, row)
        assert row["total"] == str(65 + points), (student, row)
        assert row["max_total"] == "70"


MISTAKES = {
    "create_tensor": ("    return torch.tensor(data)\n", "    return torch.Tensor(data)\n", "torch.Tensor(data) always makes"),
    "linear_transform": ("    return x @ weight.T + bias\n", "    return x @ weight.T\n", "the bias was not added"),
    "count_parameters": ("    return sum(p.numel() for p in model.parameters())\n",
                         "    return len(list(model.parameters()))\n", "the number of parameter tensors"),
    "apply_softmax": ("    return torch.softmax(logits, dim=dim)\n", "    return torch.softmax(logits, dim=0)\n",
                      "softmax was taken over dimension 0"),
    "build_binary_classifier": ("    return nn.Sequential(nn.Linear(n_features, 1), nn.Sigmoid())\n",
                                "    return nn.Sequential(nn.Linear(n_features, 1))\n", "the output activation is missing"),
    "predict_classes": ("    return probabilities.argmax(dim=-1)\n", "    return probabilities.argmax(dim=0)\n",
                        "argmax over the batch"),
}


def test_common_mistakes_get_messages_that_name_them(tmp_path):
    from autograder.curriculum import load_manifest

    where = {e.name: e.relpath for e in load_manifest()}
    for name, (old, new, _) in MISTAKES.items():
        write_student(tmp_path / "subs" / name, solution_copy({where[name]: [(old, new)]}))
    write_student(tmp_path / "subs" / "overflow", solution_copy({"activations.py": [(
        "    return torch.softmax(logits, dim=dim)\n", "    e = logits.exp()\n    return e / e.sum(dim=dim, keepdim=True)\n")]}))
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    for name, (_, _, message) in list(MISTAKES.items()) + [("overflow", (0, 0, "exp overflowed"))]:
        doc = json.loads((tmp_path / "out" / "results" / f"{name}.json").read_text())
        assert message in " ".join(t["output"] for t in doc["tests"]), name
        assert float(rows[name]["total"]) < 70, name


def test_hostile_reasons_are_clear(graded):
    out = graded["base"] / "out" / "results"

    def messages(student):
        doc = json.loads((out / f"{student}.json").read_text())
        return " ".join(t["output"] for t in doc["tests"] if t["name"].startswith("tensor_dtype: "))

    assert "did not finish within 1 s" in messages("loop")
    assert "did not finish within 1 s" in messages("sleep")
    assert "did not finish within 1 s" in messages("ignores_alarm")
    assert "MemoryError" in messages("memory_hog")
    assert "ended the grading process" in messages("segfault")
    assert "ended the grading process" in messages("exits")
    assert "No such file or directory" in messages("reads_hidden")
    assert "No such file or directory" in messages("reads_other")
    assert "Network is unreachable" in messages("network")
    assert "No module named 'xml" in messages("unusual_import")
    assert "PermissionError: [Errno 1] refused" in messages("kernel_calls")  # EPERM
    assert "ended the grading process" in messages("i386_call")  # SIGSYS


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
    assert doc["score"] == 70
    for test in doc["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["name"].split(": ")[0] in read_csv(out / "grades.csv")["honest"]
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
    assert json.loads((out / "results" / "fixed.json").read_text())["score"] == 70


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
    assert rows["b"]["apply_softmax"] == "0" and rows["a"]["total"] == "70"


def test_grades_and_feedback_do_not_depend_on_string_hashing_or_addresses(tmp_path):
    """Python seeds its string hashing at random in every process; a student's answer that
    depends on it (here openly, usually through the order of a set of strings) must still
    get the same result, message and all, on every run."""
    write_student(tmp_path / "subs" / "hashes", solution_copy({"tensors.py": [(
        "    return torch.tensor(data)\n", "    return torch.tensor(data) + hash('salt') % 1000003\n")]}))
    # and one whose wrong answer is shown by a repr with its memory address (which address
    # space layout randomisation changes from run to run)
    write_student(tmp_path / "subs" / "generator", solution_copy({"tensors.py": [(
        "    return torch.tensor(data)\n", "    return (x for x in data)\n")]}))
    outputs = []
    for run in ("one", "two"):
        result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / run), "--quiet")
        assert result.returncode == 0, result.stderr
        outputs.append([(tmp_path / run / "results" / f"{s}.json").read_bytes() for s in ("hashes", "generator")])
    assert outputs[0] == outputs[1]
    assert b"generator object" in outputs[0][1]


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


def _session_pids(parent: int) -> list[int]:
    """The grading shards of the run whose process is ``parent``: its child, and those the child forked."""
    first = processes(lambda status: status["PPid"] == parent and status["Name"] == "grader-session")
    return first + processes(lambda status: status["PPid"] in first and status["Name"] == "grader-session")


@pytest.mark.parametrize("victim", [0, 1], ids=["the first shard", "a shard it forked"])
def test_a_grading_process_that_dies_costs_only_the_students_it_held(tmp_path, victim):
    """Students are handed to the shards one at a time, so when a shard is killed the other
    grades the rest of the class; only the two students the dead shard held are missing.
    The first shard forks the others: either may be the one that dies."""
    subs = tmp_path / "subs"
    for i in range(60):
        write_student(subs / f"s{i:02d}", solution_copy())
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(subs), "--out", str(out), "--jobs", "2",
                             "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, sessions = time.monotonic() + 120, []
        while time.monotonic() < deadline:  # both shards at work (a busy machine may start one late)
            sessions = _session_pids(proc.pid)
            if len(sessions) == 2 and len(list((out / "results").glob("*.json"))) >= 4:
                break
            time.sleep(0.01)
        assert len(sessions) == 2
        os.kill(sessions[victim], signal.SIGKILL)
    finally:
        _, stderr = proc.communicate(timeout=300)
    assert proc.returncode != 0 and "Re-run the same command" in stderr and "Traceback" not in stderr.split("stopped")[0]
    graded = {p.stem for p in (out / "results").glob("*.json")}
    assert 58 <= len(graded) < 60  # a fixed half per shard would have lost about 28
    resumed = run_cli("grade", str(subs), "--out", str(out), "--quiet")
    assert resumed.returncode == 0, resumed.stderr
    assert f"({60 - len(graded)} now, {len(graded)} unchanged" in resumed.stdout


def test_a_killed_grading_command_takes_every_shard_with_it(tmp_path):
    """The first shard dies with the grading command (the kernel signals it); a shard it
    forked is not the command's child, and follows at once through a pipe the command held.
    Nothing is left behind in the temporary folder either: no process lived to clean it."""
    slow = solution_copy({"tensors.py": [("import torch\n", "import time\nimport torch\n"),
                                         ("    return torch.tensor(data)\n",
                                          "    time.sleep(60)\n    return torch.tensor(data)\n")]})
    for i in range(4):
        write_student(tmp_path / "subs" / f"s{i}", slow)
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "autograder", "grade", str(tmp_path / "subs"), "--out",
                             str(tmp_path / "out"), "--jobs", "2", "--timeout", "60", "--quiet"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "TMPDIR": str(temp)})
    try:
        deadline, shards, zygotes = time.monotonic() + 120, [], []
        while time.monotonic() < deadline:  # both shards grading, their workers asleep
            shards = _session_pids(proc.pid)
            zygotes = processes(lambda status: status["PPid"] in shards and status["Name"] == "grader-zygote")
            workers = processes(lambda status: status["PPid"] in zygotes and status["Name"] == "grader-worker")
            if len(shards) == 2 and len(workers) == 2:
                break
            time.sleep(0.05)
        assert len(shards) == 2 and len(zygotes) == 2
        proc.kill()
    finally:
        proc.wait(timeout=60)
    def alive() -> set[int]:  # a zombie has ended: whether anything has reaped it yet is up to the machine's init
        return set(processes(lambda status: status["Name"].startswith("grader-") and status["State"] != "Z"))

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and set(shards + zygotes) & alive():
        time.sleep(0.05)
    assert not set(shards + zygotes) & alive(), "a shard outlived the run"
    assert not processes(lambda status: status["Uid"] in (61000, 61001) and status["State"] != "Z"), \
        "a worker outlived the run"
    assert not list(temp.iterdir()), "the run left files in the temporary folder"


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


#: student code that can tell which of its descriptors is the worker's socket
IS_SOCKET = ("import os, stat\n\ndef _is_socket(fd):\n    try:\n"
             "        return stat.S_ISSOCK(os.fstat(fd).st_mode)\n    except OSError:\n        return False\n\n")

#: top-level code that finds the worker's socket and reports, every 0.2 s, that a file is loading
FORGES_LOADING = """import os, stat, struct, sys, time
wire = sys.modules["autograder.sandbox.wire"]
sock = next(fd for fd in range(64) if _is_socket(fd))
message = wire.encode({"status": "loading", "file": "tensors.py"})
while True:
    os.write(sock, struct.pack("<Q", len(message)) + message)
    time.sleep(0.2)
"""


def test_a_worker_that_keeps_saying_it_is_loading_cannot_stall_the_run(tmp_path):
    """Every message comes in time, so no timeout fires: the grader must count them."""
    files = solution_copy()
    files["tensors.py"] = IS_SOCKET + FORGES_LOADING + files["tensors.py"]
    write_student(tmp_path / "subs" / "stalls", files)
    write_student(tmp_path / "subs" / "honest", solution_copy())
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--timeout", "1", "--quiet",
                     timeout=120)
    assert result.returncode == 0, result.stderr
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows["honest"]["total"] == rows["honest"]["max_total"]
    assert rows["stalls"]["create_tensor"] == "0" and rows["stalls"]["apply_softmax"] != "0"  # only its own file


#: runs the rest of its command line, then prints the peak memory (kB) of the largest process it waited for
MEASURE_LARGEST = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
                   "check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def grade_measuring_memory(tmp_path: Path) -> float:
    """Grade ``tmp_path/subs`` into ``tmp_path/out`` with one shard; the peak memory, in MB, of
    the largest process of the run."""
    result = subprocess.run([sys.executable, "-c", MEASURE_LARGEST, sys.executable, "-m", "autograder", "grade",
                             str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--jobs", "1", "--quiet"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1]) / 1024

#: a function that answers every planned call still to come itself, 32 MB each, with the
#: index the grader expects (found in the worker's own frames), then ends the worker
FLOODS_ANSWERS = """    import socket, sys
    frame = sys._getframe()
    while frame.f_code.co_name != "_run_plan":
        frame = frame.f_back
    index, plan = frame.f_locals["index"], frame.f_locals["plan"]
    wire = sys.modules["autograder.sandbox.wire"]
    sock = socket.socket(fileno=next(fd for fd in range(64) if _is_socket(fd)))
    big = torch.zeros(8_000_000)
    for i in range(index, len(plan)):
        message = wire.encode({"status": "ok", "value": big, "i": i})
        sock.sendall(len(message).to_bytes(8, "little") + message)
    os._exit(0)
"""


def test_a_worker_that_floods_the_grader_with_answers_costs_it_little_memory(tmp_path):
    """Answers are read ahead and held until judged; each may be large. Forged ones must not
    make a grading process hold gigabytes (here: about 2 GB without the cap)."""
    files = solution_copy({"tensors.py": [("    return torch.tensor(data)\n", FLOODS_ANSWERS)]})
    files["tensors.py"] = IS_SOCKET + files["tensors.py"]
    write_student(tmp_path / "subs" / "floods", files)
    largest_process_mb = grade_measuring_memory(tmp_path)
    assert largest_process_mb < 1000, largest_process_mb
    output = (tmp_path / "out" / "results" / "floods.json").read_text()
    assert "MB of answers" in output


#: top-level code that makes every module the worker returns describe itself as 30 layers of
#: 7000 x 7000 with no state: 49 million elements each, just under the per-layer cap
FORGES_MODULES = """import sys
sys.modules["autograder.sandbox.modules"].describe = lambda module, encode: {"type": "Sequential", "training": True,
    "children": [[str(i), {"type": "Linear", "args": {"in_features": 7000, "out_features": 7000, "bias": True},
                           "state": {}, "training": True}] for i in range(30)]}
"""


def test_a_forged_module_description_costs_the_grader_little_memory(tmp_path):
    """Returned modules are rebuilt on the trusted side from their description; a forged one
    must not make a grading process allocate and fill gigabytes (about 6 GB here without the
    rule that the state fills each layer)."""
    files = solution_copy()
    files["layers.py"] = FORGES_MODULES + files["layers.py"]
    write_student(tmp_path / "subs" / "forges", files)
    largest_process_mb = grade_measuring_memory(tmp_path)
    assert largest_process_mb < 1000, largest_process_mb
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows["forges"]["make_linear_layer"] == "0" and rows["forges"]["create_tensor"] != "0"


def test_an_output_folder_kept_among_the_submissions_is_not_a_student(tmp_path):
    subs = tmp_path / "subs"
    write_student(subs / "ada", solution_copy())
    for _ in range(2):  # the second run finds the first one's output among the submissions
        result = run_cli("grade", str(subs), "--out", str(subs / "graded"), "--quiet")
        assert result.returncode == 0, result.stderr
        assert "Graded 1 students" in result.stdout
    assert set(read_csv(subs / "graded" / "grades.csv")) == {"ada"}


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

    assert "exercises/ is a link" in output("folder_link")
    assert "exercises/tensors.py is not a regular file" in output("file_link")


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


needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become an unprivileged user for the test")


@needs_root
def test_without_root_the_jail_uses_a_user_namespace_or_says_it_could_not(tmp_path):
    """The non-root path, as an instructor's laptop would take it: the protections reported are true."""
    from autograder.sandbox import jail

    secret = ROOT / "solutions" / "tensors.py"

    def job(fd: int) -> dict:
        same_user = os.getpid()  # a process of the same user outside the jail, as the fork server is
        protections = jail.enter(jail.scratch_folder(), None, jail.Limits(), fd)  # as the fork server does
        try:
            os.kill(same_user, 0)  # may it be signalled (0: only asks)?
            signalled = True
        except OSError:
            signalled = False
        os.kill(0, signal.SIGKILL)  # its own process group: nothing the worker needs may be in it
        time.sleep(0.3)
        try:
            secret.read_text()
            readable = True
        except OSError:
            readable = False
        # root of its user namespace, student code may try the old way out of a chroot:
        # chroot into a subfolder, climb above it, chroot there
        try:
            os.mkdir("/way_out")
            os.chroot("/way_out")
            for _ in range(64):
                os.chdir("..")
            os.chroot(".")
            escaped = os.path.exists(secret)
        except OSError:
            escaped = False
        return {"protections": protections, "readable": readable, "escaped": escaped, "signalled": signalled}

    report = as_nobody(job)
    if "user namespace" in report["protections"]:
        assert not report["readable"] and "no network" in report["protections"]
        assert not report["escaped"], "student code climbed out of its chroot"
        assert "no capabilities" in report["protections"]
        assert not report["signalled"], "student code could signal the instructor's other processes"
        assert "own process namespace" in report["protections"]
        assert not jail.unsandboxed(report["protections"])
    else:  # this kernel refuses unprivileged user namespaces: the run must say so
        assert any(p.startswith("WARNING: no namespaces") for p in report["protections"])
        assert report["readable"], "the warning is only given when the files really are visible"


@needs_root
def test_without_isolation_grading_refuses_unless_allowed(tmp_path):
    """A user who cannot have a user namespace (here: a process the kernel refuses its
    uid_map) is told what that means and how to go on, and nothing is graded."""
    from autograder.errors import UsageError
    from autograder.grading.run import GradeOptions, grade
    from autograder.sandbox.jail import probe, unsandboxed

    os.chmod(tmp_path, 0o777)

    def job(_fd: int) -> dict:
        isolated = not unsandboxed(probe())
        try:
            grade(GradeOptions(submissions=tmp_path / "none", out=tmp_path / "out"))
            return {"isolated": isolated, "message": "graded"}
        except UsageError as err:
            return {"isolated": isolated, "message": str(err)}

    report = as_nobody(job, dumpable=False)
    assert not report["isolated"]
    assert "could read the hidden checks" in report["message"] and "--allow-unsandboxed" in report["message"]


def test_a_file_that_hangs_or_exits_while_importing_costs_only_its_own_exercises(tmp_path):
    from autograder.curriculum import load_manifest

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
    file_of = {e.name: e.relpath for e in load_manifest()}
    for student, broken in (("loops_at_import", "layers.py"), ("exits_at_import", "activations.py")):
        honest = rows["honest"]
        for name, relpath in file_of.items():
            assert rows[student][name] == ("0" if relpath == broken else honest[name]), (student, name)
    doc = json.loads((tmp_path / "out" / "results" / "loops_at_import.json").read_text())
    assert any("importing exercises/layers.py took longer than 1 s" in t["output"] for t in doc["tests"])
    doc = json.loads((tmp_path / "out" / "results" / "exits_at_import.json").read_text())
    assert any("importing exercises/activations.py ended the grading process" in t["output"] for t in doc["tests"])


#: run the rest of the command line as nobody, in a mount namespace of its own where
#: /root (0700 on this kind of machine, and where Python is installed) is a replica that
#: nobody may pass through: the same files, bound one by one into a 0711 tmpfs
AS_NOBODY_WITH_PYTHON = r"""
set -e
real=$(mktemp -d)
mount --bind /root "$real"
mount -t tmpfs -o mode=0711 tmpfs /root
for entry in "$real"/* "$real"/.[!.]*; do
    [ -e "$entry" ] || continue
    name=/root/$(basename "$entry")
    if [ -d "$entry" ]; then mkdir "$name"; else touch "$name"; fi
    mount --bind "$entry" "$name"
done
exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=/tmp "$@"
"""


@needs_root
def test_the_whole_command_without_root_gives_the_same_grades(graded):
    """The whole gallery, graded by an unprivileged user as on an instructor's laptop:
    user, process and network namespaces stand in for root's uids, and every attack
    (killing the parent, kill(-1), leaving processes, ...) costs only its own exercise,
    exactly as under root. One difference: without root there is no memory cgroup to
    bound a worker's process tree, so workers may start no process at all, and the
    student who leaves a process running loses that exercise (as under root, nothing else)."""
    import shutil
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="nonroot-"))  # pytest's folders are root's alone
    try:
        shutil.copytree(graded["base"] / "subs", shared / "subs")
        for path in [shared, *shared.rglob("*")]:
            os.chmod(path, 0o777 if path.is_dir() else 0o644)
        result = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c",
                                 AS_NOBODY_WITH_PYTHON, "sh", sys.executable, "-m", "autograder", "grade",
                                 str(shared / "subs"), "--out", str(shared / "out"), "--jobs", "2", "--timeout", "1"],
                                cwd=ROOT, capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        summary = result.stdout
        for protection in ("user namespace", "own process namespace", "no capabilities", "no network",
                           "system call filter (seccomp)", "empty 32 MB file system (chroot)", "no child processes"):
            assert protection in summary, protection
        assert "WARNING" not in summary
        as_root, as_nobody = (read_csv(folder / "out" / "grades.csv") for folder in (graded["base"], shared))
        starts_a_process = as_nobody.pop("leaves_process")
        assert starts_a_process == {**as_root.pop("leaves_process"), "tensor_dtype": "0", "total": "65"}
        assert as_nobody == as_root
        assert not uid_processes({65534}), "a student process outlived the run"
    finally:
        shutil.rmtree(shared, ignore_errors=True)

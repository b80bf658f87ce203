"""A worker that writes forged messages on its socket costs the grader little: it cannot
stall the run, flood its memory or make it build huge modules."""

from tests.helpers import IS_SOCKET, grade_measuring_memory, read_csv, run_cli, solution_copy, write_student


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
    make a shard hold gigabytes (here: about 2 GB without the cap)."""
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
    must not make a shard allocate and fill gigabytes (about 6 GB here without the
    rule that the state fills each layer)."""
    files = solution_copy()
    files["layers.py"] = FORGES_MODULES + files["layers.py"]
    write_student(tmp_path / "subs" / "forges", files)
    largest_process_mb = grade_measuring_memory(tmp_path)
    assert largest_process_mb < 1000, largest_process_mb
    rows = read_csv(tmp_path / "out" / "grades.csv")
    assert rows["forges"]["make_linear_layer"] == "0" and rows["forges"]["create_tensor"] != "0"


def test_a_value_too_large_to_send_is_named_as_the_students_not_as_a_crash(tmp_path):
    """A 68 MB tensor is over the wire's 64 MB: the student reads that their function
    returned a value too large to grade, not that it raised something it did not."""
    import json

    files = solution_copy({"tensors.py": [("    return torch.tensor(data)\n",
                                           "    return torch.zeros(17_000_000)\n")]})
    write_student(tmp_path / "subs" / "big", files)
    result = run_cli("grade", str(tmp_path / "subs"), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 0, result.stderr
    doc = json.loads((tmp_path / "out" / "results" / "big.json").read_text())
    messages = " ".join(t["output"] for t in doc["tests"] if t["name"].startswith("create_tensor"))
    assert "create_tensor returned a value too large to grade (more than 64 MB)" in messages, messages[:500]
    assert "raised" not in messages and "fault of the grader" not in messages
    assert read_csv(tmp_path / "out" / "grades.csv")["big"]["create_tensor"] == "0"

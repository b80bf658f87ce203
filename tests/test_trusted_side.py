"""One student cannot take a run down, stall it, bloat its reports or earn points by
changing the checks' inputs: each case is a hostile student graded beside an honest
one, by the real command, and costs only its own points."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from autograder.untrusted import MAX_MESSAGE_CHARS, MAX_TRACEBACK_CHARS
from autograder.grading.results import MAX_RESULT_BYTES
from tests.helpers import run_cli, solution_copy, write_student

TARGET = "    return t.dtype\n"


def read_rows(out: Path) -> dict[str, dict[str, str]]:
    import csv

    with (out / "grades.csv").open(encoding="utf-8") as f:
        return {row["student"]: row for row in csv.DictReader(f)}


#: forged reports: every error the worker sends carries 1.6 MB of text
FORGES_HUGE_ERRORS = """import sys
_worker = sys.modules["autograder.sandbox.worker"]
_worker._exception = lambda exc: {"type": "T" * 100_000, "message": "m" * 1_000_000, "traceback": "t" * 500_000}
"""

#: answers the public examples from memory and otherwise zeroes the inputs, so that a
#: reference computed on the same (zeroed) objects agrees with its constant answers
CHANGES_INPUTS = {
    "tensors.py": [("def linear_transform(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:\n",
                    "def linear_transform(x, weight, bias):\n"
                    "    if x.tolist() == [[1.0, 2.0]]:\n        return torch.tensor([[1.0, 2.5]])\n"
                    "    with torch.no_grad():\n        x.zero_(); weight.zero_(); bias.zero_()\n"
                    "    return torch.zeros(x.shape[0], weight.shape[0])\n\n\n"
                    "def _unused(x, weight, bias):\n")],
    "activations.py": [("def apply_sigmoid(x: torch.Tensor) -> torch.Tensor:\n",
                        "def apply_sigmoid(x):\n    with torch.no_grad():\n        x.zero_()\n"
                        "    return torch.full(x.shape, 0.5)\n\n\ndef _unused1(x):\n"),
                       ("def apply_softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:\n",
                        "def apply_softmax(logits, dim=-1):\n    with torch.no_grad():\n        logits.zero_()\n"
                        "    return torch.full(logits.shape, 1.0 / logits.shape[dim])\n\n\n"
                        "def _unused2(logits, dim=-1):\n")],
    "layers.py": [("def added_parameters(n_features: int, n_classes: int, hidden_sizes: Sequence[int]) -> int:\n",
                   "def added_parameters(n_features, n_classes, hidden_sizes):\n"
                   "    if isinstance(hidden_sizes, list):\n        hidden_sizes.clear()\n    return 0\n\n\n"
                   "def _unused(n_features, n_classes, hidden_sizes):\n")],
}

#: each file sleeps just under the timeout when imported, and every call ends the worker,
#: which then has to be started (and the files imported) again
SLOW_AND_CRASHING = "import os, time\ntime.sleep(0.9)\n"


@pytest.fixture(scope="module")
def hostile_class(tmp_path_factory):
    base = tmp_path_factory.mktemp("trusted")
    subs = base / "subs"
    write_student(subs / "honest", solution_copy())
    write_student(subs / "surrogate", solution_copy({"tensors.py": [(TARGET, "    raise ValueError('\\ud800 \\x1b[2J')\n")]}))
    huge = solution_copy()
    huge["tensors.py"] = FORGES_HUGE_ERRORS + huge["tensors.py"].replace(TARGET, "    raise ValueError('no')\n")
    write_student(subs / "huge_errors", huge)
    write_student(subs / "changes_inputs", solution_copy(CHANGES_INPUTS))
    slow = {name: SLOW_AND_CRASHING + text.replace("\n    return ", "\n    os._exit(3)\n    return ")
            for name, text in solution_copy().items()}
    write_student(subs / "slow_crasher", slow)
    start = time.monotonic()
    result = run_cli("grade", str(subs), "--out", str(base / "out"), "--timeout", "1", "--quiet", timeout=400)
    return {"out": base / "out", "result": result, "elapsed": time.monotonic() - start}


def test_the_class_is_graded_and_the_honest_student_keeps_full_marks(hostile_class):
    result = hostile_class["result"]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    rows = read_rows(hostile_class["out"])
    assert set(rows) == {"honest", "surrogate", "huge_errors", "changes_inputs", "slow_crasher"}
    assert rows["honest"]["total"] == rows["honest"]["max_total"]


def test_a_lone_surrogate_in_an_error_costs_only_that_exercise(hostile_class):
    """Once: writing the feedback raised UnicodeEncodeError, the shard died, no grades.csv."""
    out = hostile_class["out"]
    rows = read_rows(out)
    assert rows["surrogate"]["tensor_dtype"] == "0"
    assert int(rows["surrogate"]["total"]) == int(rows["surrogate"]["max_total"]) - 5
    feedback = (out / "feedback" / "surrogate.html").read_bytes().decode("utf-8")
    assert "\\ud800" in feedback and "\x1b" not in feedback


def test_forged_huge_errors_give_reports_within_their_bounds(hostile_class):
    """Once: 30 MB messages gave 420 MB of reports for one student."""
    out = hostile_class["out"]
    result_file = out / "results" / "huge_errors.json"
    assert result_file.stat().st_size <= MAX_RESULT_BYTES
    assert (out / "feedback" / "huge_errors.html").stat().st_size <= MAX_RESULT_BYTES
    doc = json.loads(result_file.read_text(encoding="utf-8"))
    failed = [t for t in doc["tests"] if t["status"] == "failed"]
    assert failed and all(len(t["output"]) <= MAX_MESSAGE_CHARS + MAX_TRACEBACK_CHARS + 200 for t in failed)
    assert any("characters in all]" in t["output"] for t in failed)
    assert read_rows(out)["huge_errors"]["tensor_dtype"] == "0"


def test_changing_the_inputs_in_place_earns_nothing(hostile_class):
    """Once: zeroing the inputs made the reference agree, for 14 of 70 points."""
    out = hostile_class["out"]
    rows = read_rows(out)
    for exercise in ("linear_transform", "apply_sigmoid", "apply_softmax"):
        assert rows["changes_inputs"][exercise] == "0", exercise
    # it clears the list and returns 0: the public example (one hidden layer, 188) catches it
    assert rows["changes_inputs"]["added_parameters"] == "0"
    assert rows["changes_inputs"]["create_tensor"] != "0"
    doc = json.loads((out / "results" / "changes_inputs.json").read_text(encoding="utf-8"))
    messages = " ".join(t["output"] for t in doc["tests"] if t["name"].startswith("linear_transform"))
    assert "changed its argument `x`" in messages and "in place" in messages


def test_a_student_who_crashes_every_call_is_stopped_by_the_time_budget(hostile_class):
    """Once: 94 s at --timeout 1 for one student; the budget is (3 files + 15 functions + 2) s."""
    doc = json.loads((hostile_class["out"] / "results" / "slow_crasher.json").read_text(encoding="utf-8"))
    assert doc["score"] == 0
    assert any("used up its total time of 20 s" in t["output"] for t in doc["tests"])
    assert hostile_class["elapsed"] < 80, hostile_class["elapsed"]

"""A mutant's fate from its checks' outcomes, and whether a message names the mistake: told
apart on the messages the grader's own comparisons and the course's hints really write."""
from __future__ import annotations

import time

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.audit.fates import (ERROR, GENERIC, HIDDEN, NAMED, PUBLIC, SURVIVED, CheckOutcome, fate,
                                    message_kind)
from autograder.checking import expect
from autograder.checking.expect import CheckFailure
from autograder.checks import hints_layers, hints_tensors


def said(check, *args) -> str:
    """What ``check(*args)`` fails with, as the student reads it."""
    with pytest.raises(CheckFailure) as caught:
        check(*args)
    return str(caught.value)


def failed(message: str, hidden: bool = True, outcome: str = "failed") -> CheckOutcome:
    return CheckOutcome("test_x", hidden, outcome, message)


@pytest.mark.parametrize("message", [
    # differences that suggest no cause (a lost dimension, a conversion, a constant added would be named)
    said(expect.tensor, torch.zeros(3), torch.zeros(4), "f(x)"),
    said(expect.tensor, torch.zeros(3), torch.ones(3, dtype=torch.float64), "f(x)"),
    said(expect.tensor, torch.tensor([1.0, 0.0, 0.0]), torch.tensor([1.0, 2.0, 5.0]), "f(x)"),
    said(expect.tensor, torch.tensor([1, 2]), torch.tensor([1, 3]), "f(x)"),
    said(expect.tensor, torch.full((2,), float("nan")), torch.ones(2), "f(x)"),
    said(expect.python_int, 5, 6, "f(x)"),
], ids=["shape", "dtype", "values", "int values", "nan", "python int"])
def test_a_difference_alone_is_generic(message):
    assert message_kind(failed(message)) == GENERIC


@pytest.mark.parametrize("message", [
    said(expect.hint, hints_tensors.linear_transform_mistake(torch.full((2, 4), 3.0), torch.ones(2, 3), torch.ones(4, 3),
                                                             torch.ones(4)), "f(x)"),
    said(expect.hint, hints_layers.count_parameters_mistake(2, torch.nn.Linear(3, 4)), "f(x)"),
    said(expect.shape, torch.zeros(()), (1,), "f(x)"),
    said(expect.shape, torch.zeros(1, 3), (3,), "f(x)"),
    said(expect.unchanged, torch.zeros(2), torch.ones(2), "f(x)"),
    said(expect.tensor, torch.nn.Linear(2, 2), torch.ones(2), "f(x)"),
], ids=["bias", "tensors counted", "squeezed", "unsqueezed", "in place", "a module"])
def test_a_message_that_says_what_went_wrong_names_it(message):
    assert message_kind(failed(message)) == NAMED


@pytest.mark.parametrize("outcome", ["crashed", "timed out", "not attempted"])
def test_what_the_student_code_raised_is_an_error(outcome):
    assert message_kind(failed("f raised TypeError: bad", outcome=outcome)) == ERROR


def test_public_checks_decide_first_and_a_named_message_is_shown_first():
    generic = failed(said(expect.python_int, 5, 6, "f(x)"), hidden=False)
    named = failed(said(expect.shape, torch.zeros(()), (1,), "f(y)"), hidden=False)
    passed = CheckOutcome("test_y", True, "passed", "")
    assert fate([passed, generic, failed("Other. [f(z)]")]) == (PUBLIC, generic, GENERIC)
    assert fate([generic, named]) == (PUBLIC, named, NAMED)
    hidden = failed(said(expect.shape, torch.zeros(()), (1,), "f(y)"))
    assert fate([CheckOutcome("p", False, "passed", ""), hidden]) == (HIDDEN, hidden, NAMED)
    assert fate([passed, CheckOutcome("p", False, "passed", "")]) == (SURVIVED, None, "")
    assert fate([]) == (SURVIVED, None, "")


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="; expected:[]ab ", max_size=20), st.integers(1000, 200_000))
def test_telling_messages_apart_takes_linear_time(piece, repeat):
    """Messages quote what student code returned: however they read, the kind is found fast."""
    message = (piece * (repeat // max(len(piece), 1)))[:200_000]
    start = time.perf_counter()
    message_kind(failed(message))
    assert time.perf_counter() - start < 0.05

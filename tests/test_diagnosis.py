"""The key of a mistake (autograder.report.diagnosis): numbers, shapes and call arguments
forgotten, everything else kept; linear in time whatever the (student-controlled) text."""
from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.report.diagnosis import MAX_KEY_CHARS, diagnosis


def test_the_same_mistake_with_other_values_has_one_key():
    same = [
        "The bias was not added: a layer computes x @ weight.T + bias. [linear_transform(x of shape (5, 4), "
        "weight (3, 4), bias (3,))]",
        "The bias was not added: a layer computes x @ weight.T + bias. [linear_transform(x, weight, bias) of the "
        "example above]",
    ]
    assert len({diagnosis(m) for m in same}) == 1
    assert diagnosis(same[0]) == "The bias was not added: a layer computes x @ weight.T + bias."
    assert diagnosis("SyntaxError: '(' was never closed (tensors.py, line 35)") == \
        diagnosis("SyntaxError: '(' was never closed (tensors.py, line 12)")
    shapes = ["It returned shape torch.Size([5, 4]); expected (4, 5)", "It returned shape torch.Size([2, 3, 9]); "
              "expected (3,)", "It returned shape torch.Size([]); expected (-1, 2)"]
    assert {diagnosis(m) for m in shapes} == {"It returned shape torch.Size(…); expected (…)"}
    calls = ["Linear.__init__() got an unexpected keyword argument 'bias2'",
             "Linear.__init__(3, 4) got an unexpected keyword argument 'bias2'"]
    assert len({diagnosis(m) for m in calls}) == 1


def test_different_mistakes_keep_different_keys():
    keys = {diagnosis(m) for m in [
        "Integers became floats: use torch.tensor(data).",
        "Booleans became floats: use torch.tensor(data).",
        "expected dtype float32, got int64",
        "expected dtype float64, got int32",  # digits inside a name are the name's
        "got an unexpected keyword argument 'bias2'",
        "got an unexpected keyword argument 'weight'",  # quoted names are kept
        "(tensors.py, line 3) what",
    ]}
    assert len(keys) == 7


def test_only_the_first_line_counts_and_brackets_that_do_not_match_stay():
    assert diagnosis("raised ValueError: bad 3\nTraceback line 9\n") == "raised ValueError: bad N"
    assert diagnosis("a ( 1 ] 2 ) ((( 5 [") == "a ( N ] N ) ((( N ["
    assert diagnosis("a [b] c") == "a [b] c" and diagnosis("a [f(x) [1]]") == "a"  # the check's call: dropped


texts = st.text(alphabet=st.sampled_from("ab_ .,-+e()[]{}'\"0123456789\n"), max_size=300)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_a_key_is_made_of_any_text_and_is_stable(text):
    key = diagnosis(text)
    assert isinstance(key, str) and len(key) <= MAX_KEY_CHARS
    assert diagnosis(key) == key  # a key is its own key: no value left to forget


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-10**9, 10**9), min_size=3, max_size=3), st.lists(st.integers(0, 10**6), min_size=3,
                                                                            max_size=3))
def test_numbers_never_split_a_mistake(first, second):
    template = "Expected {} but got {} (shape ({}, 4)) [f({}, x of shape ({}, {}))]"
    a = template.format(first[0], first[1], first[2], *first)
    b = template.format(second[0], second[1], second[2], *second)
    assert diagnosis(a) == diagnosis(b)


def test_hostile_text_costs_linear_time():
    for text in ["(" * 100_000, "[" * 50_000 + "]" * 50_000, "f(" * 50_000 + ")" * 50_000, "1." * 100_000,
                 "(1, " * 30_000, "e-1" * 40_000]:
        start = time.perf_counter()
        diagnosis(text)
        assert time.perf_counter() - start < 0.5, text[:20]

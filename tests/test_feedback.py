"""Feedback in the student's terms: errors explained, values named as students name them, no
word of the grader's own, one line per problem on the feedback page."""
from __future__ import annotations

import importlib
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from autograder.checking import hints
from autograder.checking.crashes import MAX_ERROR_CHARS, explain
from autograder.checking.hints import Catalogue, Mistake, crashed, describe, not_a_tensor
from autograder.curriculum import course
from autograder.report.problems import group_problems, shorten, split_call
from autograder.grading.results import feedback_html
from autograder.outcomes import CheckResult, Outcome, student_result
from autograder.sandbox import wire
from tests.student_mistakes import WRONG

#: words of the grader's own, which a student should never read
INTERNAL = ("opaque", "wire", "sandbox", "grading process", "worker", "shard", "fork server")

#: (error, its text as PyTorch or Python words it, words of the explanation)
ERRORS = [
    ("TypeError", "'torch.Size' object is not callable", "write t.shape without ()"),
    ("TypeError", "'torch.dtype' object is not callable", "write t.dtype without ()"),
    ("TypeError", "cannot create 'torch.dtype' instances", "the attribute t.dtype"),
    ("RuntimeError", "1D tensors expected, but got 2D and 2D tensors", "x @ weight.T"),
    ("RuntimeError", "mat1 and mat2 shapes cannot be multiplied (4x5 and 3x5)", "(4x5 and 3x5): is a transpose"),
    ("RuntimeError", "The size of tensor a (5) must match the size of tensor b (4) at non-singleton dimension 1",
     "(5 against 4 in dimension 1): a sum or max along a dimension removes it unless you pass keepdim=True"),
    ("RuntimeError", "expected m1 and m2 to have the same dtype, but got: long int != float", "convert one"),
    ("RuntimeError", "mat1 and mat2 must have the same dtype, but got Double and Float", "different dtypes"),
    ("TypeError", "'int' object is not callable", "written without ()"),
    ("TypeError", "'type' object does not support the context manager protocol", "with torch.no_grad():"),
    ("TypeError", "Sigmoid.__init__() takes 1 positional argument but 2 were given", "nn.Sigmoid(...)(x)"),
    ("TypeError", "Softmax.__init__() got multiple values for argument 'dim'", "nn.Softmax(...)(x)"),
    ("TypeError", "torch.nn.modules.activation.ReLU is not a Module subclass", "nn.ReLU()"),
    ("TypeError", "list is not a Module subclass", "nn.Sequential(*layers)"),
    ("TypeError", "exp(): argument 'input' (position 1) must be Tensor, not list", "exp needs a tensor, not a list"),
    ("TypeError", "argmax(): argument 'input' (position 1) must be Tensor, not tuple", "(values, indices)"),
    ("TypeError", "unsupported operand type(s) for -: 'Tensor' and 'torch.return_types.max'", ".values or .indices"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'builtin_function_or_method'", "p.numel(), not p.numel"),
    ("TypeError", "softmax() missing 1 required positional arguments: \"dim\"", "pass dim=dim"),
    ("IndexError", "Dimension out of range (expected to be in range of [-1, 0], but got 1)", "has 1 dimension(s)"),
    ("IndexError", "tuple index out of range", "one entry per dimension"),
    ("TypeError", "len() of a 0-d tensor", "no length"),
    ("ValueError", "only one element tensors can be converted to Python scalars", "torch functions"),
    ("RuntimeError", "Boolean value of Tensor with more than one value is ambiguous", ".any() or .all()"),
    ("RuntimeError", "Only Tensors of floating point and complex dtype can require gradients", "leave requires_grad"),
    ("AttributeError", "'Tensor' object has no attribute 'numels'", "did you mean numel?"),
    ("AttributeError", "'Sequential' object has no attribute 'weight'", "model.parameters()"),
    ("NotImplementedError", 'Module [ModuleList] is missing the required "forward" function', "nn.Sequential"),
    ("NameError", "name 'nn' is not defined", "from torch import nn"),
    ("MemoryError", "", "ran out of memory"),
]


@pytest.mark.parametrize("error, text, words", ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_common_errors_are_explained_then_quoted(error, text, words):
    sentence = explain(error, text)
    assert sentence is not None and words in sentence, sentence
    shown = crashed("apply_softmax", error, text)
    assert shown.endswith(f"(apply_softmax raised {error}{': ' + text if text else ''})"), shown
    assert shown.startswith(hints.capitalised(sentence) + " ("), shown


def test_an_error_it_does_not_know_is_shown_as_it_was():
    assert crashed("f", "KeyError", "'x'") == "f raised KeyError: 'x'"
    assert "MemoryError" in crashed("f", "MemoryError", "") and "memory" in crashed("f", "MemoryError", "")


@settings(max_examples=200, deadline=None)
@given(error=st.sampled_from(["TypeError", "RuntimeError", "AttributeError", "IndexError", "NameError", "X"]),
       text=st.lists(st.sampled_from(list("'\"()[], .:xa0") + [" object is not callable", " has no attribute ",
                                                               "must be Tensor, not ", "__init__()", "tensor a (",
                                                               "shapes cannot be multiplied", "Dimension out of range"]),
                     max_size=30).map("".join))
def test_explaining_never_raises_and_stays_on_one_line(error, text):
    sentence = explain(error, text)
    assert sentence is None or (sentence and "\n" not in sentence and len(sentence) < 400)


def test_explaining_a_long_hostile_message_reads_only_its_start():
    text = "'" * 5_000_000 + " object has no attribute '"
    start = time.perf_counter()
    explain("AttributeError", text)
    assert time.perf_counter() - start < 0.5
    assert MAX_ERROR_CHARS <= 2_000


def _round_trip(value):
    """``value`` as the grader receives what a graded function returned."""
    return wire.decode(wire.encode(value))


@pytest.mark.parametrize("value, words", [
    (np.zeros(3), "a NumPy array"),
    (np.int64(20), "a NumPy number"),
    (torch.zeros(2, 3).max(dim=-1), "the pair (values, indices) that max returns"),
    (torch.zeros(2).numel, "the function numel itself, not called"),
    (torch.Tensor, "a class, <class 'torch.Tensor'>"),
    ((x for x in range(3)), "a generator"),
    ("float32", "a string ('float32')"),
    (nn.LazyLinear(3), "an nn.LazyLinear module"),
], ids=["ndarray", "numpy int", "max pair", "method", "class", "generator", "str", "unsupported module"])
def test_what_a_function_returned_is_named_as_a_student_names_it(value, words):
    for seen in (value, _round_trip(value)):
        text = describe(seen) + " " + (not_a_tensor(seen) or "")
        assert words in text, text
        assert not any(word in text.lower() for word in INTERNAL), text


def _sentences() -> list[str]:
    """Every sentence of every assignment's catalogue, and every diagnosis of the gallery."""
    found = [d for cases in WRONG.values() for _, _, d in cases]
    for assignment in course().assignments:
        module = importlib.import_module(assignment.hints_module)
        for value in vars(module).values():
            if isinstance(value, Catalogue):
                found += [entry.says for entry in value.entries if isinstance(entry, Mistake)]
    return found


def test_no_sentence_a_student_reads_has_a_word_of_the_graders():
    for sentence in _sentences():
        assert not any(word in sentence.lower() for word in INTERNAL), sentence
        assert "\n" not in sentence


def test_a_hint_that_starts_with_code_keeps_its_case():
    assert hints.message("nn.Linear is a class: ...", "f()") == "nn.Linear is a class: ... [f()]"
    assert hints.message("len(t) counts ...", "f()") == "len(t) counts ... [f()]"
    assert hints.message("the bias ...", "f()") == "The bias ... [f()]"


def test_a_mistake_model_equal_to_the_right_answer_says_nothing():
    catalogue = Catalogue(lambda t: t.numel(), Mistake("len(t) counts ...", lambda t: len(t)))
    assert catalogue.diagnose(5, torch.zeros(5)) is None  # len(t) == numel: nothing to tell apart
    assert catalogue.diagnose(4, torch.zeros(4, 5)) == "len(t) counts ..."
    assert catalogue.diagnose(7, torch.zeros(4, 5)) is None
    assert catalogue.diagnose(torch.tensor(4), torch.zeros(4, 5)) == "len(t) counts ..."  # the mistake, in a tensor


def test_mistake_models_of_layers_draw_no_random_numbers():
    from autograder.checks.hints_layers import build_classifier_mistake

    state = torch.random.get_rng_state()
    model = nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4))
    assert "missing" in build_classifier_mistake(model, 9, 4, [16])
    torch.random.set_rng_state(state)
    build_classifier_mistake(model, 9, 4, [16])
    assert torch.equal(torch.random.get_rng_state(), state)


def test_a_model_using_a_layer_twice_at_every_level_is_compared_in_bounded_time():
    """Small to send (a layer used twice, by a container used twice, ... 40 levels) but with
    2**40 uses: comparing its structure looks at a bounded number of them."""
    model = nn.Linear(9, 4)
    for _ in range(40):
        model = nn.Sequential(model, model)
    start = time.perf_counter()
    assert hints.structure(model)[0] == "too large"
    assert not hints.matches(model, nn.Sequential(model, model))
    assert time.perf_counter() - start < 1


def test_the_call_is_found_from_the_end_whatever_came_before():
    assert split_call("The bias was not added. [f(x, [1, 2])]") == ("The bias was not added.", "f(x, [1, 2])")
    assert split_call("It returned a list ([1, 2] ]): x [g([3])]") == ("It returned a list ([1, 2] ]): x", "g([3])")
    assert split_call("no call here") == ("no call here", "")
    assert split_call("unbalanced]") == ("unbalanced]", "")
    long = "[" * 100_000 + " [f()]"
    start = time.perf_counter()
    assert split_call(long) == ("[" * 100_000, "f()")
    assert time.perf_counter() - start < 0.5


def test_the_feedback_page_shows_each_problem_once_with_its_checks():
    outputs = [f"failed: The bias was not added: a layer computes x @ weight.T + bias. [linear_transform(seed {i})]"
               for i in range(4)] + ["crashed: f raised KeyError: 'x'\n  File \"exercises/tensors.py\", line 3"]
    problems = group_problems(outputs)
    assert [(p.text, p.checks) for p in problems] == [
        ("failed: The bias was not added: a layer computes x @ weight.T + bias.", 4), ("crashed: f raised KeyError: 'x'", 1)]
    assert problems[0].where() == "in 4 checks, such as linear_transform(seed 0)"
    checks = [CheckResult("linear_transform", f"test_{i}", True, 1.0, Outcome.FAILED,
                          f"The bias was not added: a layer computes x @ weight.T + bias. [linear_transform(seed {i})]")
              for i in range(4)]
    checks.append(CheckResult("linear_transform", "test_4", True, 1.0, Outcome.CRASHED, "f raised KeyError: 'x'",
                              '  File "exercises/tensors.py", line 3'))
    doc = student_result("ann", "", checks, ["linear_transform"], {"linear_transform": 4.0})
    page = feedback_html(doc)
    assert page.count("The bias was not added") == 1 and "in 4 checks, such as linear_transform(seed 0)" in page
    assert "File &#34;exercises/tensors.py&#34;, line 3" in page  # escaped (markupsafe writes &#34;)


def test_the_class_summary_cuts_a_problem_at_a_word():
    text = "The maximum subtracted is the whole tensor's: subtract each row's own maximum, logits.max(dim=dim)"
    short = shorten(text, 60)
    assert len(short) <= 60 and short.endswith(" ...") and text.startswith(short[:-4])
    assert shorten("x" * 100, 10) == "x" * 10

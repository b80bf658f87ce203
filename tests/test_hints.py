"""The hints: each names its mistake, and none raises, whatever a student's function returns.

Which hints there are, the inputs their checks give them and the mistakes they must name
come from the course: each assignment's hints module and the catalogue beside its hidden
checks (``hint_inputs()``, ``hint_examples()``), found through the course model.
"""
import importlib
import inspect

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from autograder.checking import hints
from autograder.curriculum import PROJECT_DIR, SOLUTIONS_DIR, course

DTYPES = [torch.float32, torch.float64, torch.int64, torch.int32, torch.bool, torch.uint8, torch.complex64]


def hint_functions() -> dict[str, object]:
    """exercise -> its hint function, from every assignment's hints module."""
    found = {}
    for assignment in course().assignments:
        if (PROJECT_DIR / assignment.hints_relpath).is_file():
            module = importlib.import_module(assignment.hints_module)
            found.update({name.removesuffix("_mistake"): fn for name, fn in vars(module).items()
                          if name.endswith("_mistake") and inspect.isfunction(fn) and fn.__module__ == module.__name__})
    return found


def catalogue(part: str) -> dict | list:
    """Every assignment's ``hint_inputs()`` (merged) or ``hint_examples()`` (joined)."""
    merged: dict | list = {} if part == "hint_inputs" else []
    for assignment in course().assignments:
        found = getattr(importlib.import_module(assignment.hidden_module), part)()
        merged.update(found) if isinstance(merged, dict) else merged.extend(found)
    return merged


HINTS = hint_functions()
#: the inputs each hint is given by the checks (fixed: the checks choose them)
INPUTS = catalogue("hint_inputs")


@st.composite
def tensors(draw):
    shape = tuple(draw(st.lists(st.integers(0, 4), max_size=3)))
    dtype = draw(st.sampled_from(DTYPES))
    values = torch.randn(shape, generator=torch.Generator().manual_seed(draw(st.integers(0, 99)))) * 1000
    if draw(st.booleans()):
        values = values.masked_fill(values > 500, float("nan"))
    tensor = values.to(dtype)
    return tensor.requires_grad_() if dtype.is_floating_point and draw(st.booleans()) else tensor


#: what a student's function may return: anything at all
returned = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=True) | st.text(max_size=20)
    | tensors() | st.sampled_from([torch.float32, torch.Size([2, 3]), torch.Tensor, nn.Linear(2, 3), nn.ReLU(),
                                   nn.Sequential(), nn.Sequential(nn.Linear(3, 1), nn.Softmax()), object()]),
    lambda children: st.lists(children, max_size=3) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=3), children, max_size=2),
    max_leaves=6)


def test_every_hint_is_for_an_exercise_and_has_its_inputs():
    exercises = {e.name for e in course().exercises}
    assert set(HINTS) <= exercises
    assert set(INPUTS) == set(HINTS), "each hint needs its inputs in hint_inputs() beside its hidden checks"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(INPUTS)), got=returned)
def test_a_hint_never_raises_and_is_one_line(name, got):
    hint = HINTS[name](got, *INPUTS[name])
    assert hint is None or (isinstance(hint, str) and hint and "\n" not in hint)
    want = torch.tensor([[1.0, 2.0]])
    difference = hints.tensor_difference(got, want)
    assert difference is None or isinstance(difference, str)
    assert hints.python_int_mistake(got) is None or type(got) is not int


@pytest.mark.parametrize("exercise, got, words", catalogue("hint_examples"),
                         ids=lambda value: value if isinstance(value, str) else "")
def test_a_mistake_is_named(exercise, got, words):
    assert words in HINTS[exercise](got, *INPUTS[exercise])


def test_right_answers_get_no_hint():
    from autograder.checking.namespaces import load_namespace

    reference = load_namespace(SOLUTIONS_DIR, course().exercises, "solutions")
    for exercise, inputs in INPUTS.items():
        got = getattr(reference, exercise)(*[a.clone() if isinstance(a, torch.Tensor) else a for a in inputs])
        assert HINTS[exercise](got, *inputs) is None, (exercise, HINTS[exercise](got, *inputs))

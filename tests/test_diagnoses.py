"""The hints: each names its mistake, and none raises, whatever a student's function returns."""
import inspect

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from autograder.checks import diagnoses

MISTAKE_FUNCTIONS = {name: fn for name, fn in vars(diagnoses).items()
                     if name.endswith("_mistake") and inspect.isfunction(fn)}

DTYPES = [torch.float32, torch.float64, torch.int64, torch.int32, torch.bool, torch.uint8, torch.complex64]


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

#: the inputs each diagnosis is given by the checks (fixed: the checks choose them)
INPUTS = {
    "python_int_mistake": (),
    "create_tensor_mistake": ([[1, 2, 3], [4, 5, 6]],),
    "tensor_dtype_mistake": (torch.zeros(2),),
    "tensor_shape_mistake": (torch.zeros(2, 3),),
    "count_elements_mistake": (torch.zeros(4, 5),),
    "linear_transform_mistake": (torch.ones(2, 3), torch.ones(4, 3), torch.ones(4)),
    "make_linear_layer_mistake": (9, 4),
    "linear_parameter_count_mistake": (9, 4),
    "count_parameters_mistake": (nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6)),),
    "build_classifier_mistake": (9, 4, [16]),
    "added_parameters_mistake": (9, 4, [16]),
    "apply_sigmoid_mistake": (torch.tensor([-2.0, 0.0, 2.0]),),
    "build_binary_classifier_mistake": (3,),
    "apply_softmax_mistake": (torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]),),
    "forward_pass_mistake": (nn.Linear(3, 2), torch.ones(4, 3)),
    "predict_classes_mistake": (torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]),),
}


def test_every_diagnosis_is_exercised_here():
    assert set(INPUTS) == set(MISTAKE_FUNCTIONS)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(INPUTS)), got=returned)
def test_a_diagnosis_never_raises_and_gives_one_line(name, got):
    hint = MISTAKE_FUNCTIONS[name](got, *INPUTS[name])
    assert hint is None or (isinstance(hint, str) and hint and "\n" not in hint)
    want = torch.tensor([[1.0, 2.0]])
    difference = diagnoses.tensor_difference(got, want)
    assert difference is None or isinstance(difference, str)


@pytest.mark.parametrize("name, got, words", [
    ("linear_transform_mistake", torch.ones(2, 3) @ torch.ones(4, 3).T, "bias was not added"),
    ("count_elements_mistake", 4, "first dimension"),
    ("count_elements_mistake", torch.tensor(20), "return a Python int"),
    ("count_parameters_mistake", 2 + 2, "number of parameter tensors"),  # Linear weight, bias; BatchNorm weight, bias
    ("count_parameters_mistake", 42 + 13, "buffers"),  # 42 parameters, 12 running statistics + 1 batch counter
    ("build_binary_classifier_mistake", nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=-1)), "one output"),
    ("build_binary_classifier_mistake", nn.Sequential(nn.Linear(3, 1), nn.Softmax(dim=-1)), "always 1"),
    ("build_classifier_mistake", nn.Sequential(nn.Linear(9, 4), nn.Softmax(dim=-1)), "Linear(9, 16)"),
    ("build_classifier_mistake", nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4), nn.Softmax()),
     "without dim"),
    ("apply_softmax_mistake", torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]).softmax(dim=0), "dimension 0"),
    ("predict_classes_mistake", torch.tensor([0.7, 0.8]), "largest probabilities"),
    ("count_parameters_mistake", 0, "total += p.numel()"),  # not "the number of layers" (a Linear has none)
    ("build_classifier_mistake", nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4), nn.ReLU(),
                                               nn.Softmax(dim=-1)), "expected [Linear, ReLU, Linear, Softmax]"),
    ("tensor_shape_mistake", 2, "one number"),  # len(t) and t.dim() are both 2 here
])
def test_a_mistake_is_named(name, got, words):
    assert words in MISTAKE_FUNCTIONS[name](got, *INPUTS[name])


def test_right_answers_get_no_hint():
    from autograder.curriculum import SOLUTIONS_DIR, load_manifest
    from autograder.checking.namespaces import load_namespace

    reference = load_namespace(SOLUTIONS_DIR, load_manifest(), "solutions")
    for name, inputs in INPUTS.items():
        exercise = name.removesuffix("_mistake")
        if exercise == "python_int":
            continue
        got = getattr(reference, exercise)(*[a.clone() if isinstance(a, torch.Tensor) else a for a in inputs])
        assert MISTAKE_FUNCTIONS[name](got, *inputs) is None, (exercise, MISTAKE_FUNCTIONS[name](got, *inputs))

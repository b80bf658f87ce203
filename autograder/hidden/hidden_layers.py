import pytest
import torch
from torch import nn

from autograder.checking import expect
from autograder.checking.hints import kind
from autograder.checking.expect import fail
from autograder.checks import hints_layers as hints


@pytest.mark.exercise("make_linear_layer")
@pytest.mark.points(1)
@pytest.mark.parametrize("sizes", [(9, 4), (1, 1), (20, 3)])
def test_make_linear_layer_shapes(student, sizes):
    n_features, n_classes = sizes
    layer = student.make_linear_layer(n_features, n_classes)
    expect.hint(hints.make_linear_layer_mistake(layer, n_features, n_classes),
                f"make_linear_layer({n_features}, {n_classes})")


@pytest.mark.exercise("linear_parameter_count")
@pytest.mark.points(1)
@pytest.mark.parametrize("sizes", [(9, 4), (100, 10), (1, 1), (0, 5), (7, 0)])
def test_linear_parameter_count_formula(student, reference, sizes):
    got = student.linear_parameter_count(*sizes)
    want = reference.linear_parameter_count(*sizes)
    expect.hint(hints.linear_parameter_count_mistake(got, *sizes), f"linear_parameter_count{sizes}")
    expect.python_int(got, want, f"linear_parameter_count{sizes}")


def _shared() -> nn.Module:
    layer = nn.Linear(5, 5)  # 30 parameters, 60 counted once per use: neither is another case's count
    return nn.Sequential(layer, nn.ReLU(), layer)


_MODELS = {
    "a Linear(5, 5) used twice (its parameters shared)": _shared,
    "Sequential of three Linear layers": lambda: nn.Sequential(nn.Linear(10, 8), nn.ReLU(), nn.Linear(8, 6),
                                                               nn.Linear(6, 2)),
    "Linear without bias": lambda: nn.Linear(5, 3, bias=False),
    "Linear with BatchNorm1d (buffers are not parameters)": lambda: nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6)),
    "activations only": lambda: nn.Sequential(nn.ReLU(), nn.Sigmoid()),
}


def _model(name: str) -> nn.Module:
    """A new model (a student may modify what it is given), the same one every time.

    Built afresh rather than deep-copied: about half the cost.
    """
    generator = torch.default_generator
    state = generator.get_state()
    generator.manual_seed(0)
    try:
        return _MODELS[name]()
    finally:
        generator.set_state(state)


@pytest.mark.exercise("count_parameters")
@pytest.mark.points(1)
@pytest.mark.parametrize("name", list(_MODELS))
def test_count_parameters_models(student, reference, name):
    model = _model(name)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    got = student.count_parameters(model)
    want = reference.count_parameters(model)
    expect.hint(hints.count_parameters_mistake(got, model), f"count_parameters(<{name}>)")
    every_use = sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False))
    if got == every_use != want:
        fail(f"Shared parameters were counted once per use: a layer used twice has its parameters once, as "
             f"model.parameters() lists them. [count_parameters(<{name}>)]")
    expect.python_int(got, want, f"count_parameters(<{name}>)")
    for k, v in model.state_dict().items():
        if not torch.equal(v, before[k]):
            fail(f"It changed the model's {k}: counting must leave the model as it was. [count_parameters(<{name}>)]")


@pytest.mark.exercise("build_classifier")
@pytest.mark.points(2)
@pytest.mark.parametrize("hidden", [(), (16,), (32, 16, 8)], ids=["no-hidden", "one-hidden", "three-hidden"])
def test_build_classifier_structure(student, reference, hidden):
    call = f"build_classifier(9, 4, {list(hidden)})"
    model = student.build_classifier(9, 4, list(hidden))
    want = reference.build_classifier(9, 4, list(hidden))
    expect.hint(hints.build_classifier_mistake(model, 9, 4, list(hidden)), call)
    kinds = [kind(layer) for layer in model]
    want_kinds = [kind(layer) for layer in want]
    if kinds != want_kinds:
        fail(f"The layers are {kinds}; expected {want_kinds}. [{call}]")
    x = torch.randn(6, 9, generator=torch.Generator().manual_seed(4))
    out = model(x)
    if not torch.allclose(out.sum(dim=-1), torch.ones(6), atol=1e-5):
        fail(f"The outputs for one sample do not sum to 1: the softmax must be over the classes. [{call}]")


@pytest.mark.exercise("build_classifier")
@pytest.mark.points(1)
def test_build_classifier_parameter_count(student, reference):
    model = student.build_classifier(12, 3, [10, 5])
    got = sum(p.numel() for p in model.parameters()) if isinstance(model, nn.Module) else None
    want = reference.count_parameters(reference.build_classifier(12, 3, [10, 5]))
    if got != want:
        fail(f"The model has {got} parameters; expected {want}. [build_classifier(12, 3, [10, 5])]")


@pytest.mark.exercise("added_parameters")
@pytest.mark.points(1)
@pytest.mark.parametrize("case", [(9, 4, [16]), (10, 2, [8, 8]), (3, 3, [1]), (5, 2, [])])
def test_added_parameters_cases(student, reference, case):
    got = student.added_parameters(*case)
    want = reference.added_parameters(*case)
    expect.hint(hints.added_parameters_mistake(got, *case), f"added_parameters{tuple(case)}")
    expect.python_int(got, want, f"added_parameters{tuple(case)}")


# --- the mistake catalogue: what the tests check this assignment's hints with ------------
# (never shipped: it quotes the solution)

#: one typical mistake per exercise, as an edit of the reference solution (right line, wrong
#: line): the public and the hidden checks must name it, in the same words
MISTAKES = {
    "make_linear_layer": ("    return nn.Linear(n_features, n_classes)\n", "    return nn.Linear(n_classes, n_features)\n"),
    "linear_parameter_count": ("    return in_features * out_features + out_features\n",
                               "    return in_features * out_features\n"),
    "count_parameters": ("    return sum(p.numel() for p in model.parameters())\n",
                         "    return len(list(model.parameters()))\n"),
    "build_classifier": ("    layers.append(nn.Softmax(dim=-1))\n", ""),
    "added_parameters": ("    return with_hidden - (n_features * n_classes + n_classes)\n", "    return with_hidden\n"),
}


def hint_inputs() -> dict:
    """exercise -> the inputs (after what the student returned) its checks give its hint function."""
    return {
        "make_linear_layer": (9, 4),
        "linear_parameter_count": (9, 4),
        "count_parameters": (nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6)),),
        "build_classifier": (9, 4, [16]),
        "added_parameters": (9, 4, [16]),
    }


def hint_examples() -> list:
    """(exercise, what a student's function returned, words its hint must contain)."""
    return [
        # the model of hint_inputs(): a Linear's weight and bias, a BatchNorm's weight and bias
        ("count_parameters", 2 + 2, "number of parameter tensors"),
        ("count_parameters", 42 + 13, "buffers"),  # 42 parameters, 12 running statistics + 1 batch counter
        ("count_parameters", 0, "total += p.numel()"),  # not "the number of layers" (a Linear has none)
        ("build_classifier", nn.Sequential(nn.Linear(9, 4), nn.Softmax(dim=-1)), "Linear(9, 16)"),
        ("build_classifier", nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4), nn.Softmax()),
         "without dim"),
        ("build_classifier", nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4), nn.ReLU(),
                                           nn.Softmax(dim=-1)), "a ReLU after the last Linear layer"),
        ("build_classifier", nn.Sequential(nn.Linear(9, 16), nn.Sigmoid(), nn.Linear(16, 4), nn.Softmax(dim=-1)),
         "activation is a sigmoid"),
        ("build_classifier", nn.Sequential(nn.Linear(9, 16), nn.ReLU(), nn.Linear(16, 4), nn.LogSoftmax(dim=-1)),
         "log-probabilities"),
        ("make_linear_layer", nn.Linear(9, 1), "one output"),
        ("linear_parameter_count", 2, "number of parameter tensors"),
        ("added_parameters", -188, "wrong way round"),
    ]

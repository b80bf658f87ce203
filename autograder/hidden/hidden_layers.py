import pytest
import torch
from torch import nn

from autograder.checking import expect
from autograder.checking.outcomes import fail


@pytest.mark.exercise("make_linear_layer")
@pytest.mark.points(1)
@pytest.mark.parametrize("sizes", [(9, 4), (1, 1), (20, 3)])
def test_make_linear_layer_shapes(student, sizes):
    n_features, n_classes = sizes
    layer = student.make_linear_layer(n_features, n_classes)
    call = f"make_linear_layer({n_features}, {n_classes})"
    if not isinstance(layer, nn.Linear):
        fail(f"{call} returned {expect.describe(layer)}; it should return an nn.Linear.")
    if (layer.in_features, layer.out_features) == (n_classes, n_features) and n_features != n_classes:
        fail(f"{call} swapped the sizes: inputs are the features, outputs the classes.")
    if tuple(layer.weight.shape) != (n_classes, n_features):
        fail(f"{call} has a weight of shape {tuple(layer.weight.shape)}; expected ({n_classes}, {n_features}).")
    if layer.bias is None:
        fail(f"{call} has no bias; nn.Linear has one unless bias=False.")


@pytest.mark.exercise("linear_parameter_count")
@pytest.mark.points(1)
@pytest.mark.parametrize("sizes", [(9, 4), (100, 10), (1, 1), (0, 5), (7, 0)])
def test_linear_parameter_count_formula(student, reference, sizes):
    got = student.linear_parameter_count(*sizes)
    want = reference.linear_parameter_count(*sizes)
    if got == sizes[0] * sizes[1] and want != got:
        fail(f"linear_parameter_count{sizes} returned {got}: the weights only; add one bias per output.")
    expect.python_int(got, want, f"linear_parameter_count{sizes}")


_MODELS = {
    "one Linear(9, 4)": lambda: nn.Linear(9, 4),
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
    tensors = len(list(model.parameters()))
    with_buffers = want + sum(b.numel() for b in model.buffers() if b.dtype.is_floating_point)
    if got == tensors and want != tensors:
        fail(f"count_parameters({name}) returned {got}, the number of parameter tensors; "
             "add up their numel() instead.")
    if got == with_buffers and want != with_buffers:
        fail(f"count_parameters({name}) returned {got}: it counted buffers (running statistics) too; "
             "only model.parameters() are parameters.")
    expect.python_int(got, want, f"count_parameters({name})")
    for k, v in model.state_dict().items():
        if not torch.equal(v, before[k]):
            fail(f"count_parameters({name}) changed the model's {k}; counting must not modify the model.")


@pytest.mark.exercise("build_classifier")
@pytest.mark.points(2)
@pytest.mark.parametrize("hidden", [(), (16,), (32, 16, 8)], ids=["no-hidden", "one-hidden", "three-hidden"])
def test_build_classifier_structure(student, reference, hidden):
    call = f"build_classifier(9, 4, {list(hidden)})"
    model = student.build_classifier(9, 4, list(hidden))
    want = reference.build_classifier(9, 4, list(hidden))
    kinds, want_kinds = expect.layer_types(model, call), expect.layer_types(want, call)
    if kinds and kinds[-1] != "Softmax":
        fail(f"{call} does not end with nn.Softmax: the output activation is missing ({kinds}).")
    if kinds != want_kinds:
        fail(f"{call} has layers {kinds}; expected {want_kinds}.")
    for got_layer, want_layer in zip(model, want):
        if isinstance(want_layer, nn.Linear):
            if (got_layer.in_features, got_layer.out_features) != (want_layer.in_features, want_layer.out_features):
                fail(f"{call}: a layer is Linear({got_layer.in_features}, {got_layer.out_features}); expected "
                     f"Linear({want_layer.in_features}, {want_layer.out_features}).")
            if got_layer.bias is None:
                fail(f"{call}: a Linear layer has no bias (biases forgotten).")
        if isinstance(want_layer, nn.Softmax) and got_layer.dim not in (-1, 1):
            fail(f"{call}: Softmax(dim={got_layer.dim}) normalises over the batch; use dim=-1 (the classes).")
    x = torch.randn(6, 9, generator=torch.Generator().manual_seed(4))
    out = model(x)
    if not torch.allclose(out.sum(dim=-1), torch.ones(6), atol=1e-5):
        fail(f"{call}: the outputs for one sample do not sum to 1; the softmax must be over the classes.")


@pytest.mark.exercise("build_classifier")
@pytest.mark.points(1)
def test_build_classifier_parameter_count(student, reference):
    model = student.build_classifier(12, 3, [10, 5])
    got = sum(p.numel() for p in model.parameters()) if isinstance(model, nn.Module) else None
    want = reference.count_parameters(reference.build_classifier(12, 3, [10, 5]))
    if got != want:
        fail(f"build_classifier(12, 3, [10, 5]) has {got} parameters; expected {want}.")


@pytest.mark.exercise("added_parameters")
@pytest.mark.points(1)
@pytest.mark.parametrize("case", [(9, 4, [16]), (10, 2, [8, 8]), (3, 3, [1]), (5, 2, [])])
def test_added_parameters_cases(student, reference, case):
    got = student.added_parameters(*case)
    want = reference.added_parameters(*case)
    expect.python_int(got, want, f"added_parameters{tuple(case)}")

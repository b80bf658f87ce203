import pytest
import torch
from torch import nn

from autograder.checking import expect
from autograder.checking.outcomes import fail


def _randn(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.exercise("apply_sigmoid")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_apply_sigmoid_random(student, reference, shape):
    x = _randn(11, *shape) * 4
    x0 = x.clone()
    got = student.apply_sigmoid(x)
    expect.unchanged(x, x0, f"apply_sigmoid(x of shape {shape})", "x")
    expect.tensor(got, reference.apply_sigmoid(x0), f"apply_sigmoid(x of shape {shape})")


@pytest.mark.exercise("apply_sigmoid")
@pytest.mark.points(1)
def test_apply_sigmoid_extremes(student, reference):
    x = torch.tensor([-100.0, -10.0, 0.0, 10.0, 100.0])
    expect.tensor(student.apply_sigmoid(x), reference.apply_sigmoid(x), "apply_sigmoid([-100, -10, 0, 10, 100])")


@pytest.mark.exercise("build_binary_classifier")
@pytest.mark.points(2)
@pytest.mark.parametrize("n_features", [3, 10])
def test_build_binary_classifier(student, reference, n_features):
    call = f"build_binary_classifier({n_features})"
    model = student.build_binary_classifier(n_features)
    kinds = expect.layer_types(model, call)
    if kinds == ["Linear"]:
        fail(f"{call} has no Sigmoid: the output activation is missing.")
    if kinds != expect.layer_types(reference.build_binary_classifier(n_features), call):
        fail(f"{call} has layers {kinds}; expected [Linear, Sigmoid].")
    if (model[0].in_features, model[0].out_features) != (n_features, 1):
        fail(f"{call}: the Linear layer should map {n_features} features to 1 output, got "
             f"Linear({model[0].in_features}, {model[0].out_features}).")
    out = model(_randn(3, 7, n_features))
    if tuple(out.shape) != (7, 1) or not ((out > 0) & (out < 1)).all():
        fail(f"{call}: outputs should be probabilities of shape (batch, 1).")


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(2)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 6)])
def test_apply_softmax_default_dim(student, reference, shape):
    logits = _randn(5, *shape)
    before = logits.clone()
    got = student.apply_softmax(logits)
    call = f"apply_softmax(logits of shape {shape})"
    expect.unchanged(logits, before, call, "the logits")
    wrong_dim = torch.softmax(before, dim=0)
    if isinstance(got, torch.Tensor) and got.shape == wrong_dim.shape and torch.allclose(got, wrong_dim, atol=1e-6):
        fail(f"{call}: softmax was taken over dimension 0 (the batch); the probabilities must sum to one along dim.")
    expect.tensor(got, reference.apply_softmax(before), call)


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(1)
@pytest.mark.parametrize("dim", [0, 1])
def test_apply_softmax_explicit_dim(student, reference, dim):
    logits = _randn(6, 3, 4)
    expect.tensor(student.apply_softmax(logits, dim=dim), reference.apply_softmax(logits, dim=dim),
                  f"apply_softmax(logits of shape (3, 4), dim={dim})")


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(1)
def test_apply_softmax_large_logits(student, reference):
    logits = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])
    got = student.apply_softmax(logits.clone())
    if isinstance(got, torch.Tensor) and torch.isnan(got).any():
        fail("apply_softmax on large logits (around 1000) returned NaN: exp overflowed. Subtract the "
             "maximum before exponentiating, or use torch.softmax.")
    expect.tensor(got, reference.apply_softmax(logits), "apply_softmax(logits around +-1000)")


@pytest.mark.exercise("forward_pass")
@pytest.mark.points(2)
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_pass_matches_model(student, reference, seed):
    torch.default_generator.manual_seed(seed)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1))
    x = _randn(seed + 20, 5, 4)
    x0, state = x.clone(), {k: v.clone() for k, v in model.state_dict().items()}
    got = student.forward_pass(model, x)
    call = "forward_pass(<a 2-layer classifier>, x of shape (5, 4))"
    expect.unchanged(x, x0, call, "x")
    for k, v in model.state_dict().items():
        if not torch.equal(v, state[k]):
            fail(f"{call} changed the model's {k}; a forward pass only reads the weights.")
    if isinstance(got, torch.Tensor) and got.requires_grad:
        fail(f"{call} returned a tensor that requires grad; run the model inside torch.no_grad().")
    expect.tensor(got, reference.forward_pass(model, x0), call)


@pytest.mark.exercise("predict_classes")
@pytest.mark.points(1)
@pytest.mark.parametrize("seed", [7, 8])
def test_predict_classes_random(student, reference, seed):
    probs = torch.softmax(_randn(seed, 6, 5), dim=-1)
    before = probs.clone()
    got = student.predict_classes(probs)
    call = "predict_classes(probabilities of shape (6, 5))"
    expect.unchanged(probs, before, call, "the probabilities")
    wrong = before.argmax(dim=0)
    if isinstance(got, torch.Tensor) and got.shape == wrong.shape and torch.equal(got, wrong):
        fail(f"{call} took argmax over the batch (dim 0); take it over the classes (dim=-1).")
    expect.tensor(got, reference.predict_classes(before), call)

import pytest
import torch
from torch import nn

from autograder.checking import expect
from autograder.checking.outcomes import fail
from autograder.checks import hints_activations as hints


def _randn(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.exercise("apply_sigmoid")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_apply_sigmoid_random(student, reference, shape):
    x = _randn(11, *shape) * 4
    x0 = x.clone()
    got = student.apply_sigmoid(x)
    call = f"apply_sigmoid(x of shape {shape})"
    expect.unchanged(x, x0, call, "x")
    expect.hint(hints.apply_sigmoid_mistake(got, x0), call)
    expect.tensor(got, reference.apply_sigmoid(x0), call)


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
    expect.hint(hints.build_binary_classifier_mistake(model, n_features), call)
    out = model(_randn(3, 7, n_features))
    if tuple(out.shape) != (7, 1) or not ((out > 0) & (out < 1)).all():
        fail(f"The outputs should be probabilities, of shape (batch, 1). [{call}]")


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(2)
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 6)])
def test_apply_softmax_default_dim(student, reference, shape):
    logits = _randn(5, *shape)
    before = logits.clone()
    got = student.apply_softmax(logits)
    call = f"apply_softmax(logits of shape {shape})"
    expect.unchanged(logits, before, call, "the logits")
    expect.hint(hints.apply_softmax_mistake(got, before), call)
    expect.tensor(got, reference.apply_softmax(before), call)


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(1)
@pytest.mark.parametrize("dim", [0, 1])
def test_apply_softmax_explicit_dim(student, reference, dim):
    logits = _randn(6, 3, 4)
    got = student.apply_softmax(logits, dim=dim)
    call = f"apply_softmax(logits of shape (3, 4), dim={dim})"
    expect.hint(hints.apply_softmax_mistake(got, logits, dim), call)
    expect.tensor(got, reference.apply_softmax(logits, dim=dim), call)


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(1)
def test_apply_softmax_large_logits(student, reference):
    logits = torch.tensor([[1000.0, 1001.0, 999.0], [-1000.0, 0.0, 1000.0]])
    got = student.apply_softmax(logits.clone())
    call = "apply_softmax(logits around +-1000)"
    expect.hint(hints.apply_softmax_mistake(got, logits), call)
    expect.tensor(got, reference.apply_softmax(logits), call)


@pytest.mark.exercise("forward_pass")
@pytest.mark.points(2)
@pytest.mark.parametrize("seed", [0, 1])
def test_forward_pass_matches_model(student, reference, seed):
    torch.default_generator.manual_seed(seed)
    # in eval mode, as a model is for predictions: a student's model.eval() changes nothing
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1)).eval()
    x = _randn(seed + 20, 5, 4)
    x0, state = x.clone(), {k: v.clone() for k, v in model.state_dict().items()}
    got = student.forward_pass(model, x)
    call = "forward_pass(<a 2-layer classifier>, x of shape (5, 4))"
    expect.unchanged(x, x0, call, "x")
    for k, v in model.state_dict().items():
        if not torch.equal(v, state[k]):
            fail(f"It changed the model's {k}: a forward pass only reads the weights. [{call}]")
    expect.hint(hints.forward_pass_mistake(got, model, x0), call)
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
    expect.hint(hints.predict_classes_mistake(got, before), call)
    expect.tensor(got, reference.predict_classes(before), call)


# --- the mistake catalogue: what the tests check this assignment's hints with ------------
# (never shipped: it quotes the solution)

#: one typical mistake per exercise, as an edit of the reference solution (right line, wrong
#: line): the public and the hidden checks must name it, in the same words
MISTAKES = {
    "apply_sigmoid": ("    return nn.Sigmoid()(x)\n", "    return torch.softmax(x, dim=-1)\n"),
    "build_binary_classifier": ("    return nn.Sequential(nn.Linear(n_features, 1), nn.Sigmoid())\n",
                                "    return nn.Sequential(nn.Linear(n_features, 1))\n"),
    "apply_softmax": ("    return torch.softmax(logits, dim=dim)\n", "    return torch.softmax(logits, dim=0)\n"),
    "forward_pass": ("    with torch.no_grad():\n        return model(x)\n", "    return model(x)\n"),
    "predict_classes": ("    return probabilities.argmax(dim=-1)\n", "    return probabilities.argmax(dim=0)\n"),
}


def hint_inputs() -> dict:
    """exercise -> the inputs (after what the student returned) its checks give its hint function."""
    return {
        "apply_sigmoid": (torch.tensor([-2.0, 0.0, 2.0]),),
        "build_binary_classifier": (3,),
        "apply_softmax": (torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]),),
        "forward_pass": (nn.Linear(3, 2), torch.ones(4, 3)),
        "predict_classes": (torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]),),
    }


def hint_examples() -> list:
    """(exercise, what a student's function returned, words its hint must contain)."""
    return [
        ("build_binary_classifier", nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=-1)), "one output"),
        ("build_binary_classifier", nn.Sequential(nn.Linear(3, 1), nn.Softmax(dim=-1)), "always 1"),
        ("apply_softmax", torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]).softmax(dim=0), "dimension 0"),
        ("predict_classes", torch.tensor([0.7, 0.8]), "largest probabilities"),
    ]

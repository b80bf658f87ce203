import pytest
import torch
from torch import nn

from autograder.checking import expect
from autograder.checking.expect import fail
from autograder.checks import hints_activations as hints


def _randn(seed: int, *shape: int) -> torch.Tensor:
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


@pytest.mark.exercise("apply_sigmoid")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 1, 3)])  # a dimension of size 1: a squeeze() shows
def test_apply_sigmoid_random(student, reference, shape):
    x = _randn(11, *shape) * 4
    x0 = x.clone()
    got = student.apply_sigmoid(x)
    call = f"apply_sigmoid(x of shape {shape})"
    expect.unchanged(x, x0, call, "x")
    expect.hint(hints.apply_sigmoid_mistake(got, x0), call)
    expect.shape(got, shape, call)
    expect.tensor(got, reference.apply_sigmoid(x0), call)


@pytest.mark.exercise("apply_sigmoid")
@pytest.mark.points(1)
def test_apply_sigmoid_extremes(student, reference):
    # float64, and beyond what math.exp takes (it overflows past 709): element by element
    # in Python fails here where nn.Sigmoid does not
    x = torch.tensor([-800.0, -100.0, -10.0, 0.0, 10.0, 100.0, 800.0], dtype=torch.float64)
    got = student.apply_sigmoid(x)
    call = "apply_sigmoid(a float64 tensor [-800, -100, -10, 0, 10, 100, 800])"
    if isinstance(got, torch.Tensor) and got.dtype != x.dtype:
        fail(f"It returned {got.dtype} for a {x.dtype} input: keep the input's dtype, as nn.Sigmoid does "
             f"(a new tensor made with torch.tensor(...) is float32). [{call}]")
    expect.tensor(got, reference.apply_sigmoid(x), call)


@pytest.mark.exercise("build_binary_classifier")
@pytest.mark.points(2)
@pytest.mark.parametrize("n_features", [3, 10])
def test_build_binary_classifier(student, reference, n_features):
    call = f"build_binary_classifier({n_features})"
    model = student.build_binary_classifier(n_features)
    expect.hint(hints.build_binary_classifier_mistake(model, n_features), call)
    if isinstance(model[0], nn.Linear) and model[0].bias is None:
        fail(f"The linear layer has no bias: logistic regression adds one, so leave out bias=False. [{call}]")
    out = model(_randn(3, 7, n_features))
    if tuple(out.shape) != (7, 1) or not ((out > 0) & (out < 1)).all():
        fail(f"The outputs should be probabilities, of shape (batch, 1). [{call}]")


@pytest.mark.exercise("apply_softmax")
@pytest.mark.points(2)
@pytest.mark.parametrize("shape", [(4, 5), (1, 3, 6)])  # a batch of one: a squeeze() shows
def test_apply_softmax_default_dim(student, reference, shape):
    logits = _randn(5, *shape)
    before = logits.clone()
    got = student.apply_softmax(logits)
    call = f"apply_softmax(logits of shape {shape})"
    expect.unchanged(logits, before, call, "the logits")
    expect.hint(hints.apply_softmax_mistake(got, before), call)
    expect.shape(got, shape, call)
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


_FORWARD_MODELS = {
    "a 2-layer classifier": lambda: nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=-1)),
    # one output per sample, shape (batch, 1): a squeeze() of the result shows
    "a binary classifier, one output": lambda: nn.Sequential(nn.Linear(4, 1), nn.Sigmoid()),
}


@pytest.mark.exercise("forward_pass")
@pytest.mark.points(2)
@pytest.mark.parametrize("seed, name", list(enumerate(_FORWARD_MODELS)))
def test_forward_pass_matches_model(student, reference, seed, name):
    torch.default_generator.manual_seed(seed)
    # in eval mode, as a model is for predictions: a student's model.eval() changes nothing
    model = _FORWARD_MODELS[name]().eval()
    x = _randn(seed + 20, 5, 4)
    x0, state = x.clone(), {k: v.clone() for k, v in model.state_dict().items()}
    got = student.forward_pass(model, x)
    call = f"forward_pass(<{name}>, x of shape (5, 4))"
    expect.unchanged(x, x0, call, "x")
    for k, v in model.state_dict().items():
        if not torch.equal(v, state[k]):
            fail(f"It changed the model's {k}: a forward pass only reads the weights. [{call}]")
    expect.hint(hints.forward_pass_mistake(got, model, x0), call)
    want = reference.forward_pass(model, x0)
    expect.shape(got, tuple(want.shape), call)
    expect.tensor(got, want, call)


@pytest.mark.exercise("predict_classes")
@pytest.mark.points(1)
@pytest.mark.parametrize("seed, batch", [(7, 6), (8, 1)])  # a batch of one: a squeeze() shows
def test_predict_classes_random(student, reference, seed, batch):
    probs = torch.softmax(_randn(seed, batch, 5), dim=-1)
    before = probs.clone()
    got = student.predict_classes(probs)
    call = f"predict_classes(probabilities of shape ({batch}, 5))"
    expect.unchanged(probs, before, call, "the probabilities")
    expect.hint(hints.predict_classes_mistake(got, before), call)
    expect.shape(got, (batch,), call)
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
        ("predict_classes", torch.tensor([2, 1]), "no + 1"),
        ("predict_classes", torch.tensor([1, 0]).float(), "integers (int64)"),
        ("predict_classes", torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]).max(dim=-1), "the indices, .indices"),
        ("apply_sigmoid", 1 / (1 + torch.tensor([-2.0, 0.0, 2.0]).exp()), "sign is flipped"),
        ("apply_softmax", torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]).sigmoid(), "that is the sigmoid"),
        ("forward_pass", torch.ones(4, 2, requires_grad=True), "requires grad"),
    ]

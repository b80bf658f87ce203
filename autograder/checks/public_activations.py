import pytest
import torch
from torch import nn


@pytest.mark.exercise("apply_sigmoid")
def test_apply_sigmoid_of_zero(apply_sigmoid):
    y = apply_sigmoid(torch.tensor([0.0, 0.0, 0.0]))
    assert isinstance(y, torch.Tensor), "apply_sigmoid should return a torch.Tensor"
    assert tuple(y.shape) == (3,), f"an activation keeps the shape of its input (3,), got {tuple(y.shape)}"
    assert torch.allclose(y, torch.full((3,), 0.5)), f"sigmoid(0) is 0.5, got {y.tolist()}"


@pytest.mark.exercise("build_binary_classifier")
def test_build_binary_classifier_layers(build_binary_classifier):
    model = build_binary_classifier(3)
    assert isinstance(model, nn.Sequential), f"return an nn.Sequential, got {type(model).__name__}"
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Linear", "Sigmoid"], f"expected [Linear, Sigmoid], got {kinds}"


@pytest.mark.exercise("apply_softmax")
def test_apply_softmax_rows_sum_to_one(apply_softmax):
    logits = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    p = apply_softmax(logits)
    assert isinstance(p, torch.Tensor), "apply_softmax should return a torch.Tensor"
    assert tuple(p.shape) == (2, 3), f"softmax keeps the shape (2, 3), got {tuple(p.shape)}"
    assert torch.allclose(p.sum(dim=-1), torch.ones(2)), "each row (the last dimension) should sum to 1"


@pytest.mark.exercise("forward_pass")
def test_forward_pass_output_shape(forward_pass):
    torch.default_generator.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2))
    y = forward_pass(model, torch.ones(4, 3))
    assert isinstance(y, torch.Tensor), "forward_pass should return a torch.Tensor"
    assert tuple(y.shape) == (4, 2), f"4 samples through Linear(3, 2) give shape (4, 2), got {tuple(y.shape)}"
    assert not y.requires_grad, "predictions need no gradients: run the model inside torch.no_grad()"


@pytest.mark.exercise("predict_classes")
def test_predict_classes_picks_largest(predict_classes):
    c = predict_classes(torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]))
    assert isinstance(c, torch.Tensor), "predict_classes should return a torch.Tensor"
    assert c.tolist() == [1, 0], f"the most likely classes are [1, 0], got {c.tolist()}"

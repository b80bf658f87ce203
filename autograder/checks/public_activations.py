import pytest
import torch
from torch import nn

from autograder.checking.hints import message, tensor_difference
from autograder.checks.hints_activations import (apply_sigmoid_mistake, apply_softmax_mistake,
                                                 build_binary_classifier_mistake, forward_pass_mistake,
                                                 predict_classes_mistake)


@pytest.mark.exercise("apply_sigmoid")
def test_apply_sigmoid_small_example(apply_sigmoid):
    x = torch.tensor([-2.0, 0.0, 2.0])
    y = apply_sigmoid(x)
    want = torch.tensor([0.11920292, 0.5, 0.88079708])
    problem = message(apply_sigmoid_mistake(y, x) or tensor_difference(y, want), "apply_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))")
    assert problem is None, problem


@pytest.mark.exercise("build_binary_classifier")
def test_build_binary_classifier_layers(build_binary_classifier):
    model = build_binary_classifier(3)
    problem = message(build_binary_classifier_mistake(model, 3), "build_binary_classifier(3)")
    assert problem is None, problem


@pytest.mark.exercise("apply_softmax")
def test_apply_softmax_rows_sum_to_one(apply_softmax):
    logits = torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    p = apply_softmax(logits)
    want = torch.tensor([[0.09003057, 0.24472847, 0.66524096], [1 / 3, 1 / 3, 1 / 3]])
    call = "apply_softmax(torch.tensor([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]))"
    problem = message(apply_softmax_mistake(p, logits) or tensor_difference(p, want), call)
    assert problem is None, problem


@pytest.mark.exercise("apply_softmax")
def test_apply_softmax_large_scores(apply_softmax):
    logits = torch.tensor([[1.0, 1.0], [1000.0, 1000.0]])
    p = apply_softmax(logits)
    call = "apply_softmax(torch.tensor([[1.0, 1.0], [1000.0, 1000.0]])), the docstring's example"
    problem = message(apply_softmax_mistake(p, logits) or tensor_difference(p, torch.full((2, 2), 0.5)), call)
    assert problem is None, problem


@pytest.mark.exercise("forward_pass")
def test_forward_pass_output(forward_pass):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 2)).eval()  # model.eval() in forward_pass changes nothing
    x = torch.ones(4, 3)
    with torch.no_grad():
        want = model(x)
    y = forward_pass(model, x)
    call = "forward_pass(nn.Sequential(nn.Linear(3, 2)).eval(), torch.ones(4, 3))"
    problem = message(forward_pass_mistake(y, model, x) or tensor_difference(y, want), call)
    assert problem is None, problem


@pytest.mark.exercise("predict_classes")
def test_predict_classes_picks_largest(predict_classes):
    probabilities = torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]])
    c = predict_classes(probabilities)
    call = "predict_classes(torch.tensor([[0.1, 0.7, 0.2], [0.8, 0.1, 0.1]]))"
    problem = message(predict_classes_mistake(c, probabilities) or tensor_difference(c, torch.tensor([1, 0])), call)
    assert problem is None, problem

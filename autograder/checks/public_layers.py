import pytest
import torch
from torch import nn


@pytest.mark.exercise("make_linear_layer")
def test_make_linear_layer_sizes(make_linear_layer):
    layer = make_linear_layer(9, 4)
    assert isinstance(layer, nn.Linear), f"make_linear_layer should return an nn.Linear, got {type(layer).__name__}"
    assert (layer.in_features, layer.out_features) == (9, 4), (
        f"9 features and 4 classes need nn.Linear(9, 4), got nn.Linear({layer.in_features}, {layer.out_features})")
    assert layer.bias is not None, "the layer needs a bias"


@pytest.mark.exercise("linear_parameter_count")
def test_linear_parameter_count_example(linear_parameter_count):
    n = linear_parameter_count(9, 4)
    assert n == 40, f"nn.Linear(9, 4) has 9*4 = 36 weights and 4 biases: 40 parameters, got {n!r}"


@pytest.mark.exercise("count_parameters")
def test_count_parameters_one_layer(count_parameters):
    n = count_parameters(nn.Linear(9, 4))
    assert n != 2, "that is the number of parameter tensors; count their elements with numel()"
    assert n == 40, f"nn.Linear(9, 4) has 40 parameters, got {n!r}"


@pytest.mark.exercise("build_classifier")
def test_build_classifier_without_hidden_layers(build_classifier):
    model = build_classifier(9, 4)
    assert isinstance(model, nn.Sequential), f"return an nn.Sequential, got {type(model).__name__}"
    kinds = [type(layer).__name__ for layer in model]
    assert kinds == ["Linear", "Softmax"], f"with no hidden sizes expect [Linear, Softmax], got {kinds}"
    out = model(torch.zeros(5, 9))
    assert tuple(out.shape) == (5, 4), f"5 samples and 4 classes give output shape (5, 4), got {tuple(out.shape)}"


@pytest.mark.exercise("added_parameters")
def test_added_parameters_no_hidden_layers(added_parameters):
    n = added_parameters(9, 4, [])
    assert n == 0, f"without hidden layers nothing is added, got {n!r}"

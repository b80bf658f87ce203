import pytest
from torch import nn

from autograder.checking.hints import message
from autograder.checks.hints_layers import (added_parameters_mistake, build_classifier_mistake,
                                            count_parameters_mistake, linear_parameter_count_mistake,
                                            make_linear_layer_mistake)


@pytest.mark.exercise("make_linear_layer")
def test_make_linear_layer_sizes(make_linear_layer):
    layer = make_linear_layer(9, 4)
    problem = message(make_linear_layer_mistake(layer, 9, 4), "make_linear_layer(9, 4)")
    assert problem is None, problem


@pytest.mark.exercise("linear_parameter_count")
def test_linear_parameter_count_example(linear_parameter_count):
    n = linear_parameter_count(9, 4)
    problem = message(linear_parameter_count_mistake(n, 9, 4), "linear_parameter_count(9, 4)")
    assert problem is None, problem
    assert n == 40, f"It returned {n!r}; expected 9*4 weights + 4 biases = 40. [linear_parameter_count(9, 4)]"


@pytest.mark.exercise("count_parameters")
def test_count_parameters_one_layer(count_parameters):
    n = count_parameters(nn.Linear(9, 4))
    problem = message(count_parameters_mistake(n, nn.Linear(9, 4)), "count_parameters(nn.Linear(9, 4))")
    assert problem is None, problem
    assert n == 40, f"It returned {n!r}; expected 40. [count_parameters(nn.Linear(9, 4))]"


@pytest.mark.exercise("build_classifier")
def test_build_classifier_without_hidden_layers(build_classifier):
    model = build_classifier(9, 4)
    problem = message(build_classifier_mistake(model, 9, 4, []), "build_classifier(9, 4)")
    assert problem is None, problem


@pytest.mark.exercise("build_classifier")
def test_build_classifier_one_hidden_layer(build_classifier):
    model = build_classifier(9, 4, [16])
    problem = message(build_classifier_mistake(model, 9, 4, [16]), "build_classifier(9, 4, [16])")
    assert problem is None, problem


@pytest.mark.exercise("added_parameters")
def test_added_parameters_example(added_parameters):
    n = added_parameters(9, 4, [16])
    problem = message(added_parameters_mistake(n, 9, 4, [16]), "added_parameters(9, 4, [16])")
    assert problem is None, problem
    assert n == 188, f"It returned {n!r}; expected (9*16+16) + (16*4+4) - (9*4+4) = 188. [added_parameters(9, 4, [16])]"

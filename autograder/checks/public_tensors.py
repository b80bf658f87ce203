import pytest
import torch

from autograder.checking.hints import message, python_int_mistake, tensor_difference
from autograder.checks.hints_tensors import (count_elements_mistake, create_tensor_mistake, linear_transform_mistake,
                                             tensor_dtype_mistake, tensor_shape_mistake)


@pytest.mark.exercise("create_tensor")
def test_create_tensor_keeps_integers(create_tensor):
    data = [[1, 2, 3], [4, 5, 6]]
    t = create_tensor(data)
    problem = message(create_tensor_mistake(t, data) or tensor_difference(t, torch.tensor(data)),
                      "create_tensor([[1, 2, 3], [4, 5, 6]])")
    assert problem is None, problem


@pytest.mark.exercise("tensor_dtype")
def test_tensor_dtype_of_floats(tensor_dtype):
    t = torch.tensor([1.5, 2.5])
    d = tensor_dtype(t)
    problem = message(tensor_dtype_mistake(d, t), "tensor_dtype(torch.tensor([1.5, 2.5]))")
    assert problem is None, problem
    assert d == torch.float32, f"It returned {d!r}; expected torch.float32. [tensor_dtype(torch.tensor([1.5, 2.5]))]"


@pytest.mark.exercise("tensor_shape")
def test_tensor_shape_of_matrix(tensor_shape):
    t = torch.zeros(2, 3)
    s = tensor_shape(t)
    problem = message(tensor_shape_mistake(s, t), "tensor_shape(torch.zeros(2, 3))")
    assert problem is None, problem
    assert tuple(s) == (2, 3), f"It returned {s!r}; expected (2, 3). [tensor_shape(torch.zeros(2, 3))]"


@pytest.mark.exercise("count_elements")
def test_count_elements_of_matrix(count_elements):
    t = torch.zeros(4, 5)
    n = count_elements(t)
    problem = message(count_elements_mistake(n, t), "count_elements(torch.zeros(4, 5))")
    assert problem is None, problem
    assert n == 20, f"It returned {n!r}; expected 20. [count_elements(torch.zeros(4, 5))]"


@pytest.mark.exercise("count_elements")
def test_count_elements_returns_int(count_elements):
    n = count_elements(torch.zeros(3))
    problem = message(python_int_mistake(n), "count_elements(torch.zeros(3))")
    assert problem is None, problem


@pytest.mark.exercise("linear_transform")
def test_linear_transform_small_example(linear_transform):
    x = torch.tensor([[1.0, 2.0]])
    w = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    b = torch.tensor([0.0, 1.0])
    y = linear_transform(x, w, b)
    call = "linear_transform(x, weight, bias) of the example above"
    problem = message(linear_transform_mistake(y, x, w, b) or tensor_difference(y, torch.tensor([[1.0, 2.5]])), call)
    assert problem is None, problem

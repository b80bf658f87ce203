import pytest
import torch

from autograder.checking import expect
from autograder.checking.expect import fail
from autograder.checks import hints_tensors as hints


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.exercise("create_tensor")
@pytest.mark.points(1)
@pytest.mark.parametrize("data", [[1, 2, 3], [[0.5, -1.0], [2.0, 3.25]], [True, False, True], 7, [[[1], [2]], [[3], [4]]]],
                         ids=["ints", "floats", "bools", "scalar", "3d"])
def test_create_tensor_matches_torch_tensor(student, reference, data):
    got = student.create_tensor(data)
    want = reference.create_tensor(data)
    call = f"create_tensor({data!r})"
    expect.hint(hints.create_tensor_mistake(got, data), call)
    expect.tensor(got, want, call)


@pytest.mark.exercise("tensor_dtype")
@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool, torch.float64, torch.uint8])
def test_tensor_dtype_any_type(student, reference, dtype):
    t = torch.zeros(3, dtype=dtype)
    got = student.tensor_dtype(t)
    call = f"tensor_dtype(<a {dtype} tensor>)"
    expect.hint(hints.tensor_dtype_mistake(got, t), call)
    if got != reference.tensor_dtype(t):
        fail(f"It returned {got!r}; expected {dtype}. [{call}]")


@pytest.mark.exercise("tensor_shape")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (), (0, 3)], ids=["1d", "3d", "scalar", "empty"])
def test_tensor_shape_any_shape(student, reference, shape):
    t = torch.zeros(shape)
    got = student.tensor_shape(t)
    want = reference.tensor_shape(t)
    call = f"tensor_shape(<a tensor of shape {want}>)"
    expect.hint(hints.tensor_shape_mistake(got, t), call)
    if tuple(got) != want:
        fail(f"It returned {tuple(got)}; expected {want}. [{call}]")


@pytest.mark.exercise("count_elements")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (), (0, 7)], ids=["2d", "3d", "scalar", "empty"])
def test_count_elements_any_shape(student, reference, shape):
    t = torch.ones(shape)
    got = student.count_elements(t)
    want = reference.count_elements(t)
    call = f"count_elements(<a tensor of shape {shape}>)"
    expect.hint(hints.count_elements_mistake(got, t), call)
    expect.python_int(got, want, call)


@pytest.mark.exercise("linear_transform")
@pytest.mark.points(2)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_linear_transform_random(student, reference, seed):
    g = _gen(seed)
    batch, n_in, n_out = 4 + seed, 3 + seed, 2 + seed
    x, w, b = torch.randn(batch, n_in, generator=g), torch.randn(n_out, n_in, generator=g), torch.randn(n_out, generator=g)
    x0 = x.clone()
    got = student.linear_transform(x, w, b)
    want = reference.linear_transform(x0, w, b)
    call = f"linear_transform(x of shape {tuple(x.shape)}, weight {tuple(w.shape)}, bias {tuple(b.shape)})"
    expect.unchanged(x, x0, call, "x")
    expect.hint(hints.linear_transform_mistake(got, x0, w, b), call)
    expect.tensor(got, want, call)


@pytest.mark.exercise("linear_transform")
@pytest.mark.points(1)
def test_linear_transform_non_square(student, reference):
    x, w, b = torch.ones(2, 3), torch.arange(12.0).reshape(4, 3), torch.zeros(4)
    got = student.linear_transform(x, w, b)
    call = "linear_transform(x of shape (2, 3), weight (4, 3), bias (4,))"
    expect.hint(hints.linear_transform_mistake(got, x, w, b), call)
    if isinstance(got, torch.Tensor) and tuple(got.shape) != (2, 4):
        fail(f"The shape is {tuple(got.shape)}; expected (2, 4): the weight is stored as (out, in), so use "
             f"weight.T. [{call}]")
    expect.tensor(got, reference.linear_transform(x, w, b), call)


# --- the mistake catalogue: what the tests check this assignment's hints with ------------
# (never shipped: it quotes the solution)

#: one typical mistake per exercise, as an edit of the reference solution (right line, wrong
#: line): the public and the hidden checks must name it, in the same words
MISTAKES = {
    "create_tensor": ("    return torch.tensor(data)\n", "    return torch.Tensor(data)\n"),
    "tensor_dtype": ("    return t.dtype\n", "    return str(t.dtype)\n"),
    "tensor_shape": ("    return tuple(t.shape)\n", "    return len(t)\n"),
    "count_elements": ("    return t.numel()\n", "    return len(t)\n"),
    "linear_transform": ("    return x @ weight.T + bias\n", "    return x @ weight.T\n"),
}


def hint_inputs() -> dict:
    """exercise -> the inputs (after what the student returned) its checks give its hint function."""
    return {
        "create_tensor": ([[1, 2, 3], [4, 5, 6]],),
        "tensor_dtype": (torch.zeros(2),),
        "tensor_shape": (torch.zeros(2, 3),),
        "count_elements": (torch.zeros(4, 5),),
        "linear_transform": (torch.ones(2, 3), torch.ones(4, 3), torch.ones(4)),
    }


def hint_examples() -> list:
    """(exercise, what a student's function returned, words its hint must contain)."""
    return [
        ("linear_transform", torch.ones(2, 3) @ torch.ones(4, 3).T, "bias was not added"),
        ("count_elements", 4, "first dimension"),
        ("count_elements", torch.tensor(20), "return a Python int"),
        ("tensor_shape", 2, "one number"),  # len(t) and t.dim() are both 2 here
        ("tensor_shape", (3, 2), "reverse order"),
        ("count_elements", 9, "adds up the lengths"),  # sum(t.shape) of the (4, 5) input
        ("count_elements", 0, "zeros count too"),
        ("create_tensor", torch.tensor([1, 2, 3, 4, 5, 6]), "flattened"),
        ("linear_transform", torch.ones(2, 4) * 3, "not added"),  # x @ weight.T: every value 3 (4 with the bias)
    ]

import pytest
import torch

from autograder.checking import expect
from autograder.checking.outcomes import fail


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.exercise("create_tensor")
@pytest.mark.points(1)
@pytest.mark.parametrize("data", [[1, 2, 3], [[0.5, -1.0], [2.0, 3.25]], [True, False, True], 7, [[[1], [2]], [[3], [4]]]],
                         ids=["ints", "floats", "bools", "scalar", "3d"])
def test_create_tensor_matches_torch_tensor(student, reference, data):
    got = student.create_tensor(data)
    want = reference.create_tensor(data)
    if isinstance(got, torch.Tensor) and got.dtype == torch.float32 and want.dtype in (torch.int64, torch.bool):
        fail(f"create_tensor({data!r}) gave float32 instead of {want.dtype}: torch.Tensor(data) always makes "
             "floats; torch.tensor(data) keeps the type of the values.")
    expect.tensor(got, want, f"create_tensor({data!r})")


@pytest.mark.exercise("tensor_dtype")
@pytest.mark.points(1)
@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool, torch.float64, torch.uint8])
def test_tensor_dtype_any_type(student, reference, dtype):
    t = torch.zeros(3, dtype=dtype)
    got = student.tensor_dtype(t)
    if isinstance(got, str):
        fail(f"tensor_dtype returned the string {got!r}; return the torch.dtype itself (t.dtype).")
    if got != reference.tensor_dtype(t):
        fail(f"tensor_dtype of a {dtype} tensor returned {got!r}; expected {dtype}.")


@pytest.mark.exercise("tensor_shape")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(5,), (2, 3, 4), (), (0, 3)], ids=["1d", "3d", "scalar", "empty"])
def test_tensor_shape_any_shape(student, reference, shape):
    t = torch.zeros(shape)
    got = student.tensor_shape(t)
    want = reference.tensor_shape(t)
    if not isinstance(got, tuple):
        fail(f"tensor_shape returned {expect.describe(got)}; return a tuple such as t.shape.")
    if tuple(got) != want:
        fail(f"tensor_shape of a tensor of shape {want} returned {tuple(got)}"
             + (" (that looks like t.size(0) or len(t), only the first dimension)" if len(got) == 1 else "") + ".")


@pytest.mark.exercise("count_elements")
@pytest.mark.points(1)
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (), (0, 7)], ids=["2d", "3d", "scalar", "empty"])
def test_count_elements_any_shape(student, reference, shape):
    t = torch.ones(shape)
    got = student.count_elements(t)
    want = reference.count_elements(t)
    if shape and got == shape[0] and want != shape[0]:
        fail(f"count_elements of a tensor of shape {shape} returned {got}, the length of the first dimension "
             "only; numel() counts all elements.")
    expect.python_int(got, want, f"count_elements(<tensor of shape {shape}>)")


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
    if isinstance(got, torch.Tensor) and got.shape == want.shape and torch.allclose(got, x0 @ w.T, atol=1e-5):
        fail(f"{call}: the bias was not added; a layer computes x @ weight.T + bias.")
    expect.unchanged(x, x0, call, "x")
    expect.tensor(got, want, call)


@pytest.mark.exercise("linear_transform")
@pytest.mark.points(1)
def test_linear_transform_non_square(student, reference):
    x, w, b = torch.ones(2, 3), torch.arange(12.0).reshape(4, 3), torch.zeros(4)
    expect.tensor(student.linear_transform(x, w, b), reference.linear_transform(x, w, b),
                  "linear_transform(x of shape (2, 3), weight (4, 3), bias (4,)) [the weight must be transposed]")

import pytest
import torch


@pytest.mark.exercise("create_tensor")
def test_create_tensor_keeps_integers(create_tensor):
    t = create_tensor([[1, 2, 3], [4, 5, 6]])
    assert isinstance(t, torch.Tensor), "create_tensor should return a torch.Tensor"
    assert tuple(t.shape) == (2, 3), f"a 2x3 nested list should give shape (2, 3), got {tuple(t.shape)}"
    assert t.dtype == torch.int64, (
        f"integers should stay integers (torch.int64), got {t.dtype}: torch.Tensor(data) makes float32, "
        "torch.tensor(data) keeps the type")
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]], "the values should be the ones in the list"


@pytest.mark.exercise("tensor_dtype")
def test_tensor_dtype_of_floats(tensor_dtype):
    d = tensor_dtype(torch.tensor([1.5, 2.5]))
    assert d == torch.float32, f"a tensor of Python floats has dtype torch.float32, got {d!r}"


@pytest.mark.exercise("tensor_shape")
def test_tensor_shape_of_matrix(tensor_shape):
    s = tensor_shape(torch.zeros(2, 3))
    assert isinstance(s, tuple), f"return a tuple (t.shape is one), got {type(s).__name__}"
    assert tuple(s) == (2, 3), f"torch.zeros(2, 3) has shape (2, 3), got {s!r}"


@pytest.mark.exercise("count_elements")
def test_count_elements_of_matrix(count_elements):
    n = count_elements(torch.zeros(4, 5))
    assert n == 20, f"a 4x5 tensor holds 20 numbers, got {n!r} (len(t) is only the first dimension)"


@pytest.mark.exercise("linear_transform")
def test_linear_transform_small_example(linear_transform):
    x = torch.tensor([[1.0, 2.0]])
    w = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    b = torch.tensor([0.0, 1.0])
    y = linear_transform(x, w, b)
    assert isinstance(y, torch.Tensor), "linear_transform should return a torch.Tensor"
    assert tuple(y.shape) == (1, 2), f"1 sample and 2 outputs give shape (1, 2), got {tuple(y.shape)}"
    assert torch.allclose(y, torch.tensor([[1.0, 2.5]])), f"expected [[1.0, 2.5]], got {y.tolist()}"

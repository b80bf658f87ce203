"""Wrong solutions and valid alternatives of the tensors assignment (see ``tests/student_mistakes``)."""

WRONG: dict[str, list[tuple[str, str, str]]] = {
    "create_tensor": [
        ("capital T", "return torch.Tensor(data)",
         "Integers became floats (torch.Tensor(data) or a float dtype does that): use torch.tensor(data) as it is."),
        ("float dtype", "return torch.tensor(data, dtype=torch.float32)",
         "Integers became floats (torch.Tensor(data) or a float dtype does that): use torch.tensor(data) as it is."),
        ("long", "return torch.tensor(data).long()",
         "The dtype is torch.int64, where torch.tensor(data) infers torch.float32 from the values: leave out dtype= "
         "and conversions such as .float() or .long()."),
        ("the list", "return data",
         "It returned the data itself: turn it into a tensor with torch.tensor(data)."),
        ("numpy", "import numpy as np\n"
                  "return np.array(data)",
         "It returned a NumPy value: stay in torch and return a tensor (torch.from_numpy makes one)."),
        ("wrapped", "return torch.tensor([data])",
         "The tensor has an extra dimension of size 1 ([data] wraps the list in another): use torch.tensor(data)."),
        ("flattened", "return torch.tensor(data).flatten()",
         "The tensor was flattened: the nesting of the lists is the shape, so keep it, torch.tensor(data)."),
        ("requires grad", "return torch.tensor(data, requires_grad=True)",
         "Only float tensors can require gradients: leave requires_grad out for integers and booleans."),
        ("from numpy", "import numpy as np\n"
                       "return torch.from_numpy(np.array(data))",
         "The dtype is torch.float64, where torch.tensor(data) infers torch.float32 from the values: leave out "
         "dtype= and conversions such as .float() or .long()."),
        ("as_tensor long", "return torch.as_tensor(data, dtype=torch.int64)",
         "The dtype is torch.int64, where torch.tensor(data) infers torch.float32 from the values: leave out dtype= "
         "and conversions such as .float() or .long()."),
        ("fill loop", "t = torch.zeros(len(data))\n"
                      "for i, v in enumerate(data):\n"
                      "    t[i] = v\n"
                      "return t",
         "A list was put where one number goes (t[i] = ...): the data may be nested; torch.tensor(data) turns "
         "nested lists of any depth into a tensor."),
        ("int()", "return torch.Tensor(data).int()",
         "The dtype is torch.int32, where torch.tensor(data) infers torch.int64 from the values: leave out dtype= "
         "and conversions such as .float() or .long()."),
        ("double", "return torch.tensor(data).double()",
         "The dtype is torch.float64, where torch.tensor(data) infers torch.int64 from the values: leave out dtype= "
         "and conversions such as .float() or .long()."),
        ("stack rows", "return torch.stack([torch.tensor(row) for row in data])",
         "A number was looped over or unpacked as if it were a list (an input may be a single number)."),
        ("list()", "return torch.tensor(list(data))",
         "A number was looped over or unpacked as if it were a list (an input may be a single number)."),
        ("zeros like", "return torch.zeros(len(data))",
         "The shape is (2,); expected (2, 3): a dimension was reduced away (a sum, max or mean along a dimension "
         "removes it)."),
        ("float64", "return torch.tensor(data, dtype=torch.float64)",
         "The dtype is torch.float64, where torch.tensor(data) infers torch.int64 from the values: leave out "
         "dtype= and conversions such as .float() or .long()."),
        ("unsqueeze", "return torch.tensor(data).unsqueeze(0)",
         "The tensor has an extra dimension of size 1 ([data] wraps the list in another): use torch.tensor(data)."),
        ("bool to int", "t = torch.tensor(data)\n"
                        "return t.int() if t.dtype == torch.bool else t",
         "The dtype is torch.int32, where torch.tensor(data) infers torch.bool from the values: leave out dtype= "
         "and conversions such as .float() or .long()."),
        ("LongTensor", "return torch.LongTensor(data)",
         "The dtype is torch.int64, where torch.tensor(data) infers torch.float32 from the values: leave out "
         "dtype= and conversions such as .float() or .long()."),
    ],
    "tensor_dtype": [
        ("string", "return str(t.dtype)",
         "It returned the dtype's name, a string: return the torch.dtype itself, t.dtype."),
        ("type()", "return t.type()",
         "t.type() gives the name of the tensor's type, a string: the element type is the attribute t.dtype."),
        ("type(t)", "return type(t)",
         "That is the tensor's class (type(t)): the element type is the attribute t.dtype."),
        ("torch.dtype(t)", "return torch.dtype(t)",
         "torch.dtype is the type of dtypes, not a function: the element type of t is the attribute t.dtype."),
        ("called", "return t.dtype()",
         "dtype is an attribute, not a method: write t.dtype without ()."),
        ("always float32", "return torch.float32",
         "It returned torch.float32 for a torch.int64 tensor: return the dtype of the tensor given, t.dtype."),
        ("numpy dtype", "return t.numpy().dtype",
         "That is NumPy's dtype: return torch's own, the attribute t.dtype."),
        ("comparison", "return t.dtype == torch.float32",
         "It returned True or False (a comparison?): return the dtype itself, t.dtype."),
        ("__str__", "return t.dtype.__str__()",
         "It returned the dtype's name, a string: return the torch.dtype itself, t.dtype."),
        ("split", "return str(t.dtype).split('.')[1]",
         "It returned the dtype's name, a string: return the torch.dtype itself, t.dtype."),
        ("typename", "return torch.typename(t)",
         "t.type() gives the name of the tensor's type, a string: the element type is the attribute t.dtype."),
        ("type method", "return t.type",
         "It returned the function type itself, not called (add its ()): return a torch.dtype, the attribute t.dtype."),
        ("float or long", "return t.dtype if t.is_floating_point() else torch.int64",
         "It returned torch.int64 for a torch.bool tensor: return the dtype of the tensor given, t.dtype."),
        ("item class", "return t[0].item().__class__",
         "It returned a class, <class 'float'> (not an object made from it): return a torch.dtype, the attribute "
         "t.dtype."),
        ("dtype name attr", "return t.dtype.name",
         "A dtype has no name: return it as it is, t.dtype (str(t.dtype) is its name as text)."),
        ("isinstance", "return isinstance(t, torch.Tensor)",
         "It returned True or False (a comparison?): return the dtype itself, t.dtype."),
        ("is floating", "return t.is_floating_point()",
         "It returned True or False (a comparison?): return the dtype itself, t.dtype."),
        ("torch.typename", "return torch.typename(t.dtype)",
         "It returned the dtype's name, a string: return the torch.dtype itself, t.dtype."),
    ],
    "tensor_shape": [
        ("len", "return len(t)",
         "It returned one number: return the whole shape, t.shape (a tuple, one length per dimension)."),
        ("called", "return t.shape()",
         "Shape is an attribute, not a method: write t.shape without ()."),
        ("list", "return list(t.shape)",
         "It returned a list: return a tuple (t.shape is one)."),
        ("reversed", "return tuple(reversed(t.shape))",
         "The lengths are in reverse order: t.shape lists them from the first dimension to the last."),
        ("(1,) for a number", "return tuple(t.shape) if t.dim() > 0 else (1,)",
         "A 0-dimensional tensor (a single number) has the empty shape (): t.shape gives it as it is."),
        ("tensor", "return torch.tensor(t.shape)",
         "It returned a tensor: return a tuple of ints, such as t.shape."),
        ("tuple of tensors", "return tuple(torch.tensor(t.shape))",
         "The tuple holds a torch.int64 tensor of shape (), not ints: return t.shape, whose entries are ints."),
        ("method", "return t.size",
         "It returned the function size itself, not called (add its ()): return a tuple such as t.shape."),
        ("strides", "return tuple(t.stride())",
         "Those are the strides (t.stride()), how far apart elements lie in memory: the shape is t.shape."),
        ("len tuple", "return (len(t),)",
         "That is only the first dimension (len(t)): return the whole shape, t.shape."),
        ("two dims", "return t.shape[0], t.shape[1]",
         "An index past the end of a tuple or list: t.shape has one entry per dimension (fewer for a 1-D or 0-D "
         "tensor), and a list such as hidden_sizes may be empty."),
        ("str", "return str(t.shape)",
         "It returned a string ('torch.Size([2, 3])'): return a tuple such as t.shape."),
        ("tolist", "return t.shape.tolist()",
         "A shape (torch.Size) has no tolist: it is a tuple of ints already, tuple(t.shape)."),
        ("slice reversed", "return tuple(t.shape)[::-1]",
         "The lengths are in reverse order: t.shape lists them from the first dimension to the last."),
        ("numel tuple", "return tuple(t.shape.numel())",
         "A number was looped over or unpacked as if it were a list (an input may be a single number)."),
        ("size tensor", "return torch.tensor(t.size())",
         "It returned a tensor: return a tuple of ints, such as t.shape."),
        ("len each", "return tuple(len(t) for _ in range(t.dim()))",
         "It returned (2, 2); expected (2, 3)."),
        ("shape list of size", "return [s for s in t.shape]",
         "It returned a list: return a tuple (t.shape is one)."),
        ("dim tuple", "return (t.dim(),)",
         "That is only the first dimension (len(t)): return the whole shape, t.shape."),
    ],
    "count_elements": [
        ("len", "return len(t)",
         "len(t) counts only the first dimension: t.numel() counts every element."),
        ("sum of shape", "return sum(t.shape)",
         "That adds up the lengths of the dimensions: the number of elements is their product, t.numel()."),
        ("count nonzero", "return int(torch.count_nonzero(t))",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts from 1, "
         "not 0; t.numel() counts every element."),
        ("sum of values", "return int(t.sum())",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts from 1, "
         "not 0; t.numel() counts every element."),
        ("bytes", "return t.element_size() * t.nelement()",
         "That is the size in bytes (element_size() * numel()): the number of elements is t.numel()."),
        ("tensor", "return torch.tensor(t.numel())",
         "It returned a tensor: return a Python int (.item() turns a one-number tensor into one)."),
        ("not called", "return t.numel",
         "It returned the function numel itself, not called (add its ()): return a Python int."),
        ("product from 0", "n = 0\n"
                           "for size in t.shape:\n"
                           "    n *= size\n"
                           "return n",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts from 1, "
         "not 0; t.numel() counts every element."),
        ("shape", "return t.size()",
         "That is the shape: the number of elements is the product of its lengths, t.numel()."),
        ("size0 size1", "return t.size(0) * t.size(1)",
         "Dimension 1 does not exist: the tensor has 1 dimension(s), numbered from 0 (or from the end: dim=-1 is "
         "the last)."),
        ("np.prod", "import numpy as np\n"
                    "return np.prod(t.shape)",
         "It returned a NumPy number (np.int64(20)): return a Python int (int(...) turns it into one)."),
        ("count_nonzero tensor", "return t.count_nonzero()",
         "That depends on the values (it counts the non-zero ones, or adds them up): t.numel() counts every "
         "element, whatever its value."),
        ("sum tensor", "return t.sum()",
         "That depends on the values (it counts the non-zero ones, or adds them up): t.numel() counts every "
         "element, whatever its value."),
        ("len flatten list", "return len(t.tolist())",
         "len(t) counts only the first dimension: t.numel() counts every element."),
        ("dim", "return t.ndim",
         "That is the number of dimensions (t.dim()): t.numel() counts the elements."),
        ("float", "return float(t.numel())",
         "It returned a float (20.0): return a Python int (a count has no fractional part; int(...))."),
        ("shape last", "return t.shape[-1]",
         "That is the length of the last dimension only: t.numel() counts the elements of every dimension."),
        ("len of shape", "return len(t.shape)",
         "That is the number of dimensions (t.dim()): t.numel() counts the elements."),
        ("nbytes", "return t.nbytes",
         "That is the size in bytes (element_size() * numel()): the number of elements is t.numel()."),
        ("numel of shape", "return t.shape.numel",
         "It returned the function numel itself, not called (add its ()): return a Python int."),
    ],
    "linear_transform": [
        ("no bias", "return x @ weight.T",
         "The bias was not added: a layer computes x @ weight.T + bias."),
        ("not transposed", "return x @ weight + bias",
         "The weight was not transposed: it is stored as (out, in), so use weight.T."),
        ("dot", "return torch.dot(x, weight) + bias",
         "torch.dot multiplies two vectors (1-D tensors) only: for matrices use the matrix product, x @ weight.T."),
        ("wrong order", "return weight @ x.T + bias",
         "The product is the wrong way round: x @ weight.T gives one row per sample."),
        ("element-wise", "return x * weight + bias",
         "* multiplies element by element: the layer needs the matrix product, x @ weight.T."),
        ("matmul wrong order", "return torch.matmul(weight, x) + bias",
         "In a matrix product a @ b the columns of a must equal the rows of b, and here they do not (2x2 and 1x2): "
         "is a transpose (.T) missing or extra, or are the operands the wrong way round?"),
        ("bias first", "return (x + bias) @ weight.T",
         "The bias was added to the inputs before the product: add it to the product, x @ weight.T + bias."),
        ("mm no T", "return torch.mm(x, weight) + bias",
         "The weight was not transposed: it is stored as (out, in), so use weight.T."),
        ("matmul no bias", "return x.matmul(weight.t())",
         "The bias was not added: a layer computes x @ weight.T + bias."),
        ("bias column", "return x @ weight.T + bias.view(-1, 1)",
         "The bias was made a column (shape (out, 1)): add it as it is, shape (out,), and it is added to every "
         "sample's row."),
        ("F.linear T", "return torch.nn.functional.linear(x, weight.T, bias)",
         "The weight was not transposed: it is stored as (out, in), so use weight.T."),
        ("einsum wrong", "return torch.einsum('bi,io->bo', x, weight) + bias",
         "The weight was not transposed: it is stored as (out, in), so use weight.T."),
        ("mv", "return torch.mv(weight, x) + bias",
         "torch.mv multiplies a matrix by one vector: for a batch of samples use the matrix product, x @ weight.T."),
        ("T on x", "return x.T @ weight + bias",
         "In a matrix product a @ b the columns of a must equal the rows of b, and here they do not (2x1 and 2x2): "
         "is a transpose (.T) missing or extra, or are the operands the wrong way round?"),
        ("bias broadcast wrong", "return (x @ weight.T).T + bias",
         "The product is the wrong way round: x @ weight.T gives one row per sample."),
        ("sum products", "return (x * weight).sum(dim=1) + bias",
         "The shape is (2,); expected (1, 2): a dimension of size 1 was dropped (squeeze() drops every one, the "
         "batch's too when it holds one sample): keep every dimension."),
        ("int weights", "return x @ weight.T.long() + bias",
         "The tensors have different dtypes (integers and floats?): convert one, for example with .float()."),
        ("linear layer", "layer = nn.Linear(weight.shape[1], weight.shape[0])\n"
                         "return layer(x)",
         "nn is not defined: import it at the top of the file, from torch import nn."),
    ],
}

VALID: dict[str, list[tuple[str, str]]] = {
    "create_tensor": [
        ("as_tensor", "return torch.as_tensor(data)"),
        ("clone", "return torch.tensor(data).clone()"),
    ],
    "tensor_dtype": [
        ("getattr", "return getattr(t, 'dtype')"),
        ("data", "return t.data.dtype"),
    ],
    "tensor_shape": [
        ("Size", "return t.shape"),
        ("loop", "return tuple(t.size(i) for i in range(t.dim()))"),
        ("numpy", "return t.numpy().shape"),
    ],
    "count_elements": [
        ("math.prod", "import math\n"
                      "return math.prod(t.shape)"),
        ("loop", "n = 1\n"
                 "for size in t.shape:\n"
                 "    n *= size\n"
                 "return n"),
    ],
    "linear_transform": [
        ("functional", "return torch.nn.functional.linear(x, weight, bias)"),
        ("addmm", "return torch.addmm(bias, x, weight.t())"),
        ("loops", "out = torch.zeros(x.shape[0], weight.shape[0])\n"
                  "for i in range(x.shape[0]):\n"
                  "    for j in range(weight.shape[0]):\n"
                  "        out[i, j] = (x[i] * weight[j]).sum() + bias[j]\n"
                  "return out"),
    ],
}

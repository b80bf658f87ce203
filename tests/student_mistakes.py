"""Realistic wrong solutions of every exercise, each with the diagnosis it must get, and
valid alternatives that must earn full marks.

Written as students write these functions (from tutorials and answers online), not as
edits of the reference. ``tests/test_mistakes.py`` grades them all in one class run and
runs the public checks on them; ``benchmarks/diagnosis_share.py`` counts how many get a
diagnosis rather than a bare comparison.

A diagnosis is what the first failing check of the exercise says, without where it
happened: the hint before `` [call]``, or the explanation before `` (... raised ...)``.
"""
from __future__ import annotations

import textwrap

from autograder.authoring.source import read_solution
from autograder.curriculum import SOLUTIONS_DIR, course

#: exercise -> [(label, body, diagnosis)]
WRONG: dict[str, list[tuple[str, str, str]]] = {
    "create_tensor": [
        ("capital T", "return torch.Tensor(data)",
         "Integers became floats (torch.Tensor(data) or a float dtype does that): use torch.tensor(data) as it is."),
        ("float dtype", "return torch.tensor(data, dtype=torch.float32)",
         "Integers became floats (torch.Tensor(data) or a float dtype does that): use torch.tensor(data) as it is."),
        ("long", "return torch.tensor(data).long()",
         "The dtype is torch.int64, where torch.tensor(data) infers torch.float32 from the values: leave out "
         "dtype= and conversions such as .float() or .long()."),
        ("the list", "return data", "It returned the data itself: turn it into a tensor with torch.tensor(data)."),
        ("numpy", "import numpy as np\nreturn np.array(data)",
         "It returned a NumPy value: stay in torch and return a tensor (torch.from_numpy makes one)."),
        ("wrapped", "return torch.tensor([data])",
         "The tensor has an extra dimension of size 1 ([data] wraps the list in another): use torch.tensor(data)."),
        ("flattened", "return torch.tensor(data).flatten()",
         "The tensor was flattened: the nesting of the lists is the shape, so keep it, torch.tensor(data)."),
        ("requires grad", "return torch.tensor(data, requires_grad=True)",
         "Only float tensors can require gradients: leave requires_grad out for integers and booleans."),
    ],
    "tensor_dtype": [
        ("string", "return str(t.dtype)", "It returned the dtype's name, a string: return the torch.dtype itself, t.dtype."),
        ("type()", "return t.type()",
         "t.type() gives the name of the tensor's type, a string: the element type is the attribute t.dtype."),
        ("type(t)", "return type(t)",
         "That is the tensor's class (type(t)): the element type is the attribute t.dtype."),
        ("torch.dtype(t)", "return torch.dtype(t)",
         "torch.dtype is the type of dtypes, not a function: the element type of t is the attribute t.dtype."),
        ("called", "return t.dtype()", "dtype is an attribute, not a method: write t.dtype without ()."),
        ("always float32", "return torch.float32",
         "It returned torch.float32 for a torch.int64 tensor: return the dtype of the tensor given, t.dtype."),
        ("numpy dtype", "return t.numpy().dtype", "That is NumPy's dtype: return torch's own, the attribute t.dtype."),
        ("comparison", "return t.dtype == torch.float32",
         "It returned True or False (a comparison?): return the dtype itself, t.dtype."),
    ],
    "tensor_shape": [
        ("len", "return len(t)", "It returned one number: return the whole shape, t.shape (a tuple, one length per dimension)."),
        ("called", "return t.shape()", "Shape is an attribute, not a method: write t.shape without ()."),
        ("list", "return list(t.shape)", "It returned a list: return a tuple (t.shape is one)."),
        ("reversed", "return tuple(reversed(t.shape))",
         "The lengths are in reverse order: t.shape lists them from the first dimension to the last."),
        ("(1,) for a number", "return tuple(t.shape) if t.dim() > 0 else (1,)",
         "A 0-dimensional tensor (a single number) has the empty shape (): t.shape gives it as it is."),
        ("tensor", "return torch.tensor(t.shape)", "It returned a tensor: return a tuple of ints, such as t.shape."),
        ("tuple of tensors", "return tuple(torch.tensor(t.shape))",
         "The tuple holds a torch.int64 tensor of shape (), not ints: return t.shape, whose entries are ints."),
        ("method", "return t.size", "It returned the function size itself, not called (add its ()): return a tuple "
                                    "such as t.shape."),
        ("strides", "return tuple(t.stride())",
         "Those are the strides (t.stride()), how far apart elements lie in memory: the shape is t.shape."),
    ],
    "count_elements": [
        ("len", "return len(t)", "len(t) counts only the first dimension: t.numel() counts every element."),
        ("sum of shape", "return sum(t.shape)",
         "That adds up the lengths of the dimensions: the number of elements is their product, t.numel()."),
        ("count nonzero", "return int(torch.count_nonzero(t))",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts "
         "from 1, not 0; t.numel() counts every element."),
        ("sum of values", "return int(t.sum())",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts "
         "from 1, not 0; t.numel() counts every element."),
        ("bytes", "return t.element_size() * t.nelement()",
         "That is the size in bytes (element_size() * numel()): the number of elements is t.numel()."),
        ("tensor", "return torch.tensor(t.numel())",
         "It returned a tensor: return a Python int (.item() turns a one-number tensor into one)."),
        ("not called", "return t.numel",
         "It returned the function numel itself, not called (add its ()): return a Python int."),
        ("product from 0", "n = 0\nfor size in t.shape:\n    n *= size\nreturn n",
         "It returned 0, but the tensor holds numbers: zeros count too, and a product of the lengths starts "
         "from 1, not 0; t.numel() counts every element."),
        ("shape", "return t.size()",
         "That is the shape: the number of elements is the product of its lengths, t.numel()."),
    ],
    "linear_transform": [
        ("no bias", "return x @ weight.T", "The bias was not added: a layer computes x @ weight.T + bias."),
        ("not transposed", "return x @ weight + bias",
         "The weight was not transposed: it is stored as (out, in), so use weight.T."),
        ("dot", "return torch.dot(x, weight) + bias",
         "torch.dot multiplies two vectors (1-D tensors) only: for matrices use the matrix product, x @ "
         "weight.T."),
        ("wrong order", "return weight @ x.T + bias",
         "The product is the wrong way round: x @ weight.T gives one row per sample."),
        ("element-wise", "return x * weight + bias",
         "* multiplies element by element: the layer needs the matrix product, x @ weight.T."),
        ("matmul wrong order", "return torch.matmul(weight, x) + bias",
         "In a matrix product a @ b the columns of a must equal the rows of b, and here they do not (2x2 and 1x2): is "
         "a transpose (.T) missing or extra, or are the operands the wrong way round?"),
        ("bias first", "return (x + bias) @ weight.T",
         "The bias was added to the inputs before the product: add it to the product, x @ weight.T + bias."),
    ],
    "make_linear_layer": [
        ("swapped", "return nn.Linear(n_classes, n_features)",
         "The sizes are swapped: the inputs are the features and the outputs the classes, nn.Linear(n_features, "
         "n_classes)."),
        ("no bias", "return nn.Linear(n_features, n_classes, bias=False)", "The layer has no bias: leave out bias=False."),
        ("one output", "return nn.Linear(n_features, 1)",
         "The layer has one output: a classifier needs one per class, nn.Linear(n_features, n_classes)."),
        ("in a Sequential", "return nn.Sequential(nn.Linear(n_features, n_classes))",
         "That is an nn.Sequential holding layers: return the nn.Linear layer itself."),
        ("the weight", "return nn.Linear(n_features, n_classes).weight",
         "That is a weight matrix: return the layer itself, nn.Linear(n_features, n_classes)."),
        ("transposed weight", "layer = nn.Linear(n_features, n_classes)\n"
                              "layer.weight = nn.Parameter(layer.weight.T.clone())\nreturn layer",
         "The weight has shape (9, 4): nn.Linear(9, 4) stores (4, 9); leave it as nn.Linear made it."),
        ("lazy", "return nn.LazyLinear(n_classes)",
         "nn.LazyLinear learns its number of inputs on its first call: create nn.Linear(n_features, "
         "n_classes), which knows it from the start."),
        ("the class", "return nn.Linear",
         "It returned the class nn.Linear: create a layer from it, nn.Linear(n_features, n_classes)."),
    ],
    "linear_parameter_count": [
        ("weights only", "return in_features * out_features",
         "That counts the weights only: each output also has a bias, so add out_features."),
        ("bias per input", "return in_features * out_features + in_features",
         "One bias per output, not per input: add out_features, not in_features."),
        ("sum", "return in_features + out_features",
         "Every input connects to every output: the weights are in_features * out_features."),
        ("one bias", "return in_features * out_features + 1",
         "Each output has a bias of its own: add out_features, not 1."),
        ("both biases", "return (in_features + 1) * (out_features + 1)",
         "Only the outputs have biases: in_features * out_features weights plus out_features biases."),
        ("float", "return float(in_features * out_features + out_features)",
         "It returned a float (40.0): return a Python int (a count has no fractional part; int(...))."),
        ("tensor", "return torch.tensor(in_features * out_features + out_features)",
         "It returned a tensor: return a Python int (.item() turns a one-number tensor into one)."),
    ],
    "count_parameters": [
        ("tensors", "return len(list(model.parameters()))",
         "That is the number of parameter tensors: add up their sizes, sum(p.numel() for p in model.parameters())."),
        ("children", "return sum(p.numel() for layer in model.children() for p in layer.parameters())",
         "model.children() leaves out the model's own parameters (an nn.Linear has no children): go through "
         "model.parameters()."),
        ("state dict", "return sum(v.numel() for v in model.state_dict().values())",
         "Buffers (running statistics) were counted too: only model.parameters() are parameters."),
        ("last only", "total = 0\nfor p in model.parameters():\n    total = p.numel()\nreturn total",
         "Only the last parameter tensor was counted: add each one's size to the total, total += p.numel()."),
        ("return in loop", "total = 0\nfor p in model.parameters():\n    total += p.numel()\n    return total",
         "Only the first parameter tensor was counted: is the return inside the loop?"),
        ("not called", "return sum(p.numel for p in model.parameters())",
         "A method was used without being called: add its () (for example p.numel(), not p.numel)."),
        ("len", "return sum(len(p) for p in model.parameters())",
         "len(p) counts only the first dimension of each parameter: p.numel() counts all of its numbers."),
        ("modules", "return sum(p.numel() for m in model.modules() for p in m.parameters())",
         "model.modules() lists the model itself as well as its layers, so parameters were counted more than "
         "once: go through model.parameters() once."),
        ("weight and bias", "return model.weight.numel() + model.bias.numel()",
         "An nn.Sequential has no weight of its own, its layers do (model[0].weight): model.parameters() "
         "goes through all of them."),
    ],
    "build_classifier": [
        ("no softmax", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                       "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                       "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU())\nreturn nn.Sequential(*layers)",
         "The output activation is missing: end the model with nn.Softmax(dim=-1)."),
        ("relu everywhere", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                            "for a, b in zip(sizes, sizes[1:]):\n    layers += [nn.Linear(a, b), nn.ReLU()]\n"
                            "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "There is a ReLU after the last Linear layer: its outputs go straight into the softmax (a ReLU there turns "
         "every negative score into 0)."),
        ("softmax without dim", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                                "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                                "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU())\n"
                                "return nn.Sequential(*layers, nn.Softmax())",
         "nn.Softmax() without dim makes PyTorch guess the dimension: pass dim=-1, the classes."),
        ("sigmoid hidden", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                           "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                           "    if i < len(sizes) - 2:\n        layers.append(nn.Sigmoid())\n"
                           "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "The hidden layers' activation is a sigmoid: put nn.ReLU() after each hidden Linear layer."),
        ("sizes not chained", "layers = []\nfor h in hidden_sizes:\n    layers += [nn.Linear(n_features, h), nn.ReLU()]\n"
                              "last = hidden_sizes[-1] if hidden_sizes else n_features\n"
                              "return nn.Sequential(*layers, nn.Linear(last, n_classes), nn.Softmax(dim=-1))",
         "Each Linear layer takes the previous layer's outputs as its inputs: keep track of the last size as you "
         "go (in_size = h)."),
        ("a list", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                   "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                   "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU())\n"
                   "return nn.Sequential(layers + [nn.Softmax(dim=-1)])",
         "nn.Sequential takes the layers one by one, not a list: unpack it, nn.Sequential(*layers)."),
        ("class not layer", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                            "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                            "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU)\n"
                            "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "nn.ReLU was given as a class, not a layer: create the layer with parentheses, nn.ReLU()."),
        ("log softmax", "layers = []\nsizes = [n_features, *hidden_sizes, n_classes]\n"
                        "for i in range(len(sizes) - 1):\n    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                        "    if i < len(sizes) - 2:\n        layers.append(nn.ReLU())\n"
                        "return nn.Sequential(*layers, nn.LogSoftmax(dim=-1))",
         "nn.LogSoftmax gives log-probabilities: end the model with nn.Softmax(dim=-1), which gives "
         "probabilities."),
        ("first hidden", "layers = [nn.Linear(n_features, hidden_sizes[0]), nn.ReLU()]\n"
                         "for a, b in zip(hidden_sizes, hidden_sizes[1:]):\n    layers += [nn.Linear(a, b), nn.ReLU()]\n"
                         "return nn.Sequential(*layers, nn.Linear(hidden_sizes[-1], n_classes), nn.Softmax(dim=-1))",
         "An index past the end of a tuple or list: t.shape has one entry per dimension (fewer for a 1-D or "
         "0-D tensor), and a list such as hidden_sizes may be empty."),
    ],
    "added_parameters": [
        ("whole model", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                        "return sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
         "That is the whole model's count: subtract what the model without hidden layers has, n_features * "
         "n_classes + n_classes."),
        ("weights only", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                         "return sum(a * b for a, b in zip(sizes, sizes[1:])) - n_features * n_classes",
         "The biases were left out: every Linear layer has one bias per output."),
        ("hidden only", "sizes = [n_features, *hidden_sizes]\nreturn sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
         "Only the hidden layers were counted: the output layer changes too (it starts from the last hidden "
         "size), so compare the two whole models."),
        ("reversed", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                     "return n_features * n_classes + n_classes - sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
         "The subtraction is the wrong way round: the model with hidden layers minus the one without."),
        ("plain without bias", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                               "return sum(a * b + b for a, b in zip(sizes, sizes[1:])) - n_features * n_classes",
         "The model without hidden layers has biases too: subtract n_features * n_classes + n_classes."),
        ("tensor", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                   "total = sum(a * b + b for a, b in zip(sizes, sizes[1:])) - (n_features * n_classes + n_classes)\n"
                   "return torch.tensor(total)",
         "It returned a tensor: return a Python int (.item() turns a one-number tensor into one)."),
    ],
    "apply_sigmoid": [
        ("softmax", "return torch.softmax(x, dim=-1)",
         "That is softmax: sigmoid squashes each number on its own; use nn.Sigmoid()."),
        ("sign", "return 1 / (1 + torch.exp(x))",
         "The sign is flipped: sigmoid(x) = 1 / (1 + exp(-x)), with a minus; nn.Sigmoid() computes it."),
        ("class called on x", "return nn.Sigmoid(x)",
         "nn.Sigmoid(...) takes the layer's settings, not the input: create the layer, then call it on the "
         "input, nn.Sigmoid(...)(x)."),
        ("the layer", "return nn.Sigmoid()",
         "It returned a module, not its output: call the module on the input, module(x)."),
        ("math.exp", "import math\nreturn 1 / (1 + math.exp(-x))",
         "A tensor of several numbers was used where one Python number is needed (math functions, float(), int(), "
         ".item()): use torch functions, which work on whole tensors."),
        ("tanh", "return torch.tanh(x)",
         "That is tanh, whose values lie between -1 and 1: sigmoid squashes into (0, 1); use nn.Sigmoid()."),
        ("part", "return torch.exp(-x)", "Only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."),
        ("double", "return torch.sigmoid(x.double())",
         "The dtype is torch.float64, but the input is torch.float32: an activation keeps its input's dtype, so leave "
         "out conversions such as .double()."),
    ],
    "build_binary_classifier": [
        ("no sigmoid", "return nn.Sequential(nn.Linear(n_features, 1))",
         "The output activation is missing: end the model with nn.Sigmoid()."),
        ("softmax", "return nn.Sequential(nn.Linear(n_features, 1), nn.Softmax(dim=-1))",
         "Softmax over one output is always 1: a binary classifier ends with nn.Sigmoid()."),
        ("two outputs", "return nn.Sequential(nn.Linear(n_features, 2), nn.Sigmoid())",
         "The layer is Linear(3, 2): one probability needs one output, Linear(3, 1)."),
        ("relu", "return nn.Sequential(nn.Linear(n_features, 1), nn.ReLU())",
         "ReLU does not give probabilities (its outputs have no upper bound): end the model with nn.Sigmoid()."),
        ("class", "return nn.Sequential(nn.Linear(n_features, 1), nn.Sigmoid)",
         "nn.Sigmoid was given as a class, not a layer: create the layer with parentheses, nn.Sigmoid()."),
        ("order", "return nn.Sequential(nn.Sigmoid(), nn.Linear(n_features, 1))",
         "The sigmoid comes first: it belongs after the linear layer, on its output."),
        ("no Sequential", "return nn.Linear(n_features, 1)",
         "It returned an nn.Linear module alone: return an nn.Sequential of the layers."),
        ("no bias", "return nn.Sequential(nn.Linear(n_features, 1, bias=False), nn.Sigmoid())",
         "The linear layer has no bias: logistic regression has one, so leave out bias=False."),
    ],
    "apply_softmax": [
        ("dim 0", "return torch.softmax(logits, dim=0)",
         "Softmax was taken over dimension 0 (the batch): take it over dim, the classes."),
        ("naive", "e = torch.exp(logits)\nreturn e / e.sum(dim=dim, keepdim=True)",
         "It returned NaN: exp overflows on large logits; subtract the maximum before exponentiating, or use "
         "torch.softmax."),
        ("no keepdim", "e = torch.exp(logits - logits.max(dim=dim, keepdim=True).values)\nreturn e / e.sum(dim=dim)",
         "These shapes do not fit element by element (3 against 2 in dimension 1): a sum or max along a dimension "
         "removes it unless you pass keepdim=True, and a matrix product is @, not *."),
        ("global max", "e = torch.exp(logits - logits.max())\nreturn e / e.sum(dim=dim, keepdim=True)",
         "The maximum subtracted is the whole tensor's: subtract each row's own maximum, logits.max(dim=dim, "
         "keepdim=True).values, or rows far below it become 0 / 0."),
        ("dim ignored", "return torch.softmax(logits, dim=-1)",
         "The dim argument was ignored: pass it on, torch.softmax(logits, dim=dim)."),
        ("log softmax", "return torch.log_softmax(logits, dim=dim)",
         "That is log_softmax: softmax returns probabilities, torch.softmax(logits, dim=dim)."),
        ("no dim", "return torch.softmax(logits)",
         "Softmax needs to know which dimension sums to one: pass dim=dim."),
        ("max pair", "shifted = logits - logits.max(dim=dim, keepdim=True)\n"
                     "return shifted.exp() / shifted.exp().sum(dim=dim, keepdim=True)",
         "max(dim=...) returns a pair (values, indices): take .values or .indices."),
        ("layer on input", "return nn.Softmax(logits, dim=dim)",
         "nn.Softmax(...) takes the layer's settings, not the input: create the layer, then call it on the "
         "input, nn.Softmax(...)(x)."),
    ],
    "forward_pass": [
        ("grad", "return model(x)", "The output requires grad: run the model inside with torch.no_grad()."),
        ("no parentheses", "with torch.no_grad:\n    return model(x)",
         "A context manager is written with parentheses: with torch.no_grad(): ..."),
        ("not called", "with torch.no_grad():\n    return model",
         "It returned a module, not its output: call the module on the input, module(x)."),
        ("argmax", "with torch.no_grad():\n    return model(x).argmax(dim=-1)",
         "That is the predicted class: forward_pass returns the model's output as it is, model(x)."),
        ("no_grad not entered", "torch.no_grad()\nreturn model(x)",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("first layer", "with torch.no_grad():\n    return model[0](x)",
         "Only the first layer was applied: call the model itself, model(x), which runs every layer."),
        ("list", "with torch.no_grad():\n    return model(x).tolist()",
         "It returned a list of numbers: return a tensor (leave out .tolist(); torch.tensor(...) makes one "
         "from a list)."),
    ],
    "predict_classes": [
        ("dim 0", "return probabilities.argmax(dim=0)",
         "argmax was taken over the batch (dim 0): take it over the classes, dim=-1."),
        ("max pair", "return probabilities.max(dim=-1)",
         "max(dim=-1) returns a pair (values, indices): the classes are the indices, .indices."),
        ("values", "return probabilities.max(dim=-1).values",
         "Those are the largest probabilities: argmax gives their positions, the classes."),
        ("round", "return probabilities.round()",
         "Rounding gives 0 or 1 for each probability, not a class index: argmax(dim=-1) gives the most likely "
         "class of each row."),
        ("threshold", "return (probabilities > 0.5).long()",
         "A threshold (> 0.5) is for a single probability (two classes): with several classes take argmax(dim=-1)."),
        ("plus one", "return probabilities.argmax(dim=-1) + 1",
         "Classes are numbered from 0: argmax's position is already the class (no + 1)."),
        ("whole max", "return probabilities.max()",
         "That is the largest probability of the whole tensor: argmax(dim=-1) gives, for each row, the position "
         "of its largest."),
        ("no dim", "return probabilities.argmax()",
         "argmax without dim gives one index into the flattened tensor: pass dim=-1 for one class per row."),
        ("float classes", "return probabilities.argmax(dim=-1).float()",
         "The classes are torch.float32: class indices are integers (int64), as argmax gives them."),
    ],
}

#: exercise -> [(label, body)]: other right ways, each worth full marks
VALID: dict[str, list[tuple[str, str]]] = {
    "create_tensor": [("as_tensor", "return torch.as_tensor(data)"),
                      ("clone", "return torch.tensor(data).clone()")],
    "tensor_dtype": [("getattr", "return getattr(t, 'dtype')"), ("data", "return t.data.dtype")],
    "tensor_shape": [("Size", "return t.shape"), ("loop", "return tuple(t.size(i) for i in range(t.dim()))")],
    "count_elements": [("math.prod", "import math\nreturn math.prod(t.shape)"),
                       ("loop", "n = 1\nfor size in t.shape:\n    n *= size\nreturn n")],
    "linear_transform": [("functional", "return torch.nn.functional.linear(x, weight, bias)"),
                         ("addmm", "return torch.addmm(bias, x, weight.t())"),
                         ("loops", "out = torch.zeros(x.shape[0], weight.shape[0])\nfor i in range(x.shape[0]):\n"
                                   "    for j in range(weight.shape[0]):\n"
                                   "        out[i, j] = (x[i] * weight[j]).sum() + bias[j]\nreturn out")],
    "make_linear_layer": [("skip_init", "return torch.nn.utils.skip_init(nn.Linear, n_features, n_classes)"),
                          ("keywords", "return nn.Linear(in_features=n_features, out_features=n_classes, bias=True)")],
    "linear_parameter_count": [("factored", "return (in_features + 1) * out_features"),
                               ("built", "return sum(p.numel() for p in nn.Linear(in_features, out_features).parameters())")],
    "count_parameters": [("loop", "total = 0\nfor p in model.parameters():\n    total += p.numel()\nreturn total"),
                         ("trainable", "return sum(p.numel() for p in model.parameters() if p.requires_grad)")],
    "build_classifier": [
        ("shared relu", "relu = nn.ReLU()\nlayers = []\nsize = n_features\nfor h in hidden_sizes:\n"
                        "    layers += [nn.Linear(size, h), relu]\n    size = h\n"
                        "return nn.Sequential(*layers, nn.Linear(size, n_classes), nn.Softmax(dim=1))"),
        ("add_module", "from collections import OrderedDict\nlayers = OrderedDict()\nsize = n_features\n"
                       "for i, h in enumerate(hidden_sizes):\n    layers[f'hidden{i}'] = nn.Linear(size, h)\n"
                       "    layers[f'relu{i}'] = nn.ReLU()\n    size = h\nlayers['out'] = nn.Linear(size, n_classes)\n"
                       "layers['softmax'] = nn.Softmax(dim=-1)\nreturn nn.Sequential(layers)"),
    ],
    "added_parameters": [
        ("by counting", "def count(sizes):\n    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))\n"
                        "return count([n_features, *hidden_sizes, n_classes]) - count([n_features, n_classes])"),
        ("by building", "def size(model):\n    return sum(p.numel() for p in model.parameters())\n"
                        "return size(build_classifier(n_features, n_classes, hidden_sizes)) - "
                        "size(build_classifier(n_features, n_classes))"),
    ],
    "apply_sigmoid": [("formula", "return 1 / (1 + torch.exp(-x))"), ("functional", "return torch.nn.functional.sigmoid(x)"),
                      ("tanh", "return (torch.tanh(x / 2) + 1) / 2")],
    "build_binary_classifier": [
        ("add_module", "model = nn.Sequential()\nmodel.add_module('linear', nn.Linear(n_features, 1))\n"
                       "model.add_module('sigmoid', nn.Sigmoid())\nreturn model"),
        ("list", "layers = [nn.Linear(n_features, 1), nn.Sigmoid()]\nreturn nn.Sequential(*layers)"),
    ],
    "apply_softmax": [("stable", "shifted = logits - logits.max(dim=dim, keepdim=True).values\ne = shifted.exp()\n"
                                 "return e / e.sum(dim=dim, keepdim=True)"),
                      ("logsumexp", "return torch.exp(logits - torch.logsumexp(logits, dim=dim, keepdim=True))"),
                      ("layer", "return nn.Softmax(dim=dim)(logits)")],
    "forward_pass": [("detach", "return model(x).detach()"),
                     ("layers by hand", "with torch.no_grad():\n    for layer in model:\n        x = layer(x)\n"
                                        "    return x"),
                     ("inference mode", "with torch.inference_mode():\n    return model(x)")],
    "predict_classes": [("indices", "return probabilities.max(dim=-1).indices"),
                        ("topk", "return torch.topk(probabilities, 1, dim=1).indices.squeeze(1)")],
}


def bodies_as_files(bodies: dict[str, str]) -> dict[str, str]:
    """The reference solutions as a student hands them in, each exercise of ``bodies``
    (exercise -> its function's body, unindented) written instead of the reference's."""
    files = {}
    for assignment in course().assignments:
        solution = read_solution(SOLUTIONS_DIR, assignment.name)
        lines = list(solution.lines)
        for block in reversed(solution.blocks):
            body = bodies.get(block.exercise)
            inner = lines[block.begin + 1: block.end]
            if body is not None:
                inner = textwrap.indent(body, block.indent).splitlines()
            lines[block.begin: block.end + 1] = inner
        files[assignment.relpath] = "\n".join(lines) + "\n"
    return files


def students(cases: dict[str, list[tuple]]) -> dict[str, dict[str, str]]:
    """One student per rank: the student ``k`` hands in the ``k``-th case of every exercise
    that has one (the reference for the others), so a few students hold every case."""
    most = max(len(found) for found in cases.values())
    return {f"s{k:02d}": {name: found[k][1] for name, found in cases.items() if k < len(found)} for k in range(most)}

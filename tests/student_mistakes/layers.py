"""Wrong solutions and valid alternatives of the layers assignment (see ``tests/student_mistakes``)."""

WRONG: dict[str, list[tuple[str, str, str]]] = {
    "make_linear_layer": [
        ("swapped", "return nn.Linear(n_classes, n_features)",
         "The sizes are swapped: the inputs are the features and the outputs the classes, nn.Linear(n_features, "
         "n_classes)."),
        ("no bias", "return nn.Linear(n_features, n_classes, bias=False)",
         "The layer has no bias: leave out bias=False."),
        ("one output", "return nn.Linear(n_features, 1)",
         "The layer has one output: a classifier needs one per class, nn.Linear(n_features, n_classes)."),
        ("in a Sequential", "return nn.Sequential(nn.Linear(n_features, n_classes))",
         "That is an nn.Sequential holding layers: return the nn.Linear layer itself."),
        ("the weight", "return nn.Linear(n_features, n_classes).weight",
         "That is a weight matrix: return the layer itself, nn.Linear(n_features, n_classes)."),
        ("transposed weight", "layer = nn.Linear(n_features, n_classes)\n"
                              "layer.weight = nn.Parameter(layer.weight.T.clone())\n"
                              "return layer",
         "The weight has shape (9, 4): nn.Linear(9, 4) stores (4, 9); leave it as nn.Linear made it."),
        ("lazy", "return nn.LazyLinear(n_classes)",
         "nn.LazyLinear learns its number of inputs on its first call: create nn.Linear(n_features, n_classes), "
         "which knows it from the start."),
        ("the class", "return nn.Linear",
         "It returned the class nn.Linear: create a layer from it, nn.Linear(n_features, n_classes)."),
        ("weight and bias", "layer = nn.Linear(n_features, n_classes)\n"
                            "return layer.weight, layer.bias",
         "It returned a tuple of 2 tensors: return an nn.Linear(n_features, n_classes)."),
        ("state dict", "return nn.Linear(n_features, n_classes).state_dict()",
         "It returned an OrderedDict (what state_dict() returns): return an nn.Linear(n_features, n_classes)."),
        ("with softmax", "return nn.Sequential(nn.Linear(n_features, n_classes), nn.Softmax(dim=1))",
         "That is an nn.Sequential holding layers: return the nn.Linear layer itself."),
        ("keywords swapped", "return nn.Linear(in_features=n_classes, out_features=n_features)",
         "The sizes are swapped: the inputs are the features and the outputs the classes, nn.Linear(n_features, "
         "n_classes)."),
        ("minus one", "return nn.Linear(n_features - 1, n_classes)",
         "The layer is nn.Linear(8, 4): expected nn.Linear(9, 4)."),
        ("bias zero", "layer = nn.Linear(n_features, n_classes)\n"
                      "layer.bias = None\n"
                      "return layer",
         "The layer has no bias: leave out bias=False."),
        ("two layers", "return nn.Sequential(nn.Linear(n_features, n_classes), nn.Linear(n_classes, n_classes))",
         "That is an nn.Sequential holding layers: return the nn.Linear layer itself."),
        ("n_features only", "return nn.Linear(n_features, n_features)",
         "The layer is nn.Linear(9, 9): expected nn.Linear(9, 4)."),
        ("identity", "return nn.Identity()",
         "It returned an nn.Identity module: return an nn.Linear(n_features, n_classes)."),
        ("dict", "return {'in': n_features, 'out': n_classes}",
         "It returned a dict ({'in': 9, 'out': 4}): return an nn.Linear(n_features, n_classes)."),
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
        ("in times out+1", "return in_features * (out_features + 1)",
         "One bias per output, not per input: add out_features, not in_features."),
        ("weight numel", "return nn.Linear(in_features, out_features).weight.numel()",
         "That counts the weights only: each output also has a bias, so add out_features."),
        ("tensors", "return len(list(nn.Linear(in_features, out_features).parameters()))",
         "That is the number of parameter tensors (a weight and a bias): count the numbers in them, in_features * "
         "out_features + out_features."),
        ("float mult", "return in_features * out_features + out_features * 1.0",
         "It returned a float (40.0): return a Python int (a count has no fractional part; int(...))."),
        ("twice", "return 2 * in_features * out_features",
         "Each output has one bias, not one per weight: in_features * out_features + out_features."),
        ("in times out times 2 plus", "return in_features * out_features * 2 + out_features",
         "It returned 76; expected 9*4 weights + 4 biases = 40."),
        ("out squared", "return in_features * out_features + out_features ** 2",
         "It returned 52; expected 9*4 weights + 4 biases = 40."),
        ("str", "return str(in_features * out_features + out_features)",
         "It returned a string ('40'): return a Python int."),
        ("plus in plus out", "return in_features * out_features + in_features + out_features",
         "Only the outputs have biases: in_features * out_features weights plus out_features biases."),
        ("list", "return [in_features * out_features, out_features]",
         "It returned a list ([36, 4]): return a Python int."),
    ],
    "count_parameters": [
        ("tensors", "return len(list(model.parameters()))",
         "That is the number of parameter tensors: add up their sizes, sum(p.numel() for p in model.parameters())."),
        ("children", "return sum(p.numel() for layer in model.children() for p in layer.parameters())",
         "It returned 0: add each p.numel() to the total (total += p.numel()), going through model.parameters() "
         "(model.children() leaves out a layer's own parameters)."),
        ("state dict", "return sum(v.numel() for v in model.state_dict().values())",
         "Shared parameters were counted once per use: a layer used twice has its parameters once, as "
         "model.parameters() lists them (state_dict() lists them once per use, and model.modules() a layer and the "
         "model holding it)."),
        ("last only", "total = 0\n"
                      "for p in model.parameters():\n"
                      "    total = p.numel()\n"
                      "return total",
         "Only the last parameter tensor was counted: add each one's size to the total, total += p.numel()."),
        ("return in loop", "total = 0\n"
                           "for p in model.parameters():\n"
                           "    total += p.numel()\n"
                           "    return total",
         "Only the first parameter tensor was counted: is the return inside the loop?"),
        ("not called", "return sum(p.numel for p in model.parameters())",
         "A method was used without being called: add its () (for example p.numel(), not p.numel)."),
        ("len", "return sum(len(p) for p in model.parameters())",
         "len(p) counts only the first dimension of each parameter: p.numel() counts all of its numbers."),
        ("modules", "return sum(p.numel() for m in model.modules() for p in m.parameters())",
         "Shared parameters were counted once per use: a layer used twice has its parameters once, as "
         "model.parameters() lists them (state_dict() lists them once per use, and model.modules() a layer and the "
         "model holding it)."),
        ("weight and bias", "return model.weight.numel() + model.bias.numel()",
         "An nn.Sequential has no weight of its own, its layers do (model[0].weight): model.parameters() goes "
         "through all of them."),
        ("shape product", "return sum(p.shape[0] * p.shape[1] for p in model.parameters())",
         "An index past the end of a tuple or list: t.shape has one entry per dimension (fewer for a 1-D or 0-D "
         "tensor), and a list such as hidden_sizes may be empty."),
        ("np.prod", "import numpy as np\n"
                    "return sum(np.prod(p.size()) for p in model.parameters())",
         "It returned a NumPy number (np.int64(40)): return a Python int (int(...) turns it into one)."),
        ("len generator", "return len(model.parameters())",
         "model.parameters() is a generator, which has no len(): go through it with a for loop (or sum(...))."),
        ("iterate layers", "count = 0\n"
                           "for layer in model:\n"
                           "    count += layer.weight.numel() + layer.bias.numel()\n"
                           "return count",
         "An nn.Linear is one layer, not a list of layers: model.parameters() goes through the parameters of any "
         "model."),
        ("model numel", "return model.numel()",
         "An nn.Linear has no numel: its parameters are tensors, which have (model.parameters() goes through them)."),
        ("state_dict numel", "return sum(torch.numel(v) for v in model.state_dict().values())",
         "Shared parameters were counted once per use: a layer used twice has its parameters once, as "
         "model.parameters() lists them (state_dict() lists them once per use, and model.modules() a layer and the "
         "model holding it)."),
        ("tensor sum", "return sum(p.numel() for p in model.parameters()) * torch.tensor(1)",
         "It returned a tensor: return a Python int (.item() turns a one-number tensor into one)."),
        ("grad only none", "return sum(p.numel() for p in model.parameters() if p.grad is not None)",
         "It returned 0: add each p.numel() to the total (total += p.numel()), going through model.parameters() "
         "(model.children() leaves out a layer's own parameters)."),
        ("named", "return len(dict(model.named_parameters()))",
         "That is the number of parameter tensors: add up their sizes, sum(p.numel() for p in model.parameters())."),
        ("children len", "return sum(1 for _ in model.children())",
         "It returned 0: add each p.numel() to the total (total += p.numel()), going through model.parameters() "
         "(model.children() leaves out a layer's own parameters)."),
        ("buffers only", "return sum(b.numel() for b in model.buffers())",
         "It returned 0: add each p.numel() to the total (total += p.numel()), going through model.parameters() "
         "(model.children() leaves out a layer's own parameters)."),
    ],
    "build_classifier": [
        ("no softmax", "layers = []\n"
                       "sizes = [n_features, *hidden_sizes, n_classes]\n"
                       "for i in range(len(sizes) - 1):\n"
                       "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                       "    if i < len(sizes) - 2:\n"
                       "        layers.append(nn.ReLU())\n"
                       "return nn.Sequential(*layers)",
         "The output activation is missing: end the model with nn.Softmax(dim=-1)."),
        ("relu everywhere", "layers = []\n"
                            "sizes = [n_features, *hidden_sizes, n_classes]\n"
                            "for a, b in zip(sizes, sizes[1:]):\n"
                            "    layers += [nn.Linear(a, b), nn.ReLU()]\n"
                            "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "There is a ReLU after the last Linear layer: its outputs go straight into the softmax (a ReLU there turns "
         "every negative score into 0)."),
        ("softmax without dim", "layers = []\n"
                                "sizes = [n_features, *hidden_sizes, n_classes]\n"
                                "for i in range(len(sizes) - 1):\n"
                                "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                                "    if i < len(sizes) - 2:\n"
                                "        layers.append(nn.ReLU())\n"
                                "return nn.Sequential(*layers, nn.Softmax())",
         "nn.Softmax() without dim makes PyTorch guess the dimension: pass dim=-1, the classes."),
        ("sigmoid hidden", "layers = []\n"
                           "sizes = [n_features, *hidden_sizes, n_classes]\n"
                           "for i in range(len(sizes) - 1):\n"
                           "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                           "    if i < len(sizes) - 2:\n"
                           "        layers.append(nn.Sigmoid())\n"
                           "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "The hidden layers' activation is a sigmoid: put nn.ReLU() after each hidden Linear layer."),
        ("sizes not chained", "layers = []\n"
                              "for h in hidden_sizes:\n"
                              "    layers += [nn.Linear(n_features, h), nn.ReLU()]\n"
                              "last = hidden_sizes[-1] if hidden_sizes else n_features\n"
                              "return nn.Sequential(*layers, nn.Linear(last, n_classes), nn.Softmax(dim=-1))",
         "Each Linear layer takes the previous layer's outputs as its inputs: keep track of the last size as you go "
         "(in_size = h)."),
        ("a list", "layers = []\n"
                   "sizes = [n_features, *hidden_sizes, n_classes]\n"
                   "for i in range(len(sizes) - 1):\n"
                   "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                   "    if i < len(sizes) - 2:\n"
                   "        layers.append(nn.ReLU())\n"
                   "return nn.Sequential(layers + [nn.Softmax(dim=-1)])",
         "nn.Sequential takes the layers one by one, not a list: unpack it, nn.Sequential(*layers)."),
        ("class not layer", "layers = []\n"
                            "sizes = [n_features, *hidden_sizes, n_classes]\n"
                            "for i in range(len(sizes) - 1):\n"
                            "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                            "    if i < len(sizes) - 2:\n"
                            "        layers.append(nn.ReLU)\n"
                            "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "nn.ReLU was given as a class, not a layer: create the layer with parentheses, nn.ReLU()."),
        ("log softmax", "layers = []\n"
                        "sizes = [n_features, *hidden_sizes, n_classes]\n"
                        "for i in range(len(sizes) - 1):\n"
                        "    layers.append(nn.Linear(sizes[i], sizes[i + 1]))\n"
                        "    if i < len(sizes) - 2:\n"
                        "        layers.append(nn.ReLU())\n"
                        "return nn.Sequential(*layers, nn.LogSoftmax(dim=-1))",
         "nn.LogSoftmax gives log-probabilities: end the model with nn.Softmax(dim=-1), which gives probabilities."),
        ("first hidden", "layers = [nn.Linear(n_features, hidden_sizes[0]), nn.ReLU()]\n"
                         "for a, b in zip(hidden_sizes, hidden_sizes[1:]):\n"
                         "    layers += [nn.Linear(a, b), nn.ReLU()]\n"
                         "return nn.Sequential(*layers, nn.Linear(hidden_sizes[-1], n_classes), nn.Softmax(dim=-1))",
         "An index past the end of a tuple or list: t.shape has one entry per dimension (fewer for a 1-D or 0-D "
         "tensor), and a list such as hidden_sizes may be empty."),
        ("relu before", "layers = []\n"
                        "prev = n_features\n"
                        "for h in hidden_sizes:\n"
                        "    layers += [nn.ReLU(), nn.Linear(prev, h)]\n"
                        "    prev = h\n"
                        "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=-1))",
         "The layers are [ReLU, Linear, Linear, Softmax]: expected [Linear, ReLU, Linear, Softmax]."),
        ("modulelist", "layers = nn.ModuleList()\n"
                       "prev = n_features\n"
                       "for h in hidden_sizes:\n"
                       "    layers.append(nn.Linear(prev, h))\n"
                       "    layers.append(nn.ReLU())\n"
                       "    prev = h\n"
                       "layers.append(nn.Linear(prev, n_classes))\n"
                       "layers.append(nn.Softmax(dim=-1))\n"
                       "return layers",
         "An nn.ModuleList holds layers but cannot be called on an input: use nn.Sequential."),
        ("softmax dim 0", "layers = []\n"
                          "prev = n_features\n"
                          "for h in hidden_sizes:\n"
                          "    layers += [nn.Linear(prev, h), nn.ReLU()]\n"
                          "    prev = h\n"
                          "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=0))",
         "Softmax(dim=0) normalises over the batch: use dim=-1, the classes."),
        ("sigmoid end", "layers = []\n"
                        "prev = n_features\n"
                        "for h in hidden_sizes:\n"
                        "    layers += [nn.Linear(prev, h), nn.ReLU()]\n"
                        "    prev = h\n"
                        "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Sigmoid())",
         "A sigmoid scores each class on its own: end the model with nn.Softmax(dim=-1), so that the probabilities "
         "of the classes sum to one."),
        ("dropout", "layers = []\n"
                    "prev = n_features\n"
                    "for h in hidden_sizes:\n"
                    "    layers += [nn.Linear(prev, h), nn.ReLU(), nn.Dropout(0.2)]\n"
                    "    prev = h\n"
                    "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=-1))",
         "The model has Dropout layers the exercise does not ask for: build it from nn.Linear, nn.ReLU and "
         "nn.Softmax only."),
        ("no output layer", "layers = []\n"
                            "prev = n_features\n"
                            "for h in hidden_sizes:\n"
                            "    layers += [nn.Linear(prev, h), nn.ReLU()]\n"
                            "    prev = h\n"
                            "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "The output layer is missing: after the hidden layers comes an nn.Linear to n_classes, then the softmax."),
        ("sizes off by one", "layers = []\n"
                             "sizes = [n_features, *hidden_sizes, n_classes]\n"
                             "for i in range(len(sizes) - 2):\n"
                             "    layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.ReLU()]\n"
                             "return nn.Sequential(*layers, nn.Softmax(dim=-1))",
         "The output layer is missing: after the hidden layers comes an nn.Linear to n_classes, then the softmax."),
        ("tanh", "layers = []\n"
                 "prev = n_features\n"
                 "for h in hidden_sizes:\n"
                 "    layers += [nn.Linear(prev, h), nn.Tanh()]\n"
                 "    prev = h\n"
                 "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=-1))",
         "The hidden layers' activation is tanh: put nn.ReLU() after each hidden Linear layer."),
        ("leaky", "layers = []\n"
                  "prev = n_features\n"
                  "for h in hidden_sizes:\n"
                  "    layers += [nn.Linear(prev, h), nn.LeakyReLU()]\n"
                  "    prev = h\n"
                  "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=-1))",
         "The model has LeakyReLU layers the exercise does not ask for: build it from nn.Linear, nn.ReLU and "
         "nn.Softmax only."),
        ("no bias", "layers = []\n"
                    "prev = n_features\n"
                    "for h in hidden_sizes:\n"
                    "    layers += [nn.Linear(prev, h, bias=False), nn.ReLU()]\n"
                    "    prev = h\n"
                    "return nn.Sequential(*layers, nn.Linear(prev, n_classes, bias=False), nn.Softmax(dim=-1))",
         "A Linear layer has no bias: leave out bias=False."),
        ("softmax first", "layers = [nn.Softmax(dim=-1)]\n"
                          "prev = n_features\n"
                          "for h in hidden_sizes:\n"
                          "    layers += [nn.Linear(prev, h), nn.ReLU()]\n"
                          "    prev = h\n"
                          "return nn.Sequential(*layers, nn.Linear(prev, n_classes))",
         "The output activation is missing: end the model with nn.Softmax(dim=-1)."),
        ("reversed hidden", "layers = []\n"
                            "prev = n_features\n"
                            "for h in reversed(hidden_sizes):\n"
                            "    layers += [nn.Linear(prev, h), nn.ReLU()]\n"
                            "    prev = h\n"
                            "return nn.Sequential(*layers, nn.Linear(prev, n_classes), nn.Softmax(dim=-1))",
         "The Linear layers are Linear(9, 8), Linear(8, 16), Linear(16, 32), Linear(32, 4): expected Linear(9, "
         "32), Linear(32, 16), Linear(16, 8), Linear(8, 4)."),
    ],
    "added_parameters": [
        ("whole model", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                        "return sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
         "That is the whole model's count: subtract what the model without hidden layers has, n_features * "
         "n_classes + n_classes."),
        ("weights only", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                         "return sum(a * b for a, b in zip(sizes, sizes[1:])) - n_features * n_classes",
         "The biases were left out: every Linear layer has one bias per output."),
        ("hidden only", "sizes = [n_features, *hidden_sizes]\n"
                        "return sum(a * b + b for a, b in zip(sizes, sizes[1:]))",
         "Only the hidden layers were counted: the output layer changes too (it starts from the last hidden size), "
         "so compare the two whole models."),
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
        ("only weights of hidden", "return sum(h for h in hidden_sizes) * n_features",
         "It returned 144; expected (9*16+16) + (16*4+4) - (9*4+4) = 188."),
        ("abs", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                "return abs(n_features * n_classes + n_classes - sum(a * b + b for a, b in zip(sizes, sizes[1:])))",
         "The subtraction is the wrong way round: the model with hidden layers minus the one without."),
        ("float", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                  "return float(sum(a * b + b for a, b in zip(sizes, sizes[1:])) - (n_features * n_classes + n_classes))",
         "It returned a float (188.0): return a Python int (a count has no fractional part; int(...))."),
        ("forgot output", "sizes = [n_features, *hidden_sizes]\n"
                          "return sum(a * b + b for a, b in zip(sizes, sizes[1:])) - (n_features * n_classes + n_classes)",
         "The output layer was left out of the model with hidden layers: it goes from the last hidden size to "
         "n_classes."),
        ("hidden plus output", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                               "return sum(a * b + b for a, b in zip(sizes[1:], sizes[2:]))",
         "The first layer (n_features to the first hidden size) was left out: count every Linear layer of the model "
         "with hidden layers."),
        ("only new hidden weights", "return sum(h for h in hidden_sizes)",
         "It returned 16; expected (9*16+16) + (16*4+4) - (9*4+4) = 188."),
        ("count layers", "return len(hidden_sizes)",
         "It returned 1; expected (9*16+16) + (16*4+4) - (9*4+4) = 188."),
        ("ratio", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                  "return sum(a * b + b for a, b in zip(sizes, sizes[1:])) // (n_features * n_classes + n_classes)",
         "It returned 5; expected (9*16+16) + (16*4+4) - (9*4+4) = 188."),
        ("no bias either", "sizes = [n_features, *hidden_sizes, n_classes]\n"
                           "return sum(a * b for a, b in zip(sizes, sizes[1:])) - n_features * n_classes - n_classes",
         "It returned 168; expected (9*16+16) + (16*4+4) - (9*4+4) = 188."),
        ("build and count wrong", "model = nn.Sequential(*[nn.Linear(a, b) for a, b in zip([n_features, *hidden_sizes], [*hidden_sizes, n_classes])])\n"
                                  "return sum(p.numel() for p in model.parameters())",
         "That is the whole model's count: subtract what the model without hidden layers has, n_features * "
         "n_classes + n_classes."),
    ],
}

VALID: dict[str, list[tuple[str, str]]] = {
    "make_linear_layer": [
        ("skip_init", "return torch.nn.utils.skip_init(nn.Linear, n_features, n_classes)"),
        ("keywords", "return nn.Linear(in_features=n_features, out_features=n_classes, bias=True)"),
    ],
    "linear_parameter_count": [
        ("factored", "return (in_features + 1) * out_features"),
        ("built", "return sum(p.numel() for p in nn.Linear(in_features, out_features).parameters())"),
    ],
    "count_parameters": [
        ("loop", "total = 0\n"
                 "for p in model.parameters():\n"
                 "    total += p.numel()\n"
                 "return total"),
        ("trainable", "return sum(p.numel() for p in model.parameters() if p.requires_grad)"),
    ],
    "build_classifier": [
        ("shared relu", "relu = nn.ReLU()\n"
                        "layers = []\n"
                        "size = n_features\n"
                        "for h in hidden_sizes:\n"
                        "    layers += [nn.Linear(size, h), relu]\n"
                        "    size = h\n"
                        "return nn.Sequential(*layers, nn.Linear(size, n_classes), nn.Softmax(dim=1))"),
        ("add_module", "from collections import OrderedDict\n"
                       "layers = OrderedDict()\n"
                       "size = n_features\n"
                       "for i, h in enumerate(hidden_sizes):\n"
                       "    layers[f'hidden{i}'] = nn.Linear(size, h)\n"
                       "    layers[f'relu{i}'] = nn.ReLU()\n"
                       "    size = h\n"
                       "layers['out'] = nn.Linear(size, n_classes)\n"
                       "layers['softmax'] = nn.Softmax(dim=-1)\n"
                       "return nn.Sequential(layers)"),
    ],
    "added_parameters": [
        ("by counting", "def count(sizes):\n"
                        "    return sum(a * b + b for a, b in zip(sizes, sizes[1:]))\n"
                        "return count([n_features, *hidden_sizes, n_classes]) - count([n_features, n_classes])"),
        ("by building", "def size(model):\n"
                        "    return sum(p.numel() for p in model.parameters())\n"
                        "return size(build_classifier(n_features, n_classes, hidden_sizes)) - size(build_classifier(n_features, n_classes))"),
    ],
}

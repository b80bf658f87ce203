"""Wrong solutions and valid alternatives of the activations assignment (see ``tests/student_mistakes``)."""

WRONG: dict[str, list[tuple[str, str, str]]] = {
    "apply_sigmoid": [
        ("softmax", "return torch.softmax(x, dim=-1)",
         "That is softmax: sigmoid squashes each number on its own; use nn.Sigmoid()."),
        ("sign", "return 1 / (1 + torch.exp(x))",
         "The sign is flipped: sigmoid(x) = 1 / (1 + exp(-x)), with a minus; nn.Sigmoid() computes it."),
        ("class called on x", "return nn.Sigmoid(x)",
         "nn.Sigmoid(...) takes the layer's settings, not the input: create the layer, then call it on the input, "
         "nn.Sigmoid(...)(x)."),
        ("the layer", "return nn.Sigmoid()",
         "It returned a module, not its output: call the module on the input, module(x)."),
        ("math.exp", "import math\n"
                     "return 1 / (1 + math.exp(-x))",
         "A tensor of several numbers was used where one Python number is needed (math functions, float(), int(), "
         ".item()): use torch functions, which work on whole tensors."),
        ("tanh", "return torch.tanh(x)",
         "That is tanh, whose values lie between -1 and 1: sigmoid squashes into (0, 1); use nn.Sigmoid()."),
        ("part", "return torch.exp(-x)",
         "Only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."),
        ("double", "return torch.sigmoid(x.double())",
         "The dtype is torch.float64, but the input is torch.float32: an activation keeps its input's dtype, so "
         "leave out conversions such as .double()."),
        ("precedence", "return 1 / 1 + torch.exp(-x)",
         "Only part of the formula: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."),
        ("minus", "return 1 / (1 - torch.exp(-x))",
         "The denominator is 1 + exp(-x), with a plus: sigmoid(x) = 1 / (1 + exp(-x)); nn.Sigmoid() computes it."),
        ("exp ratio", "return torch.exp(x) / (1 + torch.exp(x))",
         "It returned NaN values where the answer has none: exp of a large number overflows to inf, and inf / inf "
         "is NaN; rearrange the formula so that nothing overflows."),
        ("list comprehension", "import math\n"
                               "return torch.tensor([1 / (1 + math.exp(-v)) for v in x])",
         "A tensor of several numbers was used where one Python number is needed (math functions, float(), int(), "
         ".item()): use torch functions, which work on whole tensors."),
        ("class alias", "sig = nn.Sigmoid\n"
                        "return sig(x)",
         "nn.Sigmoid(...) takes the layer's settings, not the input: create the layer, then call it on the input, "
         "nn.Sigmoid(...)(x)."),
        ("F not imported", "return F.sigmoid(x)",
         "F is not defined: import it at the top of the file, import torch.nn.functional as F."),
        ("exp minus", "return 1 / (1 + torch.exp(-x)) - 0.5",
         "Every value is off by the same amount (-0.5): a constant added or subtracted too many?"),
        ("clamp", "return torch.clamp(x, 0, 1)",
         "That is a step (0 or 1): the sigmoid is smooth, 1 / (1 + exp(-x)); use nn.Sigmoid()."),
        ("hardsigmoid", "return torch.nn.functional.hardsigmoid(x)",
         "That is hardsigmoid, a cheaper straight-line approximation: use the sigmoid itself, nn.Sigmoid()."),
        ("softplus", "return torch.nn.functional.softplus(x)",
         "That is softplus, log(1 + exp(x)), which has no upper bound: sigmoid(x) = 1 / (1 + exp(-x)); use "
         "nn.Sigmoid()."),
        ("numpy", "import numpy as np\n"
                  "return 1 / (1 + np.exp(-x.numpy()))",
         "It returned a NumPy value: stay in torch and return a tensor (torch.from_numpy makes one)."),
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
        ("flatten extra", "return nn.Sequential(nn.Linear(n_features, 1), nn.Sigmoid(), nn.Flatten(0))",
         "The layers are ['Linear', 'Sigmoid', 'Flatten']: expected [Linear, Sigmoid]."),
        ("softmax dim 1", "return nn.Sequential(nn.Linear(n_features, 1), nn.Softmax(dim=1))",
         "Softmax over one output is always 1: a binary classifier ends with nn.Sigmoid()."),
        ("square", "return nn.Sequential(nn.Linear(n_features, n_features), nn.Sigmoid())",
         "The layer is Linear(3, 3): one probability needs one output, Linear(3, 1)."),
        ("list", "return [nn.Linear(n_features, 1), nn.Sigmoid()]",
         "It returned a list of 2 modules: return an nn.Sequential of the layers."),
        ("relu then sigmoid", "return nn.Sequential(nn.Linear(n_features, 1), nn.ReLU(), nn.Sigmoid())",
         "The layers are ['Linear', 'ReLU', 'Sigmoid']: expected [Linear, Sigmoid]."),
        ("swapped", "return nn.Sequential(nn.Linear(1, n_features), nn.Sigmoid())",
         "The layer is Linear(1, 3): one probability needs one output, Linear(3, 1)."),
        ("tanh", "return nn.Sequential(nn.Linear(n_features, 1), nn.Tanh())",
         "Tanh gives values between -1 and 1, not probabilities: end the model with nn.Sigmoid()."),
        ("hidden layer", "return nn.Sequential(nn.Linear(n_features, 8), nn.ReLU(), nn.Linear(8, 1), nn.Sigmoid())",
         "The layers are ['Linear', 'ReLU', 'Linear', 'Sigmoid']: expected [Linear, Sigmoid]."),
        ("logsigmoid", "return nn.Sequential(nn.Linear(n_features, 1), nn.LogSigmoid())",
         "nn.LogSigmoid gives log-probabilities (negative numbers): end the model with nn.Sigmoid()."),
        ("modulelist", "return nn.ModuleList([nn.Linear(n_features, 1), nn.Sigmoid()])",
         "An nn.ModuleList holds layers but cannot be called on an input: use nn.Sequential."),
        ("sigmoid only", "return nn.Sequential(nn.Sigmoid())",
         "The layers are ['Sigmoid']: expected [Linear, Sigmoid]."),
    ],
    "apply_softmax": [
        ("dim 0", "return torch.softmax(logits, dim=0)",
         "Softmax was taken over dimension 0 (the batch): take it over dim, the classes."),
        ("naive", "e = torch.exp(logits)\n"
                  "return e / e.sum(dim=dim, keepdim=True)",
         "It returned NaN: exp overflows on large logits; subtract the maximum before exponentiating, or use "
         "torch.softmax."),
        ("no keepdim", "e = torch.exp(logits - logits.max(dim=dim, keepdim=True).values)\n"
                       "return e / e.sum(dim=dim)",
         "These shapes do not fit element by element (3 against 2 in dimension 1): a sum or max along a dimension "
         "removes it unless you pass keepdim=True, and a matrix product is @, not *."),
        ("global max", "e = torch.exp(logits - logits.max())\n"
                       "return e / e.sum(dim=dim, keepdim=True)",
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
         "nn.Softmax(...) takes the layer's settings, not the input: create the layer, then call it on the input, "
         "nn.Softmax(...)(x)."),
        ("global sum", "return torch.exp(logits) / torch.sum(torch.exp(logits))",
         "The sum was over every element: sum along dim, exp(x).sum(dim=dim, keepdim=True)."),
        ("dim 1", "return torch.softmax(logits, dim=1)",
         "Softmax was taken over dimension 1: take it over dim (by default the last one, dim=-1)."),
        ("naive last", "return torch.exp(logits) / torch.exp(logits).sum(-1, keepdim=True)",
         "It returned NaN: exp overflows on large logits; subtract the maximum before exponentiating, or use "
         "torch.softmax."),
        ("mean shift", "e = (logits - logits.mean()).exp()\n"
                       "return e / e.sum(dim=dim, keepdim=True)",
         "It returned NaN: exp overflows on large logits; subtract the maximum before exponentiating, or use "
         "torch.softmax."),
        ("module", "return torch.nn.Softmax(dim=dim)",
         "It returned a module, not its output: call the module on the input, module(x)."),
        ("sigmoid", "return torch.sigmoid(logits)",
         "That is the sigmoid, of each number on its own: softmax makes the values along dim sum to one, "
         "torch.softmax(logits, dim=dim)."),
        ("max no keepdim", "shifted = logits - logits.max(dim=dim).values\n"
                           "return shifted.exp() / shifted.exp().sum(dim=dim, keepdim=True)",
         "These shapes do not fit element by element (3 against 2 in dimension 1): a sum or max along a dimension "
         "removes it unless you pass keepdim=True, and a matrix product is @, not *."),
        ("normalise by max", "e = logits.exp()\n"
                             "return e / e.max(dim=dim, keepdim=True).values",
         "The exponentials were divided by their maximum, not their sum: divide by exp(logits).sum(dim=dim, "
         "keepdim=True), so that they sum to one."),
        ("abs", "return logits.abs() / logits.abs().sum(dim=dim, keepdim=True)",
         "The exponential is missing: softmax divides exp(logits) by its sum."),
        ("softmax int dim str", "return torch.softmax(logits, dim='dim')",
         "The argument dim of softmax must be a int, not a str."),
        ("in place", "logits.exp_()\n"
                     "return logits / logits.sum(dim=dim, keepdim=True)",
         "apply_softmax changed its argument `logits` in place: leave the arguments as they were and return a new "
         "value."),
    ],
    "forward_pass": [
        ("grad", "return model(x)",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("no parentheses", "with torch.no_grad:\n"
                           "    return model(x)",
         "A context manager is written with parentheses: with torch.no_grad(): ..."),
        ("not called", "with torch.no_grad():\n"
                       "    return model",
         "It returned a module, not its output: call the module on the input, module(x)."),
        ("argmax", "with torch.no_grad():\n"
                   "    return model(x).argmax(dim=-1)",
         "That is the predicted class: forward_pass returns the model's output as it is, model(x)."),
        ("no_grad not entered", "torch.no_grad()\n"
                                "return model(x)",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("first layer", "with torch.no_grad():\n"
                        "    return model[0](x)",
         "Only the first layer was applied: call the model itself, model(x), which runs every layer."),
        ("list", "with torch.no_grad():\n"
                 "    return model(x).tolist()",
         "It returned a list of numbers: return a tensor (leave out .tolist(); torch.tensor(...) makes one from a "
         "list)."),
        ("eval only", "model.eval()\n"
                      "return model(x)",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("no return", "with torch.no_grad():\n"
                      "    y = model(x)",
         "It returned None (is a return statement missing?): return a torch.Tensor."),
        ("numpy", "with torch.no_grad():\n"
                  "    return model(x).numpy()",
         "It returned a NumPy value: stay in torch and return a tensor (torch.from_numpy makes one)."),
        ("train mode", "model.train()\n"
                       "with torch.no_grad():\n"
                       "    return model(x)",
         "forward_pass changed its argument `model` in place: leave the arguments as they were and return a new "
         "value."),
        ("softmax again", "with torch.no_grad():\n"
                          "    return torch.softmax(model(x), 1)",
         "A softmax was applied to the output: return what the model outputs as it is, model(x)."),
        ("requires_grad_ x", "x.requires_grad_(True)\n"
                             "with torch.no_grad():\n"
                             "    return model(x)",
         "forward_pass changed its argument `x` in place: leave the arguments as they were and return a new value."),
        ("grad enabled", "with torch.enable_grad():\n"
                         "    return model(x)",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("forward twice", "with torch.no_grad():\n"
                          "    return model(model(x))",
         "In a matrix product a @ b the columns of a must equal the rows of b, and here they do not (4x2 and 3x2): "
         "is a transpose (.T) missing or extra, or are the operands the wrong way round?"),
        ("sum", "with torch.no_grad():\n"
                "    return model(x).sum()",
         "The shape is (); expected (4, 2): a sum, mean or max of the whole tensor gives one number."),
        ("zero grad", "with torch.no_grad():\n"
                      "    out = model(x)\n"
                      "return out.requires_grad_()",
         "The output requires grad: run the model inside with torch.no_grad()."),
        ("train output", "model.train()\n"
                         "return model(x).detach()",
         "forward_pass changed its argument `model` in place: leave the arguments as they were and return a new "
         "value."),
    ],
    "predict_classes": [
        ("dim 0", "return probabilities.argmax(dim=0)",
         "argmax was taken over the batch (dim 0): take it over the classes, dim=-1."),
        ("max pair", "return probabilities.max(dim=-1)",
         "max(dim=-1) returns a pair (values, indices): the classes are the indices, .indices."),
        ("values", "return probabilities.max(dim=-1).values",
         "Those are the largest probabilities: argmax gives their positions, the classes."),
        ("round", "return probabilities.round()",
         "Rounding gives 0 or 1 for each probability, not a class index: argmax(dim=-1) gives the most likely class "
         "of each row."),
        ("threshold", "return (probabilities > 0.5).long()",
         "A threshold (> 0.5) is for a single probability (two classes): with several classes take argmax(dim=-1)."),
        ("plus one", "return probabilities.argmax(dim=-1) + 1",
         "Classes are numbered from 0: argmax's position is already the class (no + 1)."),
        ("whole max", "return probabilities.max()",
         "That is the largest probability of the whole tensor: argmax(dim=-1) gives, for each row, the position of "
         "its largest."),
        ("no dim", "return probabilities.argmax()",
         "argmax without dim gives one index into the flattened tensor: pass dim=-1 for one class per row."),
        ("float classes", "return probabilities.argmax(dim=-1).float()",
         "The classes are torch.float32: class indices are integers (int64), as argmax gives them."),
        ("torch.max pair", "return torch.max(probabilities, 1)",
         "max(dim=-1) returns a pair (values, indices): the classes are the indices, .indices."),
        ("argsort ascending", "return probabilities.argsort(dim=-1)[:, 0]",
         "argmin picks the least likely class: argmax picks the most likely."),
        ("topk", "return probabilities.topk(1).indices",
         "keepdim=True keeps a dimension of size 1: return one class per sample, shape (batch,), with argmax(dim=-1)."),
        ("list", "return [p.argmax().item() for p in probabilities]",
         "It returned a list of numbers: return a tensor (leave out .tolist(); torch.tensor(...) makes one from a "
         "list)."),
        ("indices float", "return probabilities.max(dim=1).indices.float()",
         "The classes are torch.float32: class indices are integers (int64), as argmax gives them."),
        ("argmax of log", "return torch.log(probabilities).argmax(dim=0)",
         "argmax was taken over the batch (dim 0): take it over the classes, dim=-1."),
        ("sort values", "return probabilities.sort(dim=-1).values[:, -1]",
         "Those are the largest probabilities: argmax gives their positions, the classes."),
        ("max item list", "return torch.tensor([row.max().item() for row in probabilities])",
         "Those are the largest probabilities: argmax gives their positions, the classes."),
        ("argmax int32", "return probabilities.argmax(dim=-1).int()",
         "The classes are torch.int32: class indices are integers (int64), as argmax gives them."),
        ("multinomial", "return torch.multinomial(probabilities, 1).squeeze(1)",
         "In row 2 it is class 2 (probability 0.34), but class 3 is more likely (0.46): argmax(dim=-1) gives each "
         "row's most likely class."),
    ],
}

VALID: dict[str, list[tuple[str, str]]] = {
    "apply_sigmoid": [
        ("formula", "return 1 / (1 + torch.exp(-x))"),
        ("functional", "return torch.nn.functional.sigmoid(x)"),
        ("tanh", "return (torch.tanh(x / 2) + 1) / 2"),
    ],
    "build_binary_classifier": [
        ("add_module", "model = nn.Sequential()\n"
                       "model.add_module('linear', nn.Linear(n_features, 1))\n"
                       "model.add_module('sigmoid', nn.Sigmoid())\n"
                       "return model"),
        ("list", "layers = [nn.Linear(n_features, 1), nn.Sigmoid()]\n"
                 "return nn.Sequential(*layers)"),
    ],
    "apply_softmax": [
        ("stable", "shifted = logits - logits.max(dim=dim, keepdim=True).values\n"
                   "e = shifted.exp()\n"
                   "return e / e.sum(dim=dim, keepdim=True)"),
        ("logsumexp", "return torch.exp(logits - torch.logsumexp(logits, dim=dim, keepdim=True))"),
        ("layer", "return nn.Softmax(dim=dim)(logits)"),
    ],
    "forward_pass": [
        ("detach", "return model(x).detach()"),
        ("layers by hand", "with torch.no_grad():\n"
                           "    for layer in model:\n"
                           "        x = layer(x)\n"
                           "    return x"),
        ("inference mode", "with torch.inference_mode():\n"
                           "    return model(x)"),
    ],
    "predict_classes": [
        ("indices", "return probabilities.max(dim=-1).indices"),
        ("topk", "return torch.topk(probabilities, 1, dim=1).indices.squeeze(1)"),
        ("tutorial", "_, predicted = torch.max(probabilities, 1)\n"
                     "return predicted"),
    ],
}

"""What hints are made of: the course's hints (``autograder/checks/hints_<assignment>.py``)
and the comparisons of hidden checks (``checking.expect``) build on these.

A hint names a typical mistake, recognised from what a student's function returned, and
says what to do, in one sentence and without the call: the caller says where it
happened (:func:`message`). Each assignment's hints module holds one function per
exercise, ``<exercise>_mistake(got, *inputs)``, returning a hint or None; the public
checks (``autograder check``, a notebook's check cells) and the hidden checks (grading)
call the same functions, so a student reads the same words wherever a check runs.

Most hints come from a :class:`Catalogue`: the exercise's typical mistakes as *mistake
models*, short wrong implementations each with the sentence a teacher would say. The
models run on the check's own inputs; an answer equal to a model's answer (where that
differs from the right one) gets the model's sentence. Recognisers, functions that look
at the answer itself (its type, a property it breaks), sit in the same catalogue.

When the student's code raises instead, :func:`crashed` puts a sentence in the
student's terms before PyTorch's own words (see ``checking.crashes``).

Only torch here, and nothing else of the autograder: a released notebook's
``public_checks.py`` holds this file, its assignment's hints and public checks, and runs
in students' kernels, where the autograder is not installed
(``autograder/nbgrader/checks_file.py``).
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import torch
from torch import nn

from autograder.checking.crashes import explain


def message(hint: str | None, call: str) -> str | None:
    """What a check says: the hint (capitalised), then the call it came from; None for no hint."""
    if not hint:
        return None
    return f"{capitalised(hint)} [{call}]"


#: words a hint may start with that are code, written as the student writes them
_CODE_WORDS = frozenset({"dtype", "argmax", "argmin", "numel", "len", "max", "min", "sum", "nn", "torch"})


def capitalised(sentence: str) -> str:
    """``sentence`` with its first letter capitalised, unless it starts with code
    (``nn.Linear``, ``len(t)``, ``t.type()``), which keeps the case it is written in."""
    first = sentence.split(" ", 1)[0]
    if not first.isalpha() or first in _CODE_WORDS:
        return sentence
    return sentence[:1].upper() + sentence[1:]


# -- what a value is, in the student's words -------------------------------------------------

def _opaque(value: Any) -> tuple[str, str] | None:
    """(class path, repr) of a value the grader received only as a description (the grader
    gets what a graded function returned as data; what it cannot rebuild, such as a NumPy
    array or a method, arrives as its class and a short repr)."""
    if type(value).__name__ == "Opaque" and isinstance(getattr(value, "type_name", None), str):
        return value.type_name, str(getattr(value, "text", ""))
    return None


def class_path(value: Any) -> str:
    """``torch.nn.modules.linear.Linear``, ``numpy.ndarray``: the class of ``value``, or of what
    the grader received a description of (a module it could not rebuild, another object)."""
    opaque = _opaque(value)
    if opaque:
        return "builtins.type" if opaque[1].startswith("<class '") else opaque[0]
    if isinstance(value, type):
        return "builtins.type"  # a class, whatever its metaclass (torch.Tensor's is torch._C._TensorMeta)
    if isinstance(value, nn.Module):
        name = getattr(value, "class_name", None)
        if isinstance(name, str):
            return name
    return f"{type(value).__module__}.{type(value).__qualname__}"


def text_of(value: Any, limit: int = 60) -> str:
    """``repr(value)`` on one line, cut to ``limit`` characters; never raises."""
    opaque = _opaque(value)
    try:
        text = opaque[1] if opaque else repr(value)
    except Exception:  # noqa: BLE001 - a student's object whose repr raises
        return "?"
    text = " ".join(str(text).split())
    return text[:limit] + ("..." if len(text) > limit else "")


def kind(layer: Any) -> str:
    """A layer's class name as the student wrote it: ``Linear``, ``LeakyReLU``."""
    return class_path(layer).rsplit(".", 1)[-1]


#: what students call Python's own types
_PLAIN_NAMES = {"str": "a string", "int": "an int", "float": "a float", "bool": "a bool", "list": "a list",
                "tuple": "a tuple", "dict": "a dict", "set": "a set", "NoneType": "None"}


def _method_name(value: Any) -> str | None:
    """The name of a method or function ``value`` is (not called), else None."""
    path = class_path(value)
    if path not in ("builtins.builtin_function_or_method", "builtins.method", "builtins.function",
                    "builtins.method-wrapper"):
        return None
    name = getattr(value, "__name__", None)
    if isinstance(name, str):
        return name[:40]
    text = text_of(value, 120)  # "<built-in method numel of Tensor object at 0x...>"
    words = text.replace("<", " ").split()
    for marker in ("method", "function"):
        if marker in words and words.index(marker) + 1 < len(words):
            return words[words.index(marker) + 1][:40]
    return "?"


def describe(value: Any) -> str:
    """What a value is, in a few words a student uses: "a torch.float32 tensor of shape (2, 3)"."""
    if isinstance(value, torch.Tensor):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if value is None:
        return "None (is a return statement missing?)"
    path = class_path(value)
    name = kind(value)[:40] or "?"
    if isinstance(value, nn.Module):
        if path.startswith("torch."):
            return f"an nn.{name} module"
        return f"{'an' if name[0] in 'AEIOU' else 'a'} {name} module"
    method = _method_name(value)
    if method:
        return f"the function {method} itself, not called (add its ())"
    if path == "builtins.type":
        return f"a class, {text_of(value)} (not an object made from it)"
    if path.startswith("torch.return_types."):
        return f"the pair (values, indices) that {name} returns"
    if path.startswith("numpy."):
        what = "a NumPy array" if name == "ndarray" else "a NumPy number" if path.count(".") == 1 else "a NumPy value"
        return f"{what} ({text_of(value)})"
    if path == "builtins.generator":
        return "a generator (a (... for ...) expression not yet turned into a list, tuple or sum)"
    if path in ("torch.Size", "torch.dtype"):
        return f"a {path} ({text_of(value)})"
    if path == "collections.OrderedDict":
        return "an OrderedDict (what state_dict() returns)"
    if type(value) in (list, tuple, dict) and not _plain_values(value):
        what = _kinds(list(value.values()) if type(value) is dict else value)
        return f"a {type(value).__name__} of {len(value)} {what}"
    plain = _PLAIN_NAMES.get(name) if path.startswith("builtins.") else None
    return f"{plain or ('an' if name[0] in 'aeiouAEIOU' else 'a') + ' ' + name} ({text_of(value)})"


def _plain_values(values: Any, depth: int = 0) -> bool:
    """``values`` holds only numbers, text and None, in lists, tuples and dicts: its repr says it
    the same way wherever it is shown."""
    if isinstance(values, (list, tuple)) and type(values) in (list, tuple):
        return depth < 8 and all(_plain_values(v, depth + 1) for v in values[:100])
    if type(values) is dict:
        return depth < 8 and all(_plain_values(v, depth + 1) for v in list(values.values())[:100])
    return values is None or type(values) in (int, float, bool, str)


def _kinds(values: Any) -> str:
    """What the values of a container are, in one word: "tensors", "modules" or "values"."""
    if values and all(isinstance(v, torch.Tensor) for v in values):
        return "tensors"
    if values and all(isinstance(v, nn.Module) for v in values):
        return "modules"
    return "values"


# -- comparing answers -------------------------------------------------------------------------

def same(got: Any, want: torch.Tensor, atol: float = 1e-5) -> bool:
    """``got`` is a tensor with ``want``'s shape and values (whatever its dtype)."""
    if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
        return False
    if got.is_complex() or want.is_complex():
        return False
    return bool(torch.allclose(got.detach().double(), want.detach().double(), atol=atol, rtol=1e-4))


def _dtype_kind(t: torch.Tensor) -> str:
    if t.dtype == torch.bool:
        return "bool"
    return "complex" if t.is_complex() else "float" if t.is_floating_point() else "int"


def matches(got: Any, want: Any, strict: bool = False) -> bool:
    """``got`` is the answer ``want``: the same tensor values (within float tolerance), number,
    shape, dtype, text or module structure. ``strict``: also the exact dtype and Python type
    (a right answer); otherwise a one-number tensor matches its number and a float dtype
    another (a mistake, whatever else is wrong). Never raises."""
    try:
        return _matches(got, want, strict, 0)
    except Exception:  # noqa: BLE001 - whatever a student's value does when compared
        return False


def _matches(got: Any, want: Any, strict: bool, depth: int) -> bool:
    if depth > 20:
        return False
    if isinstance(want, torch.Tensor):
        if not isinstance(got, torch.Tensor) or tuple(got.shape) != tuple(want.shape):
            return False
        if (got.dtype != want.dtype) if strict else (_dtype_kind(got) != _dtype_kind(want)):
            return False
        if got.is_complex() or want.is_complex():
            return bool(torch.equal(got.detach(), want.detach()))
        return bool(torch.allclose(got.detach().double(), want.detach().double(), atol=1e-5, rtol=1e-4,
                                   equal_nan=True))
    if isinstance(want, nn.Module):
        return isinstance(got, nn.Module) and structure(got) == structure(want)
    if type(want) is bool:
        return type(got) is bool and got == want
    if type(want) in (int, float):
        if strict:
            return type(got) is type(want) and (got == want if type(want) is int
                                                 else math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-5))
        number = _number(got)
        return number is not None and math.isclose(number, want, rel_tol=1e-4, abs_tol=1e-5)
    if isinstance(want, (tuple, list)):
        if isinstance(want, tuple) != isinstance(got, tuple) or not isinstance(got, (tuple, list)):
            return False
        return len(got) == len(want) and all(_matches(g, w, strict, depth + 1) for g, w in zip(got, want))
    if isinstance(want, (torch.dtype, str)):
        return type(got) is type(want) and got == want
    if want is None:
        return got is None
    return False


def _number(value: Any) -> float | None:
    """``value`` as a number when it is one: an int, a float or a one-number tensor (not a bool)."""
    if type(value) in (int, float):
        return value
    if isinstance(value, torch.Tensor) and value.numel() == 1 and _dtype_kind(value) in ("int", "float"):
        return value.item()
    return None


#: constructor settings that do not change what a layer computes on an input it may change
_NOT_STRUCTURE = frozenset({"training", "inplace", "class_name"})


#: the most modules :func:`structure` looks at: a model that uses a layer twice, which uses one
#: twice, ... is small to send but has exponentially many uses; no exercise's model has 500
MAX_STRUCTURE_MODULES = 500


def structure(module: Any) -> Any:
    """What a model is made of, for comparing two: each module's class, its settings (sizes,
    ``dim``...), its parameters' shapes and its children, in order, a reused one each time it
    appears; never the parameters' values (layers start from random ones). A model of more than
    :data:`MAX_STRUCTURE_MODULES` modules (counting each use) is "too large", like no other."""
    budget = [MAX_STRUCTURE_MODULES]
    try:
        return _structure(module, 0, budget)
    except _TooLarge:
        return ("too large", id(module))


class _TooLarge(Exception):
    pass


def _structure(module: Any, depth: int, budget: list[int]) -> Any:
    if not isinstance(module, nn.Module) or depth > 60:
        return None
    budget[0] -= 1
    if budget[0] < 0:
        raise _TooLarge
    settings = tuple(sorted((k, v) for k, v in vars(module).items() if not k.startswith("_")
                            and k not in _NOT_STRUCTURE and (v is None or type(v) in (bool, int, float, str))))
    parameters = tuple((k, None if p is None else tuple(p.shape)) for k, p in module._parameters.items())
    children = tuple(_structure(c, depth + 1, budget) for c in module._modules.values() if c is not None)
    return kind(module), settings, parameters, children


# -- the catalogue of an exercise's mistakes ---------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """A mistake model: what a typical wrong implementation returns (``model``, called with the
    exercise's inputs) and what a teacher says about it (``says``: one sentence, lower case
    first, without the call)."""

    says: str
    model: Callable[..., Any]


#: a recogniser: ``(got, *inputs) -> a hint or None``, for what a model cannot express (a
#: value's type, a promise of the docstring broken whatever the values)
Recogniser = Callable[..., "str | None"]


class Catalogue:
    """An exercise's typical mistakes, in the order they are tried: :class:`Mistake` models and
    recognisers. ``right`` computes the right answer from the inputs (a model equal to it on
    the check's inputs says nothing there); ``modules``: the models build layers, so they run
    on PyTorch's meta device (no memory, no random numbers drawn)."""

    def __init__(self, right: Callable[..., Any], *entries: Mistake | Recogniser, modules: bool = False):
        self.right = right
        self.entries = entries
        self.modules = modules

    def _run(self, model: Callable[..., Any], inputs: tuple) -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if self.modules:
                with torch.device("meta"):
                    return model(*inputs)
            return model(*inputs)

    def diagnose(self, got: Any, *inputs: Any) -> str | None:
        """The sentence of the first entry that recognises ``got``; None for the right answer or
        for a mistake the catalogue does not know. Never raises (an entry that raises on
        these inputs is passed over)."""
        try:
            want = self._run(self.right, inputs)
        except Exception:  # noqa: BLE001 - the right answer is undefined here: no model can be told from it
            want = _UNDEFINED
        if want is not _UNDEFINED and matches(got, want, strict=True):
            return None
        for entry in self.entries:
            try:
                if isinstance(entry, Mistake):
                    value = self._run(entry.model, inputs)
                    if (want is _UNDEFINED or not matches(value, want)) and matches(got, value):
                        return entry.says
                else:
                    hint = entry(got, *inputs)
                    if hint:
                        return str(hint)
            except Exception:  # noqa: BLE001 - a model that fails on these inputs says nothing here
                continue
        if isinstance(want, torch.Tensor) and isinstance(got, torch.Tensor):
            return size_one_difference(tuple(got.shape), tuple(want.shape))  # a squeeze() too many, or too few
        return None


_UNDEFINED = object()


# -- recognisers every assignment uses ---------------------------------------------------------

def own_class(module: Any, kind: str = "module") -> str | None:
    """A hint when ``module`` is of a class the student wrote (a subclass of ``nn.Sequential``
    or a layer of their own): the grader rebuilds returned modules from torch.nn's own
    classes only, so ``autograder check`` must refuse them too, with the same words."""
    if not isinstance(module, nn.Module):
        return None
    name = class_path(module)
    if name.split(".")[0] == "torch":
        return None
    name = name.rsplit(".", 1)[-1]
    return (f"{kind} is of a class of your own ({name[:40]}): the grader rebuilds only torch.nn's own "
            "classes, so build it from them (nn.Sequential, nn.Linear, ...).")


def own_classes(model: Any) -> str | None:
    """The hint for a model or one of its layers of a class of the student's own."""
    if not isinstance(model, nn.Module):
        return None
    return own_class(model, "the model") or next(
        (own_class(layer, "a layer") for layer in model.children() if own_class(layer)), None)


def not_a_tensor(got: Any) -> str | None:
    """The hint for anything but a tensor, named as the student would name it."""
    if isinstance(got, torch.Tensor):
        return None
    if isinstance(got, nn.Module):
        return "it returned a module, not its output: call the module on the input, module(x)."
    path = class_path(got)
    if path == "builtins.type" and "torch.nn.modules." in text_of(got, 200):
        return "it returned a layer class, not its output: create the layer, then call it, nn.Sigmoid()(x)."
    if path.startswith("torch.return_types."):
        return (f"{kind(got)}(dim=...) returns a pair (values, indices): return the part you need, "
                f".values or .indices.")
    if path.startswith("numpy."):
        return "it returned a NumPy value: stay in torch and return a tensor (torch.from_numpy makes one)."
    if isinstance(got, (list, tuple)) and got and _numbers(got):
        return (f"it returned a {type(got).__name__} of numbers: return a tensor (leave out .tolist(); "
                "torch.tensor(...) makes one from a list).")
    return f"it returned {describe(got)}: return a torch.Tensor."


def _numbers(values: Any, depth: int = 0) -> bool:
    """``values`` is a (nested) list or tuple of numbers, as ``.tolist()`` makes them."""
    if isinstance(values, (list, tuple)):
        return depth < 8 and all(_numbers(v, depth + 1) for v in values[:100])
    return type(values) in (int, float, bool)


def tensor_difference(got: Any, want: torch.Tensor) -> str | None:
    """How ``got`` differs from the tensor ``want``: its type, shape, dtype or values, with what
    the difference suggests where it suggests something (a lost dimension, a transpose, a
    conversion, a constant too many)."""
    hint = not_a_tensor(got)
    if hint:
        return hint
    if tuple(got.shape) != tuple(want.shape):
        return shape_difference(tuple(got.shape), tuple(want.shape))
    if got.dtype != want.dtype:
        if same(got, want):
            return (f"the values are right, but the dtype is {got.dtype} where {want.dtype} is expected: leave out "
                    "the conversion (.float(), .int(), .double(), dtype=...).")
        return f"the dtype is {got.dtype}; expected {want.dtype}."
    if want.dtype.is_floating_point:
        g, w = got.detach().double(), want.double()
        if torch.isnan(g).any() and not torch.isnan(w).any():
            return ("it returned NaN values where the answer has none: exp of a large number overflows to inf, and "
                    "inf / inf is NaN; rearrange the formula so that nothing overflows.")
        if torch.allclose(g, w, atol=1e-5, rtol=1e-4, equal_nan=True):
            return None
        relation = _value_relation(g, w)
        if relation:
            return relation
        diff = (g - w).abs().nan_to_num(nan=float("inf")).reshape(-1)
        index = unravel(int(diff.argmax()), tuple(g.shape))
        return f"wrong values: at index {index} it is {g[index].item():.6g}; expected {w[index].item():.6g}."
    if torch.equal(got, want):
        return None
    if not got.is_complex() and not want.is_complex() and got.dtype != torch.bool:
        relation = _value_relation(got.double(), want.double())
        if relation:
            return relation
    return f"wrong values: got {got.tolist()!r:.100}; expected {want.tolist()!r:.100}."


def size_one_difference(got: tuple[int, ...], want: tuple[int, ...]) -> str | None:
    """The hint for a shape that lost or gained dimensions of size 1 (``squeeze()``,
    ``unsqueeze()``, ``keepdim=True``) and differs in nothing else; None otherwise."""
    if got == want or [n for n in got if n != 1] != [n for n in want if n != 1]:
        return None
    if len(got) < len(want):
        return (f"the shape is {got}; expected {want}: a dimension of size 1 was dropped (squeeze() drops every "
                "one, the batch's too when it holds one sample): keep every dimension.")
    return (f"the shape is {got}; expected {want}: a dimension of size 1 was added (unsqueeze(), keepdim=True): "
            "return the shape asked for.")


def shape_difference(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    """What a tensor of shape ``got`` where ``want`` is expected suggests, where it suggests something."""
    size_one = size_one_difference(got, want)
    if size_one:
        return size_one
    said = f"the shape is {got}; expected {want}"
    if got == ():
        return f"{said}: a sum, mean or max of the whole tensor gives one number."
    if len(got) == len(want) == 2 and got == want[::-1]:
        return f"{said}, its transpose: is a .T missing or extra, or a product the wrong way round?"
    if len(got) == len(want) - 1 and any(got == want[:i] + want[i + 1:] for i in range(len(want))):
        return f"{said}: a dimension was reduced away (a sum, max or mean along a dimension removes it)."
    if math.prod(got) == math.prod(want):
        return f"{said}: the same number of elements, arranged differently (a reshape, view or flatten?)."
    return f"{said}."


def _value_relation(g: torch.Tensor, w: torch.Tensor) -> str | None:
    """What relates wrong values ``g`` to the right ones ``w`` (float64, same shape), if one simple
    thing does: the same amount added, the same factor, the sign, a transpose."""
    if g.numel() < 2 or not torch.isfinite(g).all() or not torch.isfinite(w).all():
        return None
    close = {"atol": 1e-5, "rtol": 1e-4}
    offset = (g - w).reshape(-1)[0]
    if torch.allclose(g - w, offset.expand_as(g), **close):
        return f"every value is off by the same amount ({offset.item():+.4g}): a constant added or subtracted too many?"
    if torch.allclose(g, -w, **close):
        return "every value has the wrong sign: a minus too many or too few?"
    nonzero = w.abs() > 1e-8
    if nonzero.all():
        factor = (g / w).reshape(-1)[0]
        if abs(factor.item()) > 1e-6 and torch.allclose(g, w * factor, **close):
            return f"every value is {factor.item():.4g} times the right one: a factor too many or too few?"
    if g.dim() == 2 and g.shape[0] == g.shape[1] and torch.allclose(g, w.T, **close):
        return "the values are transposed (rows and columns swapped): is a .T missing or extra?"
    return None


def unravel(flat: int, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The index of element ``flat`` of a row-major tensor of ``shape`` (``torch.unravel_index``
    imports sympy on first use: most of a second)."""
    index = []
    for size in reversed(shape):
        flat, i = divmod(flat, size)
        index.append(i)
    return tuple(reversed(index))


def is_int(got: Any, number: int) -> bool:
    """``got`` is the Python int ``number`` (a tensor or any other object never is)."""
    return type(got) is int and got == number


def python_int_mistake(got: Any) -> str | None:
    """The hint for anything but a Python int, with how to turn it into one."""
    if isinstance(got, torch.Tensor):
        return "it returned a tensor: return a Python int (.item() turns a one-number tensor into one)."
    if type(got) is int:
        return None
    if type(got) is float:
        return f"it returned a float ({text_of(got)}): return a Python int (a count has no fractional part; int(...))."
    if class_path(got).startswith("numpy."):
        return f"it returned {describe(got)}: return a Python int (int(...) turns it into one)."
    return f"it returned {describe(got)}: return a Python int."


def layers_of(model: Any) -> tuple[str | None, list[str]]:
    """(a hint, or None and the layer kinds) for what should be an nn.Sequential of torch.nn layers."""
    hint = own_classes(model)
    if hint:
        return hint, []
    if kind(model) == "ModuleList":
        return "an nn.ModuleList holds layers but cannot be called on an input: use nn.Sequential.", []
    if isinstance(model, nn.Module) and not isinstance(model, nn.Sequential):
        return f"it returned {describe(model)} alone: return an nn.Sequential of the layers.", []
    if not isinstance(model, nn.Sequential):
        return f"it returned {describe(model)}: return an nn.Sequential of the layers.", []
    return None, [kind(layer) for layer in model]


def crashed(who: str, error: str, text: str, where: str = "") -> str:
    """What a check says when ``who`` (``"create_tensor"``, ``"Your code"``) raised ``error``
    with ``text`` (``where``: " on line 2 of its cell"): a sentence in the student's terms
    when the error is a common one (``checking.crashes.explain``), then PyTorch's or
    Python's own line."""
    raw = f"{who} raised {error}{': ' + text if text else ''}{where}"
    sentence = explain(error, text)
    return f"{capitalised(sentence)} ({raw})" if sentence else raw

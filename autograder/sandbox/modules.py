"""Describe an ``nn.Module`` as plain data and rebuild it from an allow-list of layer types.

Only the exact classes in ``LAYERS`` are described with their state; anything else
(a subclass, a custom module) becomes an :class:`UnsupportedModule` placeholder that
names the class, so a check can say so, and that refuses to run.

The allow-list is a trust boundary: the trusted side constructs these classes from what
a worker sends. A course extends it per assignment (``modules`` in ``course.toml``) by
torch.nn class *names* only, never with code of its own: each must be a concrete
torch.nn layer class, rebuilt from the constructor arguments it keeps as plain
attributes (numbers, flags, short texts) and its state (:func:`extra_layer_problem`).
"""
from __future__ import annotations

import inspect
from typing import Any, Callable

import torch
from torch import nn

from autograder.curriculum import course
from autograder.errors import AutograderError
from autograder.untrusted import safe_name


def _linear(m: nn.Linear) -> dict:
    return {"in_features": m.in_features, "out_features": m.out_features, "bias": m.bias is not None}


def _softmax(m: nn.Module) -> dict:
    return {"dim": m.dim}


def _batchnorm(m: nn.BatchNorm1d) -> dict:
    return {"num_features": m.num_features, "eps": m.eps, "momentum": m.momentum, "affine": m.affine,
            "track_running_stats": m.track_running_stats}


def _none(m: nn.Module) -> dict:
    return {}


#: class name -> (class, constructor arguments read from an instance): what any course may return
DEFAULT_LAYERS: dict[str, tuple[type, Callable[[Any], dict]]] = {
    "Linear": (nn.Linear, _linear),
    "ReLU": (nn.ReLU, _none),
    "Sigmoid": (nn.Sigmoid, _none),
    "Tanh": (nn.Tanh, _none),
    "Identity": (nn.Identity, _none),
    "Softmax": (nn.Softmax, _softmax),
    "LogSoftmax": (nn.LogSoftmax, _softmax),
    "BatchNorm1d": (nn.BatchNorm1d, _batchnorm),
    "Dropout": (nn.Dropout, lambda m: {"p": m.p}),
    "Flatten": (nn.Flatten, lambda m: {"start_dim": m.start_dim, "end_dim": m.end_dim}),
}
CONTAINERS = {"Sequential": nn.Sequential, "ModuleList": nn.ModuleList}


MAX_LAYER_ELEMENTS = 50_000_000  #: a described layer cannot make the trusted side allocate more
MAX_LAYER_ARGS = 16  #: constructor arguments a described layer may carry
MAX_TEXT_ARG = 64  #: characters of a text argument (``reduction="mean"``)
#: constructor parameters never carried: where and how torch allocates is the grader's choice
_NOT_CARRIED = frozenset({"self", "device", "dtype"})


def extra_layer_problem(name: str) -> str | None:
    """Why a course cannot allow the torch.nn class ``name``, or None when it can."""
    if name in DEFAULT_LAYERS or name in CONTAINERS:
        return f"nn.{name} is allowed already: leave it out of modules."
    cls = getattr(nn, name, None) if name.isidentifier() and not name.startswith("_") else None
    if not (isinstance(cls, type) and issubclass(cls, nn.Module)) or cls is nn.Module:
        return f"{name!r} is not a torch.nn layer class (modules lists class names of torch.nn, such as \"MSELoss\")."
    if not cls.__module__.startswith("torch.nn.modules.") or inspect.isabstract(cls) or cls.__name__ != name:
        return f"nn.{name} cannot be rebuilt by the grader: only torch.nn's own layer classes can."
    if issubclass(cls, nn.modules.lazy.LazyModuleMixin):
        return f"nn.{name} sizes itself on its first call: name the class it becomes (nn.{name.removeprefix('Lazy')})."
    if issubclass(cls, (nn.ModuleDict, nn.ParameterList, nn.ParameterDict, nn.Sequential, nn.ModuleList)):
        return f"nn.{name} is a container: the grader rebuilds nn.Sequential and nn.ModuleList only."
    return None


def _carried(cls: type) -> tuple[str, ...]:
    """The constructor parameters of ``cls`` that a description carries (when the instance
    keeps them as attributes of the same name)."""
    parameters = inspect.signature(cls.__init__).parameters.values()
    return tuple(p.name for p in parameters if p.name not in _NOT_CARRIED
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY))


def _constructor_arguments(names: tuple[str, ...]) -> Callable[[Any], dict]:
    def arguments(m: nn.Module) -> dict:
        found = {}
        for name in names:
            if name in m.__dict__ and _plain(m.__dict__[name]):
                found[name] = m.__dict__[name]
        return found

    return arguments


def _plain(value: Any) -> bool:
    """A constructor argument a description may carry: None, a number, a flag, a short text."""
    return value is None or type(value) in (bool, int, float) or (type(value) is str and len(value) <= MAX_TEXT_ARG)


def allowed_layers(extra: tuple[str, ...] | list[str]) -> dict[str, tuple[type, Callable[[Any], dict]]]:
    """The default layers and the torch.nn classes named in ``extra``; an AutograderError
    naming the first that cannot be allowed."""
    layers = dict(DEFAULT_LAYERS)
    for name in extra:
        problem = extra_layer_problem(name)
        if problem:
            raise AutograderError(f"The course allows a module the grader cannot rebuild: {problem}",
                                  hint="fix modules in course.toml, then run `autograder build`")
        cls = getattr(nn, name)
        layers[name] = (cls, _constructor_arguments(_carried(cls)))
    return layers


def _course_layers() -> dict[str, tuple[type, Callable[[Any], dict]]]:
    try:
        extra = course().modules
    except AutograderError:  # no manifest yet (before the first build): the default set
        extra = ()
    return allowed_layers(extra)


#: what returned modules may be made of: the defaults and what the course's assignments allow
LAYERS = _course_layers()


class UnsupportedModule(nn.Module):
    """Stands for a module whose class is not on the allow-list."""

    def __init__(self, class_name: str):
        super().__init__()
        self.class_name = class_name

    def forward(self, *args: Any) -> Any:
        raise TypeError(f"{self.class_name} is not a layer type the grader can run")

    def extra_repr(self) -> str:
        return self.class_name


#: a module met again in one description: ``{"type": SHARED, "index": k}`` stands for the
#: k-th module described before it (counted as each description is finished, children
#: first), so a layer used twice (its parameters shared) is rebuilt as one layer used twice
SHARED = "shared"


def describe(module: nn.Module, encode_tensor: Callable[[torch.Tensor], Any],
             seen: dict[int, int] | None = None, levels: int = 60) -> dict:
    """``module`` as plain data; ``seen`` (id -> index) numbers the modules described so far.
    At most ``levels`` levels of containers deep: deeper, a container is described as
    unsupported, as :func:`rebuild` allows."""
    seen = {} if seen is None else seen
    if id(module) in seen:
        return {"type": SHARED, "index": seen[id(module)]}
    node = _describe(module, encode_tensor, seen, levels)
    seen[id(module)] = len(seen)  # after its children: a module can only stand for one already whole
    return node


def _describe(module: nn.Module, encode_tensor: Callable[[torch.Tensor], Any], seen: dict[int, int],
              levels: int) -> dict:
    name = type(module).__name__
    if type(module) in CONTAINERS.values():
        # every child, a layer used twice too (named_children() would leave its second use out)
        children = [(k, c) for k, c in module._modules.items() if c is not None]
        if levels <= 1 and children:
            return {"type": "unsupported", "class": f"{name} (nested too deeply)"}
        return {"type": name, "children": [[k, describe(c, encode_tensor, seen, levels - 1)] for k, c in children],
                "training": bool(module.training)}
    entry = LAYERS.get(name)
    if entry is None or type(module) is not entry[0]:
        return {"type": "unsupported", "class": f"{type(module).__module__}.{type(module).__qualname__}"}
    # what state_dict() holds for these exact classes, read directly (state_dict() costs 10x more)
    state, frozen = {}, []
    for key, value in module._parameters.items():
        if value is not None:
            state[key] = encode_tensor(value.detach())
            if not value.requires_grad:
                frozen.append(key)
    for key, value in module._buffers.items():
        if value is not None and key not in module._non_persistent_buffers_set:
            state[key] = encode_tensor(value.detach())
    return {"type": name, "args": entry[1](module), "state": state, "training": bool(module.training),
            "frozen": frozen}


def _no_init(self: nn.Module) -> None:
    pass


def construct(cls: type, kwargs: dict, skip_init: bool) -> nn.Module:
    """``cls(**kwargs)``; without the random initialisation (most of the cost) when a state follows."""
    original = getattr(cls, "reset_parameters", None)
    if not skip_init or original is None:
        return cls(**kwargs)
    cls.reset_parameters = _no_init
    try:
        with torch.no_grad():
            return cls(**kwargs)
    finally:
        cls.reset_parameters = original


def _fill(module: nn.Module, state: dict[str, torch.Tensor]) -> None:
    """Put ``state`` into a freshly constructed layer: the same names as the layer's
    parameters and persistent buffers, exactly, as ``load_state_dict(strict=True)`` asks.

    A tensor of another shape than the layer's own (a student's ``nn.Linear`` whose weight
    was replaced by its transpose) replaces it, as it did in the student's layer, so that
    the check can say what is wrong with it; ``load_state_dict`` would refuse it, and the
    student would read that their function crashed."""
    own = {k: v for k, v in module._parameters.items() if v is not None}
    own.update((k, v) for k, v in module._buffers.items()
               if v is not None and k not in module._non_persistent_buffers_set)
    if set(state) != set(own):
        raise ValueError("the layer's state does not match its layer")
    with torch.no_grad():
        for key, value in state.items():
            mine = own[key]
            if value.shape == mine.shape:
                mine.copy_(value)
            elif key in module._parameters:
                module._parameters[key] = nn.Parameter(value.to(mine.dtype), requires_grad=mine.requires_grad)
            else:
                module._buffers[key] = value.to(mine.dtype)


def rebuild(node: Any, decode_tensor: Callable[[Any], Any], count: Callable[[], None] = lambda: None,
            depth: int = 60, built: list[tuple[nn.Module, int]] | None = None) -> nn.Module:
    """The module ``node`` describes; ``count()`` is called once per use of a module (it raises
    when a message holds too many) and containers nest at most ``depth`` deep. Raises
    ValueError (or what ``count`` raises) on anything malformed. ``built``: the modules rebuilt
    so far, in the order :func:`describe` numbers them (a shared module names one of them),
    each with its uses: itself and every module in it, counted once per use.

    A shared module costs all of its uses again: a layer used twice by a container used
    twice, and so on, is a few kilobytes to send but has exponentially many uses, and the
    checks run the model on the trusted side (40 levels: days of forward passes)."""
    built = [] if built is None else built
    count()
    if depth <= 0:
        raise ValueError("modules nested too deeply")
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise ValueError("bad module description")
    if node["type"] == SHARED:
        index = node.get("index")
        if type(index) is not int or not 0 <= index < len(built):
            raise ValueError("bad shared module")
        module, uses = built[index]
        for _ in range(uses - 1):  # this node's own count() is the first
            count()
        return module  # whole already, and never an ancestor: no cycle can be made
    spent = [1]

    def counting() -> None:
        spent[0] += 1
        count()

    module = _rebuild(node, decode_tensor, counting, depth, built)
    built.append((module, spent[0]))
    return module


def _rebuild(node: dict, decode_tensor: Callable[[Any], Any], count: Callable[[], None], depth: int,
             built: list[tuple[nn.Module, int]]) -> nn.Module:
    kind = node["type"]
    if kind == "unsupported":
        return UnsupportedModule(safe_name(node.get("class", "?")))
    if kind in CONTAINERS:
        module = CONTAINERS[kind]()
        children = node.get("children", [])
        if not isinstance(children, list):
            raise ValueError("bad module children")
        for pair in children:
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[0], str) or len(pair[0]) > 100:
                raise ValueError("bad module child")
            module.add_module(pair[0], rebuild(pair[1], decode_tensor, count, depth - 1, built))
        module.train(node.get("training", True) is True)
        return module
    if kind not in LAYERS:
        raise ValueError("layer type not allowed")
    cls, _ = LAYERS[kind]
    args = node.get("args", {})
    if not isinstance(args, dict) or len(args) > MAX_LAYER_ARGS:
        raise ValueError("bad layer arguments")
    kwargs = {str(k): v for k, v in args.items()}
    if not all(_plain(v) for v in kwargs.values()):
        raise ValueError("bad layer arguments")
    size = 1
    for v in kwargs.values():
        if type(v) is int:
            size *= max(v, 1)
    if size > MAX_LAYER_ELEMENTS:
        raise ValueError("layer too large to rebuild")
    state = node.get("state", {})
    if not isinstance(state, dict):
        raise ValueError("bad layer state")
    frozen = node.get("frozen", [])
    if not isinstance(frozen, list) or not all(isinstance(k, str) for k in frozen):
        raise ValueError("bad frozen parameters")
    state = {str(k): decode_tensor(v) for k, v in state.items()}  # bounded by the message, before any layer
    # never initialised here: a description carries every parameter and buffer (``describe``),
    # so the state must fill the layer exactly, and what it holds is bounded by the message's
    # size. (Initialising layers that a forged description left without state let a student
    # make the grader allocate and fill any number of them.)
    module = construct(cls, kwargs, skip_init=True)
    _fill(module, state)
    parameters = dict(module.named_parameters())
    for key in frozen:
        if key not in parameters:
            raise ValueError("bad frozen parameter")
        parameters[key].requires_grad_(False)
    module.train(node.get("training", True) is True)
    return module

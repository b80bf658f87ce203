"""Mutation operators: the table of edits that mirror students' mistakes, applied with ``ast``.

Each operator looks at one node of a solution block's syntax tree and offers the wrong
versions a student might write instead (:data:`OPERATORS`, in the order the report lists
them); two operators that offer the same code make one mutant, named by the first. The
confusions a student makes between calls (``torch.tensor`` for ``torch.Tensor``, ``sum``
for ``mean``...) are data too (:data:`CONFUSIONS`), as are the keywords a student adds
where none belongs (:data:`ADDED_KEYWORDS`). Block-wide mistakes (returning the input,
returning a constant) are in :data:`BLOCK_OPERATORS`.

Operators run on the reference's own code (trusted, written by the instructor), never on
student code.
"""
from __future__ import annotations

import ast
import copy
from dataclasses import dataclass
from typing import Any, Callable, Iterator

#: (what the student wrote, a builder: the node's copy -> what replaces it). A statement's
#: replacement may be a list of statements (empty: the statement is deleted).
Offer = tuple[str, Callable[[Any], Any]]


@dataclass(frozen=True)
class Context:
    """What operators may know of the exercise: its function's parameters and return annotation."""

    parameters: tuple[str, ...]
    returns: str  #: the return annotation as written (``torch.Tensor``), or ""
    #: what the reference returns in the exercise's first public check, as Python code ("" if
    #: it has no short literal): the answer a student could hard-code
    public_answer: str = ""

    @property
    def returns_tensor(self) -> bool:
        return "Tensor" in self.returns


@dataclass(frozen=True)
class Operator:
    name: str  #: how the report names it
    mirrors: str  #: the student mistake it stands for (docs/audit.md lists them)
    offers: Callable[[ast.AST, ast.AST | None, Context], list[Offer]]  #: (node, its parent, context)


def _src(node: ast.AST) -> str:
    """A node's code on one line, short enough for a report."""
    text = " ".join(ast.unparse(node).split())
    return text if len(text) <= 70 else text[:67] + "..."


def _name_of(func: ast.expr) -> str | None:
    """The name a call is made by: ``softmax`` for ``torch.softmax`` and ``x.softmax``."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


# -- the operators -------------------------------------------------------------------------

def _delete_statement(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not isinstance(node, ast.stmt) or isinstance(node, ast.Pass):
        return []
    first = ast.unparse(node).splitlines()[0]
    return [(f"deleted `{first[:70]}`", lambda n: [])]


def _drop_term(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not isinstance(node, ast.BinOp):
        return []
    if isinstance(node.op, ast.Add):
        return [(f"`{_src(node)}` -> `{_src(node.left)}`", lambda n: n.left),
                (f"`{_src(node)}` -> `{_src(node.right)}`", lambda n: n.right)]
    if isinstance(node.op, ast.Sub):
        return [(f"`{_src(node)}` -> `{_src(node.left)}`", lambda n: n.left)]
    return []


_SWAPPED = (ast.MatMult, ast.Sub, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow)


def _swap_operands(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, _SWAPPED):
        def swapped(n: ast.BinOp) -> ast.BinOp:
            n.left, n.right = n.right, n.left
            return n
        return [(f"`{_src(node)}` with its operands swapped", swapped)]
    if isinstance(node, ast.Call) and len(node.args) >= 2 \
            and not any(isinstance(a, ast.Starred) for a in node.args[:2]):
        def swapped_args(n: ast.Call) -> ast.Call:
            n.args[0], n.args[1] = n.args[1], n.args[0]
            return n
        return [(f"`{_src(node)}` with its first two arguments swapped", swapped_args)]
    if isinstance(node, (ast.List, ast.Tuple)) and isinstance(node.ctx, ast.Load) and len(node.elts) >= 2:
        def reversed_elts(n: ast.List | ast.Tuple) -> ast.AST:
            n.elts.reverse()
            return n
        return [(f"`{_src(node)}` in reverse order", reversed_elts)]
    return []


def _integer_constant(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    value = _integer(node)
    if value is None or _integer(parent) is not None:  # -1 is one number, changed as one
        return []
    return [(f"`{value}` -> `{value + step}`", lambda n, v=value + step: ast.parse(str(v)).body[0].value)
            for step in (1, -1)]


def _integer(node: ast.AST | None) -> int | None:
    """The int a node writes: ``3``, ``-1``; None for anything else (a bool is not an int here)."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _integer(node.operand)
        return None if inner is None else -inner
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    return None


#: the values a ``dim=`` keyword is changed to (those it does not have already)
DIMS = (-1, 0, 1)


def _keyword(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not isinstance(node, ast.Call):
        return []
    offers: list[Offer] = []
    for i, kw in enumerate(node.keywords):
        if kw.arg is None:
            continue
        offers.append((f"`{_src(node)}` without `{kw.arg}=`", lambda n, i=i: _without_keyword(n, i)))
        value = kw.value
        if kw.arg == "dim":
            current = _integer(value)
            for dim in DIMS:
                if dim != current:
                    offers.append((f"`dim={_src(value)}` -> `dim={dim}`",
                                   lambda n, i=i, d=dim: _with_keyword_value(n, i, ast.parse(str(d)).body[0].value)))
        elif isinstance(value, ast.Constant) and type(value.value) is bool:
            offers.append((f"`{kw.arg}={value.value}` -> `{kw.arg}={not value.value}`",
                           lambda n, i=i: _with_keyword_value(n, i, ast.Constant(not n.keywords[i].value.value))))
        elif kw.arg == "dtype":
            for dtype in ("float32", "float64", "int64"):
                if _src(value) != f"torch.{dtype}":
                    offers.append((f"`dtype={_src(value)}` -> `dtype=torch.{dtype}`",
                                   lambda n, i=i, d=dtype: _with_keyword_value(n, i, ast.parse(f"torch.{d}").body[0].value)))
    name = node.func.attr if isinstance(node.func, ast.Attribute) else ""  # x.sum(), not the built-in sum()
    present = {kw.arg for kw in node.keywords}
    for arg, value in ADDED_KEYWORDS.get(name, ()):
        if arg not in present:
            offers.append((f"`{_src(node)}` with `{arg}={value!r}`",
                           lambda n, a=arg, v=value: _with_added_keyword(n, a, v)))
    return offers


def _without_keyword(n: ast.Call, i: int) -> ast.Call:
    del n.keywords[i]
    return n


def _with_keyword_value(n: ast.Call, i: int, value: ast.expr) -> ast.Call:
    n.keywords[i].value = value
    return n


def _with_added_keyword(n: ast.Call, arg: str, value: Any) -> ast.Call:
    n.keywords.append(ast.keyword(arg=arg, value=ast.Constant(value)))
    return n


#: keywords students add where they do not belong: the name of a method or of a torch
#: function (never a built-in) -> (keyword, value)
ADDED_KEYWORDS: dict[str, tuple[tuple[str, Any], ...]] = {
    "Linear": (("bias", False),),
    "argmax": (("keepdim", True),),
    "sum": (("keepdim", True),),
    "mean": (("keepdim", True),),
}

#: calls students confuse with one another: a call of one name becomes a call of each other
#: name of its group (``torch.tensor`` -> ``torch.Tensor``, ``x.sum()`` -> ``x.mean()``)
CONFUSIONS: tuple[tuple[str, ...], ...] = (
    ("tensor", "Tensor", "as_tensor"),
    ("softmax", "log_softmax", "sigmoid"),
    ("Softmax", "Sigmoid", "ReLU"),
    ("sum", "mean"),
    ("parameters", "buffers", "state_dict", "children"),
    ("argmax", "max"),
)
#: names that take a ``dim``: a confusion into one keeps or adds it, into any other drops it
_TAKES_DIM = {"softmax", "log_softmax", "Softmax", "sum", "mean", "argmax", "max"}
_NEEDS_DIM = {"softmax", "log_softmax", "Softmax"}


def _confusion(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not isinstance(node, ast.Call):
        return []
    name = _name_of(node.func)
    offers: list[Offer] = []
    if name == "numel" and isinstance(node.func, ast.Attribute) and not node.args:
        offers.append((f"`{_src(node)}` -> `len({_src(node.func.value)})`",
                       lambda n: ast.Call(ast.Name("len", ast.Load()), [n.func.value], [])))
    if name == "len" and isinstance(node.func, ast.Name) and len(node.args) == 1:
        offers.append((f"`{_src(node)}` -> `{_src(node.args[0])}.numel()`",
                       lambda n: ast.Call(ast.Attribute(n.args[0], "numel", ast.Load()), [], [])))
    for group in CONFUSIONS:
        if name in group and isinstance(node.func, ast.Attribute):
            for other in group:
                if other != name:
                    offers.append((f"`{name}` -> `{other}` in `{_src(node)}`",
                                   lambda n, o=other: _renamed_call(n, o)))
    return offers


def _renamed_call(n: ast.Call, name: str) -> ast.Call:
    n.func.attr = name
    if name not in _TAKES_DIM:  # sigmoid, ReLU: no dim, and nothing beyond the input
        n.keywords = [kw for kw in n.keywords if kw.arg != "dim"]
        n.args = n.args[:1]
    elif name in _NEEDS_DIM and not any(kw.arg == "dim" for kw in n.keywords) and len(n.args) < 2:
        n.keywords.append(ast.keyword(arg="dim", value=ast.Constant(-1)))
    return n


#: attributes students confuse: ``t.shape`` for the method ``t.size`` (not called), ``t.dtype`` for ``t.type()``
ATTRIBUTE_CONFUSIONS = {"shape": "size", "dtype": "type()"}


def _attribute(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not (isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load)):
        return []
    if node.attr in ("T", "mT"):
        return [(f"`{_src(node)}` -> `{_src(node.value)}` (no transpose)", lambda n: n.value)]
    other = ATTRIBUTE_CONFUSIONS.get(node.attr)
    if other is None:
        return []

    def confused(n: ast.Attribute) -> ast.expr:
        return ast.parse(f"({ast.unparse(n.value)}).{other}").body[0].value
    return [(f"`.{node.attr}` -> `.{other}` in `{_src(node)}`", confused)]


def _reshape_result(node: ast.AST, parent: ast.AST | None, ctx: Context) -> list[Offer]:
    if not (isinstance(node, ast.Return) and node.value is not None and ctx.returns_tensor):
        return []

    def wrapped(call: str) -> Callable[[ast.Return], ast.Return]:
        def wrap(n: ast.Return) -> ast.Return:
            n.value = ast.parse(f"({ast.unparse(n.value)}).{call}").body[0].value
            return n
        return wrap
    return [(f"`return {_src(node.value)}` -> `return ({_src(node.value)}).{call}`", wrapped(call))
            for call in ("squeeze()", "unsqueeze(0)")]


OPERATORS: tuple[Operator, ...] = (
    Operator("delete statement", "a line left out", _delete_statement),
    Operator("drop term", "one term of a sum left out (the bias, the subtracted baseline)", _drop_term),
    Operator("swap operands", "operands of @, -, / or a shape's sizes in the wrong order", _swap_operands),
    Operator("integer constant", "an off-by-one in a size, an index or a dimension", _integer_constant),
    Operator("keyword", "a keyword argument (dim=, dtype=, bias=, keepdim=) left out, changed or added", _keyword),
    Operator("confusion", "a call confused with its usual neighbour (CONFUSIONS)", _confusion),
    Operator("attribute", "a transpose left out; .shape for .size, .dtype for .type()", _attribute),
    Operator("reshape result", "the result squeezed or unsqueezed", _reshape_result),
)


def _block_offers(ctx: Context) -> list[tuple[str, str, str]]:
    """(operator, change, new block code) for the whole-block mistakes."""
    offers = []
    if ctx.parameters:
        offers.append(("return input", f"returns `{ctx.parameters[0]}` unchanged", f"return {ctx.parameters[0]}\n"))
    offers.append(("return constant", "returns `0`", "return 0\n"))
    if ctx.public_answer:
        offers.append(("hard-coded answer", f"returns `{ctx.public_answer[:60]}`, what the first public check "
                                             "expects, whatever the input", f"return {ctx.public_answer}\n"))
    return offers


BLOCK_OPERATORS = (
    ("return input", "the input returned unchanged"),
    ("return constant", "a constant returned"),
    ("hard-coded answer", "the answer the public check expects, returned whatever the input"),
)


# -- applying them -------------------------------------------------------------------------

def _sites(tree: ast.AST) -> Iterator[tuple[ast.AST, ast.AST | None, str, int | None]]:
    """Every node under ``tree``, depth first: (node, parent, field, index in the field's list)."""
    stack: list[tuple[ast.AST, ast.AST | None, str, int | None]] = [(tree, None, "", None)]
    while stack:
        node, parent, field, index = stack.pop()
        yield node, parent, field, index
        children = []
        for name, value in ast.iter_fields(node):
            if isinstance(value, list):
                children += [(v, node, name, i) for i, v in enumerate(value) if isinstance(v, ast.AST)]
            elif isinstance(value, ast.AST):
                children.append((value, node, name, None))
        stack.extend(reversed(children))


#: fields whose list of statements may not be empty
_BODIES = {"body", "finalbody"}


def _splice(parent: ast.AST, field: str, index: int | None, replacement: Any) -> None:
    if index is None:
        setattr(parent, field, replacement)
        return
    items = getattr(parent, field)
    items[index:index + 1] = replacement if isinstance(replacement, list) else [replacement]
    if not items and field in _BODIES:
        items.append(ast.Pass())


@dataclass(frozen=True)
class Edit:
    operator: str
    change: str  #: what the student wrote instead, in a few words
    line: int  #: the line of the block (1-based, within the block) the edit is on
    code: str  #: the whole block after the edit


def mutations(code: str, ctx: Context) -> list[Edit]:
    """Every edit the operators offer on the block ``code`` (dedented source), in table
    order then in the order of the code; edits whose code does not differ from the
    reference, or repeats an earlier edit's, are left out."""
    tree = ast.parse(code)
    reference = ast.unparse(tree)
    sites = list(_sites(tree))
    edits: list[Edit] = []
    seen = {reference}
    for name, change, new in _block_offers(ctx):
        _add(edits, seen, Edit(name, change, 1, ast.unparse(ast.parse(new))))
    for operator in OPERATORS:
        for k, (node, parent, _field, _index) in enumerate(sites):
            if node is tree:
                continue
            for change, build in operator.offers(node, parent, ctx):
                mutant = copy.deepcopy(tree)
                target, parent, field, index = list(_sites(mutant))[k]
                _splice(parent, field, index, build(target))
                ast.fix_missing_locations(mutant)
                _add(edits, seen, Edit(operator.name, change, getattr(node, "lineno", 1), ast.unparse(mutant)))
    return edits


def _add(edits: list[Edit], seen: set[str], edit: Edit) -> None:
    if edit.code not in seen:
        seen.add(edit.code)
        edits.append(edit)

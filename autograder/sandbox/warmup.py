"""What the shards run once, before any worker is forked, so that workers start warm.

A worker is a fork: whatever it is the first to run, it pays for. The first call of a
torch operation sets up its dispatch and caches, the first run of Python code
specialises its bytecode, and each write of that kind lands in memory the worker
shares with its fork server, which the kernel must then copy page by page for that
worker alone. Run once here, the same work is done once for every worker to come.
The effect is measured in docs/performance.md.

Only public code runs here: the operations this course teaches and students commonly
write, and the worker's own code for loading files, calling and answering. Never a
reference solution or a hidden check (see ``fork server``): the fork server must never
hold them.
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F


def _tensors() -> None:
    for data in ([1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], 7, 2.5, True, (1, 2)):
        for make in (torch.tensor, torch.as_tensor, torch.Tensor, torch.from_numpy):
            try:
                t = make(data)
            except (TypeError, ValueError, RuntimeError):
                continue
            (t.dtype, t.shape, tuple(t.shape), t.size(), t.numel(), t.dim(), t.ndim, t.tolist(),
             t.clone(), t.float(), t.long(), t.to(torch.float64), t.reshape(-1), t.view(-1) if t.is_contiguous() else t)
    torch.zeros(2, 3).numel()
    torch.ones(3, dtype=torch.int64).sum().item()
    torch.arange(6).reshape(2, 3).T


def _activations(x: torch.Tensor) -> None:
    for dim in (-1, 0, 1):
        torch.softmax(x, dim=dim), F.softmax(x, dim=dim), x.softmax(dim), nn.Softmax(dim=dim)(x)
        torch.log_softmax(x, dim=dim), torch.logsumexp(x, dim=dim)
        shifted = x - x.max(dim=dim, keepdim=True).values
        shifted.exp() / shifted.exp().sum(dim=dim, keepdim=True)
        torch.exp(x) / torch.sum(torch.exp(x), dim=dim, keepdim=True)
        x.argmax(dim=dim), torch.argmax(x, dim=dim), x.max(dim=dim), torch.max(x, dim)
    torch.sigmoid(x), F.sigmoid(x), x.sigmoid(), nn.Sigmoid()(x), 1 / (1 + torch.exp(-x)), torch.tanh(x)
    torch.relu(x), F.relu(x), nn.ReLU()(x), x.clamp(min=0), torch.clamp(x, -1, 1)
    torch.isfinite(x).all(), torch.isnan(x).any(), torch.allclose(x, x), torch.equal(x, x)


def _layers(x: torch.Tensor) -> None:
    n = x.shape[-1]
    linear = nn.Linear(n, 2)
    linear(x), x @ linear.weight.T + linear.bias, torch.matmul(x, linear.weight.t()) + linear.bias
    F.linear(x, linear.weight, linear.bias), x.mm(linear.weight.T), torch.mm(x, linear.weight.T)
    nn.Linear(n, 2, bias=False)(x)
    layers: list[nn.Module] = []
    for a, b in ((n, 4), (4, 3)):
        layers += [nn.Linear(a, b), nn.ReLU()]
    model = nn.Sequential(*layers, nn.Linear(3, 2), nn.Sigmoid())
    grown = nn.Sequential()
    grown.append(nn.Linear(n, 2))
    grown.add_module("out", nn.Softmax(dim=-1))
    for m in (model, grown, nn.Sequential(nn.Linear(n, 1), nn.Sigmoid())):
        m(x), m.forward(x), m.eval(), m.train()
        sum(p.numel() for p in m.parameters()), sum(p.numel() for p in m.parameters() if p.requires_grad)
        len(list(m.parameters())), list(m.named_parameters()), list(m.children()), list(m.modules())
        m.state_dict(), m[0], len(m), isinstance(m[0], nn.Linear)
        with torch.no_grad():
            m(x)


def exercise_torch() -> None:
    """Run the operations students commonly use on the course's kinds of data, a few times
    (Python specialises code after a few runs)."""
    for _ in range(3):
        torch.manual_seed(0)
        _tensors()
        x = torch.randn(4, 5)
        _activations(x)
        _activations(x * 1000)
        _layers(x)


_SAMPLE = '''\
import torch
from torch import nn


def make(values):
    """A docstring, as students' files have."""
    total = 0
    for x in values:
        total += x
    return [torch.as_tensor(values), nn.Linear(len(values), 1), total]


def stub():
    raise NotImplementedError("replace this line with your code")
'''


def exercise_worker(plan: list) -> None:
    """Run the worker's own code once on the course's calls: compile and run a file, answer
    each planned call as if its arguments were the answer, and report an exception and a
    syntax error (what an unattempted and a broken file give)."""
    from autograder.sandbox import worker
    from autograder.sandbox.replies import ok_reply

    for _ in range(2):
        namespace: dict = {"__name__": "warm-up"}
        exec(compile(_SAMPLE, f"{worker.PACKAGE}/warm_up.py", "exec", dont_inherit=True), namespace)
        worker._payload(ok_reply(namespace["make"]([1, 2, 3]), [], None))
        for request, before in plan:
            worker._payload(ok_reply(request["args"], request["args"], before))
        for source in ("raise NotImplementedError('stub')", "def broken(:\n"):
            try:
                exec(compile(source, f"{worker.PACKAGE}/warm_up.py", "exec", dont_inherit=True), {})
            except (NotImplementedError, SyntaxError) as exc:
                worker._payload(worker._exception(exc))

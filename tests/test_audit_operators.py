"""The mutation operators: each offers the mistakes the issue lists, on code like the course's,
and every mutant made from the course's solutions compiles, differs and is named by its code."""
from __future__ import annotations

import ast

import pytest

from autograder.audit import operators
from autograder.audit.mutants import CATALOGUE, block_source, exercise_mutants, mutant_id, student_file
from autograder.audit.operators import Context, mutations
from autograder.authoring.source import read_solution
from autograder.curriculum import SOLUTIONS_DIR, course

TENSOR = Context(("x", "weight", "bias"), "torch.Tensor")


def codes(code: str, ctx: Context = TENSOR, operator: str | None = None) -> set[str]:
    """The mutants' code, each on one line (statements joined by "; ")."""
    return {"; ".join(e.code.splitlines()) for e in mutations(code, ctx) if operator in (None, e.operator)}


def test_the_table_holds_the_operators_the_issue_asks_for():
    names = {o.name for o in operators.OPERATORS} | {name for name, _ in operators.BLOCK_OPERATORS}
    assert names >= {"delete statement", "drop term", "swap operands", "integer constant", "keyword", "confusion",
                     "attribute", "reshape result", "return input", "return constant", "hard-coded answer"}
    confused = {frozenset(group) for group in operators.CONFUSIONS}
    for group in [{"tensor", "Tensor", "as_tensor"}, {"softmax", "log_softmax", "sigmoid"}, {"sum", "mean"},
                  {"parameters", "buffers", "state_dict", "children"}, {"Sigmoid", "Softmax", "ReLU"},
                  {"argmax", "max"}]:
        assert frozenset(group) in confused, group
    assert operators.ATTRIBUTE_CONFUSIONS["shape"] == "size"


def test_a_linear_map_loses_its_bias_its_transpose_and_its_order():
    found = codes("return x @ weight.T + bias\n")
    assert {"return x @ weight.T", "return bias", "return weight.T @ x + bias", "return x @ weight + bias",
            "return (x @ weight.T + bias).squeeze()", "return (x @ weight.T + bias).unsqueeze(0)",
            "return x", "return 0", "pass"} <= found


def test_a_softmax_loses_or_changes_its_dim_and_is_confused_with_its_neighbours():
    found = codes("return torch.softmax(logits, dim=dim)\n", Context(("logits", "dim"), "torch.Tensor"))
    assert {"return torch.softmax(logits)", "return torch.softmax(logits, dim=-1)", "return torch.softmax(logits, dim=0)",
            "return torch.softmax(logits, dim=1)", "return torch.log_softmax(logits, dim=dim)",
            "return torch.sigmoid(logits)"} <= found  # a sigmoid takes no dim


def test_layers_lose_their_bias_swap_their_sizes_and_become_other_activations():
    ctx = Context(("n",), "nn.Sequential")
    found = codes("return nn.Sequential(nn.Linear(n, 1), nn.Sigmoid())\n", ctx)
    assert {"return nn.Sequential(nn.Linear(n, 1, bias=False), nn.Sigmoid())",
            "return nn.Sequential(nn.Linear(1, n), nn.Sigmoid())",
            "return nn.Sequential(nn.Sigmoid(), nn.Linear(n, 1))",
            "return nn.Sequential(nn.Linear(n, 1), nn.Softmax(dim=-1))",
            "return nn.Sequential(nn.Linear(n, 1), nn.ReLU())",
            "return nn.Sequential(nn.Linear(n, 2), nn.Sigmoid())", "return nn.Sequential(nn.Linear(n, 0), nn.Sigmoid())"
            } <= found
    assert not any(".squeeze()" in c for c in found)  # a model is not a tensor: no reshaping of it


def test_counting_calls_are_confused_with_their_neighbours():
    ctx = Context(("model",), "int")
    found = codes("return sum(p.numel() for p in model.parameters())\n", ctx)
    assert {"return sum((len(p) for p in model.parameters()))", "return sum((p.numel() for p in model.buffers()))",
            "return sum((p.numel() for p in model.state_dict()))",
            "return sum((p.numel() for p in model.children()))"} <= found
    assert not any("keepdim" in c for c in found), "the built-in sum() takes no keepdim"
    assert "return t.numel()" in codes("return len(t)\n", Context(("t",), "int"))
    assert "return tuple(t.size)" in codes("return tuple(t.shape)\n", Context(("t",), "tuple"))
    assert "return t.type()" in codes("return t.dtype\n", Context(("t",), "torch.dtype"))


def test_argmax_keeps_its_dim_or_becomes_max():
    found = codes("return p.argmax(dim=-1)\n", Context(("p",), "torch.Tensor"))
    assert {"return p.argmax(dim=-1, keepdim=True)", "return p.max(dim=-1)", "return p.argmax()",
            "return p.argmax(dim=0)", "return p.argmax(dim=-2)"} <= found


def test_a_negative_number_is_changed_as_one_number():
    found = codes("return p.argmax(dim=-1)\n", Context(("p",), "torch.Tensor"), "integer constant")
    assert found == {"return p.argmax(dim=0)", "return p.argmax(dim=-2)"}  # never dim=-0 or dim=-(2)


def test_deleting_the_only_statement_of_a_body_leaves_pass():
    found = codes("total = 0\nfor p in ps:\n    total += p\nreturn total\n", Context(("ps",), "int"), "delete statement")
    assert "total = 0; for p in ps:;     pass; return total" in found
    assert "for p in ps:;     total += p; return total" in found


def test_the_hard_coded_answer_is_returned_whatever_the_input():
    found = codes("return t.dtype\n", Context(("t",), "torch.dtype", "torch.float32"), "hard-coded answer")
    assert found == {"return torch.float32"}


def test_no_mutant_repeats_another_or_the_reference():
    code = "sizes = [a, *b, c]\nreturn sum(x * y + y for x, y in zip(sizes, sizes[1:])) - (a * c + c)\n"
    edits = mutations(code, Context(("a", "c", "b"), "int"))
    found = [e.code for e in edits]
    assert len(found) == len(set(found)) > 10
    assert ast.unparse(ast.parse(code)) not in found


@pytest.mark.parametrize("exercise", [e.name for e in course().exercises])
def test_every_mutant_of_the_course_compiles_and_is_named_by_its_code(exercise):
    assignment = course().exercise(exercise).assignment
    solution = read_solution(SOLUTIONS_DIR, assignment)
    mistakes = {name: mistake for name, mistake in _catalogue(assignment).items()}
    mutants, notes = exercise_mutants(solution, exercise, mistakes.get(exercise), [], "0")
    assert notes == []
    assert len(mutants) >= 4
    assert len({m.code for m in mutants}) == len(mutants)
    for mutant in mutants:
        text = student_file(solution, exercise, mutant.code)
        compile(text, solution.filename, "exec")
        assert "### " not in text  # the markers are the grader's, not the student's
        assert mutant.id == mutant_id(exercise, mutant.code) and mutant.id.startswith(f"{exercise}.")
        assert mutant.diff.startswith("--- reference\n+++ mutant\n")
        assert solution.starts[exercise] < mutant.line <= len(solution.lines)
    if exercise in mistakes:
        assert any(m.operator == CATALOGUE for m in mutants), "the catalogue's mistake is a mutant too"
    reference = student_file(solution)
    assert block_source(solution, exercise).strip() in reference


def _catalogue(assignment: str) -> dict:
    from autograder.audit.mutants import catalogue_mistakes

    return catalogue_mistakes(course().assignment(assignment))

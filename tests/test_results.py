"""The results model and its reports: the scoring rule, results.json (Gradescope's schema,
read back into the same model), the feedback page, grades.csv and the summary, all
rendered from the model, none parsed back from text."""
from __future__ import annotations

import csv
import io
import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.curriculum import load_manifest
from autograder.grading.results import (MAX_RESULT_BYTES, ResultsError, feedback_html, fit, grades_csv,
                                        output_text, read_results, read_results_text, results_document, results_json,
                                        summarise_class)
from autograder.outcomes import CheckResult, Outcome, StudentResult, score_exercises, student_result, worst
from autograder.untrusted import spreadsheet_safe
from tests.helpers import ROOT

SCHEMA = json.loads((ROOT / "tests" / "data" / "gradescope_results.schema.json").read_text())
EXERCISES = load_manifest()
CHECK_OUTCOMES = [o for o in Outcome if o is not Outcome.NOT_GRADED]


def check(exercise: str, outcome: Outcome = Outcome.PASSED, hidden: bool = True, points: float = 2.0,
          message: str = "", name: str = "test_x") -> CheckResult:
    return CheckResult(exercise, name, hidden, points if hidden else 0.0, outcome, message)


# -- the scoring rule ---------------------------------------------------------------------------

def test_an_exercise_earns_its_passed_hidden_points_only_if_every_public_check_passes():
    checks = [check("a", hidden=False), check("a", points=2), check("a", Outcome.FAILED, points=3),
              check("b", Outcome.FAILED, hidden=False), check("b", points=5)]
    a, b, c = score_exercises(checks, ["a", "b", "c"], {"a": 5, "b": 5})
    assert (a.score, a.max_score, a.outcome, a.public_checks_passed) == (2.0, 5.0, Outcome.FAILED, True)
    assert (b.score, b.max_score, b.outcome, b.public_checks_passed) == (0.0, 5.0, Outcome.FAILED, False)
    assert (c.score, c.max_score, c.outcome) == (0.0, 0.0, Outcome.NOT_GRADED)  # no check ran for it


def test_an_exercise_takes_its_worst_checks_outcome():
    assert worst([Outcome.PASSED, Outcome.TIMED_OUT, Outcome.FAILED]) is Outcome.TIMED_OUT
    assert worst([Outcome.CRASHED, Outcome.NOT_ATTEMPTED]) is Outcome.NOT_ATTEMPTED
    assert worst([]) is Outcome.FAILED


def test_a_students_score_is_the_sum_and_each_check_says_what_it_earned():
    result = student_result("ada", "f", [check("a", hidden=False), check("a", points=2),
                                         check("b", Outcome.FAILED, hidden=False), check("b", points=5)],
                            ["a", "b"], {"a": 2, "b": 5})
    assert (result.score, result.max_score) == (2.0, 7.0)
    assert [result.earned(c) for c in result.checks] == [0.0, 2.0, 0.0, 0.0]  # b's gate is shut


# -- results.json ---------------------------------------------------------------------------

texts = st.text(max_size=30)
checks = st.builds(CheckResult, st.sampled_from(["create_tensor", "apply_softmax", "a:b"]), texts, st.booleans(),
                   st.sampled_from([0.0, 1.0, 2.5]), st.sampled_from(CHECK_OUTCOMES), texts, texts)


@st.composite
def results(draw) -> StudentResult:
    drawn = draw(st.lists(checks, max_size=8))
    exercises = sorted({c.exercise for c in drawn}) + draw(st.lists(st.sampled_from(["x", "y"]), unique=True))
    return student_result(draw(texts), draw(texts), drawn, exercises,
                          {e: draw(st.sampled_from([0.0, 3.0])) for e in exercises},
                          draw(st.lists(texts, max_size=3)), draw(st.lists(texts, max_size=3)))


@settings(max_examples=200, deadline=None)
@given(results())
def test_results_json_reads_back_into_the_same_model_and_follows_gradescopes_schema(result):
    text = results_json(result)
    assert text.endswith("\n") and text.count("\n") == 1  # one line: the shards send it on their pipe
    assert read_results_text(text) == result
    doc = results_document(result)
    jsonschema.validate(doc, SCHEMA)
    for test, c in zip(doc["tests"], result.checks):
        assert test["tags"] == [c.exercise] and test["extra_data"]["exercise"] == c.exercise
        assert test["output"] == output_text(c) and test["score"] == result.earned(c)


@settings(max_examples=300, deadline=None)
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                        st.sampled_from(["extra_data", "tests", "format", "exercises", "student", "fingerprint",
                                         "problems", "protections", "outcome", "score", "x"]), inner, max_size=4),
                    max_leaves=20))
def test_the_reader_refuses_what_is_not_a_results_document_with_one_error(doc):
    try:
        read_results(doc)
    except ResultsError:
        pass


def test_the_reader_refuses_a_document_of_another_version_or_with_a_wrong_field():
    doc = results_document(student_result("ada", "f", [check("a")], ["a"], {"a": 2}))
    read_results(doc)
    for path, value in ((("extra_data", "format"), 1), (("tests", 0, "extra_data", "outcome"), "not graded"),
                        (("extra_data", "exercises", "a", "score"), float("nan")),
                        (("tests", 0, "extra_data", "hidden"), 1)):
        changed = json.loads(json.dumps(doc))
        target = changed
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        with pytest.raises(ResultsError):
            read_results(changed)
    with pytest.raises(ResultsError):
        read_results_text("{not json")


def test_fit_cuts_the_texts_until_both_reports_are_within_bounds():
    huge = [check("a", Outcome.CRASHED, message="m" * 2_000, name=f"t{i}") for i in range(400)]
    result, text = fit(student_result("ada", "f", huge, ["a"], {"a": 1}))
    assert len(text) <= MAX_RESULT_BYTES and len(feedback_html(result).encode()) <= MAX_RESULT_BYTES
    assert text == results_json(result) and all(c.message.endswith("the report was too long]") for c in result.checks)
    small = student_result("ada", "f", [check("a", Outcome.FAILED, message="short")], ["a"], {"a": 1})
    assert fit(small) == (small, results_json(small))


# -- the other reports ----------------------------------------------------------------------

def test_the_feedback_page_names_what_to_fix_and_escapes_student_text():
    result = student_result("<ada>", "f", [check("a", Outcome.FAILED, message="<b>1 < 2</b>")], ["a"], {"a": 2},
                            problems=["exercises/x.py is missing"])
    page = feedback_html(result)
    assert "&lt;b&gt;1 &lt; 2&lt;/b&gt;" in page and "<b>1" not in page and "Feedback for &lt;ada&gt;" in page
    assert "failed: &lt;b&gt;" in page and "0 / 2" in page and "exercises/x.py is missing" in page


def test_text_cells_of_grades_csv_cannot_be_formulas():
    students = ["=HYPERLINK(\"http://x\")", "+1-1", "-2", "@SUM", "\tx", "\rx", "a\nb", "ada"]
    exercises = [e for e in EXERCISES if e.name == "create_tensor"]
    graded = [student_result(s, "f", [check("create_tensor", points=5)], ["create_tensor"], {"create_tensor": 25})
              for s in students]
    rows = list(csv.reader(io.StringIO(grades_csv(graded, exercises))))
    assert len(rows) == 1 + len(students)
    cells = [row[0] for row in rows[1:]]
    assert {"'=HYPERLINK(\"http://x\")", "'+1-1", "'-2", "'@SUM", "ada"} <= set(cells)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")) and "\n" not in cell and "\r" not in cell
    for row in rows[1:]:
        assert [float(cell) for cell in row[1:]] == [5.0, 5.0, 25.0]  # numbers stay numbers
    assert [spreadsheet_safe(s) for s in ("\tx", "\rx", "x-1")] == ["'\tx", "'\rx", "x-1"]


def test_the_summary_counts_full_marks_and_the_most_common_problem_on_one_line_each():
    exercises = [e for e in EXERCISES if e.name in ("create_tensor", "tensor_dtype")]
    names = [e.name for e in exercises]

    def graded(student: str, message: str) -> StudentResult:
        return student_result(student, "f", [check("create_tensor", points=5),
                                             check("tensor_dtype", Outcome.FAILED, message=message)],
                              names, {"create_tensor": 5, "tensor_dtype": 5})

    summary = summarise_class([graded("a", "wrong\nsecond line"), graded("b", "wrong\nother"), graded("c", "odd")],
                              exercises, graded_now=1)
    assert (summary.students, summary.graded_now, summary.unchanged, summary.mean) == (3, 1, 2, 5.0)
    assert summary.pass_rate == {"create_tensor": 1.0, "tensor_dtype": 0.0}
    assert summary.common_failure == {"tensor_dtype": "failed: wrong"}
    summary.not_graded = ["bad\x1b[2J\nname: not an id"]
    text = summary.render()
    assert "2 unchanged" in text and "bad\\x1b[2J\\x0aname" in text and "\x1b" not in text

"""The class report (autograder.report): its figures, computed from the results model, and
the page rendered from them (escaped, deterministic, aggregate for a class of 2,000)."""
from __future__ import annotations

import html
import re

import pytest

from autograder.curriculum import load_manifest
from autograder.outcomes import CheckResult, Outcome, student_result
from autograder.report import report_html
from autograder.report.model import MAX_BINS, SHOWN_MISTAKES, SHOWN_STUDENTS, bin_width, class_report, histogram
from tests.class_results import synthetic_class, write_out

EXERCISES = load_manifest()
TWO = [e for e in EXERCISES if e.name in ("create_tensor", "tensor_dtype")]


@pytest.fixture(scope="module")
def big():
    return synthetic_class(2000)


def check(exercise: str, outcome: Outcome = Outcome.PASSED, message: str = "", hidden: bool = True,
          points: float = 5.0, name: str = "c") -> CheckResult:
    return CheckResult(exercise, name, hidden, points if hidden else 0.0, outcome, message)


def result(student: str, *checks: CheckResult, problems=()):
    return student_result(student, "f", list(checks), [e.name for e in TWO], {e.name: 5.0 for e in TWO}, problems)


@pytest.mark.parametrize("max_total", [0, 1, 4, 10, 35, 36, 70, 100, 355, 1000, 12345.5])
def test_bins_are_round_and_few_enough_and_full_marks_have_their_own(max_total):
    width = bin_width(max_total)
    bins = histogram([0, max_total, max_total / 2], max_total)
    assert len(bins) <= MAX_BINS and sum(b.count for b in bins) == 3
    assert bins[0].low == 0 and bins[-1].low <= max_total < bins[-1].high
    assert re.fullmatch(r"(1|2|2\.5|5)(0*|e\+?\d+|\.0)", f"{width / 10 ** int(f'{width:e}'.split('e')[1]):g}")
    if max_total == 70:  # 2 points a bin: 68 and 69 share one, 70 (full marks) is alone
        assert width == 2 and len(bins) == 36 and bins[-1].count == 1 and bins[-1].low == 70


def test_the_histogram_counts_every_student_once(big):
    report = class_report(big, EXERCISES)
    assert sum(b.count for b in report.histogram) == 2000
    totals = [r.score for r in big]
    for b in report.histogram:
        assert b.count == sum(1 for t in totals if b.low <= t < b.high)


def test_discrimination_is_the_correlation_with_the_rest_of_the_total():
    # tensor_dtype's points rise with create_tensor's: correlation 1; a constant exercise: undefined
    results = [result(s, check("create_tensor", Outcome.PASSED if k > 0 else Outcome.FAILED, "wrong"),
                      check("tensor_dtype", Outcome.PASSED if k > 1 else Outcome.FAILED, "wrong"))
               for k, s in enumerate("abcd")]
    stats = {e.name: e for e in class_report(results, TWO).exercises}
    assert stats["create_tensor"].discrimination == pytest.approx(0.5773502691896258)
    assert stats["create_tensor"].full_marks == 0.75 and stats["create_tensor"].mean == 3.75
    same = [result(s, check("create_tensor"), check("tensor_dtype", Outcome.FAILED, "x")) for s in "abc"]
    assert all(e.discrimination is None for e in class_report(same, TWO).exercises)


def test_mistakes_are_grouped_by_diagnosis_whatever_the_numbers(big):
    report = class_report(big, EXERCISES)
    for group in report.mistakes:
        failed = [r.student for r in big if r.exercise(group.exercise).outcome is Outcome.FAILED]
        wrong = [m for m in group.shown if m.outcome is Outcome.FAILED]
        # every student's wrong answer quotes other numbers and shapes: one mistake all the same
        assert len(wrong) == 1 and list(wrong[0].students) == failed, group.exercise
        assert "(…)" not in wrong[0].example and wrong[0].checks == 4 * len(failed)
        assert all(m.outcome is not Outcome.NOT_ATTEMPTED for m in group.shown)
        assert len(group.shown) <= SHOWN_MISTAKES


def test_students_with_zero_from_broken_files_are_listed_apart():
    broken = result("broken", check("create_tensor", Outcome.CRASHED, "exercises/tensors.py could not be imported"),
                    check("tensor_dtype", Outcome.CRASHED, "exercises/tensors.py could not be imported"))
    missing = result("missing", check("create_tensor", Outcome.NOT_ATTEMPTED, "not done"),
                     problems=["no assignment file was found in this submission"])
    stub = result("stub", check("create_tensor", Outcome.NOT_ATTEMPTED, "x"), check("tensor_dtype",
                                                                                  Outcome.NOT_ATTEMPTED, "x"))
    wrong = result("wrong", check("create_tensor", Outcome.FAILED, "wrong"), check("tensor_dtype", Outcome.CRASHED, "y"))
    loop = result("loop", check("create_tensor", Outcome.TIMED_OUT, "slow"), check("tensor_dtype", Outcome.PASSED))
    zero = class_report([broken, missing, stub, wrong, loop], TWO).zero
    assert [z.student for z in zero] == ["broken", "missing"]
    assert zero[0].reasons == ("exercises/tensors.py could not be imported",)
    assert zero[1].reasons == ("no assignment file was found in this submission",)


def test_the_page_escapes_student_text_and_links_each_mistake_to_feedback():
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    results = [result(s, check("create_tensor", Outcome.CRASHED, f"create_tensor raised ValueError: {hostile} {k}"),
                      check("tensor_dtype")) for k, s in enumerate(["a", "b+c", "d@e"])]
    page = report_html(results, TWO)
    assert "<script" not in page and "<img" not in page and "onerror=alert(1)>" not in page
    assert hostile in html.unescape(page)  # shown as the text it is
    assert 'href="feedback/b%2Bc.html"' in page and 'href="feedback/d%40e.html"' in page
    assert "3 students, 3 checks" in page


def test_the_page_is_the_same_bytes_for_the_same_results_and_names_no_path(big, tmp_path):
    first = write_out(tmp_path / "one", big[:300], feedback=False)
    second = write_out(tmp_path / "two", list(big[:300]), feedback=False)
    page = (first / "report.html").read_bytes()
    assert page == (second / "report.html").read_bytes() == report_html(big[:300], EXERCISES).encode()
    assert str(tmp_path).encode() not in page and b"/root" not in page and b"/work" not in page


def test_a_class_of_2000_is_shown_in_aggregate(big):
    page = report_html(big, EXERCISES)
    assert len(page.encode()) < 1_000_000
    assert len(re.findall(r'<rect class="bar"', page)) == len(class_report(big, EXERCISES).histogram)
    assert all(f'id="exercise-{e.name}"' in page for e in EXERCISES)
    for mistake in re.findall(r'<li class="mistake">.*?</li>', page, re.S):
        links = re.findall(r'<a href="feedback/', mistake.split("<details>")[0])
        assert len(links) <= SHOWN_STUDENTS
    assert "2000 students graded" in page
    broken = [r.student for r in big if r.score == 0 and all(c.outcome is Outcome.CRASHED for c in r.checks)]
    assert broken and all(f'href="feedback/{s}.html">{s}</a></td>' in page for s in broken)

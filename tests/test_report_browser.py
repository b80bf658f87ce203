"""The class report and a feedback page opened in headless Chromium (tests/browser.py), checked
for what a person sees: no console error, one histogram bar per bin of the class's totals,
every exercise's row, links that resolve. Without Chromium these tests say they did not run
(and fail where CI is set)."""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from autograder.curriculum import load_manifest
from autograder.grading.outputs import read_out
from autograder.report.model import class_report
from tests.browser import Browser, chromium_or_skip
from tests.class_results import synthetic_class, write_out
from tests.helpers import ROOT, run_cli

EXERCISES = load_manifest()

#: what the page shows, gathered in the page itself
SEEN = """(() => {
  const box = e => e.getBoundingClientRect();
  return {
    bars: [...document.querySelectorAll('#histogram rect.bar')].map(r => [Number(r.dataset.count), box(r).height,
                                                                          box(r).width]),
    rows: [...document.querySelectorAll('tr.exercise')].map(r => [r.id, r.offsetHeight > 0]),
    links: [...document.querySelectorAll('a[href]')].map(a => a.href),
    ids: [...document.querySelectorAll('[id]')].map(e => e.id),
    title: document.title, h1: document.querySelector('h1').textContent,
  };
})()"""


@pytest.fixture(scope="module")
def browser():
    chromium = chromium_or_skip()
    opened = Browser(chromium)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture(scope="module")
def example_class(tmp_path_factory):
    """The example class, graded for real."""
    out = tmp_path_factory.mktemp("examples") / "out"
    graded = run_cli("grade", str(ROOT / "examples" / "submissions"), "--out", str(out), "--quiet")
    assert graded.returncode == 0, graded.stderr
    return out


def check_report(browser: Browser, out: Path) -> dict:
    browser.open(out / "report.html")
    assert browser.errors() == []
    seen = browser.evaluate(SEEN)
    results, unreadable = read_out(out)
    assert not unreadable
    bins = class_report(list(results.values()), EXERCISES).histogram
    assert [count for count, _, _ in seen["bars"]] == [b.count for b in bins]  # one bar per bin, each its count
    tallest = max(b.count for b in bins)
    for count, height, width in seen["bars"]:
        assert width > 0 and (height > 0) == (count > 0)
        if count == tallest:
            assert height == max(h for _, h, _ in seen["bars"])
    assert seen["rows"] == [[f"exercise-{e.name}", True] for e in EXERCISES]  # every exercise, shown, in order
    for link in seen["links"]:
        url = urlsplit(link)
        assert url.scheme == "file", link  # nothing off the machine
        target = Path(unquote(url.path))
        assert target.is_file(), link
        if url.fragment:
            assert target != (out / "report.html").resolve() or url.fragment in seen["ids"], link
    return seen


def test_the_example_classs_report_shows_what_it_should(browser, example_class):
    seen = check_report(browser, example_class)
    feedback = [link for link in seen["links"] if "/feedback/" in link]
    assert {Path(urlsplit(link).path).stem for link in feedback} >= {"ben_mistakes", "dan_broken", "eve_hostile"}
    assert seen["h1"] == "Class report" and "5 students" in seen["title"]


def test_a_feedback_page_opens_without_errors_and_shows_every_exercise(browser, example_class):
    browser.open(example_class / "feedback" / "ben_mistakes.html")
    assert browser.errors() == []
    rows = browser.evaluate("[...document.querySelectorAll('tr[id]')].map(r => r.id)")
    assert rows == [e.name for e in EXERCISES]
    assert browser.evaluate("document.querySelector('h1').textContent") == "Feedback for ben_mistakes"
    text = browser.evaluate("document.body.innerText")
    assert "The bias was not added" in text and "Hidden checks show what went wrong" in text


def test_the_report_of_a_class_of_2000_opens_and_stays_aggregate(browser, tmp_path):
    out = write_out(tmp_path / "out", synthetic_class(2000))
    seen = check_report(browser, out)
    assert seen["h1"] == "Class report" and len(seen["links"]) < 3000  # no student listed everywhere


def test_a_report_opened_without_its_folder_says_nothing_broken(browser, example_class, tmp_path):
    """Copied alone (mailed to a colleague), the page still draws: it needs no other file."""
    shutil.copy(example_class / "report.html", tmp_path / "report.html")
    browser.open(tmp_path / "report.html")
    assert browser.errors() == []
    assert len(browser.evaluate("[...document.querySelectorAll('#histogram rect.bar')]")) > 0


def test_the_browser_check_sees_a_broken_page(browser, tmp_path):
    """The checks above can fail: a script error and a missing image are reported."""
    (tmp_path / "broken.html").write_text("<!DOCTYPE html><html><body><img src='missing.png'>"
                                          "<script>undefined_function()</script></body></html>")
    browser.open(tmp_path / "broken.html")
    errors = browser.errors()
    assert any("undefined_function" in e or "ReferenceError" in e for e in errors), errors
    assert any("missing.png" in e or "ERR_FILE_NOT_FOUND" in e for e in errors), errors


def test_one_students_long_unbroken_text_does_not_widen_the_pages(browser, tmp_path):
    """A student's exception text without a space (a message of 2,000 characters, a long id)
    once made the class report 3 times and their feedback page 25 times as wide as the window."""
    from dataclasses import replace

    from autograder.outcomes import Outcome

    results = synthetic_class(20)
    word = "<b>" + "W" * 2000
    k = next(k for k, r in enumerate(results) if any(c.outcome is Outcome.FAILED for c in r.checks))
    wide = replace(results[k], student="x" * 100, checks=tuple(
        replace(c, message=word, detail=word) if c.outcome is Outcome.FAILED else c for c in results[k].checks))
    results = [*results[:k], wide, *results[k + 1:]]
    out = write_out(tmp_path / "out", results)
    check_report(browser, out)
    for page in (out / "report.html", out / "feedback" / f"{wide.student}.html"):
        browser.open(page)
        assert browser.errors() == []
        assert "W" * 100 in browser.evaluate("document.body.innerText")
        width, window = browser.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= window, (page.name, width, window)

"""The class report (``OUT/report.html``): one self-contained page about how a class did.

``model`` computes what it shows from the class's results, ``charts`` the geometry of its
inline SVG charts, and the template ``templates/report.html.j2`` renders both: no script,
no network, nothing that depends on the time or the machine, so the same results give a
byte-identical page.
"""
from __future__ import annotations

from typing import Sequence

from autograder.curriculum import Exercise
from autograder.outcomes import StudentResult
from autograder.report import charts
from autograder.report.model import BAR_OUTCOMES, SHOWN_STUDENTS, ClassReport, bin_width, class_report

__all__ = ["REPORT_FILE", "ClassReport", "class_report", "report_html"]

REPORT_FILE = "report.html"  #: in the output folder
_BAR_WIDTH = 220


def report_html(results: Sequence[StudentResult], exercises: Sequence[Exercise]) -> str:
    """The class report of ``results`` (in the class's order), for ``exercises`` (the course's order)."""
    from autograder.report.render import render

    report = class_report(results, exercises)
    assignments = list(dict.fromkeys(e.assignment for e in exercises))
    return render("report.html.j2", report=report, assignments=assignments, chart=charts.histogram(report.histogram),
                  width=bin_width(report.max_total), outcomes=BAR_OUTCOMES, bar_width=_BAR_WIDTH,
                  bars={e.name: charts.outcome_bar(e.outcomes, _BAR_WIDTH) for e in report.exercises},
                  shown_students=SHOWN_STUDENTS)

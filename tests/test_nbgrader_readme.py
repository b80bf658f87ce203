"""The README's nbgrader section, run as written: its command blocks are read from README.md.

In a copy of the project, with real nbgrader commands: the instructor's block, four
students each running the students' block in a home of their own (alice and bob on time,
mallory on time but with a locked check cell edited, carol after the due date), the
instructor's grading block, and the students' feedback block. What the test adds is only
what a README cannot say: each student's answers (at the "work in" line), which student
runs a command (``--student``: they all share this machine's user), the course's path and
a due date between the on-time and the late submissions.

Then the same collected notebooks go through ``nbgrader autograde`` in a copy of the
course, and both exports must agree on every score, submission time and late penalty.
"""
import datetime
import html
import json
import re
import shlex
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.course_copy import NOT_COPIED
from tests.helpers import ROOT, course_folder
from tests.nbgrader_course import ASSIGNMENT, BIN, fill, nbgrader, read_export, solutions_of

pytestmark = pytest.mark.nbgrader

ON_TIME = ("alice", "bob", "mallory")
LATE = "carol"
#: the columns of `nbgrader export` both paths must agree on
COMPARED = ("assignment", "duedate", "timestamp", "student_id", "raw_score", "late_submission_penalty", "score",
            "max_score")


def readme_blocks() -> list[list[str]]:
    """The indented command blocks of the README's "With nbgrader" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## With nbgrader\n", 1)[1].split("\n## ", 1)[0]
    blocks: list[list[str]] = [[]]
    for line in section.splitlines():
        if line.startswith("    "):
            blocks[-1].append(line[4:])
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def test_the_readme_has_the_four_blocks_this_test_runs():
    blocks = readme_blocks()
    assert [b[0].split()[:2] for b in blocks] == [["autograder", "build"], ["mkdir", "-p"],
                                                  ["nbgrader", "db"], ["nbgrader", "fetch_feedback"]], blocks
    assert blocks[0][1] == "cd course", "the README must build the course before it goes there"


class Shell:
    """Runs README lines with bash, one at a time, following ``cd``; every line must succeed."""

    def __init__(self, cwd: Path, env: dict[str, str]):
        self.cwd, self.env, self.log = cwd, env, []

    def run(self, line: str) -> subprocess.CompletedProcess | None:
        words = shlex.split(line, comments=True)
        if not words:
            return None
        if words[0] == "cd":
            self.cwd = (self.cwd / words[1]).resolve()
            return None
        result = subprocess.run(["bash", "-c", line], cwd=self.cwd, env=self.env, capture_output=True, text=True,
                                timeout=600)
        self.log.append((line, result))
        assert result.returncode == 0, f"{line!r} failed in {self.cwd}:\n{result.stdout}\n{result.stderr}"
        return result


def answers_of(student: str, right: dict[str, str]) -> dict[str, str]:
    if student == "bob":  # torch.Tensor(data) makes floats: create_tensor earns nothing
        return dict(right, create_tensor=right["create_tensor"].replace("torch.tensor(data)", "torch.Tensor(data)"))
    return right


def work(student: str, notebook: Path, right: dict[str, str]) -> None:
    fill(notebook, answers_of(student, right))
    if student == "mallory":  # the locked check cell of create_tensor, edited to pass whatever happens
        nb = json.loads(notebook.read_text())
        for cell in nb["cells"]:
            if cell["metadata"].get("nbgrader", {}).get("grade_id") == "test_create_tensor":
                cell["source"] = "print('create_tensor: all public checks pass.')"
        notebook.write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def readme(tmp_path_factory):
    setup, students, grading, feedback = readme_blocks()
    with course_folder("readme") as base:
        project = base / "project"
        shutil.copytree(ROOT, project, ignore=NOT_COPIED)  # a checkout, as the README's reader has one
        env = {"PATH": f"{BIN}:/usr/bin:/bin", "PYTHONPATH": str(project), "LANG": "C.UTF-8",
               "HOME": str(base / "instructor")}
        instructor = Shell(project, env)
        for line in setup:
            instructor.run(line)
        course = project / "course"
        right = solutions_of(course)

        def student_does(student: str) -> None:
            home = base / student
            home.mkdir()
            shell = Shell(home, {**env, "HOME": str(home)})
            for line in students:
                if line.startswith("# work in"):
                    work(student, home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", right)
                elif line.startswith("nbgrader submit"):
                    shell.run(f"{line} --student={student}")
                else:
                    shell.run(line.replace("/path/to/course", str(course)))

        with ThreadPoolExecutor(len(ON_TIME)) as pool:  # each in a home of their own, as at the same time
            list(pool.map(student_does, ON_TIME))
        due = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=1)
        time.sleep(2)
        student_does(LATE)
        copy = base / "course-autograde"
        for line in grading:
            if line.startswith("nbgrader db assignment add"):
                before, _, rest = line.partition('--duedate "')
                line = f'{before}--duedate "{due:%Y-%m-%d %H:%M:%S} UTC"{rest.partition(chr(34))[2]}'
            if line.startswith("autograder grade"):  # the same collected course, for nbgrader's own autograde
                shutil.copytree(course, copy, symlinks=True)
                graded = instructor.run(line)
            else:
                instructor.run(line)
        def student_reads(student: str) -> None:
            shell = Shell(base / student, {**env, "HOME": str(base / student)})
            for line in feedback:
                shell.run(f"{line} --student={student}")

        with ThreadPoolExecutor(len(ON_TIME) + 1) as pool:
            list(pool.map(student_reads, (*ON_TIME, LATE)))
        root = f"--CourseDirectory.root={copy}"
        # nbgrader's own run, for comparison: a kernel per notebook; a long timeout, so that a busy machine
        # cannot make its figures differ (a cell cut off by the timeout scores 0)
        autograde = nbgrader("autograde", ASSIGNMENT, root, "--Execute.timeout=120", cwd=copy,
                             home=base / "instructor")
        nbgrader("generate_feedback", ASSIGNMENT, root, cwd=copy, home=base / "instructor")
        nbgrader("export", root, cwd=copy, home=base / "instructor")
        yield {"base": base, "course": course, "copy": copy, "graded": graded, "autograde": autograde,
               "log": instructor.log}


def page(course: Path, student: str) -> str:
    return (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(encoding="utf-8")


def text_of(page: str) -> str:
    """A feedback page's text as a browser shows it (code is split into highlighting spans)."""
    return html.unescape(re.sub(r"<[^>]*>", "", page))


def test_export_is_nbgrader_autogrades_export(readme):
    """Scores, submission times and late penalties: ours equal nbgrader's own autograde's."""
    ours, theirs = read_export(readme["course"]), read_export(readme["copy"])
    assert sorted(ours) == sorted([*ON_TIME, LATE])
    for student in ours:
        assert {k: ours[student][k] for k in COMPARED} == {k: theirs[student][k] for k in COMPARED}, student
    assert all(ours[s]["timestamp"] and ours[s]["duedate"] for s in ours), "submission times and the due date"
    scores = {s: float(row["score"]) for s, row in ours.items()}
    assert scores == {"alice": 25.0, "bob": 20.0, "mallory": 25.0, "carol": 0.0}
    assert float(ours[LATE]["raw_score"]) == 25.0 and float(ours[LATE]["late_submission_penalty"]) == 25.0
    assert all(float(ours[s]["late_submission_penalty"]) == 0.0 for s in ON_TIME)


def test_feedback_pages_hold_our_messages_and_no_hidden_code(readme):
    for student in (*ON_TIME, LATE):
        text = text_of(page(readme["course"], student))
        assert "create_tensor: " in text and "Public checks" in text and "Hidden checks" in text, student
        for secret in ("hidden_points", "BEGIN HIDDEN TESTS", "autograder.nbgrader.kernel", "Out["):
            assert secret not in text, (student, secret)
    assert "Integers became floats" in text_of(page(readme["course"], "bob"))
    assert "create_tensor: 0 / 5 points." in text_of(page(readme["course"], "bob"))
    assert "Late submission penalty" in text_of(page(readme["course"], LATE))
    # the edited check cell is shown as it was released
    mallory = text_of(page(readme["course"], "mallory"))
    assert 'check("create_tensor", globals())' in mallory and "print('create_tensor" not in mallory


def test_each_student_fetches_their_own_feedback(readme):
    for student in (*ON_TIME, LATE):
        fetched = list((readme["base"] / student / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(fetched) == 1, student
        assert fetched[0].read_text(encoding="utf-8") == page(readme["course"], student)


def test_grading_prints_no_warning(readme):
    result = readme["graded"]
    assert "Warning" not in result.stderr and "Warning" not in result.stdout, result.stderr
    assert "carol: submitted" in result.stdout and "late penalty 25 points" in result.stdout


def test_nbgrader_autogrades_feedback_shows_no_check_values(readme):
    """The hidden blocks' points are nbgrader's partial credit: shown in the heading, not as Out[...]."""
    assert "has changed" in readme["autograde"].stdout + readme["autograde"].stderr  # mallory's edit, reported
    for student in (*ON_TIME, LATE):
        text = page(readme["copy"], student)
        assert "Out[" not in text and "hidden_points" not in text, student

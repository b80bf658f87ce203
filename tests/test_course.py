"""The generated nbgrader course: stable, unique grade ids; one notebook per assignment; the one source."""
import json

from autograder.curriculum import course as the_course
from autograder.curriculum import load_manifest
from autograder.nbgrader.course import write_course


def test_course_notebooks_are_deterministic_with_unique_grade_ids(tmp_path):
    exercises = load_manifest()
    first = write_course(tmp_path / "a", exercises)
    second = write_course(tmp_path / "b", exercises)
    ids = []
    for assignment in the_course().assignments:
        rel = assignment.notebook_relpath
        assert (first / rel).read_bytes() == (second / rel).read_bytes()
        nb = json.loads((first / rel).read_text())
        cells = [c["metadata"]["nbgrader"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
        ids += [c["grade_id"] for c in cells]
        names = [e.name for e in assignment.exercises]
        assert [c["grade_id"] for c in cells if c["solution"]] == names
        assert [c["grade_id"] for c in cells if c["grade"]] == [f"test_{n}" for n in names]
        assert all(c["locked"] for c in cells if c["grade"])
        assert [c["points"] for c in cells if c["grade"]] == [e.points for e in assignment.exercises]
        assert all(e.points > 0 for e in assignment.exercises)
    assert len(ids) == len(set(ids))


def test_test_cells_call_the_public_checks_then_a_hidden_block(tmp_path):
    """A check cell is short and echoes no check code: it calls the public checks of
    ``public_checks.py`` (written beside each notebook), then holds the hidden block."""
    from autograder.nbgrader import checks_file

    course = write_course(tmp_path / "c", load_manifest())
    for assignment in the_course().assignments:
        folder = (course / assignment.notebook_relpath).parent
        assert (folder / checks_file.FILENAME).read_text() == checks_file.source(assignment)
        nb = json.loads((course / assignment.notebook_relpath).read_text())
        for exercise in assignment.exercises:
            by_id = {c["metadata"].get("nbgrader", {}).get("grade_id"): c["source"] for c in nb["cells"]}
            source = by_id[f"test_{exercise.name}"]
            begin = source.index("### BEGIN HIDDEN TESTS")
            assert source.index(f'check("{exercise.name}", globals())') < begin
            assert "def test_" not in source and "assert" not in source
            assert f'hidden_points("{exercise.name}", globals())' in source[begin:]
            assert max(len(line) for line in source.splitlines()) <= 80  # nbgrader validate shows it whole
            assert "### BEGIN SOLUTION" in by_id[exercise.name]


def test_the_checks_file_holds_every_public_check_of_its_assignment_once():
    """An assignment's public_checks.py is generated from its public checks and hints and what
    hints are made of: every public check of each of its exercises, each check function and
    hint defined once, nothing of another assignment."""
    import ast
    import importlib

    from autograder.checking import hints
    from autograder.nbgrader import checks_file

    def own_functions(module) -> set[str]:
        return {n for n, v in vars(module).items() if callable(v) and getattr(v, "__module__", "") == module.__name__}

    assert set(checks_file.public_checks_by_exercise()) == {e.name for e in load_manifest()}
    for assignment in the_course().assignments:
        tree = ast.parse(checks_file.source(assignment))
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert len(defined) == len(set(defined))
        by_exercise = checks_file.public_checks_by_exercise(assignment)
        assert set(by_exercise) == {e.name for e in assignment.exercises}
        assert {t for tests in by_exercise.values() for t in tests} <= set(defined)
        assert own_functions(hints) | own_functions(importlib.import_module(assignment.hints_module)) <= set(defined)
        others = {e.name for e in load_manifest()} - {e.name for e in assignment.exercises}
        assert not {f"{name}_mistake" for name in others} & set(defined)


def test_notebooks_teach_in_markdown_once_and_every_cell_has_an_id(tmp_path):
    """The teaching text is Markdown (no reST left: ``::``, double backticks), stated once
    (the answer cell keeps only the summary line), and each cell has a valid, unique id."""
    import re

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    course = write_course(tmp_path / "c", load_manifest())
    for assignment in the_course().assignments:
        nb = json.loads((course / assignment.notebook_relpath).read_text())
        ids = [c["id"] for c in nb["cells"]]
        assert len(ids) == len(set(ids)) and all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i) for i in ids)
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                html = markdown2html_mistune(cell["source"])
                prose = re.sub(r"```.*?```", "", cell["source"], flags=re.S)  # fenced examples are code
                assert "::" not in prose and "``" not in prose, prose[:200]
                assert "``" not in html
                assert "<pre" in html or cell is nb["cells"][0]  # each exercise's example, as a code block
        by_id = {c["id"]: c["source"] for c in nb["cells"]}
        for e in assignment.exercises:
            body = [line.strip() for line in e.docstring.splitlines()[1:] if len(line.strip()) > 30]
            teaching = " ".join(by_id[f"{e.name}-text"].replace("`", "").split())
            for line in body:  # every line of the teaching text is in the Markdown cell, and only there
                words = line.removeprefix("* ").replace("`", "").split()
                assert " ".join(words) in teaching, (e.name, line)
                assert line not in by_id[e.name], (e.name, line)
            assert e.docstring.splitlines()[0] in by_id[e.name]  # the answer cell keeps the summary
            # a docstring's list (e.g. build_classifier's layers) is a list, not a paragraph; its
            # arguments are one too
            items = sum(line.lstrip().startswith("* ") for line in e.docstring.splitlines())
            items += e.docstring.count("\nArgs:\n")  # at least one argument, as an item
            assert markdown2html_mistune(by_id[f"{e.name}-text"]).count("<li>") >= items, e.name
        assert "How to work in this notebook" in nb["cells"][0]["source"]

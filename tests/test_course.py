"""The generated nbgrader course: stable, unique grade ids; one notebook per assignment; the one source."""
import json

from autograder.nbgrader.course import write_course
from autograder.curriculum import ASSIGNMENTS
from autograder.curriculum import load_manifest


def test_course_notebooks_are_deterministic_with_unique_grade_ids(tmp_path):
    exercises = load_manifest()
    first = write_course(tmp_path / "a", exercises)
    second = write_course(tmp_path / "b", exercises)
    ids = []
    for assignment in ASSIGNMENTS:
        rel = f"source/{assignment}/{assignment}.ipynb"
        assert (first / rel).read_bytes() == (second / rel).read_bytes()
        nb = json.loads((first / rel).read_text())
        cells = [c["metadata"]["nbgrader"] for c in nb["cells"] if "nbgrader" in c["metadata"]]
        ids += [c["grade_id"] for c in cells]
        names = [e.name for e in exercises if e.assignment == assignment]
        assert [c["grade_id"] for c in cells if c["solution"]] == names
        assert [c["grade_id"] for c in cells if c["grade"]] == [f"test_{n}" for n in names]
        assert all(c["locked"] for c in cells if c["grade"]) and all(c["points"] > 0 for c in cells if c["grade"])
    assert len(ids) == len(set(ids))


def test_test_cells_call_the_public_checks_then_a_hidden_block(tmp_path):
    """A check cell is short and echoes no check code: it calls the public checks of
    ``public_checks.py`` (written beside each notebook), then holds the hidden block."""
    from autograder.nbgrader import checks_file

    course = write_course(tmp_path / "c", load_manifest())
    for assignment in ASSIGNMENTS:
        assert (course / "source" / assignment / checks_file.FILENAME).read_text() == checks_file.source()
    nb = json.loads((course / "source" / "tensors" / "tensors.ipynb").read_text())
    cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "test_create_tensor")
    source = cell["source"]
    begin = source.index("### BEGIN HIDDEN TESTS")
    assert source.index('check("create_tensor", globals())') < begin
    assert "def test_" not in source and "assert" not in source
    assert 'hidden_points("create_tensor", globals())' in source[begin:]
    assert max(len(line) for line in source.splitlines()) <= 80  # nbgrader validate shows it whole
    answer = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "create_tensor")
    assert "### BEGIN SOLUTION" in answer["source"] and "return torch.tensor(data)" in answer["source"]


def test_the_checks_file_holds_every_public_check_once():
    """public_checks.py is generated from the public checks and the diagnoses: every public
    check of every exercise, each check function and diagnosis defined once."""
    import ast

    from autograder.checks import diagnoses
    from autograder.nbgrader import checks_file

    tree = ast.parse(checks_file.source())
    defined = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert len(defined) == len(set(defined))
    by_exercise = checks_file.public_checks_by_exercise()
    assert set(by_exercise) == {e.name for e in load_manifest()}
    assert {t for tests in by_exercise.values() for t in tests} <= set(defined)
    assert {n for n, v in vars(diagnoses).items() if callable(v) and getattr(v, "__module__", "") == diagnoses.__name__
            } <= set(defined)


def test_notebooks_teach_in_markdown_once_and_every_cell_has_an_id(tmp_path):
    """The teaching text is Markdown (no reST left: ``::``, double backticks), stated once
    (the answer cell keeps only the summary line), and each cell has a valid, unique id."""
    import re

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    course = write_course(tmp_path / "c", load_manifest())
    for assignment in ASSIGNMENTS:
        nb = json.loads((course / "source" / assignment / f"{assignment}.ipynb").read_text())
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
        for e in (e for e in load_manifest() if e.assignment == assignment):
            body = [line.strip() for line in e.docstring.splitlines()[1:] if len(line.strip()) > 30]
            teaching = " ".join(by_id[f"{e.name}-text"].replace("`", "").split())
            for line in body:  # every line of the teaching text is in the Markdown cell, and only there
                words = line.removeprefix("* ").replace("`", "").split()
                assert " ".join(words) in teaching, (e.name, line)
                assert line not in by_id[e.name], (e.name, line)
            assert e.docstring.splitlines()[0] in by_id[e.name]  # the answer cell keeps the summary
        assert "How to work in this notebook" in nb["cells"][0]["source"]
        if assignment == "layers":  # build_classifier's docstring lists the layers: a list, not a paragraph
            html = markdown2html_mistune(next(c["source"] for c in nb["cells"] if c["id"] == "build_classifier-text"))
            assert html.count("<li>") >= 3 + 3, html  # three layers and three arguments

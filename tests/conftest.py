import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT, course_folder, grade_gallery


@pytest.fixture
def stub_dir(tmp_path: Path) -> Path:
    target = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", target)
    return target


@pytest.fixture(scope="session")
def graded():
    """The gallery graded from a course folder kept as instructors keep one: outside the
    temporary folder (which workers cover with their own tmpfs) and readable by others,
    so that only the jail, not the test's placement, keeps student code out of it."""
    with course_folder("gallery") as base:
        yield grade_gallery(base)


import shutil
from pathlib import Path

import pytest

from tests.helpers import ROOT


@pytest.fixture
def stub_dir(tmp_path: Path) -> Path:
    target = tmp_path / "exercises"
    shutil.copytree(ROOT / "exercises", target)
    return target

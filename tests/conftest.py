import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def table():
    from analysis import indicators
    return indicators.load()


@pytest.fixture(scope="session")
def hostile_book(tmp_path_factory):
    """The whole book built in a private copy of the repository with a data file whose
    every text field is hostile (tests/hostile.py): (repo copy, process, data file)."""
    from hostile import build_hostile_book
    return build_hostile_book(tmp_path_factory.mktemp("hostile"))

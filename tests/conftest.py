import tempfile
from pathlib import Path

import pytest

import layers  # tests/layers.py: the layers and the rule for tests that need a build


def pytest_configure(config):
    for name, text in [
        ("unit", "in process; writes only to temporary folders (tests/layers.py)"),
        ("integration", "runs pipeline steps for real in a private copy of the repository or a temporary folder"),
        ("e2e", "reads the built book (HTML, PDF, executed notebooks); fails under CI=true when it is missing"),
        ("requires_build(path, target)", "needs `path`, made by `make <target>` (tests/layers.py: requires)"),
    ]:
        config.addinivalue_line("markers", f"{name}: {text}")


def pytest_collection_modifyitems(config, items):
    """Give every test exactly one layer (tests/layers.py); the executed
    notebooks that nbval checks are end-to-end."""
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            layer = "e2e"
        else:
            layer = layers.layer_of(path.stem, {m.name for m in item.iter_markers()},
                                    set(getattr(item, "fixturenames", ())))
        if layer not in {m.name for m in item.iter_markers()}:
            item.add_marker(getattr(pytest.mark, layer))


def pytest_runtest_setup(item):
    layers.check_build(item)


@pytest.fixture(autouse=True)
def _unit_tests_write_only_to_temporary_folders(request, monkeypatch):
    """A unit test that writes a file outside the temporary folders, or into the
    repository (which may itself lie in one, as a CI clone in /tmp does), through
    analysis.atomic, the package's one way of writing, fails, naming the file."""
    if request.node.get_closest_marker("unit") is None:
        yield
        return
    from analysis import atomic

    from analysis.paths import ROOT

    temp = Path(tempfile.gettempdir()).resolve()
    original = atomic.replacing

    def guarded(path, *args, **kwargs):
        target = Path(path).resolve()
        if target.is_relative_to(ROOT.resolve()) or not target.is_relative_to(temp):
            raise AssertionError(f"a unit test wrote {target}, not in a temporary folder: write to tmp_path, "
                                 f"or mark the test integration (tests/layers.py)")
        return original(path, *args, **kwargs)

    monkeypatch.setattr(atomic, "replacing", guarded)
    yield


@pytest.fixture
def table():
    from analysis.data import indicators
    return indicators.load()


@pytest.fixture(scope="session")
def hostile_book(tmp_path_factory):
    """The whole book built in a private copy of the repository with a data file whose
    every text field is hostile (tests/hostile.py): (repo copy, process, data file)."""
    from hostile import build_hostile_book
    return build_hostile_book(tmp_path_factory.mktemp("hostile"))

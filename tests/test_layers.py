"""The suite's layers (tests/layers.py): every module has one, a test needing a
build is end-to-end, and under CI=true a missing build fails instead of skipping."""
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import layers

TESTS = Path(__file__).resolve().parent


def test_every_test_module_has_a_layer():
    modules = {p.stem for p in TESTS.glob("test_*.py")}
    assert modules - set(layers.MODULES) == set(), "add them to MODULES in tests/layers.py"
    assert set(layers.MODULES) - modules == set(), "MODULES names modules that do not exist"
    assert set(layers.MODULES.values()) <= set(layers.LAYERS)


def test_layer_rules():
    assert layers.layer_of("test_audit", set()) == "unit"
    assert layers.layer_of("test_audit", {"requires_build"}) == "e2e"
    assert layers.layer_of("test_audit", {"integration", "requires_build"}) == "integration"
    assert layers.layer_of("test_audit", set(), {"tmp_path", "repo_copy"}) == "integration"
    assert layers.layer_of("test_audit", {"unit"}, {"repo_copy"}) == "unit"
    with pytest.raises(pytest.UsageError, match="more than one layer"):
        layers.layer_of("test_audit", {"unit", "e2e"})
    with pytest.raises(pytest.UsageError, match=r"tests/test_new\.py has no layer"):
        layers.layer_of("test_new", set())
    with pytest.raises(ValueError, match="unknown build target"):
        layers.requires("x", "html")


def _run_suite(tmp_path: Path, ci: str, body: str) -> subprocess.CompletedProcess:
    """Run a small test module through this suite's conftest (copied beside it)."""
    for name in ("conftest.py", "layers.py"):
        (tmp_path / name).write_text((TESTS / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "layers.py").write_text((tmp_path / "layers.py").read_text(encoding="utf-8")
                                        .replace('"test_atomic": "unit",', '"test_atomic": "unit", "test_probe": "unit",'),
                                        encoding="utf-8")
    (tmp_path / "test_probe.py").write_text(textwrap.dedent(body), encoding="utf-8")
    env = {"PATH": "/usr/bin:/bin", "CI": ci}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)


PROBE = """
    from layers import requires

    @requires("/nonexistent/_build/html/index.html", "book")
    def test_needs_the_book():
        pass

    def test_plain():
        pass
"""


def test_missing_build_skips_locally_and_fails_under_ci(tmp_path):
    local = _run_suite(tmp_path, "", PROBE)
    assert local.returncode == 0, local.stdout + local.stderr
    assert "1 passed, 1 skipped" in local.stdout
    assert "run `make book` first" in local.stdout
    ci = _run_suite(tmp_path, "true", PROBE)
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert "under CI=true an end-to-end test fails instead of skipping" in ci.stdout
    assert "1 passed, 1 error" in ci.stdout


def test_a_unit_test_writing_outside_temporary_folders_fails(tmp_path):
    target = TESTS.parent / "_build" / "probe-must-not-exist.txt"
    r = _run_suite(tmp_path, "", f"""
        from analysis import atomic

        def test_writes_into_the_repository():
            atomic.write_text({str(target)!r}, "x")

        def test_writes_into_tmp_path(tmp_path):
            atomic.write_text(tmp_path / "ok.txt", "x")
    """)
    assert "1 failed, 1 passed" in r.stdout, r.stdout + r.stderr
    assert f"a unit test wrote {target}" in r.stdout
    assert not target.exists()


def test_an_unlisted_module_stops_the_run(tmp_path):
    _run_suite(tmp_path, "", "def test_x():\n    pass\n")  # the suite's conftest and layers, and a listed module
    (tmp_path / "test_other.py").write_text("def test_y():\n    pass\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120,
                       env={"PATH": "/usr/bin:/bin"})
    assert r.returncode != 0
    assert "tests/test_other.py has no layer" in r.stdout + r.stderr

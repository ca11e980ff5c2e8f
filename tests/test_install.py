"""`analysis` is an installed package (pyproject.toml, editable, into .venv):
nothing sets the module search path, any process of the venv imports this
checkout's code wherever it runs, and a repository copy (analysis.book.repocopy)
imports its own."""
import importlib.metadata
import subprocess
import sys
import tomllib
from pathlib import Path

import analysis
from analysis.book import repocopy
from analysis.paths import ROOT

# spelled in two halves, so that this file does not match itself
FORBIDDEN = ["PYTHON" + "PATH", "sys.path" + ".insert", "sys.path" + ".append"]


def _sources():
    yield ROOT / "Makefile"
    yield ROOT / ".ci" / "run"
    yield ROOT / "README.md"
    for folder in ("analysis", "tests", "benchmarks"):
        yield from sorted((ROOT / folder).rglob("*.py"))
    yield from sorted((ROOT / "analysis" / "templates").glob("*.ipynb"))


def test_no_search_path_manipulation_anywhere():
    found = [f"{p.relative_to(ROOT)}:{n}: {line.strip()}"
             for p in _sources() for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
             if any(f in line for f in FORBIDDEN)]
    assert found == []


def test_analysis_is_installed_from_pyproject_in_editable_mode():
    venv = Path(sys.prefix)
    if repocopy.overlay_of(venv):  # these tests run in a repository copy: its venv imports the copy
        assert repocopy.overlay_of(venv) == ROOT
        return
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    dist = importlib.metadata.distribution(meta["project"]["name"])
    assert dist.version == analysis.__version__
    assert Path(analysis.__file__).resolve().parent == ROOT / "analysis"
    direct = dist.read_text("direct_url.json") or ""
    assert '"editable": true' in direct and ROOT.as_uri() in direct


def _import_from(python: Path, cwd: Path) -> str:
    r = subprocess.run([str(python), "-c", "import analysis, pandas; print(analysis.__file__)"], cwd=cwd,
                       capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_the_venv_imports_this_checkout_from_any_folder(tmp_path):
    """As a notebook kernel does (its working directory is not an import root)."""
    assert _import_from(Path(sys.executable), tmp_path) == str(ROOT / "analysis" / "__init__.py")


def test_a_repository_copy_imports_its_own_code(tmp_path):
    repo = repocopy.copy(tmp_path / "repo")
    python = repo / ".venv" / "bin" / "python"
    assert _import_from(python, tmp_path) == str((repo / "analysis" / "__init__.py").resolve())
    jb = (repo / ".venv" / "bin" / "jupyter-book").read_text(encoding="utf-8").splitlines()[0]
    assert jb == f"#!{python}"
    assert (repo / ".venv" / repocopy.STAMP).stat().st_mtime >= (repo / "requirements.txt").stat().st_mtime

"""Integration: the pipeline's steps run for real, in order, into a private
copy of the repository (its own data/processed, _build and book/): ingest →
audit → one chapter. Each step's output is what the repository holds (the
steps are deterministic), and the chapter is an executed notebook with its
figures, no error and only the one chapter recorded as executed. The copy has
a venv of its own (analysis/repocopy.py): the kernels import the copy's code."""
import json
import os
import subprocess
import sys

import nbformat
import pytest

from analysis.paths import ROOT
from hostile import copy_repo

ISO3 = "TJK"


def _step(repo, *args, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")} | extra_env
    r = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", *args], cwd=repo, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, f"{' '.join(args)}:\n{r.stdout}\n{r.stderr}"
    return r.stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("pipeline") / "repo")


def test_ingest_then_audit_give_the_committed_tables(repo):
    for name in ("indicators.csv", "audit.csv"):
        (repo / "data" / "processed" / name).unlink()
    _step(repo, "analysis.steps", "ingest")
    _step(repo, "analysis.steps", "audit")
    for name in ("indicators.csv", "audit.csv", "targets.csv"):
        assert (repo / "data" / "processed" / name).read_bytes() == (ROOT / "data" / "processed" / name).read_bytes(), \
            f"data/processed/{name} differs from the repository's"
    assert "up to date" in _step(repo, "analysis.steps", "audit")  # nothing it reads changed


def test_one_chapter_into_the_copy(repo):
    out = _step(repo, "analysis.run", "--only", f"countries/{ISO3}")
    assert f"countries/{ISO3}" in out and "run: 1 executed, 0 cached" in out
    nb = nbformat.read(repo / "book" / "countries" / f"{ISO3}.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    glued = [o for c in nb.cells for o in c.get("outputs", []) if "scrapbook" in o.get("metadata", {})]
    assert len(glued) > 20, "the chapter glues its numbers"
    assert sorted(json.loads((repo / "_build" / ".execution-manifest.json").read_text())) == [f"countries/{ISO3}"]
    figures = repo / "book" / "figures" / ISO3
    assert {p.suffix for p in figures.iterdir()} >= {".png", ".svg", ".csv"}
    again = _step(repo, "analysis.run", "--only", f"countries/{ISO3}")
    assert "run: 0 executed, 1 cached" in again


def test_a_kernel_started_the_standard_way_runs_the_copy_s_code(repo):
    """A cold kernel (``python -m ipykernel_launcher``, its working directory not
    an import root) imports the copy's analysis package from the copy's venv:
    the figures land in the copy's book, not in this checkout's."""
    _step(repo, "analysis.run", "--only", "countries/KGZ", SRD_COLD_KERNELS="1")
    assert {p.suffix for p in (repo / "book" / "figures" / "KGZ").iterdir()} >= {".png", ".svg", ".csv"}

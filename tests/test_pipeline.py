"""Integration: the pipeline's steps run for real, in order, into a private
copy of the repository (its own data/processed, _build and book/): ingest →
audit → one chapter, through the Snakefile's rules. Each step's output is what
the repository holds (the steps are deterministic), and the chapter is an
executed notebook with its figures, no error, and the only notebook executed. The copy has
a venv of its own (analysis/book/repocopy.py): the kernels import the copy's code."""
import re

import nbformat
import pytest

from analysis.paths import ROOT
import hostile
from hostile import copy_repo

ISO3 = "TJK"


def _step(repo, *args, **extra_env):
    return hostile.run_step(repo, *args, **extra_env).stdout


def snakemake(repo, *targets, dry=False):
    return hostile.snakemake(repo, *targets, *(["--dry-run"] if dry else []), "--nolock", "--quiet", "all",
                             "--cores", "2").stdout


def nothing_to_do(repo, *targets) -> bool:
    out = snakemake(repo, *targets, dry=True)
    return "Nothing to be done" in out or out.strip() == ""


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    return copy_repo(tmp_path_factory.mktemp("pipeline") / "repo")


def test_ingest_then_audit_give_the_committed_tables(repo):
    for name in ("indicators.csv", "audit.csv"):
        (repo / "data" / "processed" / name).unlink()
    out = snakemake(repo, "audit")
    assert out.index("analysis.data.ingest") < out.index("analysis.ledger.audit"), out
    for name in ("indicators.csv", "audit.csv", "targets.csv"):
        assert (repo / "data" / "processed" / name).read_bytes() == (ROOT / "data" / "processed" / name).read_bytes(), \
            f"data/processed/{name} differs from the repository's"
    assert nothing_to_do(repo, "audit")  # nothing it reads changed


def test_one_chapter_into_the_copy(repo):
    out = snakemake(repo, f"book/countries/{ISO3}.ipynb")
    assert re.findall(r"^(\S+) +executed in", out, flags=re.M) == [f"countries/{ISO3}"], out
    nb = nbformat.read(repo / "book" / "countries" / f"{ISO3}.ipynb", as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    glued = [o for c in nb.cells for o in c.get("outputs", []) if "scrapbook" in o.get("metadata", {})]
    assert len(glued) > 20, "the chapter glues its numbers"
    assert sorted(p.name for p in (repo / "book" / "countries").glob("*.ipynb")) == [f"{ISO3}.ipynb"]
    figures = repo / "book" / "figures" / ISO3
    assert {p.suffix for p in figures.iterdir()} >= {".png", ".svg", ".csv"}
    assert nothing_to_do(repo, f"book/countries/{ISO3}.ipynb")


def test_a_kernel_runs_the_copy_s_code(repo):
    """A kernel started the standard way (``python -m ipykernel_launcher``, its
    working directory not an import root) imports the copy's analysis package
    from the copy's venv: the figures land in the copy's book, not in this checkout's."""
    _step(repo, str(repo / ".venv" / "bin" / "python"), "-m", "analysis.book.notebooks", "--job", "countries/KGZ")
    assert {p.suffix for p in (repo / "book" / "figures" / "KGZ").iterdir()} >= {".png", ".svg", ".csv"}


def test_the_offprints_are_compiled_beside_the_book_s_pdf(repo):
    """The book's PDF and each offprint are compiled from the book's LaTeX
    (rule latex): no offprint waits for the book's PDF, so they run side by side."""
    dot = hostile.snakemake(repo, "pdfs", "--rulegraph", "--nolock", "--quiet", "all").stdout
    names = dict(re.findall(r"^\s*(\d+)\[label = \"(\w+)\"", dot, flags=re.M))
    edges = {(names[a], names[b]) for a, b in re.findall(r"^\s*(\d+) -> (\d+)$", dot, flags=re.M)}
    assert {("latex", "pdf"), ("latex", "offprint"), ("pdf", "pdfs"), ("offprint", "pdfs")} <= edges, edges
    assert ("pdf", "offprint") not in edges, edges

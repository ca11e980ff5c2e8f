"""Beyond one machine (issue 17, item 9): the chapter rules run through
Snakemake's generic cluster executor, with profiles/local-cluster (the set-up
of profiles/cluster, a one-machine stand-in for the batch scheduler's submit
and status commands), in a private copy of the repository. The notebooks are
submitted as jobs, each runs in its own Snakemake process, and the executed
notebooks equal those of a local run byte for byte."""
import re

import nbformat
import pytest

import hostile
from hostile import copy_repo

pytestmark = pytest.mark.timeout(900)
CHAPTERS = ["KGZ", "TJK"]


def snakemake(repo, *args) -> str:
    r = hostile.snakemake(repo, *args)
    return r.stdout + r.stderr


def test_the_chapters_run_as_cluster_jobs(tmp_path):
    repo = copy_repo(tmp_path / "repo")
    targets = [f"book/countries/{c}.ipynb" for c in CHAPTERS]
    out = snakemake(repo, *targets, "--profile", "profiles/local-cluster")
    queue = repo / "_build" / "cluster"
    submitted = (queue / "submitted.txt").read_text(encoding="utf-8").split("\n")
    # the data steps ran here (local rules); each chapter was one submitted job
    assert "analysis.data.ingest" in out and "analysis.book.notebooks --fingerprints" in out
    assert sorted(line.split()[1] for line in submitted if line) == ["chapter"] * len(CHAPTERS)
    logs = "".join(p.read_text(encoding="utf-8") for p in sorted(queue.glob("*.out")))
    assert sorted(re.findall(r"^countries/(\w+) +executed in", logs, flags=re.M)) == sorted(CHAPTERS)
    assert {p.read_text().strip() for p in queue.glob("*.status")} == {"0"}
    clustered = {c: (repo / t).read_bytes() for c, t in zip(CHAPTERS, targets)}
    for c in CHAPTERS:
        nb = nbformat.reads(clustered[c].decode(), as_version=4)
        assert not [o for cell in nb.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    # the same notebooks, executed locally
    snakemake(repo, *targets, "--nolock", "--quiet", "all", "--cores", "2", "--forcerun", "chapter")
    assert {c: (repo / t).read_bytes() for c, t in zip(CHAPTERS, targets)} == clustered

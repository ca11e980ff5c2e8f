"""What re-executes after a change (issue 17, item 2), in a private copy of the
repository: a chapter's fingerprint holds the code it runs (the modules its
template imports, transitively: analysis/codegraph.py), the pinned versions of
the libraries those import, its parameters and texts, and the data it reads."""
import os
import re
import subprocess

import pandas as pd
import pytest

from analysis import codegraph, config, statements
from hostile import copy_repo

pytestmark = pytest.mark.timeout(900)


def _python(repo, *args) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")}
    r = subprocess.run([str(repo / ".venv" / "bin" / "python"), "-m", *args], cwd=repo,
                       capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stdout


def _run(repo) -> set[str]:
    """The notebooks `python -m analysis.run` executed."""
    return set(re.findall(r"\] (\S+) +executed in", _python(repo, "analysis.run")))


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("invalidation") / "repo")
    assert len(_run(repo)) == len(config.countries()) + 1  # all, from nothing
    _python(repo, "analysis.steps", "docs")
    return repo


def test_a_module_no_chapter_imports_re_executes_nothing(repo):
    assert "analysis.pdf" not in codegraph.closure(["analysis.chapter", "analysis.run"])[0]
    with open(repo / "analysis" / "pdf.py", "a", encoding="utf-8") as f:
        f.write("\n# a comment\n")
    assert _run(repo) == set()
    assert "docs: up to date" in _python(repo, "analysis.steps", "docs")  # nor are the pages made again


def test_a_pin_no_chapter_uses_re_executes_nothing(repo):
    req = repo / "requirements.txt"
    text = req.read_text(encoding="utf-8")
    assert "playwright==" in text
    req.write_text(re.sub(r"^playwright==(\S+)$", r"playwright==\1.post1", text, flags=re.M), encoding="utf-8")
    assert _run(repo) == set()


def test_a_pin_the_chapters_use_re_executes_them(repo):
    req = repo / "requirements.txt"
    text = req.read_text(encoding="utf-8")
    req.write_text(re.sub(r"^pandas==(\S+)$", r"pandas==\1.post1", text, flags=re.M), encoding="utf-8")
    assert _run(repo) == {f"countries/{c}" for c in config.iso3_codes()} | {"regional"}


def test_one_country_s_data_re_executes_its_chapter_and_what_aggregates_it(repo):
    """Move Tajikistan's mobile subscriptions away from the others in a year where
    it is the highest or lowest (so the regional median every chapter shows stays):
    its chapter, the regional overview (all data) and the chapters whose text
    ranks countries on that indicator re-execute; no other."""
    path = repo / "data" / "processed" / "indicators.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    code = "IT.CEL.SETS.P2"
    rows = df[(df["indicator"] == code) & df["country_iso3"].isin(config.partners())]
    values = rows.assign(v=rows["value"].astype(float)).pivot(index="year", columns="country_iso3", values="v")
    latest = values.index.max()
    def outward(r):  # +1 if TJK is the highest of those reporting, -1 if the lowest (and stays >= 0)
        if r.notna().sum() < 3 or pd.isna(r.get("TJK")):
            return 0
        if r["TJK"] == r.max() and (r == r.max()).sum() == 1:
            return 1
        return -1 if r["TJK"] == r.min() and (r == r.min()).sum() == 1 and r["TJK"] >= 1 else 0
    year, step = next((y, outward(r)) for y, r in values.sort_index().iterrows() if y != latest and outward(r))
    at = df.index[(df["country_iso3"] == "TJK") & (df["indicator"] == code) & (df["year"] == year)][0]
    df.loc[at, "value"] = repr(float(df.loc[at, "value"]) + step)
    df.to_csv(path, index=False, lineterminator="\n")
    comparing = {f"countries/{c}" for c in config.iso3_codes() if code in statements.indicators_used(c)}
    assert _run(repo) == {"countries/TJK", "regional"} | comparing

"""What re-executes after a change (issue 17, item 2), in a private copy of the
repository, when Snakemake brings the notebooks up to date (the Snakefile's
`outputs` target, as `make book` does): a chapter's fingerprint holds the code it runs (the modules its
template imports, transitively: analysis/codegraph.py), the pinned versions of
the libraries those import, its parameters and texts, and the data it reads."""
import csv
import hashlib
import re

import pandas as pd
import pytest
import yaml

from analysis import codegraph, config
from analysis.report import statements
import hostile
from hostile import copy_repo

pytestmark = pytest.mark.timeout(900)


def snakemake(repo, *targets) -> str:
    """The copy's Snakemake, as `make` runs it; its output."""
    return hostile.snakemake(repo, *targets, "--nolock", "--quiet", "all", "--cores", "all").stdout


def _run(repo) -> set[str]:
    """The notebooks executed when the notebooks and generated pages are brought up to date."""
    return set(re.findall(r"^(\S+) +executed in", snakemake(repo, "outputs"), flags=re.M))


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    repo = copy_repo(tmp_path_factory.mktemp("invalidation") / "repo")
    assert len(_run(repo)) == len(config.countries()) + 1  # all, from nothing
    return repo


def test_a_module_no_chapter_imports_re_executes_nothing(repo):
    assert "analysis.book.pdf" not in codegraph.closure(["analysis.report.chapter", "analysis.book.notebooks"])[0]
    with open(repo / "analysis" / "book" / "pdf.py", "a", encoding="utf-8") as f:
        f.write("\n# a comment\n")
    out = snakemake(repo, "outputs")
    assert "executed in" not in out and "analysis.report.generate" not in out and "--fingerprints" not in out, out


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
    """Move Tajikistan's mobile subscriptions in the raw file away from the others
    in a year where it is the highest or lowest (so the regional median every chapter shows stays):
    its chapter and the regional overview (all data) re-execute; no other."""
    df = pd.read_csv(repo / "data" / "processed" / "indicators.csv", dtype=str, keep_default_na=False)
    code = "IT.CEL.SETS.P2"
    rows = df[(df["indicator"] == code) & df["country_iso3"].isin(config.partners())]
    values = rows.assign(v=rows["value"].astype(float)).pivot(index="year", columns="country_iso3", values="v")
    latest = values.index.max()
    from_file = set(rows[(rows["country_iso3"] == "TJK") & (rows["source_id"] == "wdi_mobile")]["year"])
    def outward(r):  # TJK the highest of those reporting: +1; the lowest (above 0): halved
        if r.notna().sum() < 3 or pd.isna(r.get("TJK")) or r.name not in from_file:
            return None
        if r["TJK"] == r.max() and (r == r.max()).sum() == 1:
            return lambda v: v + 1
        return (lambda v: v / 2) if r["TJK"] == r.min() and (r == r.min()).sum() == 1 and r["TJK"] > 0 else None
    year, change = next((y, outward(r)) for y, r in values.sort_index().iterrows() if y != latest and outward(r))
    set_raw_value(repo, "wdi_mobile", "TJK", year, lambda v: repr(change(float(v))))
    # the chapters whose texts rank the region on this indicator stay: what their
    # checks make of the data did not change (tests/test_run.py has the case where it does)
    assert {c for c in config.partners() if c != "TJK" and code in statements.indicators_used(c)}
    assert _run(repo) == {"countries/TJK", "regional"}


def set_raw_value(repo, source_id, iso3, year, change) -> None:
    """Change one value of a World Bank wide file in data/raw, and its sha256 in
    the registry (as an analyst replacing the file does)."""
    registry = repo / "data" / "sources.yml"
    entry = next(s for s in yaml.safe_load(registry.read_text(encoding="utf-8"))["sources"] if s["id"] == source_id)
    path = repo / "data" / entry["file"]
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    header = next(next(csv.reader([ln])) for ln in lines if ln.startswith('"Country Name"'))
    at = next(i for i, ln in enumerate(lines) if f'"{iso3}",' in ln)
    fields = next(csv.reader([lines[at]]))
    rebuilt = lambda f: ",".join(f'"{x}"' for x in f[:-1]) + ","  # the file's own quoting (a trailing empty field)
    assert rebuilt(fields) == lines[at]
    fields[header.index(str(year))] = change(fields[header.index(str(year))])
    lines[at] = rebuilt(fields)
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    text = registry.read_text(encoding="utf-8")
    assert text.count(entry["sha256"]) == 1
    registry.write_text(text.replace(entry["sha256"], hashlib.sha256(path.read_bytes()).hexdigest()), encoding="utf-8")

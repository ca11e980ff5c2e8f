"""`make book DATA=...`: new files are validated with everything else before
they are registered; bad files fail with one line and change nothing."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.data import adddata
from analysis.errors import DataError
from analysis.paths import DATA, ROOT
from layers import requires

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yml").read_text(encoding="utf-8"))


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def run_adddata(*files, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "analysis.data.adddata", *map(str, files)], cwd=cwd,
                          capture_output=True, text=True)  # run in `cwd`: its analysis package


def test_corpus_has_at_least_20_cases():
    assert len(EXPECTED) >= 20
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.glob("*.csv"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_file_fails_with_one_line_and_changes_nothing(name):
    before = snapshot(DATA)
    with pytest.raises(DataError) as e:
        adddata.add([CORPUS / name])
    msg = str(e.value)
    assert EXPECTED[name] in msg, msg
    assert "\n" not in msg
    assert snapshot(DATA) == before


def test_cli_exit_code_and_no_traceback():
    r = run_adddata(CORPUS / "percent_over_100.csv")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith("error: tests/corpus/percent_over_100.csv: row 3, column \"value\"")


def test_very_large_file_is_refused_without_reading_it(tmp_path):
    big = tmp_path / "huge.csv"
    with open(big, "wb") as f:
        f.truncate(60 * 1024 * 1024)  # sparse: costs no memory or disk
    with pytest.raises(DataError, match=r"huge.csv: file is 63 MB; the limit is 50 MB"):
        adddata.add([big])


@pytest.mark.parametrize("given,expected", [
    ("../../etc/passwd.csv", "passwd.csv"),
    ("..%2F..%2Fevil.csv", "2F.._2Fevil.csv"),
    (".hidden.csv", "hidden.csv"),
    ("my data (2024).csv", "my_data_2024.csv"),
])
def test_file_names_cannot_escape_data_raw(given, expected):
    assert adddata.safe_name(Path(given)) == expected


def test_non_csv_is_refused():
    with pytest.raises(DataError, match="must be .csv"):
        adddata.safe_name(Path("report.docx"))


@pytest.fixture
def repo_copy(tmp_path):
    """A private copy of the code and data: registering writes there only."""
    dst = tmp_path / "repo"
    shutil.copytree(ROOT / "analysis", dst / "analysis", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "data", dst / "data")
    return dst


WB_NEW = """\ufeff"Data Source","World Development Indicators",

"Last Updated Date","2025-07-01",

"Country Name","Country Code","Indicator Name","Indicator Code","2019","2020",
"Kazakhstan","KAZ","Test series (% of population)","TST.IND.ZS","10.5","11.5",
"World","WLD","Test series (% of population)","TST.IND.ZS","1","2",
"""


def test_good_file_is_copied_registered_and_reproducible(repo_copy, tmp_path):
    src = tmp_path / "API_TST.IND.ZS_DS2_en_csv_v2_1.csv"
    src.write_text(WB_NEW, encoding="utf-8")
    r = run_adddata(src, cwd=repo_copy)
    assert r.returncode == 0, r.stderr
    reg = yaml.safe_load((repo_copy / "data" / "sources.yml").read_text(encoding="utf-8"))["sources"]
    new = reg[-1]
    assert new["file"] == "raw/API_TST.IND.ZS_DS2_en_csv_v2_1.csv" and new["reader"] == "wb_wide"
    assert new["released"] == "2025-07-01"
    assert (repo_copy / "data" / new["file"]).read_bytes() == src.read_bytes()
    ing = subprocess.run([sys.executable, "-m", "analysis.data.ingest"], cwd=repo_copy, capture_output=True, text=True)
    assert ing.returncode == 0, ing.stderr
    table = (repo_copy / "data" / "processed" / "indicators.csv").read_text(encoding="utf-8")
    assert "KAZ,TST.IND.ZS,2019,10.5,percent," in table and "WLD" not in table
    # an indicator the book has never seen appears without code changes: in the data
    # dictionary's "Further indicators" (named as the source names it) and the coverage matrix
    pages = subprocess.run([sys.executable, "-c", "from analysis.report import generate; "
                            "print(generate.dictionary_markdown()); print(generate.coverage_markdown())"],
                           cwd=repo_copy, capture_output=True, text=True)
    assert pages.returncode == 0, pages.stderr
    assert "| `TST.IND.ZS` | Test series \\(\\% of population\\) |" in pages.stdout  # literal text (analysis.untrusted.md)
    assert "| `TST.IND.ZS` | 2019–2020 (2) |" in pages.stdout
    # the same file again is recognised by its hash, not added twice
    again = run_adddata(src, cwd=repo_copy)
    assert "already registered" in again.stdout


def test_newer_values_replace_older_ones(repo_copy, tmp_path):
    src = tmp_path / "revision.csv"
    src.write_text("country_iso3,indicator,year,value,unit,source\nKAZ,IT.NET.USER.ZS,2019,82.5,percent,revision\n",
                   encoding="utf-8")
    assert run_adddata(src, cwd=repo_copy).returncode == 0
    subprocess.run([sys.executable, "-m", "analysis.data.ingest"], cwd=repo_copy, check=True, capture_output=True)
    table = (repo_copy / "data" / "processed" / "indicators.csv").read_text(encoding="utf-8")
    assert "KAZ,IT.NET.USER.ZS,2019,82.5,percent,revision" in table
    replaced = (repo_copy / "data" / "processed" / "replaced_values.csv").read_text(encoding="utf-8")
    assert "KAZ,IT.NET.USER.ZS,2019,81.8776,wdi_internet,82.5,revision" in replaced


@requires(ROOT / "_build" / "html" / "index.html", "book")
def test_make_book_with_bad_data_leaves_build_byte_identical():
    build = ROOT / "_build" / "html"
    before = snapshot(build)
    data_before = snapshot(DATA)
    r = subprocess.run(["make", "book", f"DATA={CORPUS / 'duplicate_conflict.csv'}"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode != 0
    assert "given twice with different values" in r.stderr
    assert snapshot(build) == before
    assert snapshot(DATA) == data_before
